/**
 * Datasets on disk: `<datasetsDir>/<id>/dataset.json` (the manifest) plus one Arrow IPC or
 * CSV file per split, each with a `label` column (class indices, or the real-valued target of
 * a regression dataset; the manifest names the metric and its direction) and the features either
 * as one `features` fixed-size-list column (Arrow) or as all remaining numeric columns.
 * Every split is validated on load; problems fail with InvalidDataset naming file and row.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { formatIssues } from '../contracts/parse';
import { type DatasetManifest, type DatasetManifestInput, DatasetManifestSchema, type SplitName } from '../contracts/schemas/training';
import { decodeArrow, encodeArrow } from './dataset-arrow';
import type { DatasetSplit, RawTable } from './dataset-types';
import { decodeCsv, encodeCsv } from './dataset-csv';
import { exists, readJsonIfExists, resolveInside, writeFileAtomic } from './files';

export type { DatasetSplit } from './dataset-types';

export const MANIFEST_JSON = 'dataset.json';

export interface LoadedDataset {
  readonly manifest: DatasetManifest;
  readonly train: DatasetSplit;
  readonly val: DatasetSplit;
  readonly test: DatasetSplit | null;
}

export function invalidDataset(message: string): Error {
  return nonRetryable(ErrorType.InvalidDataset, message);
}

/** Read and validate `dataset.json`. Fails with DatasetNotFound or InvalidDataset. */
export async function readManifest(datasetsDir: string, id: string): Promise<DatasetManifest> {
  const dir = resolveInside(datasetsDir, id);
  if (!(await exists(dir))) throw nonRetryable(ErrorType.DatasetNotFound, `Dataset ${id} not found in ${datasetsDir}`);
  const file = path.join(dir, MANIFEST_JSON);
  let raw: unknown;
  try {
    raw = await readJsonIfExists(file);
  } catch (err) {
    throw invalidDataset(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (raw === undefined) throw invalidDataset(`${file} is missing`);
  const r = DatasetManifestSchema.safeParse(raw);
  if (!r.success) throw invalidDataset(`${file}: ${formatIssues(r.error.issues)}`);
  if (r.data.id !== id) throw invalidDataset(`${file} names dataset ${r.data.id}, expected ${id}`);
  return r.data;
}

/** Largest split file read into memory: Node reads at most 2 GiB into one buffer. */
export const MAX_SPLIT_BYTES = 2 ** 31 - 1;

/** Load and validate one split. The train split must hold at least two classes. */
export async function loadSplit(datasetsDir: string, manifest: DatasetManifest, split: SplitName): Promise<DatasetSplit> {
  const name = manifest.splits[split];
  if (name === undefined) throw invalidDataset(`Dataset ${manifest.id} has no ${split} split`);
  const file = resolveInside(resolveInside(datasetsDir, manifest.id), name);
  if (!(await exists(file))) throw invalidDataset(`${file} (${split} split of ${manifest.id}) is missing`);
  const { size } = await fs.stat(file);
  if (size > MAX_SPLIT_BYTES) {
    throw invalidDataset(
      `${file} (${split} split of ${manifest.id}) is ${size} bytes, more than the ${MAX_SPLIT_BYTES} bytes a split may hold; split it into several datasets or subsample it`,
    );
  }
  const bytes = await fs.readFile(file);
  let table: RawTable;
  try {
    table = manifest.format === 'arrow' ? decodeArrow(bytes) : decodeCsv(bytes.toString('utf8'));
  } catch (err) {
    throw invalidDataset(`${file}: ${(err as Error).message}`);
  }
  return validate(table, manifest, file, split === 'train');
}

/** Load train, val and (when present) test of dataset `id`. */
export async function loadDataset(datasetsDir: string, id: string): Promise<LoadedDataset> {
  const manifest = await readManifest(datasetsDir, id);
  const train = await loadSplit(datasetsDir, manifest, 'train');
  const val = await loadSplit(datasetsDir, manifest, 'val');
  const test = manifest.splits.test === undefined ? null : await loadSplit(datasetsDir, manifest, 'test');
  return { manifest, train, val, test };
}

function validate(t: RawTable, m: DatasetManifest, file: string, needTwoClasses: boolean): DatasetSplit {
  const d = m.featureShape.reduce((a, b) => a * b, 1);
  if (t.rows === 0) throw invalidDataset(`${file} is empty (0 rows)`);
  if (t.width !== d) throw invalidDataset(`${file} has ${t.width} feature columns but featureShape [${m.featureShape.join(',')}] needs ${d}`);
  for (let i = 0; i < t.x.length; i++) {
    if (!Number.isFinite(t.x[i])) throw invalidDataset(`${file} row ${Math.floor(i / d) + 1}: feature ${i % d} is ${t.x[i]}`);
  }
  if (m.task === 'regression') return { x: t.x, y: new Int32Array(t.rows), target: regressionTargets(t, file), n: t.rows, d };
  const y = new Int32Array(t.rows);
  const seen = new Set<number>();
  for (let r = 0; r < t.rows; r++) {
    const label = t.labels[r] ?? Number.NaN;
    if (!Number.isInteger(label) || label < 0 || label >= m.classes.length) {
      throw invalidDataset(`${file} row ${r + 1}: label ${label} is not an integer in [0, ${m.classes.length})`);
    }
    y[r] = label;
    seen.add(label);
  }
  if (needTwoClasses && seen.size < 2) throw invalidDataset(`${file} holds a single class (${[...seen].join(', ')}); training needs at least two`);
  return { x: t.x, y, n: t.rows, d };
}

function regressionTargets(t: RawTable, file: string): Float32Array {
  const target = new Float32Array(t.rows);
  for (let r = 0; r < t.rows; r++) {
    const v = t.labels[r] ?? Number.NaN;
    if (!Number.isFinite(v)) throw invalidDataset(`${file} row ${r + 1}: target ${v} is not a finite number`);
    target[r] = v;
  }
  return target;
}

/**
 * Write a dataset (manifest plus one file per split in `manifest.format`). Each file is
 * written atomically and the manifest last, so a reader never sees a half-written dataset.
 */
export async function writeDataset(datasetsDir: string, manifest: DatasetManifestInput, splits: Partial<Record<SplitName, DatasetSplit>>): Promise<void> {
  const dir = resolveInside(datasetsDir, manifest.id);
  for (const [split, name] of Object.entries(manifest.splits) as [SplitName, string | undefined][]) {
    const data = splits[split];
    if (name === undefined) continue;
    if (!data) throw new Error(`writeDataset: no data for split ${split} of ${manifest.id}`);
    const body = manifest.format === 'arrow' ? encodeArrow(data) : encodeCsv(data);
    await writeFileAtomic(resolveInside(dir, name), body);
  }
  await writeFileAtomic(path.join(dir, MANIFEST_JSON), JSON.stringify(manifest, null, 2));
}
