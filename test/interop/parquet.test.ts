/**
 * Parquet interop, checked against another implementation: DuckDB writes the Parquet twins of
 * examples/byoh/ (long, wide and proxy scores) that `mselect import` reads, and reads back
 * what `mselect export --format parquet | wide-parquet` writes.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEvaluate } from '../../cli/evaluate';
import { matrixExport } from '../../cli/export';
import { runImport } from '../../cli/import';
import { exportMatrix, longCsv, openExistingStore } from '../../interop';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'byoh');
const flags = { metric: 'accuracy', direction: 'maximize', taskType: 'imported' } as const;
const quiet = (): void => undefined;

let root: string;
let duck: DuckDBInstance;
let db: DuckDBConnection;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-parquet-'));
  duck = await DuckDBInstance.create(':memory:');
  db = await duck.connect();
});
afterAll(async () => {
  db?.closeSync();
  duck?.closeSync();
  await fs.rm(root, { recursive: true, force: true });
});

const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** DuckDB's Parquet copy of a CSV file (its own CSV reader and Parquet writer). */
async function duckParquet(csv: string, out: string, compression = 'snappy'): Promise<string> {
  await db.run(`COPY (SELECT * FROM read_csv(${sqlText(csv)}, header = true)) TO ${sqlText(out)} (FORMAT parquet, COMPRESSION ${compression})`);
  return out;
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** `mselect evaluate --json` of a store, without the fields that differ between stores (path, time). */
async function evaluation(store: string): Promise<unknown> {
  const { store: _s, seconds: _t, ...figures } = JSON.parse(await runEvaluate({ store, minModels: 3, k: 3, json: true })) as Record<string, unknown>;
  return figures;
}

describe('Parquet import, against files DuckDB writes', () => {
  it('a Parquet matrix written by DuckDB imports and evaluates to the same figures as its CSV twin', async () => {
    const csvStore = path.join(root, 'csv');
    const pqStore = path.join(root, 'parquet');
    const csv = ['performance.csv', 'logme.csv', 'final-accuracy-wide.csv'].map((f) => path.join(EXAMPLE, f));
    // Long with curves (snappy, DuckDB's default), proxy scores (zstd, Polars' default), wide (gzip).
    const parquet = [
      await duckParquet(csv[0] as string, path.join(root, 'performance.parquet')),
      await duckParquet(csv[1] as string, path.join(root, 'logme.parquet'), 'zstd'),
      await duckParquet(csv[2] as string, path.join(root, 'final-accuracy-wide.parquet'), 'gzip'),
    ];
    await runImport(csv.slice(0, 2), { store: csvStore, ...flags }, quiet);
    await runImport(parquet.slice(0, 2), { store: pqStore, ...flags }, quiet);
    const csvFigures = await evaluation(csvStore);
    expect(await evaluation(pqStore)).toEqual(csvFigures);
    expect((csvFigures as { means: unknown[] }).means.length).toBeGreaterThan(0);
    expect(longCsv(await exportMatrix(await openExistingStore(pqStore).snapshot()))).toBe(
      longCsv(await exportMatrix(await openExistingStore(csvStore).snapshot())),
    );

    // The wide final-accuracy matrix, alone, in a store of its own.
    await runImport(csv.slice(2), { store: path.join(root, 'wide-csv'), ...flags }, quiet);
    await runImport(parquet.slice(2), { store: path.join(root, 'wide-parquet'), ...flags }, quiet);
    expect(await matrixExport({ store: path.join(root, 'wide-parquet'), format: 'wide' })).toBe(
      await matrixExport({ store: path.join(root, 'wide-csv'), format: 'wide' }),
    );
  });

  it('names the file, row and column of a bad value in a Parquet file', async () => {
    const bad = path.join(root, 'bad.csv');
    await fs.writeFile(bad, 'model,dataset,accuracy\norg/a,glue/sst2,0.9\norg/b,,0.8\n');
    const file = await duckParquet(bad, path.join(root, 'bad.parquet'));
    await expect(runImport([file], { store: path.join(root, 'bad'), ...flags }, quiet)).rejects.toThrow(
      `${file}:3: column "dataset": is empty, but must name an id`,
    );
  });

  it('refuses a file named .parquet that is not Parquet, naming it', async () => {
    const file = path.join(root, 'not.parquet');
    await fs.writeFile(file, 'model,dataset,accuracy\n');
    await expect(runImport([file], { store: path.join(root, 'not'), ...flags }, quiet)).rejects.toThrow(`${file}: not a readable Parquet file`);
  });
});

describe('Parquet export, read back by DuckDB', () => {
  it('long and wide Parquet hold what the long and wide CSV hold; the long one imports back to the same store', async () => {
    const store = path.join(root, 'export');
    await runImport([path.join(EXAMPLE, 'performance.csv')], { store, ...flags }, quiet);
    const files: Record<string, string> = {};
    for (const format of ['csv', 'wide', 'parquet', 'wide-parquet'] as const) {
      files[format] = path.join(root, `export-${format}.${format.endsWith('parquet') ? 'parquet' : 'csv'}`);
      await fs.writeFile(files[format] as string, await matrixExport({ store, format }));
    }
    for (const [pq, csv] of [
      ['parquet', 'csv'],
      ['wide-parquet', 'wide'],
    ] as const) {
      const fromParquet = await rows(`SELECT * FROM read_parquet(${sqlText(files[pq] as string)}) ORDER BY model${pq === 'parquet' ? ', dataset' : ''}`);
      const fromCsv = await rows(
        `SELECT * FROM read_csv(${sqlText(files[csv] as string)}, header = true, all_varchar = false) ORDER BY model${pq === 'parquet' ? ', dataset' : ''}`,
      );
      expect(fromParquet.length).toBe(pq === 'parquet' ? 170 : 24);
      expect(fromParquet).toEqual(fromCsv);
    }
    const schema = await rows(`SELECT name, type FROM parquet_schema(${sqlText(files.parquet as string)}) WHERE type IS NOT NULL`);
    expect(schema.map((r) => `${String(r.name)}:${String(r.type)}`)).toEqual([
      'model:BYTE_ARRAY',
      'dataset:BYTE_ARRAY',
      'metric:BYTE_ARRAY',
      'direction:BYTE_ARRAY',
      'value:DOUBLE',
      'ep1:DOUBLE',
      'ep2:DOUBLE',
      'ep3:DOUBLE',
      'ep4:DOUBLE',
      'ep5:DOUBLE',
    ]);
    const again = path.join(root, 'export-again');
    await runImport([files.parquet as string], { store: again, ...flags }, quiet);
    expect(await matrixExport({ store: again, format: 'csv' })).toBe(await matrixExport({ store, format: 'csv' }));
  });
});
