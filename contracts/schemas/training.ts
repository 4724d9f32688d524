/**
 * Schemas for fine-tuning and proxy scoring: the model hub's card, the dataset manifest,
 * checkpoint references, the `fineTune` / `proxyScore` activity contracts and the line
 * protocol of external trainers. Types are derived with z.infer; nothing duplicates them.
 */
import { z } from 'zod';
import { SeedSchema } from './common';
import { DIRECTIONS, type Direction } from '../direction';
import { ProxyNameSchema } from './proxies';

/** Model and dataset ids double as directory names, so they are restricted to a safe alphabet. */
export const HubIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ - and start with a letter or digit');

/**
 * Model and dataset ids in fine-tune and proxy-score requests: a hub id, or hub-style segments of
 * that alphabet joined by `/` (`org/name`, `glue/sst2`), as imported matrices name them. Every
 * segment starts with a letter or digit, so none is `.` or `..` and the id stays inside a root;
 * checkpoint keys percent-encode it into one path segment.
 */
const RequestIdSchema = z
  .string()
  .max(300)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,127})*$/,
    'must be 1-128 characters of A-Z a-z 0-9 . _ - per "/"-separated segment, each starting with a letter or digit',
  );

/** A file name inside a model or dataset directory: no separators, no `..`. */
const FileNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a plain file name (no directories)');

const ShapeSchema = z.array(z.number().int().positive()).min(1).max(4);

/** `card.json` beside each hub model's `model.json`. */
export const ModelCardSchema = z.object({
  id: HubIdSchema,
  /** Architecture family, e.g. `mlp` or `cnn`; used for grouping in reports. */
  family: z.string().min(1),
  description: z.string().default(''),
  input: z.object({
    /** Per-sample input shape, without the batch dimension. */
    shape: ShapeSchema,
    dtype: z.literal('float32').default('float32'),
    /** Value range the model was trained on, documentation for dataset authors. */
    range: z.tuple([z.number(), z.number()]).optional(),
  }),
  sourceTask: z.object({ name: z.string().min(1), description: z.string().default('') }),
  /** Source label names, one per output unit. */
  labels: z.array(z.string()).min(2),
  /** What the last layer emits: probabilities (softmax) or unnormalised logits. */
  output: z.enum(['softmax', 'logits']).default('softmax'),
  /** Layer whose output feeds the fresh head; default: the input of the output layer. */
  featureLayer: z.string().optional(),
  /** Layers kept frozen when fine-tuning (e.g. a pre-trained convolutional stem). */
  frozenLayers: z.array(z.string()).default([]),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

/** The metric each task reports and which way is better; a manifest may restate it, never change it. */
export const TASK_METRICS = {
  classification: { metric: 'accuracy', direction: 'maximize' },
  regression: { metric: 'rmse', direction: 'minimize' },
} as const;

/** `dataset.json` in each dataset directory. `metric` and `direction` are filled from the task. */
export const DatasetManifestSchema = z
  .object({
    id: HubIdSchema,
    /** `classification`: integer labels in [0, classes.length); `regression`: one real-valued target per row. */
    task: z.enum(['classification', 'regression']),
    description: z.string().default(''),
    /** Where the dataset is used: the offline matrix (`benchmark`) or online selection (`target`). */
    role: z.enum(['benchmark', 'target', 'other']).default('other'),
    /** Class names (classification, at least 2); a regression dataset lists none. */
    classes: z.array(z.string()).default([]),
    /** Per-sample feature shape; the product is the number of feature columns. */
    featureShape: ShapeSchema,
    format: z.enum(['arrow', 'csv']),
    splits: z.object({ train: FileNameSchema, val: FileNameSchema, test: FileNameSchema.optional() }),
    /** Metric of the validation and test scores. @default from the task: accuracy / rmse */
    metric: z.enum(['accuracy', 'rmse']).optional(),
    /** @default from the task: maximize (accuracy) / minimize (rmse) */
    direction: z.enum(DIRECTIONS).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.task === 'classification' && m.classes.length < 2)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['classes'], message: `a classification dataset needs at least 2 classes, got ${m.classes.length}` });
    if (m.task === 'regression' && m.classes.length > 0)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['classes'], message: 'a regression dataset has no classes' });
    const want = TASK_METRICS[m.task];
    for (const key of ['metric', 'direction'] as const) {
      if (m[key] !== undefined && m[key] !== want[key])
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `is ${m[key]}, but a ${m.task} dataset reports ${want.metric} (${want.direction})` });
    }
  })
  .transform((m) => ({ ...m, metric: TASK_METRICS[m.task].metric as 'accuracy' | 'rmse', direction: TASK_METRICS[m.task].direction as Direction }));
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;
/** A manifest as written (metric and direction may be left out). */
export type DatasetManifestInput = z.input<typeof DatasetManifestSchema>;
export type SplitName = keyof DatasetManifest['splits'];

export const CheckpointRefSchema = z.object({
  key: z.string().min(1).max(1024),
  epoch: z.number().int().min(0),
});

export const EpochRecordSchema = z.object({
  epoch: z.number().int().min(1),
  metric: z.number(),
  /** Wall seconds of the epoch (training and validation; 0 for replay). */
  seconds: z.number().min(0),
  /** Peak memory of the epoch in bytes, where the backend can tell (training/trainer.ts). */
  peakMemoryBytes: z.number().min(0).optional(),
});

/** Input of the `fineTune` activity: train `modelId` on `datasetId` from `fromEpoch` to `toEpoch`. */
export const FineTuneInputSchema = z
  .object({
    modelId: RequestIdSchema,
    datasetId: RequestIdSchema,
    /** Epochs already done; > 0 needs `resume`. @default 0 */
    fromEpoch: z.number().int().min(0).default(0),
    /** Last epoch to run (inclusive, 1-based). */
    toEpoch: z.number().int().min(1).max(1000),
    /** Checkpoint holding `fromEpoch` epochs (e.g. the previous halving rung's). @default null */
    resume: CheckpointRefSchema.nullable().default(null),
    /** Seed of the head initialisation and the data order. @default 0 */
    seed: SeedSchema,
    /** Stable id of this run; checkpoints live under it. @default `${modelId}@${datasetId}#seed${seed}` */
    runId: z.string().min(1).max(512).optional(),
    /** Trainer to run (`tfjs`, `command`, ...); must be one the worker was configured with. @default the worker's first */
    trainer: z.string().min(1).max(64).optional(),
  })
  .refine((v) => v.toEpoch > v.fromEpoch, { message: 'toEpoch must be greater than fromEpoch', path: ['toEpoch'] })
  .refine((v) => v.fromEpoch === 0 || v.resume !== null, { message: 'fromEpoch > 0 needs a resume checkpoint', path: ['resume'] })
  .refine((v) => v.resume === null || v.resume.epoch === v.fromEpoch, { message: 'resume.epoch must equal fromEpoch', path: ['resume', 'epoch'] })
  .transform((v) => ({ ...v, runId: v.runId ?? `${v.modelId}@${v.datasetId}#seed${v.seed}` }));
export type FineTuneInput = z.input<typeof FineTuneInputSchema>;
export type FineTuneRequest = z.output<typeof FineTuneInputSchema>;

/** What `fineTune` heartbeats after every epoch, and reads back on a retry. */
export const FineTuneHeartbeatSchema = z.object({
  epoch: z.number().int().min(1),
  checkpoint: CheckpointRefSchema.nullable(),
  /** Records since the activity's `fromEpoch`, so a retry can return the whole curve. */
  curve: z.array(EpochRecordSchema),
});
export type FineTuneHeartbeat = z.infer<typeof FineTuneHeartbeatSchema>;

export const FineTuneOutputSchema = z.object({
  /** Records for epochs fromEpoch+1 .. toEpoch of the input, in order. */
  curve: z.array(EpochRecordSchema),
  checkpoint: CheckpointRefSchema.nullable(),
  test: z.number().nullable(),
  trainer: z.string(),
  backend: z.string(),
  /** Epoch this attempt started from (> input.fromEpoch after a resumed retry). */
  startedFromEpoch: z.number().int().min(0),
  /** The highest peak memory of the curve's epochs in bytes; null when the trainer reports none. */
  peakMemoryBytes: z.number().min(0).nullable().optional(),
  /** The task queue only the worker that ran this polls, where its checkpoint is (absent: the worker has none). */
  workerQueue: z.string().optional(),
});
export type FineTuneOutput = z.infer<typeof FineTuneOutputSchema>;

/** Proxies `proxyScore` computes from a forward pass (the history prior comes from the matrix store). */
export const ForwardProxySchema = ProxyNameSchema.exclude(['history-prior']);
export type ForwardProxy = z.infer<typeof ForwardProxySchema>;

/**
 * Input of the `proxyScore` activity: a transferability estimate of hub model `model` for
 * dataset `target` without fine-tuning. Field names follow the store's proxy-score rows.
 */
export const ProxyScoreInputSchema = z.object({
  model: RequestIdSchema,
  target: RequestIdSchema,
  proxy: ForwardProxySchema,
  /** Samples in the class-balanced probe drawn from the target's train split. @default 500 */
  probeSize: z.number().int().min(2).max(100_000).default(500),
  /** Seed of the probe draw. @default 0 */
  seed: SeedSchema,
});
/** Named apart from the store's `ProxyScoreInput` (a recorded score row). */
export type ProxyScoreActivityInput = z.input<typeof ProxyScoreInputSchema>;
export type ProxyScoreRequest = z.output<typeof ProxyScoreInputSchema>;

export const ProxyScoreOutputSchema = z.object({
  model: z.string(),
  target: z.string(),
  proxy: ForwardProxySchema,
  /** Higher is better for every proxy (LEEP: mean log-likelihood; LogME: log evidence per sample; ...). */
  value: z.number(),
  /** Samples actually used (fewer than asked when the split is smaller). */
  probeSize: z.number().int(),
  backend: z.string(),
});
export type ProxyScoreOutput = z.infer<typeof ProxyScoreOutputSchema>;

/** One stdout line of an external trainer after an epoch (see docs/external-trainer.md). */
export const CommandEpochLineSchema = z
  .object({
    epoch: z.number().int().min(1),
    metric: z.number().finite(),
    seconds: z.number().min(0),
    /** Peak memory of the epoch in bytes (optional). */
    peakMemoryBytes: z.number().min(0).optional(),
    checkpoint: z.string().min(1).max(1024).nullable().default(null),
    backend: z.string().min(1).optional(),
  })
  .strict();

/** The optional last stdout line of an external trainer: the test metric. */
export const CommandTestLineSchema = z.object({ test: z.number().finite(), backend: z.string().min(1).optional() }).strict();

/** Error types an external trainer may report in an `error` line; each becomes that typed failure. */
export const CommandErrorTypeSchema = z.enum([
  'InvalidModel',
  'InvalidDataset',
  'ModelNotFound',
  'DatasetNotFound',
  'InvalidInput',
  'TrainingDiverged',
  'TrainerFailed',
]);

/** A stdout line of an external trainer that reports a failure it understands (then it exits non-zero). */
export const CommandErrorLineSchema = z
  .object({
    error: z.object({ type: CommandErrorTypeSchema, message: z.string().min(1).max(8000), retryable: z.boolean().default(false) }).strict(),
  })
  .strict();

/** The answer line of a `features` job: where the features file is and its dimensions. */
export const CommandFeaturesLineSchema = z
  .object({
    features: z.string().min(1).max(4096),
    rows: z.number().int().min(1),
    featureSize: z.number().int().min(1),
    classes: z.number().int().min(1),
    backend: z.string().min(1).optional(),
  })
  .strict();

/** Compute backends of the tfjs trainer, fastest first. */
export const TfBackendNameSchema = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type TfBackendName = z.infer<typeof TfBackendNameSchema>;

/** Input of the `releaseCheckpoints` activity (checkpoint lifecycle, activities/checkpoints.ts). */
export const ReleaseCheckpointsInputSchema = z.object({
  /** Runs whose fine-tunes are over (no activity of theirs is running or will be retried). */
  runIds: z.array(z.string().min(1).max(512)).max(100_000),
  /** Keys under those runs that stay (e.g. the pick's final checkpoint). @default [] */
  keep: z.array(z.string().min(1).max(1024)).default([]),
});
export type ReleaseCheckpointsInput = z.input<typeof ReleaseCheckpointsInputSchema>;

/** What a finished selection keeps: `kept/<encoded workflow id>.json`. */
export const KeptManifestSchema = z.object({
  workflowId: z.string().min(1),
  /** The policy's pick and its final checkpoint (null: the selection picked nothing, or kept nothing of it). */
  pick: z
    .object({
      model: z.string().min(1),
      target: z.string().min(1),
      trainer: z.string().min(1),
      seed: z.number().int(),
      epochs: z.number().int().min(0),
      checkpoint: CheckpointRefSchema,
      /** The target's metric (accuracy, rmse) and the pick's validation and test values. */
      metric: z.string().min(1),
      validation: z.number().nullable(),
      test: z.number().nullable(),
      storeVersion: z.number().int(),
    })
    .nullable(),
  /** Every checkpoint key the selection keeps (the pick's; with keepCheckpoints `all`, every survivor's last one). */
  keys: z.array(z.string().min(1)),
  writtenAt: z.string(),
});
export type KeptManifest = z.infer<typeof KeptManifestSchema>;
