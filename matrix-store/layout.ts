/**
 * Where a store lives and what it holds, as keys of an ObjectStore (a folder or an S3 prefix):
 *
 *   mselect-store.json          format and schema version of the store
 *   versions/0000000042.json    version 42: fragments it adds and removes (published by a conditional create)
 *   checkpoints/0000000042.json every fragment of version 42 (derived; saves replaying versions)
 *   fragments/<table>/*.arrow   immutable Arrow IPC files
 *   tmp/                        (filesystem only) files being written; never read
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STORE_TABLES, StoreFormatSchema } from '../contracts/schemas/store';
import { ObjectNotFoundError, type ObjectStore } from '../storage';
import { publishExclusive } from '../storage/fs-durable';
import { dataDir } from '../server/paths';
import { SchemaVersionError, StoreCorruptError } from './errors';
import { readableSchemaVersion, STORE_SCHEMA_VERSION } from './schema';

export const FORMAT_FILE = 'mselect-store.json';
const IDENTITY = JSON.stringify({ format: 'mselect-matrix-store', schemaVersion: STORE_SCHEMA_VERSION }, null, 2) + '\n';

/** The store directory: `explicit`, else env `MSELECT_STORE`, else `store` in the data folder (env `MSELECT_DATA`, else `<project>/data`). */
export function resolveStoreDir(explicit?: string): string {
  const env = process.env.MSELECT_STORE;
  return path.resolve(explicit ?? (env !== undefined && env !== '' ? env : path.join(dataDir(), 'store')));
}

const pad = (v: number): string => String(v).padStart(10, '0');

export type Numbered = 'versions' | 'checkpoints';
export const versionKey = (v: number): string => `versions/${pad(v)}.json`;
export const checkpointKey = (v: number): string => `checkpoints/${pad(v)}.json`;

/** Version numbers of the `*.json` objects under `sub` (`versions` or `checkpoints`), ascending. */
export async function listNumbered(objects: ObjectStore, sub: Numbered): Promise<number[]> {
  return (await objects.list(`${sub}/`))
    .map((o) => o.key.slice(sub.length + 1))
    .filter((n) => /^\d+\.json$/.test(n))
    .map((n) => Number(n.slice(0, -5)))
    .sort((a, b) => a - b);
}

/** Validate the text of a format file. Throws StoreCorrupt or SchemaVersionMismatch naming `where`. */
function checkFormat(text: string, where: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoreCorruptError(where, 'manifest', 0, 'it is not JSON');
  }
  const format = StoreFormatSchema.safeParse(parsed);
  if (!format.success) throw new StoreCorruptError(where, 'manifest', 0, 'it is not a matrix store format file');
  if (!readableSchemaVersion(format.data.schemaVersion)) throw new SchemaVersionError(where, format.data.schemaVersion, STORE_SCHEMA_VERSION);
}

/**
 * Make sure folder `dir` is a store of this schema version, creating it when `create` is set
 * (synchronous, for `openStore(dir)`). Throws SchemaVersionMismatch for another version,
 * StoreCorrupt for an unreadable format file, Error when the folder is no store and `create` is false.
 */
export function ensureLayout(dir: string, create: boolean): void {
  const formatPath = path.join(dir, FORMAT_FILE);
  if (!create && !fs.existsSync(formatPath)) throw new Error(`${dir} is not a matrix store (no ${FORMAT_FILE})`);
  for (const sub of ['versions', 'checkpoints', 'tmp', ...STORE_TABLES.map((t) => path.join('fragments', t))]) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  if (!fs.existsSync(formatPath)) publishExclusive(path.join(dir, 'tmp'), formatPath, IDENTITY);
  checkFormat(fs.readFileSync(formatPath, 'utf8'), formatPath);
}

/** `ensureLayout` on any ObjectStore (a folder or an S3 prefix). */
export async function ensureLayoutOn(objects: ObjectStore, create: boolean): Promise<void> {
  let text: string;
  try {
    text = (await objects.get(FORMAT_FILE)).toString('utf8');
  } catch (e) {
    if (!(e instanceof ObjectNotFoundError)) throw e;
    if (!create) throw new Error(`${objects.url} is not a matrix store (no ${FORMAT_FILE})`);
    await objects.putIfAbsent(FORMAT_FILE, IDENTITY);
    text = (await objects.get(FORMAT_FILE)).toString('utf8');
  }
  checkFormat(text, objects.describe(FORMAT_FILE));
}
