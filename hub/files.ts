/**
 * File helpers shared by the hub, the datasets and the checkpoint store: root-confined
 * path resolution and crash-safe (atomic, durable) writes.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorType, nonRetryable } from '../contracts/errors';

/**
 * Resolve `relative` inside `root`. Fails with PathOutsideRoot when the result would
 * escape the root (`..`, absolute paths, ...), because ids and checkpoint keys arrive
 * from workflow input and heartbeats.
 */
export function resolveInside(root: string, relative: string): string {
  const base = path.resolve(root);
  const full = path.resolve(base, relative);
  if (full !== base && full.startsWith(base + path.sep)) return full;
  throw nonRetryable(ErrorType.PathOutsideRoot, `Path ${JSON.stringify(relative)} resolves outside ${base}`);
}

/**
 * Write `data` to `file` so that readers see either the old or the new content, never a
 * torn file, and the new content survives a crash once this resolves: temp file in the
 * same directory, fsync, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/** True when `file` exists (any type). */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Read and parse a JSON file; `undefined` when it does not exist, the parse error otherwise. */
export async function readJsonIfExists(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}
