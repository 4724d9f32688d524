import { z } from 'zod';
import { DurationSchema, STAYS_INSIDE_MESSAGE, staysInside } from './common';
import { ProxyNameSchema } from './proxies';

/** Ways to fine-tune: TensorFlow.js, an external command from worker config, or recorded curves. */
export const TrainerNameSchema = z.enum(['tfjs', 'command', 'replay']);
export type TrainerName = z.infer<typeof TrainerNameSchema>;

/** Selection policies the online workflow runs. */
export const PolicyNameSchema = z.enum(['prior-shrink-halving', 'two-phase-paper', 'fine-selection', 'successive-halving', 'brute-force']);
export type PolicyName = z.infer<typeof PolicyNameSchema>;

/** Proxy used by coarse recall on cluster representatives. */
export const RecallProxySchema = ProxyNameSchema;
export type RecallProxy = z.infer<typeof RecallProxySchema>;

const ModelIdSchema = z.string().min(1).max(300).regex(/^[^\s/\\][^\s\\]*$/, 'must be a model id without spaces or backslashes').refine(staysInside, STAYS_INSIDE_MESSAGE);
const DatasetIdSchema = z.string().min(1).max(300).regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'must be a dataset id of letters, digits, "_", "." or "-", hub-style segments joined by "/" allowed (glue/sst2)').refine(staysInside, STAYS_INSIDE_MESSAGE);

/** Input of `selectModel`, as typed in the web UI or built by `mselect select`. */
export const SelectModelInputSchema = z
  .object({
    /** Target dataset id. */
    target: DatasetIdSchema,
    policy: PolicyNameSchema.default('prior-shrink-halving'),
    /** Candidate pool; default every model of the store's latest version that is not removed. */
    models: z.array(ModelIdSchema).min(1).max(100_000).optional(),
    /**
     * How many models recall keeps for fine selection; default the policy's own (14 for
     * `prior-shrink-halving`, 10 for `two-phase-paper`); `successive-halving`, `fine-selection`
     * and `brute-force` start from the whole pool.
     */
    recallSize: z.number().int().min(1).max(100_000).optional(),
    /**
     * Proxy of `two-phase-paper` recall. Default `leep` (recall by history prior × exp(LEEP), the
     * paper's combination: best measured by `npm run bench:proxies`, docs/proxies.md); with the
     * `replay` trainer, which has no model files to run, `history-prior`.
     */
    proxy: RecallProxySchema.optional(),
    /** Epochs a model is trained to at most (the paper: 5). */
    budgetEpochs: z.number().int().min(1).max(1000).default(5),
    /** Halving reduction factor η. */
    eta: z.number().int().min(2).max(100).default(2),
    /** Each round ends at this deadline; a fine-tune still running then is stopped and eliminated. */
    roundDeadline: DurationSchema.default('2h'),
    /** How soon a silent GPU worker is declared lost and its fine-tune resumed elsewhere. */
    heartbeatTimeout: DurationSchema.default('2m'),
    trainer: TrainerNameSchema.default('tfjs'),
    /** Maximum fine-tunes running at once. */
    maxParallel: z.number().int().min(1).max(10_000).default(16),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    /** Matrix store version to select against; default the latest. */
    storeVersion: z.number().int().min(1).optional(),
  })
  .strict()
  .transform((v) => ({ ...v, proxy: v.proxy ?? (v.trainer === 'replay' ? ('history-prior' as const) : ('leep' as const)) }));
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
}

export interface SelectionProgress {
  readonly phase: 'planning' | 'recall' | 'training' | 'deciding' | 'finishing' | 'done';
  readonly target: string;
  readonly policy: PolicyName;
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
}

export interface SelectModelResult extends SelectionProgress {
  readonly pick: string | null;
  readonly pickValidation: number | null;
  readonly pickTest: number | null;
  readonly storeVersion: number;
  readonly backend: string;
  /** The HTML report written by the orchestrator worker. */
  readonly reportPath: string | null;
}

/** Activity I/O of the selection workflow (built by workflows, not typed by users). */
export interface PlanSelectionInput {
  readonly target: string;
  readonly models?: readonly string[];
  readonly policy: PolicyName;
  readonly proxy: RecallProxy;
  readonly trainer: TrainerName;
  readonly storeVersion?: number;
}
export interface PlanSelectionOutput {
  readonly storeVersion: number;
  /** Candidate pool: requested models (or all live models) minus removed ones, in a fixed order. */
  readonly pool: readonly string[];
  /** Models recall needs a proxy score for (cluster representatives); empty when recall needs none. */
  readonly proxyModels: readonly string[];
}
export interface RecallInput {
  readonly target: string;
  readonly pool: readonly string[];
  readonly policy: PolicyName;
  readonly recallSize?: number;
  readonly proxy: RecallProxy;
  readonly proxyScores: Readonly<Record<string, number>>;
  readonly storeVersion: number;
}
export interface RecallOutput {
  readonly candidates: readonly string[];
  readonly scores: Readonly<Record<string, number>>;
}
export interface DecideRoundInput {
  readonly target: string;
  readonly policy: PolicyName;
  readonly eta: number;
  readonly epoch: number;
  readonly budgetEpochs: number;
  readonly models: readonly string[];
  /** Validation curve so far per model (same order as models). */
  readonly curves: readonly (readonly number[])[];
  readonly storeVersion: number;
  readonly seed: number;
}
export interface DecideRoundOutput {
  readonly keep: readonly string[];
  readonly eliminated: readonly { model: string; reason: EliminationReason; detail: string }[];
  /** Predicted final metric per model, where the policy predicts one. */
  readonly predictions: Readonly<Record<string, number>>;
}
