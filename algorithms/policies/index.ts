/**
 * Every selection policy by registry name. A spec string names a policy and optionally
 * overrides parameters: `successive-halving`, `successive-halving:eta=3`,
 * `fine-selection:clusters=3;threshold=0.01`.
 */
import type { SelectionPolicy } from '../policy';
import { bruteForce } from './brute-force';
import { successiveHalving } from './successive-halving';
import { fineSelection } from './fine-selection';
import { twoPhasePaper } from './two-phase-paper';
import { priorShrinkHalving } from './prior-shrink-halving';
import type { PolicyParams } from './options';

export type { PolicyParams } from './options';

export const POLICY_NAMES = ['brute-force', 'brute-force-best-epoch', 'successive-halving', 'fine-selection', 'two-phase-paper', 'prior-shrink-halving'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** True when `name` is a registered policy name. */
export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

function noParams(name: string, params: PolicyParams): void {
  const keys = Object.keys(params);
  if (keys.length > 0) throw new Error(`${name}: unknown parameter "${keys[0] ?? ''}"; known: none`);
}

function assertUnreachable(x: never): never {
  throw new Error(`unknown policy ${String(x)}`);
}

/** A policy by name with parameter overrides. Throws on an unknown parameter or a bad value. */
export function createPolicy(name: PolicyName, params: PolicyParams = {}): SelectionPolicy {
  switch (name) {
    case 'brute-force':
      noParams(name, params);
      return bruteForce('last');
    case 'brute-force-best-epoch':
      noParams(name, params);
      return bruteForce('best-epoch');
    case 'successive-halving':
      return successiveHalving(params);
    case 'fine-selection':
      return fineSelection(params);
    case 'two-phase-paper':
      return twoPhasePaper(params);
    case 'prior-shrink-halving':
      return priorShrinkHalving(params);
    default:
      return assertUnreachable(name);
  }
}

/** Parse `name[:key=value;key=value]` (numbers where they parse, else strings). Throws on an unknown name or a malformed pair. */
export function parsePolicySpec(spec: string): { name: PolicyName; params: Record<string, number | string> } {
  const [name = '', rest] = spec.trim().split(/:(.*)/s, 2);
  if (!isPolicyName(name)) throw new Error(`unknown policy "${name}"; known: ${POLICY_NAMES.join(', ')}`);
  const params: Record<string, number | string> = {};
  for (const pair of (rest ?? '').split(';').filter((p) => p.trim() !== '')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(\S+)\s*$/.exec(pair);
    if (m === null) throw new Error(`policy "${name}": "${pair}" is not key=value`);
    const value = Number(m[2]);
    params[m[1] ?? ''] = m[2] !== undefined && Number.isFinite(value) ? value : (m[2] ?? '');
  }
  return { name, params };
}

/** createPolicy(parsePolicySpec(spec)). */
export function policyFromSpec(spec: string): SelectionPolicy {
  const { name, params } = parsePolicySpec(spec);
  return createPolicy(name, params);
}
