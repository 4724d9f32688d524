/**
 * Every selection policy by registry name (contracts/schemas/policy.ts lists the names and
 * their options). A spec string names a policy and optionally overrides options:
 * `successive-halving`, `successive-halving:eta=3`, `fine-selection:clusters=3;threshold=0.01`.
 * A policy is added by one file, its entry here and in POLICY_DEFAULTS, and its test.
 */
import type { SelectionPolicy } from '../policy';
import {
  POLICY_NAMES,
  PolicyOptionsSchema,
  parsePolicySpec,
  policySpecName,
  resolvePolicyOptions,
  type OptionsOf,
  type PolicyName,
  type PolicyOptions,
} from '../../contracts/schemas/policy';
import { bruteForce } from './brute-force';
import { successiveHalving } from './successive-halving';
import { fineSelection } from './fine-selection';
import { twoPhasePaper } from './two-phase-paper';
import { priorShrinkHalving } from './prior-shrink-halving';
import { formatIssues } from '../../contracts/issues';

export { POLICY_NAMES, parsePolicySpec, type PolicyName, type PolicyOptions };

const REGISTRY: { readonly [N in PolicyName]: (o: OptionsOf<N>, name: string) => SelectionPolicy } = {
  'prior-shrink-halving': priorShrinkHalving,
  'two-phase-paper': twoPhasePaper,
  'fine-selection': fineSelection,
  'successive-halving': successiveHalving,
  'brute-force': (_o, name) => bruteForce('last', name),
  'brute-force-best-epoch': (_o, name) => bruteForce('best-epoch', name),
};

/**
 * A policy by name with option overrides (PolicyOptionsSchema). Throws naming the policy,
 * the option and the rule on an unknown option or a bad value.
 */
export function createPolicy<N extends PolicyName>(name: N, options: PolicyOptions | Readonly<Record<string, unknown>> = {}): SelectionPolicy {
  const parsed = PolicyOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`${name}: ${formatIssues(parsed.error.issues, 'options')}`);
  const make = REGISTRY[name] as (o: OptionsOf<N>, n: string) => SelectionPolicy;
  return make(resolvePolicyOptions(name, parsed.data), policySpecName(name, parsed.data));
}

/** createPolicy(parsePolicySpec(spec)). Throws on an unknown name, option or value. */
export function policyFromSpec(spec: string): SelectionPolicy {
  const { name, options } = parsePolicySpec(spec);
  return createPolicy(name, options);
}
