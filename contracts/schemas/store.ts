/**
 * Records the matrix store accepts and the manifest files it publishes. The store's Arrow
 * column layout (`matrix-store/schema.ts`) uses the same field names, so a row of a table
 * is a parsed record of the schema below.
 */
import { z } from 'zod';
import { DIRECTIONS } from '../direction';

/** The tables of the store, in the order the manifest lists them. */
export const STORE_TABLES = ['models', 'datasets', 'cells', 'curves', 'clusterings', 'proxyScores'] as const;
export const StoreTableSchema = z.enum(STORE_TABLES);
export type StoreTable = z.infer<typeof StoreTableSchema>;

const id = z.string().min(1);
/** Milliseconds since the Unix epoch (UTC). */
const epochMs = z.number().finite();
const int32 = z.number().int().min(-2147483648).max(2147483647);

/** A hub model. `size` = parameter count; `card` is the model card as JSON; `removedAt` set = withdrawn. */
export const ModelRecordSchema = z.object({
  id,
  family: z.string().nullable().default(null),
  size: z.number().nonnegative().nullable().default(null),
  source: z.string().nullable().default(null),
  card: z.record(z.unknown()).default({}),
  /** Filled with the append time when absent. */
  addedAt: epochMs.optional(),
  removedAt: epochMs.nullable().default(null),
});
export type ModelRecordInput = z.input<typeof ModelRecordSchema>;

/** A benchmark dataset. `size` = number of examples; `metric` is the metric its cells report. */
export const DatasetRecordSchema = z.object({
  id,
  taskType: z.string().min(1),
  metric: z.string().min(1),
  direction: z.enum(DIRECTIONS).default('maximize'),
  size: z.number().nonnegative().nullable().default(null),
});
export type DatasetRecordInput = z.input<typeof DatasetRecordSchema>;
export type DatasetRecord = z.output<typeof DatasetRecordSchema>;

/**
 * One fine-tune result. Keyed by (model, dataset, settingsHash): a later cell with the same
 * key is a duplicate and is dropped. `value` = final (held-out) metric; null = not measured.
 */
export const CellRecordSchema = z.object({
  model: id,
  dataset: id,
  settingsHash: z.string().min(1),
  metric: z.string().min(1),
  value: z.number().nullable(),
  epochs: z.number().int().nonnegative(),
  trainer: z.string().min(1).default('unknown'),
  backend: z.string().min(1).default('unknown'),
  seed: int32.nullable().default(null),
  runId: z.string().min(1),
  startedAt: epochMs.nullable().default(null),
  /** Filled with the append time when absent. */
  finishedAt: epochMs.optional(),
});
export type CellRecordInput = z.input<typeof CellRecordSchema>;

const float64Array = z.custom<Float64Array>((v) => v instanceof Float64Array, 'must be a number array or a Float64Array');
// Typed arrays first: a union reports an issue for every branch that fails before the one that passes.
const numbers = z.union([float64Array, z.array(z.number())]);
const optionalNumbers = z.union([float64Array, z.array(z.number().nullable())]);

/**
 * One run's learning curve: `values[k]` after epoch `epochs[k]` (default k + 1), `seconds[k]`
 * spent on that epoch and its peak memory `peakMemoryBytes[k]` (null = not recorded). Points are keyed by (model, dataset, settingsHash, metric, epoch).
 */
export const CurveInputSchema = z
  .object({
    model: id,
    dataset: id,
    settingsHash: z.string().min(1),
    metric: z.string().min(1),
    values: numbers.refine((v) => v.length > 0, 'a curve needs at least one point'),
    epochs: z.array(z.number().int().positive()).optional(),
    seconds: optionalNumbers.optional(),
    /** Peak memory in bytes of each epoch (null = not recorded). */
    peakMemoryBytes: optionalNumbers.optional(),
  })
  .superRefine((c, ctx) => {
    const n = c.values.length;
    if (c.epochs && c.epochs.length !== n) ctx.addIssue({ code: 'custom', path: ['epochs'], message: `has ${c.epochs.length} entries, but values has ${n}` });
    if (c.seconds && c.seconds.length !== n)
      ctx.addIssue({ code: 'custom', path: ['seconds'], message: `has ${c.seconds.length} entries, but values has ${n}` });
    if (c.peakMemoryBytes && c.peakMemoryBytes.length !== n)
      ctx.addIssue({ code: 'custom', path: ['peakMemoryBytes'], message: `has ${c.peakMemoryBytes.length} entries, but values has ${n}` });
    if (c.epochs && new Set(c.epochs).size !== n) ctx.addIssue({ code: 'custom', path: ['epochs'], message: 'repeats an epoch' });
  });
export type CurveInput = z.input<typeof CurveInputSchema>;

/** A clustering of models; `id` names it (generated when absent). */
export const ClusteringInputSchema = z
  .object({
    id: z.string().min(1).optional(),
    method: z.string().min(1),
    params: z.record(z.unknown()).default({}),
    models: z.array(id).min(1),
    labels: z.array(int32),
    representatives: z.map(int32, id).default(new Map()),
    createdAt: epochMs.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.labels.length !== c.models.length)
      ctx.addIssue({ code: 'custom', path: ['labels'], message: `has ${c.labels.length} entries, but models has ${c.models.length}` });
    if (new Set(c.models).size !== c.models.length) ctx.addIssue({ code: 'custom', path: ['models'], message: 'repeats a model' });
    for (const [label, model] of c.representatives) {
      const i = c.models.indexOf(model);
      if (i < 0 || c.labels[i] !== label) ctx.addIssue({ code: 'custom', path: ['representatives'], message: `${model} is not a member of cluster ${label}` });
    }
  });
export type ClusteringInput = z.input<typeof ClusteringInputSchema>;

/** A cached proxy score (e.g. LEEP) of `model` on `target`. The latest write of a key wins. */
export const ProxyScoreSchema = z.object({
  model: id,
  target: id,
  proxy: z.string().min(1),
  value: z.number().finite(),
  /** Filled with the append time when absent. */
  computedAt: epochMs.optional(),
});
export type ProxyScoreInput = z.input<typeof ProxyScoreSchema>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();

/**
 * One record batch of a fragment: byte range, rows, checksum, and the range of its `model`/`id`
 * column (min, max, and the distinct values when there are at most 16), so readers skip batches.
 */
export const BatchEntrySchema = z.object({
  offset: count,
  length: count,
  rows: count,
  sha256,
  min: z.string().nullable(),
  max: z.string().nullable(),
  keys: z.array(z.string()).nullable(),
});

/**
 * An immutable Arrow IPC file of one table. `order` ranks fragments of a table (version that
 * added it, index in that commit); deduplication reads fragments in this order.
 * `headBytes`/`headSha256` cover the magic, schema and dictionaries before the first batch.
 */
export const FragmentEntrySchema = z.object({
  table: StoreTableSchema,
  path: z.string().min(1),
  rows: count,
  bytes: count,
  sha256,
  order: z.tuple([count, count]),
  headBytes: count,
  headSha256: sha256,
  batches: z.array(BatchEntrySchema),
});
export type FragmentEntry = z.infer<typeof FragmentEntrySchema>;

/** The file that publishes a version: what it adds and removes on top of `parent`. */
export const VersionRecordSchema = z.object({
  format: z.literal('mselect-store-version'),
  schemaVersion: z.number().int().positive(),
  version: z.number().int().positive(),
  parent: count,
  createdAt: z.string(),
  message: z.string(),
  writer: z.string(),
  add: z.array(FragmentEntrySchema),
  remove: z.array(z.string()),
});
export type VersionRecord = z.infer<typeof VersionRecordSchema>;

/** The full fragment list of one version, so readers need not replay every version before it. */
export const CheckpointSchema = z.object({
  format: z.literal('mselect-store-checkpoint'),
  schemaVersion: z.number().int().positive(),
  version: z.number().int().positive(),
  fragments: z.array(FragmentEntrySchema),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** The store's identity file: what format and schema version the directory holds. */
export const StoreFormatSchema = z.object({
  format: z.literal('mselect-matrix-store'),
  schemaVersion: z.number().int().positive(),
});

/** How to open a store. */
export const OpenStoreOptionsSchema = z.object({
  /** Store directory; else env MSELECT_STORE; else `<project>/data/store`. */
  dir: z.string().min(1).optional(),
  /** On a corrupt fragment: throw StoreCorrupt, or leave the fragment out and list it in `problems`. */
  onCorrupt: z.enum(['throw', 'skip-and-report']).default('throw'),
  /** Create the directory when it does not exist. */
  create: z.boolean().default(true),
  /** Write a checkpoint every this many versions. */
  checkpointEvery: z.number().int().positive().default(100),
  /** Rows per Arrow record batch. */
  batchRows: z.number().int().positive().default(65536),
  /** A writer writes a fragment once this many rows of a table are buffered. */
  flushRows: z.number().int().positive().default(1_000_000),
  /** Attempts to publish a commit while other committers keep taking the next version. */
  commitAttempts: z.number().int().positive().default(1000),
});
export type OpenStoreOptions = z.input<typeof OpenStoreOptionsSchema>;

/** What `prune` keeps: the newest `keepLast` versions plus those listed in `keep`. */
export const PruneOptionsSchema = z.object({
  keepLast: z.number().int().positive().default(1),
  keep: z.array(z.number().int().positive()).default([]),
  /** Unreferenced files younger than this are left alone: they may belong to a commit in flight. */
  graceMs: z.number().int().nonnegative().default(3_600_000),
});
export type PruneOptions = z.input<typeof PruneOptionsSchema>;
