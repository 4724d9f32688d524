import { z } from 'zod';
import type { Direction } from '../direction';
import { DurationSchema, SeedSchema, STAYS_INSIDE_MESSAGE, staysInside } from './common';
import { ProxyNameSchema } from './proxies';
import type { ForwardProxy } from './training';
import {
  PolicyNameSchema,
  PolicyOptionsSchema,
  policyOptionIssues,
  pickPolicyOptions,
  resolvePolicyOptions,
  type PolicyName,
  type PolicyOptions,
} from './policy';

/** Ways to fine-tune: TensorFlow.js, an external command from worker config, or recorded curves. */
export const TrainerNameSchema = z.enum(['tfjs', 'command', 'replay', 'torch']);
export type TrainerName = z.infer<typeof TrainerNameSchema>;

/** Proxy used by coarse recall on cluster representatives. */
export const RecallProxySchema = ProxyNameSchema;
export type RecallProxy = z.infer<typeof RecallProxySchema>;

const ModelIdSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[^\s/\\][^\s\\]*$/, 'must be a model id without spaces or backslashes')
  .refine(staysInside, STAYS_INSIDE_MESSAGE);
const DatasetIdSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
    'must be a dataset id of letters, digits, "_", "." or "-", hub-style segments joined by "/" allowed (glue/sst2)',
  )
  .refine(staysInside, STAYS_INSIDE_MESSAGE);

/** Which checkpoints a finished selection keeps. */
export const KeepCheckpointsSchema = z.enum(['pick', 'all', 'none']);
export type KeepCheckpoints = z.infer<typeof KeepCheckpointsSchema>;

/** Input of `selectModel`, as typed in the web UI or built by `mselect select`. */
export const SelectModelInputSchema = z
  .object({
    /** Target dataset id. */
    target: DatasetIdSchema,
    policy: PolicyNameSchema.default('prior-shrink-halving'),
    /** Candidate pool; default every model of the store's latest version that is not removed. */
    models: z.array(ModelIdSchema).min(1).max(100_000).optional(),
    /** Epochs a model is trained to at most (the paper: 5). */
    budgetEpochs: z.number().int().min(1).max(1000).default(5),
    /** Each round ends at this deadline; a fine-tune still running then is stopped and eliminated. */
    roundDeadline: DurationSchema.default('2h'),
    /** How soon a silent GPU worker is declared lost and its fine-tune resumed elsewhere. */
    heartbeatTimeout: DurationSchema.default('2m'),
    trainer: TrainerNameSchema.default('tfjs'),
    /** Maximum fine-tunes running at once. */
    maxParallel: z.number().int().min(1).max(10_000).default(16),
    seed: SeedSchema,
    /** Matrix store version to select against; default the latest. */
    storeVersion: z.number().int().min(1).optional(),
    /**
     * Checkpoints left when the selection ends: the pick's final one (`pick`, named in the
     * result as `pickCheckpoint` and exportable with `mselect export model`), every candidate's
     * final one (`all`), or none. Eliminated models' checkpoints go as they are eliminated,
     * unless `all`.
     */
    keepCheckpoints: KeepCheckpointsSchema.default('pick'),
    /**
     * Send a model's next round to the GPU worker that trained its last one (its own task
     * queue), where the checkpoint already is; when that worker does not start it within
     * `workerQueueTimeout` (gone, busy, preempted) the round goes to the shared GPU queue.
     * Off by default: see docs/storage.md, "Worker affinity", for the measurement.
     */
    workerAffinity: z.boolean().default(false),
    /** How long a round waits for its model's worker before it goes to the shared GPU queue. */
    workerQueueTimeout: DurationSchema.default('30s'),
    /**
     * Policy options (contracts/schemas/policy.ts): eta, recallSize, fineSize, clusters,
     * clusterThreshold, threshold, thresholdMode, trend, shrink, proxy, phase2. Parsing fills
     * in the chosen policy's defaults (POLICY_DEFAULTS), so the UI shows the effective ones; an
     * option the chosen policy does not take is refused. `proxy` of a policy
     * that uses one defaults to `leep` (recall by history prior × exp(LEEP), the paper's
     * combination: best measured by `npm run bench:proxies`, docs/proxies.md); with the `replay`
     * trainer, which has no model files to run, to `history-prior`.
     */
    ...PolicyOptionsSchema.shape,
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const { key, message } of policyOptionIssues(v.policy, pickPolicyOptions(v))) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message });
  })
  .transform((v) => ({ ...v, ...resolvePolicyOptions(v.policy, { ...pickPolicyOptions(v), ...replayProxy(v) }) }));

/** The replay trainer has no model files to score: a policy that takes a proxy recalls by the history prior unless one is named. */
function replayProxy(v: { policy: PolicyName; trainer: TrainerName; proxy?: PolicyOptions['proxy'] }): PolicyOptions {
  const takesProxy = policyOptionIssues(v.policy, { proxy: 'history-prior' }).length === 0;
  return v.trainer === 'replay' && takesProxy && v.proxy === undefined ? { proxy: 'history-prior' } : {};
}
export type SelectModelInput = z.infer<typeof SelectModelInputSchema>;

/** `addCandidates` update: models that join at the next round (trained to catch up). */
export const AddCandidatesSchema = z.object({ models: z.array(ModelIdSchema).min(1).max(10_000) }).strict();
export type AddCandidates = z.infer<typeof AddCandidatesSchema>;

/** `setBudget` update: a new per-model epoch budget. */
export const SetBudgetSchema = z.object({ budgetEpochs: z.number().int().min(1).max(1000) }).strict();
export type SetBudget = z.infer<typeof SetBudgetSchema>;

export type EliminationReason = 'halving' | 'trend-filter' | 'deadline' | 'failed' | 'finished-early';

export interface Elimination {
  readonly model: string;
  readonly round: number;
  /** Epochs the model had been trained when it was eliminated. */
  readonly epoch: number;
  readonly reason: EliminationReason;
  readonly detail: string;
  /** What happened to the model, in words (`eliminationOutcome`): "not picked at the budget epoch 5", "failed: …". */
  readonly outcome?: string;
}

/** What one round's decision did to a model of its rung. */
export type RoundFate = 'kept' | 'picked' | 'halving' | 'trend-filter' | 'not-picked';

/** One round's decision, as recorded by the workflow: enough to re-derive every elimination from the numbers. */
export interface RoundRecord {
  readonly round: number;
  /** Epochs every model of the rung had been trained to. */
  readonly epoch: number;
  readonly budgetEpochs: number;
  /** The policy's score, when it ranks by one besides the validation: its meaning (name, then its explanation in parentheses). */
  readonly scoreName: string | null;
  /** Which value halving ranked by: the validation score or the policy's score. */
  readonly rankedBy: 'validation' | 'score';
  /** The halving cutoff on `rankedBy` (metric scale): the worst value the rung kept; a model halved was below it. Null when halving dropped nobody. */
  readonly cutoff: number | null;
  /** Every model of the rung in rung order: its validation, its policy score (null: none) and what the decision did. */
  readonly models: readonly { readonly model: string; readonly validation: number | null; readonly score: number | null; readonly fate: RoundFate }[];
}

/** The settings a selection ran with: the input after defaults, and what planning resolved. */
export interface SelectionSettings {
  /** Policy options after the policy's defaults. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** The budget the run started with (`budgetEpochs` is the one it ended with). */
  readonly initialBudgetEpochs: number;
  readonly trainer: TrainerName;
  readonly maxParallel: number;
  readonly roundDeadline: string;
  readonly heartbeatTimeout: string;
  /** The target metric's name (`accuracy`, `rmse`) when the catalog names it. */
  readonly metric: string | null;
}

export interface SelectionProgress {
  readonly phase: 'planning' | 'recall' | 'training' | 'deciding' | 'finishing' | 'done';
  readonly target: string;
  readonly policy: PolicyName;
  /** The target's metric direction: whether a higher or a lower validation score is better. */
  readonly direction: Direction;
  readonly round: number;
  readonly budgetEpochs: number;
  readonly poolSize: number;
  readonly candidates: readonly string[];
  /** Models added by `addCandidates` that join at the next round. */
  readonly pendingCandidates: readonly string[];
  readonly survivors: readonly string[];
  /** Validation metric per epoch so far, by model. */
  readonly curves: Readonly<Record<string, readonly number[]>>;
  readonly recallScores: Readonly<Record<string, number>>;
  readonly eliminations: readonly Elimination[];
  /** Fine-tune epochs spent so far, plus the recall charge (0.5 epoch per proxy score). */
  readonly epochsSpent: number;
  /** What fine-tuning the whole pool to the budget would cost. */
  readonly bruteForceEpochs: number;
  /** Every decision round, in order (older results lack it). */
  readonly rounds?: readonly RoundRecord[];
  readonly settings?: SelectionSettings;
  readonly workflowId?: string;
  readonly namespace?: string;
  /** When the workflow started and (results only) finished, ISO 8601. */
  readonly startedAt?: string;
  readonly finishedAt?: string | null;
  /** Things the user should know about how the run decided (e.g. recall fell back to the history prior). */
  readonly warnings?: readonly string[];
  /** Fine-tune wall seconds per model, on the GPU workers. */
  readonly gpuSeconds?: Readonly<Record<string, number>>;
  /** Fine-tune wall seconds of the whole run so far. */
  readonly gpuSecondsSpent?: number;
  /** What fine-tuning the pool to the budget would take, from the offline timings; null when unknown. */
  readonly bruteForceGpuSeconds?: number | null;
  /** Peak memory of a model's fine-tune, where the backend can tell. */
  readonly peakMemoryBytes?: Readonly<Record<string, number>>;
}

export interface SelectModelResult extends SelectionProgress {
  readonly pick: string | null;
  readonly pickValidation: number | null;
  readonly pickTest: number | null;
  readonly storeVersion: number;
  readonly backend: string;
  /** The HTML report written by the orchestrator worker. */
  readonly reportPath: string | null;
  /** The pick's final checkpoint, kept for `mselect export model` (null: none kept, see keepCheckpoints). */
  readonly pickCheckpoint?: { readonly key: string; readonly epoch: number } | null;
}

/** Activity I/O of the selection workflow (built by workflows, not typed by users). */
interface PolicyCall {
  readonly target: string;
  readonly policy: PolicyName;
  readonly options: PolicyOptions;
  readonly seed: number;
}
export interface PlanSelectionInput extends PolicyCall {
  readonly models?: readonly string[];
  readonly trainer: TrainerName;
  readonly storeVersion?: number;
}
export interface PlanSelectionOutput {
  readonly storeVersion: number;
  /** Candidate pool: requested models (or all live models) minus removed ones, in a fixed order. */
  readonly pool: readonly string[];
  /** The target's metric direction, from the trainer's catalog. */
  readonly direction: Direction;
  /**
   * Proxy scores recall needs on the target first (cluster representatives); null when recall needs none.
   * `datasets`: history datasets to score the same models on too (kept in the store; not charged).
   */
  /** The target metric's name (`accuracy`, `rmse`), from the trainer's catalog. */
  readonly metric?: string;
  readonly proxyRequest: { readonly proxy: ForwardProxy; readonly models: readonly string[]; readonly datasets?: readonly string[] } | null;
  /** Mean wall seconds of one epoch per pool model on the benchmark datasets (offline timings); models without timings are absent. */
  readonly meanEpochSeconds?: Readonly<Record<string, number>>;
}
export interface RecallInput extends PolicyCall {
  readonly pool: readonly string[];
  readonly direction: Direction;
  /** The proxy of planSelection's request (null: none was requested) and its scores on the target, by model. */
  readonly proxy: RecallProxy | null;
  readonly proxyScores: Readonly<Record<string, number>>;
  readonly storeVersion: number;
  /** The selection's budget in epochs, which a policy that replays its history uses (absent: 1, as runs started before it was sent). */
  readonly budgetEpochs?: number;
}
export interface RecallOutput {
  readonly candidates: readonly string[];
  readonly scores: Readonly<Record<string, number>>;
  /** Proxy computations charged (0.5 epoch each). */
  readonly proxyCharges: number;
  /** What recall could not use and fell back from (e.g. a proxy without scores on the target); absent = none. */
  readonly warnings?: readonly string[];
}
export interface DecideRoundInput extends PolicyCall {
  readonly direction: Direction;
  readonly epoch: number;
  readonly budgetEpochs: number;
  readonly models: readonly string[];
  /** Validation curve so far per model (same order as models). */
  readonly curves: readonly (readonly number[])[];
  readonly storeVersion: number;
  /** The selection's candidate pool, as recall saw it (absent: every model of the store version, as runs started before it was sent). */
  readonly pool?: readonly string[];
}
export interface DecideRoundOutput {
  readonly keep: readonly string[];
  readonly eliminated: readonly { model: string; reason: EliminationReason; detail: string }[];
  /** The score each model was ranked by (predicted or corrected final metric, metric scale), where the policy has one. */
  readonly predictions: Readonly<Record<string, number>>;
  /** The models the rung's verdict kept, before the final pick at the budget epoch (absent: `keep`). */
  readonly passed?: readonly string[];
  /** What `predictions` are (name, then the explanation in parentheses); null or absent: there are none. */
  readonly scoreName?: string | null;
  /** The value halving ranked by and its cutoff, the worst value the rung kept (metric scale; null: nobody was halved). */
  readonly halving?: { readonly rankedBy: 'validation' | 'score'; readonly cutoff: number | null } | null;
}
