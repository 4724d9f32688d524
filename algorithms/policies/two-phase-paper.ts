/**
 * The two-phase framework of Cui et al. (ICDE 2024) end to end.
 * Phase 1, coarse recall: cluster the pool's models on the offline matrix (../cluster-paper.ts),
 * score them with the proxy (task.proxy, e.g. LEEP; the history prior alone when there is
 * none, see ../recall.ts) and keep the best `recallSize`. Phase 2: fine selection
 * (./fine-selection.ts) on the first `fineSize` of them, or plain successive halving with
 * `phase2=successive-halving` (the paper's "SH on 10 models" column).
 * Cost, as the paper charges it: one proxy computation (0.5 epoch) per model handed to fine
 * selection when a proxy is used (10 x 0.5 = 5 epochs), plus the fine-selection epochs.
 * Pool models absent from the matrix cannot be recalled.
 */
import type { SelectionPolicy, SelectionTask } from '../policy';
import { survivors } from '../halving';
import { clusterPaper } from '../cluster-paper';
import { selectModels } from '../matrix';
import { recall, type RecallProxy } from '../recall';
import { eliminationRounds, last, type RungRule } from './rounds';
import { FINE_SELECTION_DEFAULTS, fineSelectionOptions, fineSelectionRule } from './fine-selection';
import { check, readParams, specName, type PolicyParams } from './options';

/**
 * K = 3 (the paper allows 3 or 4): with it the replayed Table VI epochs land within one of
 * the published ones for all four targets; with the authors' script default K = 4 the boolq
 * run keeps one model after the first epoch (19 epochs instead of 21).
 */
export const TWO_PHASE_DEFAULTS = { ...FINE_SELECTION_DEFAULTS, clusters: 3, recallSize: 15, fineSize: 10, clusterThreshold: 0.09, phase2: 'fine-selection' };

function phase2Rule(task: SelectionTask, name: string, o: typeof TWO_PHASE_DEFAULTS): RungRule {
  if (o.phase2 === 'successive-halving') return (rung) => survivors(rung.curves.map(last), o.eta, 'maximize');
  return fineSelectionRule(task, fineSelectionOptions(name, o, task.seed));
}

/** The two-phase-paper policy. Throws on a bad parameter; its select rejects when no pool model has history. */
export function twoPhasePaper(params: PolicyParams = {}): SelectionPolicy {
  const name = 'two-phase-paper';
  const o = readParams(name, TWO_PHASE_DEFAULTS, params);
  check(Number.isInteger(o.recallSize) && o.recallSize >= 1, name, 'recallSize', o.recallSize, 'an integer >= 1');
  check(Number.isInteger(o.fineSize) && o.fineSize >= 1 && o.fineSize <= o.recallSize, name, 'fineSize', o.fineSize, `an integer in 1..recallSize (${o.recallSize})`);
  fineSelectionOptions(name, o, 0);
  check(o.phase2 === 'fine-selection' || o.phase2 === 'successive-halving', name, 'phase2', o.phase2, '"fine-selection" or "successive-halving"');
  return {
    name: specName(name, TWO_PHASE_DEFAULTS, params),
    async select(task, session) {
      const pool = new Set(task.pool);
      const history = selectModels(task.history, (m) => pool.has(m));
      if (history.models.length === 0) throw new Error(`${name}: no model of the pool for ${task.target} has history`);
      const clustering = clusterPaper(history, { threshold: o.clusterThreshold });
      const proxy: RecallProxy = task.proxy === null ? { kind: 'prior' } : { kind: 'scores', scores: task.proxy };
      const fine = recall(history, clustering, proxy, Math.min(o.recallSize, history.models.length)).slice(0, o.fineSize);
      if (proxy.kind === 'scores') session.chargeProxies(fine.length);
      return eliminationRounds(task, session, fine, phase2Rule(task, name, o));
    },
  };
}
