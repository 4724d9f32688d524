/**
 * The evaluation input as a matrix store holds it: the performance matrix of the head (or a
 * given) version, each dataset's direction, and every stored proxy score.
 */
import type { Direction } from '../algorithms/types';
import type { Snapshot } from '../matrix-store';
import type { EvaluationInput } from './loo';

/** Proxy scores of a snapshot as target → proxy → model → score. Throws StoreCorrupt. */
export async function storedProxies(snap: Snapshot): Promise<Map<string, Map<string, Map<string, number>>>> {
  const out = new Map<string, Map<string, Map<string, number>>>();
  for (const r of await snap.rows('proxyScores')) {
    const byProxy = out.get(String(r.target)) ?? out.set(String(r.target), new Map()).get(String(r.target));
    const scores = byProxy?.get(String(r.proxy)) ?? byProxy?.set(String(r.proxy), new Map()).get(String(r.proxy));
    scores?.set(String(r.model), Number(r.value));
  }
  return out;
}

/** Everything `evaluateRecall` needs from a snapshot, plus the caller's targets and settings. Throws StoreCorrupt. */
export async function evaluationInput(snap: Snapshot, o: Omit<EvaluationInput, 'matrix' | 'directions' | 'proxies'> = {}): Promise<EvaluationInput> {
  const [matrix, datasets, proxies] = await Promise.all([snap.performanceMatrix(), snap.datasets(), storedProxies(snap)]);
  return { ...o, matrix, directions: new Map<string, Direction>(datasets.map((d) => [d.id, d.direction])), proxies };
}
