/**
 * The recorded-curves CSV of the two-phase selection data (`model,dataset,in_paper_pool,test,
 * val_ep1..`) in and out of the store. Parsing and formatting are `replay/anchor-format.ts`;
 * this file maps runs to models, datasets, cells and curves and back.
 */
import { InvalidStoreInputError, type GridOptions, type MatrixStore, type Snapshot } from '../matrix-store';
import { AnchorFormatError, formatCurvesCsv, parseCurvesCsv } from '../replay/anchor-format';

/** How imported runs are labelled. */
export interface AnchorImportOptions {
  /** Name of the text, used in error messages and run ids. @default 'curves.csv' */
  readonly source?: string;
  /** Metric name of the cells and curves. @default 'accuracy' */
  readonly metric?: string;
  /** Task type of datasets not registered yet. @default 'text-classification' */
  readonly taskType?: string;
  /** Settings hash of every imported cell. @default 'recorded' */
  readonly settingsHash?: string;
  /** Commit message. @default 'import <source>' */
  readonly message?: string;
}

const DEFAULTS: Required<Omit<AnchorImportOptions, 'message'>> = {
  source: 'curves.csv',
  metric: 'accuracy',
  taskType: 'text-classification',
  settingsHash: 'recorded',
};

/**
 * Import a curves CSV as one commit: each model (card `{ inPaperPool }`), each dataset, one cell
 * per run (value = test) and its validation curve. Returns the version. Idempotent in content:
 * importing the same text again adds only duplicates, which reads drop.
 * Throws InvalidInput for a malformed text (naming source and line).
 */
export async function importAnchorCurves(store: MatrixStore, text: string, options: AnchorImportOptions = {}): Promise<number> {
  const o = { ...DEFAULTS, ...options };
  let parsed: ReturnType<typeof parseCurvesCsv>;
  try {
    parsed = parseCurvesCsv(text, o.source);
  } catch (e) {
    if (e instanceof AnchorFormatError) throw new InvalidStoreInputError(e.message);
    throw e;
  }
  const { runs, inPaperPool } = parsed;
  const writer = store.beginWrite();
  await writer.upsertModels(runs.models.map((id) => ({ id, source: o.source, card: { inPaperPool: inPaperPool.has(id) } })));
  await writer.upsertDatasets(runs.datasets.map((id) => ({ id, taskType: o.taskType, metric: o.metric })));
  const common = { settingsHash: o.settingsHash, metric: o.metric };
  await writer.appendCells(
    runs.runs.map((r) => ({
      ...common,
      model: r.model,
      dataset: r.dataset,
      value: r.test,
      epochs: r.val.length,
      trainer: 'recorded',
      backend: 'recorded',
      runId: `${o.source}:${r.model}@${r.dataset}`,
    })),
  );
  await writer.appendCurves(runs.runs.map((r) => ({ ...common, model: r.model, dataset: r.dataset, values: [...r.val] })));
  return writer.commit(options.message ?? `import ${o.source}`);
}

/**
 * The snapshot's runs as a curves CSV (`in_paper_pool` from each model card's `inPaperPool`).
 * Throws StoreCorrupt; Error when an id contains a comma or line break.
 */
export async function exportAnchorCurves(snapshot: Snapshot, options: GridOptions = {}): Promise<string> {
  const [runs, models] = await Promise.all([snapshot.runSet(options), snapshot.models()]);
  const pool = new Set(models.filter((m) => m.card.inPaperPool === true).map((m) => m.id));
  return formatCurvesCsv(runs, pool);
}
