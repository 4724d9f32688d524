/**
 * One replay evaluation end to end: load an anchors directory, build the protocol's
 * cases, run each policy on every case through the replay trainer, summarise.
 */
import type { SelectionPolicy } from '../algorithms/policy';
import { policyFromSpec } from '../algorithms/policies';
import { loadAnchors, type AnchorData } from './load';
import { looCases, paperCases, type ReplayCase } from './protocols';
import { evaluatePolicy, summarize, type CaseResult, type PolicySummary } from './evaluate';

export type ReplayProtocol = 'paper' | 'loo';

export interface ReplayRequest {
  readonly dataDir: string;
  readonly protocol: ReplayProtocol;
  /** Policy specs (`successive-halving:eta=3`). */
  readonly methods: readonly string[];
  readonly seed: number;
  /** loo: smallest number of models a target dataset needs; absent = min(25, models recorded). */
  readonly minModels?: number;
}

export interface MethodResult {
  readonly summary: PolicySummary;
  readonly cases: readonly CaseResult[];
}

export interface ReplayReport {
  readonly protocol: ReplayProtocol;
  readonly dataDir: string;
  readonly targets: readonly string[];
  readonly methods: readonly MethodResult[];
}

/** Default method specs per protocol. */
export const DEFAULT_METHODS: Readonly<Record<ReplayProtocol, readonly string[]>> = {
  paper: ['brute-force', 'successive-halving', 'two-phase-paper:phase2=successive-halving', 'two-phase-paper'],
  loo: ['brute-force', 'brute-force-best-epoch', 'successive-halving', 'successive-halving:eta=3', 'fine-selection', 'two-phase-paper', 'prior-shrink-halving'],
};

/** The protocol's cases for loaded data. */
export function buildCases(data: AnchorData, protocol: ReplayProtocol, seed: number, minModels: number): ReplayCase[] {
  return protocol === 'paper' ? paperCases(data, seed) : looCases(data, { seed, minModels });
}

/** Evaluate already-built policies on cases. */
export async function evaluateMethods(policies: readonly SelectionPolicy[], cases: readonly ReplayCase[]): Promise<MethodResult[]> {
  const out: MethodResult[] = [];
  for (const p of policies) {
    const results = await evaluatePolicy(p, cases);
    out.push({ summary: summarize(results), cases: results });
  }
  return out;
}

/**
 * Run a replay request. Deterministic for given data, methods and seed. Rejects when the
 * data cannot be loaded, a spec is unknown or a policy fails on a case.
 */
export async function runReplay(request: ReplayRequest): Promise<ReplayReport> {
  const policies = request.methods.map(policyFromSpec);
  const data = await loadAnchors(request.dataDir);
  const cases = buildCases(data, request.protocol, request.seed, request.minModels ?? Math.min(25, data.runs.models.length));
  return {
    protocol: request.protocol,
    dataDir: request.dataDir,
    targets: cases.map((c) => c.task.target),
    methods: await evaluateMethods(policies, cases),
  };
}
