import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../contracts/errors';
import { PROXY_EPOCH_COST } from '../algorithms/cost';
import { bestLastIndex } from '../algorithms/final-pick';
import { eliminationOutcome } from '../contracts/progress-text';
import { roundFates } from '../contracts/rounds';
import { formatIssues } from '../contracts/parse';
import { pickPolicyOptions, type PolicyOptions } from '../contracts/schemas/policy';
import {
  AddCandidatesSchema,
  SetBudgetSchema,
  type AddCandidates,
  type DecideRoundOutput,
  type Elimination,
  type EliminationReason,
  type RoundRecord,
  type SelectModelInput,
  type SelectModelResult,
  type SelectionProgress,
  type SelectionSettings,
  type SetBudget,
} from '../contracts/schemas/selection';

interface Checkpoint {
  readonly key: string;
  readonly epoch: number;
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: ErrorType.InvalidInput, message, nonRetryable: true });
}

/** Where the run is: its workflow id, namespace and start time (ISO 8601). */
export interface RunIdentity {
  readonly workflowId: string;
  readonly namespace: string;
  readonly startedAt: string;
}

/**
 * Everything a selection run knows; plain data, mutated only by the workflow's own code and
 * handlers. It holds no policy logic: the decisions come from the decideRound activity.
 * `onChange` hears the progress after every change (the workflow shows it in the web UI).
 */
export class SelectionState {
  private currentPhase: SelectionProgress['phase'] = 'planning';
  round = 0;
  budget: number;
  direction: SelectionProgress['direction'] = 'maximize';
  /** The policy options set in the input (the rest take the policy's defaults in the engine). */
  readonly options: PolicyOptions;
  storeVersion = 0;
  pool: string[] = [];
  candidates: string[] = [];
  survivors: string[] = [];
  recallScores: Record<string, number> = {};
  proxyCharges = 0;
  /** What the run fell back from (e.g. recall without its proxy), for the result and the report. */
  readonly warnings: string[] = [];
  backend = '';
  /** The target metric's name, when the catalog gives it. */
  metric: string | null = null;
  run: RunIdentity | null = null;
  finishedAt: string | null = null;
  private readonly rounds: RoundRecord[] = [];
  private lastEpoch = 0;
  /** Epoch of the last decision and the budget it was taken against. */
  private decided = { epoch: 0, budget: 0 };
  private pending: string[] = [];
  private finishRequested = false;
  private readonly curves = new Map<string, number[]>();
  private readonly tests = new Map<string, number | null>();
  private readonly checkpoints = new Map<string, Checkpoint | null>();
  private readonly eliminations: Elimination[] = [];
  private trainedEpochs = 0;
  private readonly seconds = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  /** Mean epoch seconds per pool model from the offline timings (planSelection). */
  private meanEpochSeconds: Readonly<Record<string, number>> = {};

  constructor(
    readonly input: SelectModelInput,
    private readonly onChange: (p: SelectionProgress) => void = () => undefined,
  ) {
    this.budget = input.budgetEpochs;
    this.options = pickPolicyOptions(input);
  }

  get phase(): SelectionProgress['phase'] {
    return this.currentPhase;
  }

  set phase(phase: SelectionProgress['phase']) {
    this.currentPhase = phase;
    this.changed();
  }

  private changed(): void {
    this.onChange(this.progress());
  }

  setPool(pool: readonly string[], storeVersion: number, direction: SelectionProgress['direction'], metric: string | null = null): void {
    this.pool = [...pool];
    this.storeVersion = storeVersion;
    this.direction = direction;
    this.metric = metric;
    this.changed();
  }

  setCandidates(candidates: readonly string[], scores: Readonly<Record<string, number>>, warnings: readonly string[] = []): void {
    this.candidates = [...candidates];
    this.survivors = [...candidates];
    this.recallScores = { ...scores };
    this.warnings.push(...warnings);
    this.changed();
  }

  curveOf(model: string): number[] {
    return this.curves.get(model) ?? [];
  }

  epochsOf(model: string): number {
    return this.curveOf(model).length;
  }

  checkpointOf(model: string): Checkpoint | null {
    return this.checkpoints.get(model) ?? null;
  }

  stopRequested(): boolean {
    return this.finishRequested;
  }

  /** Epoch the next round trains to: one more than the last round, at most the budget. */
  nextEpoch(): number {
    this.round += 1;
    this.lastEpoch = Math.min(this.budget, this.lastEpoch + 1);
    this.changed();
    return this.lastEpoch;
  }

  /** True when the run stops: finishNow, nobody left, or one survivor / the policy's pick at the budget epoch. */
  finished(): boolean {
    if (this.finishRequested || this.survivors.length === 0) return true;
    if (this.pending.length > 0) return false;
    return this.survivors.length === 1 || (this.decided.epoch >= this.budget && this.decided.budget === this.budget);
  }

  /** Append epochs trained by one fine-tune. */
  recordEpochs(model: string, metrics: readonly number[], checkpoint: Checkpoint | null, test: number | null, backend: string): void {
    this.curves.set(model, [...this.curveOf(model), ...metrics]);
    this.checkpoints.set(model, checkpoint);
    this.tests.set(model, test);
    this.trainedEpochs += metrics.length;
    this.backend = backend;
    this.changed();
  }

  /** Add the cost of epochs trained by one fine-tune: their wall seconds and the fine-tune's peak memory (null: not reported). */
  recordCost(model: string, seconds: readonly number[], peakMemoryBytes: number | null | undefined): void {
    this.seconds.set(model, (this.seconds.get(model) ?? 0) + seconds.reduce((a, b) => a + b, 0));
    if (typeof peakMemoryBytes === 'number') this.peaks.set(model, Math.max(this.peaks.get(model) ?? 0, peakMemoryBytes));
  }

  /** The offline timings the brute-force estimate is made from (planSelection's meanEpochSeconds). */
  setEpochTimings(meanEpochSeconds: Readonly<Record<string, number>> | undefined): void {
    this.meanEpochSeconds = { ...(meanEpochSeconds ?? {}) };
  }

  /** Σ over the pool of mean epoch seconds × budget; a model without timings counts at the mean of the others; null without timings. */
  bruteForceGpuSeconds(): number | null {
    const known = this.pool.map((m) => this.meanEpochSeconds[m]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (known.length === 0) return null;
    const fill = known.reduce((a, b) => a + b, 0) / known.length;
    return this.pool.reduce((sum, m) => sum + (this.meanEpochSeconds[m] ?? fill), 0) * this.budget;
  }

  /** Drop `model` from the survivors; `notPicked`: it lost the final pick at the budget epoch. */
  eliminate(model: string, reason: EliminationReason, detail: string, notPicked = false): void {
    if (!this.survivors.includes(model)) return;
    this.survivors = this.survivors.filter((m) => m !== model);
    const e = { model, round: this.round, epoch: this.epochsOf(model), reason, detail };
    this.eliminations.push({ ...e, outcome: eliminationOutcome(e, notPicked) });
    this.changed();
  }

  /**
   * Apply the policy's decision on the rung `models` of `epoch` (taken against budget `budget`):
   * record the round (every model's validation, score and fate, the halving cutoff), then its
   * eliminations, then its survivors in its order.
   */
  applyDecision(
    d: DecideRoundOutput,
    epoch: number,
    budget: number,
    models: readonly string[] = [...(d.passed ?? d.keep), ...d.eliminated.map((e) => e.model)],
  ): void {
    const finite = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
    const passed = new Set(d.passed ?? d.keep);
    const fates = roundFates(models, d);
    this.rounds.push({
      round: this.round,
      epoch,
      budgetEpochs: budget,
      scoreName: d.scoreName ?? null,
      rankedBy: d.halving?.rankedBy ?? (Object.keys(d.predictions).length > 0 ? 'score' : 'validation'),
      cutoff: d.halving?.cutoff ?? null,
      models: models.map((model, i) => ({
        model,
        validation: finite(this.curveOf(model)[epoch - 1]),
        score: finite(d.predictions[model]),
        fate: fates[i] ?? 'kept',
      })),
    });
    for (const e of d.eliminated) this.eliminate(e.model, e.reason, e.detail, e.reason === 'halving' && passed.has(e.model));
    const kept = d.keep.filter((m) => this.survivors.includes(m));
    this.survivors = [...kept, ...this.survivors.filter((m) => !kept.includes(m))];
    this.decided = { epoch, budget };
    this.changed();
  }

  /** The engine's default final pick among the survivors (algorithms/final-pick: best last validation for the target's direction, first on a tie, NaN worst). */
  bestSurvivor(): string | undefined {
    return this.survivors[
      bestLastIndex(
        this.survivors.map((m) => this.curveOf(m)),
        this.direction,
      )
    ];
  }

  admitPending(): void {
    if (this.pending.length === 0) return;
    for (const m of this.pending) if (!this.survivors.includes(m)) this.survivors.push(m);
    this.candidates.push(...this.pending.filter((m) => !this.candidates.includes(m)));
    this.pending = [];
    this.changed();
  }

  validateAddCandidates(u: AddCandidates): void {
    const r = AddCandidatesSchema.safeParse(u);
    if (!r.success) throw invalid(`addCandidates: ${formatIssues(r.error.issues)}`);
    if (this.phase === 'done' || this.phase === 'finishing') throw invalid('addCandidates: the selection has finished');
    const known = r.data.models.filter((m) => this.candidates.includes(m) || this.pending.includes(m));
    if (known.length) throw invalid(`addCandidates: already candidates: ${known.join(', ')}`);
  }

  addCandidates(u: AddCandidates): string[] {
    this.pending.push(...u.models);
    for (const m of u.models) if (!this.pool.includes(m)) this.pool.push(m);
    this.changed();
    return [...this.survivors, ...this.pending];
  }

  validateSetBudget(u: SetBudget): void {
    const r = SetBudgetSchema.safeParse(u);
    if (!r.success) throw invalid(`setBudget: ${formatIssues(r.error.issues)}`);
    if (this.phase === 'done' || this.phase === 'finishing') throw invalid('setBudget: the selection has finished');
    if (r.data.budgetEpochs < this.lastEpoch)
      throw invalid(`setBudget: budgetEpochs is ${r.data.budgetEpochs}, but models are already trained ${this.lastEpoch} epochs`);
  }

  setBudget(u: SetBudget): number {
    this.budget = u.budgetEpochs;
    this.changed();
    return this.budget;
  }

  validateFinishNow(): void {
    if (this.phase === 'done' || this.finishRequested) throw invalid('finishNow: the selection has finished');
    if (this.phase === 'planning' || this.phase === 'recall') throw invalid('finishNow: no model has been trained yet');
  }

  finishNow(): string | null {
    this.finishRequested = true;
    this.pending = [];
    const best = this.bestSurvivor();
    for (const m of [...this.survivors]) if (m !== best) this.eliminate(m, 'finished-early', `finishNow: ${best ?? 'none'} had the best validation`);
    return best ?? null;
  }

  /** The settings the run goes by: the input after the policy's defaults, and the metric planning found. */
  settings(): SelectionSettings {
    const i = this.input;
    return {
      options: { ...this.options },
      seed: i.seed,
      initialBudgetEpochs: i.budgetEpochs,
      trainer: i.trainer,
      maxParallel: i.maxParallel,
      roundDeadline: String(i.roundDeadline),
      heartbeatTimeout: String(i.heartbeatTimeout),
      metric: this.metric,
    };
  }

  progress(): SelectionProgress {
    return {
      phase: this.phase,
      target: this.input.target,
      policy: this.input.policy,
      direction: this.direction,
      round: this.round,
      budgetEpochs: this.budget,
      poolSize: this.pool.length,
      candidates: this.candidates,
      pendingCandidates: this.pending,
      survivors: this.survivors,
      curves: Object.fromEntries(this.curves),
      recallScores: this.recallScores,
      eliminations: this.eliminations,
      epochsSpent: this.trainedEpochs + this.proxyCharges * PROXY_EPOCH_COST,
      bruteForceEpochs: this.pool.length * this.budget,
      gpuSeconds: Object.fromEntries(this.seconds),
      gpuSecondsSpent: [...this.seconds.values()].reduce((a, b) => a + b, 0),
      bruteForceGpuSeconds: this.bruteForceGpuSeconds(),
      peakMemoryBytes: Object.fromEntries(this.peaks),
      rounds: this.rounds,
      settings: this.settings(),
      warnings: [...this.warnings],
      ...(this.run ?? {}),
    };
  }

  result(reportPath: string | null = null): SelectModelResult {
    const pick = this.survivors.length > 0 ? (this.bestSurvivor() ?? null) : null;
    return {
      ...this.progress(),
      finishedAt: this.finishedAt,
      pick,
      storeVersion: this.storeVersion,
      backend: this.backend,
      reportPath,
      pickValidation: pick ? (this.curveOf(pick).at(-1) ?? null) : null,
      pickTest: pick ? (this.tests.get(pick) ?? null) : null,
    };
  }
}
