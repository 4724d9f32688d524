/**
 * The two-phase framework of Cui et al. (ICDE 2024) end to end.
 * Phase 1, coarse recall: cluster the pool's models on the offline matrix (../cluster-paper.ts;
 * the offline phase's stored clustering when it covers the pool), score them with the proxy
 * (`proxy`, e.g. LEEP, from task.proxies; the history prior alone for `history-prior` or when
 * the task has no score for some model it needs, with a warning; see ../recall.ts) and keep
 * the best `recallSize`. Phase 2:
 * fine selection (./fine-selection.ts) on the first `fineSize` of them, or plain successive
 * halving with `phase2=successive-halving` (the paper's "SH on 10 models" column).
 * Cost, as the paper charges it (anchors README: "Each proxy computation is charged 0.5 epoch
 * (10 × 0.5 = 5 epochs)"): one proxy computation per model handed to phase 2 when a proxy is
 * used, plus the phase-2 epochs. Pool models absent from the matrix cannot be recalled.
 */
import type { ProxyRequest, Recall, SelectionPolicy, SelectionTask } from '../policy';
import type { Clustering, PerformanceMatrix } from '../types';
import type { OptionsOf } from '../../contracts/schemas/policy';
import { survivors } from '../halving';
import { selectModels } from '../matrix';
import { recall, type RecallProxy } from '../recall';
import { fineSelectionVerdict } from './fine-selection';
import { clusteringForMatrix, modelsNeedingProxy } from './cluster-recall';
import { bestLast, last, memo, noComparableCurvesWarning } from './rounds';

type Options = OptionsOf<'two-phase-paper'>;

function poolHistory(task: SelectionTask, key: string, threshold: number): { history: PerformanceMatrix; clustering: Clustering } {
  return memo(task, `two-phase:${key}`, () => {
    const pool = new Set(task.pool);
    const history = selectModels(task.history, (m) => pool.has(m));
    if (history.models.length === 0) throw new Error(`two-phase-paper: no model of the pool for ${task.target} has history`);
    return { history, clustering: clusteringForMatrix(task.clustering, history, threshold) };
  });
}

function recallOf(task: SelectionTask, o: Options, key: string): Recall {
  const { history, clustering } = poolHistory(task, key, o.clusterThreshold);
  const given = o.proxy === 'history-prior' ? undefined : task.proxies.get(o.proxy);
  const missing = given === undefined ? [] : modelsNeedingProxy(clustering).filter((m) => !Number.isFinite(given.get(m) ?? Number.NaN));
  const scores = missing.length === 0 ? given : undefined;
  const trendWarning = o.phase2 === 'fine-selection' ? noComparableCurvesWarning(task, 'fine selection') : null;
  const warnings = [
    ...(o.proxy === 'history-prior' || scores !== undefined
      ? []
      : [
          given === undefined
            ? `proxy ${o.proxy} has no scores on ${task.target}: recall by the history prior alone`
            : `proxy ${o.proxy} has no score on ${task.target} for ${missing.length} model(s) recall needs (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}): recall by the history prior alone`,
        ]),
    ...(trendWarning === null ? [] : [trendWarning]),
  ];
  const proxy: RecallProxy = scores === undefined ? { kind: 'prior' } : { kind: 'scores', scores };
  const fine = recall(history, clustering, proxy, Math.min(o.recallSize, history.models.length)).slice(0, o.fineSize);
  const shown = scores === undefined ? {} : Object.fromEntries(fine.map((m) => [m, scores.get(m) ?? Number.NaN]));
  return { candidates: fine, scores: shown, proxyCharges: scores === undefined ? 0 : fine.length, ...(warnings.length > 0 ? { warnings } : {}) };
}

/** The two-phase-paper policy with resolved options. Its recall throws when no pool model has history. */
export function twoPhasePaper(o: Options, name: string): SelectionPolicy {
  const key = String(o.clusterThreshold);
  return {
    name,
    proxyRequest(task): ProxyRequest | null {
      if (o.proxy === 'history-prior') return null;
      return { proxy: o.proxy, models: modelsNeedingProxy(poolHistory(task, key, o.clusterThreshold).clustering) };
    },
    recall: (task) => recallOf(task, o, key),
    decide: (task, rung) =>
      o.phase2 === 'successive-halving' ? { keep: survivors(rung.curves.map(last), o.eta, 'maximize') } : fineSelectionVerdict(task, rung, o),
    pick: (_task, rung) => bestLast(rung),
  };
}
