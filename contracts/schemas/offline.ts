import { z } from 'zod';
import { DurationSchema, SeedSchema, STAYS_INSIDE_MESSAGE, staysInside } from './common';
import { TrainerNameSchema } from './selection';

const IdSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[^\s\\]+$/, 'must be an id without spaces or backslashes')
  .refine(staysInside, STAYS_INSIDE_MESSAGE);

/** Clustering of models by benchmark performance. */
export const ClusterSpecSchema = z
  .discriminatedUnion('method', [
    z.object({ method: z.literal('paper'), threshold: z.number().positive().max(1).default(0.09) }).strict(),
    z.object({ method: z.literal('kmeans'), maxK: z.number().int().min(2).max(1000).default(12), seed: z.number().int().min(0).default(0) }).strict(),
  ])
  .default({ method: 'paper', threshold: 0.09 });
export type ClusterSpec = z.infer<typeof ClusterSpecSchema>;

/** Input of `buildPerformanceMatrix`: fine-tunes only the missing (model, benchmark) cells. */
export const BuildMatrixInputSchema = z
  .object({
    /** Models to cover; default every model of the hub that is not removed. */
    models: z.array(IdSchema).min(1).max(100_000).optional(),
    /** Benchmark datasets; default every benchmark of the hub. */
    benchmarks: z.array(IdSchema).min(1).max(10_000).optional(),
    epochs: z.number().int().min(1).max(1000).default(3),
    trainer: TrainerNameSchema.default('tfjs'),
    /** Fine-tunes running at once (the sliding window). */
    maxParallel: z.number().int().min(1).max(10_000).default(4),
    seed: SeedSchema,
    cluster: ClusterSpecSchema,
    /**
     * `recluster`: cluster every live model afresh (the nightly refresh). `place`: put models
     * the latest clustering lacks into their nearest cluster (one distance per representative).
     */
    clusterMode: z.enum(['recluster', 'place']).default('recluster'),
    heartbeatTimeout: DurationSchema.default('2m'),
    /** Cells per run before continuing as new, which keeps each run's history small. */
    cellsPerRun: z.number().int().min(1).max(5000).default(500),
    /** Results buffered before they are committed to the store. */
    commitEvery: z.number().int().min(1).max(5000).default(50),
  })
  .strict();
export type BuildMatrixInput = z.infer<typeof BuildMatrixInputSchema>;

/** Carried across continue-as-new: totals of the earlier runs. */
export const MatrixCarrySchema = z.object({
  done: z.number().int().min(0),
  failed: z.array(z.object({ model: z.string(), dataset: z.string(), error: z.string() })),
  runs: z.number().int().min(1),
  maxHistoryEvents: z.number().int().min(0),
});
export type MatrixCarry = z.infer<typeof MatrixCarrySchema>;

export interface MatrixProgress {
  readonly phase: 'planning' | 'fine-tuning' | 'clustering' | 'done';
  readonly total: number;
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  readonly failures: readonly { model: string; dataset: string; error: string }[];
  /** This run's number in the continue-as-new chain (1-based). */
  readonly run: number;
}

export interface BuildMatrixResult {
  readonly cellsComputed: number;
  readonly cellsFailed: number;
  readonly failures: readonly { model: string; dataset: string; error: string }[];
  readonly storeVersion: number;
  readonly clusters: number;
  readonly placed: readonly { model: string; label: number }[];
  readonly runs: number;
  readonly maxHistoryEvents: number;
}

/** Nightly refresh schedule. */
export const ScheduleSpecSchema = z
  .object({
    id: IdSchema.default('mselect-nightly-refresh'),
    cron: z
      .string()
      .regex(/^\S+(\s+\S+){4}$/, 'must be a 5-field cron expression like "0 2 * * *"')
      .default('0 2 * * *'),
    timezone: z
      .string()
      .min(1)
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone like "UTC" or "Europe/Paris"')
      .default('UTC'),
    input: BuildMatrixInputSchema.default({}),
  })
  .strict();
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;

/** Activity I/O of the offline workflow (built by workflows, not typed by users). */
export interface CellKey {
  readonly model: string;
  readonly dataset: string;
}
export interface PlanMatrixInput {
  readonly models?: readonly string[];
  readonly benchmarks?: readonly string[];
  readonly epochs: number;
  readonly trainer: string;
  readonly seed: number;
  /** At most this many missing cells are returned. */
  readonly limit: number;
  /** Cells to leave out (they failed for good earlier in this chain). */
  readonly exclude: readonly CellKey[];
}
export interface PlanMatrixOutput {
  readonly cells: readonly CellKey[];
  /** Missing cells in all, including those beyond `limit`. */
  readonly missing: number;
  readonly models: number;
  readonly benchmarks: number;
}
export interface CellResult extends CellKey {
  readonly epochs: number;
  readonly seed: number;
  readonly runId: string;
  readonly curve: readonly { epoch: number; metric: number; seconds: number; peakMemoryBytes?: number }[];
  readonly test: number | null;
  readonly trainer: string;
  readonly backend: string;
}
export interface RecordCellsInput {
  readonly results: readonly CellResult[];
}
export interface ClusterModelsInput {
  readonly spec: ClusterSpec;
  readonly mode: 'recluster' | 'place';
}
export interface ClusterModelsOutput {
  readonly storeVersion: number;
  readonly clusters: number;
  readonly models: number;
  /** Models placed into an existing cluster (mode `place`), with the cluster label. */
  readonly placed: readonly { model: string; label: number }[];
}
