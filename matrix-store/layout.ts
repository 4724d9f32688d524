/**
 * Where a store lives and what its directory holds:
 *
 *   mselect-store.json          format and schema version of the directory
 *   versions/0000000042.json    version 42: fragments it adds and removes (published by hard link)
 *   checkpoints/0000000042.json every fragment of version 42 (derived; saves replaying versions)
 *   fragments/<table>/*.arrow   immutable Arrow IPC files
 *   tmp/                        files being written; never read
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STORE_TABLES, StoreFormatSchema } from '../contracts/schemas/store';
import { SchemaVersionError, StoreCorruptError } from './errors';
import { isCode, publishExclusive } from '../storage/fs-durable';
import { STORE_SCHEMA_VERSION } from './schema';

export const FORMAT_FILE = 'mselect-store.json';

/** The store directory: `explicit`, else env `MSELECT_STORE`, else `<project>/data/store`. */
export function resolveStoreDir(explicit?: string): string {
  const env = process.env.MSELECT_STORE;
  return path.resolve(explicit ?? (env !== undefined && env !== '' ? env : path.join(__dirname, '..', 'data', 'store')));
}

const pad = (v: number): string => String(v).padStart(10, '0');

export const versionPath = (dir: string, v: number): string => path.join(dir, 'versions', `${pad(v)}.json`);
export const checkpointPath = (dir: string, v: number): string => path.join(dir, 'checkpoints', `${pad(v)}.json`);

/** Version numbers of the `*.json` files in `sub` (`versions` or `checkpoints`), ascending. */
export async function listNumbered(dir: string, sub: 'versions' | 'checkpoints'): Promise<number[]> {
  const names = await fs.promises.readdir(path.join(dir, sub));
  return names
    .filter((n) => /^\d+\.json$/.test(n))
    .map((n) => Number(n.slice(0, -5)))
    .sort((a, b) => a - b);
}

/**
 * Make sure `dir` is a store of this schema version, creating it when `create` is set.
 * Throws SchemaVersionMismatch for another version, StoreCorrupt for an unreadable format file,
 * Error (ENOENT) when the directory is absent and `create` is false.
 */
export function ensureLayout(dir: string, create: boolean): void {
  if (!create && !fs.existsSync(path.join(dir, FORMAT_FILE))) throw new Error(`${dir} is not a matrix store (no ${FORMAT_FILE})`);
  for (const sub of ['versions', 'checkpoints', 'tmp', ...STORE_TABLES.map((t) => path.join('fragments', t))]) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  const formatPath = path.join(dir, FORMAT_FILE);
  const identity = { format: 'mselect-matrix-store', schemaVersion: STORE_SCHEMA_VERSION };
  if (!fs.existsSync(formatPath)) publishExclusive(path.join(dir, 'tmp'), formatPath, JSON.stringify(identity, null, 2) + '\n');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(formatPath, 'utf8'));
  } catch (e) {
    if (isCode(e, 'ENOENT')) throw e;
    throw new StoreCorruptError(formatPath, 'manifest', 0, 'it is not JSON');
  }
  const format = StoreFormatSchema.safeParse(parsed);
  if (!format.success) throw new StoreCorruptError(formatPath, 'manifest', 0, 'it is not a matrix store format file');
  if (format.data.schemaVersion !== STORE_SCHEMA_VERSION) throw new SchemaVersionError(formatPath, format.data.schemaVersion, STORE_SCHEMA_VERSION);
}
