/**
 * Durable file operations for a store that several processes (possibly on several machines
 * sharing one filesystem) write at once: write to a temporary file, fsync, then rename into
 * place, or hard-link into place when two writers must not both succeed.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A fresh temporary path inside `tmpDir` (same filesystem as the store, so rename and link stay atomic). */
export function tempPath(tmpDir: string, suffix: string): string {
  return path.join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}${suffix}`);
}

/** Write all of `bytes` to `fd`. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** fsync a directory so a rename or link in it survives a crash. Filesystems that refuse are skipped. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    if (!isCode(e, 'EISDIR', 'EINVAL', 'EPERM', 'EBADF')) throw e;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Write `data` to a new temporary file and fsync it; returns the temporary path. */
export function writeTempSynced(tmpDir: string, data: string | Uint8Array): string {
  const tmp = tempPath(tmpDir, '.tmp');
  const fd = fs.openSync(tmp, 'wx');
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return tmp;
}

/** Atomically replace `target` with `data` (last writer wins). */
export function replaceFile(tmpDir: string, target: string, data: string | Uint8Array): void {
  const tmp = writeTempSynced(tmpDir, data);
  fs.renameSync(tmp, target);
  fsyncDir(path.dirname(target));
}

/**
 * Publish `data` as `target` only if `target` does not exist yet: a hard link fails with EEXIST
 * for every writer but one, also over NFS. Returns false when another writer won.
 */
export function publishExclusive(tmpDir: string, target: string, data: string | Uint8Array): boolean {
  const tmp = writeTempSynced(tmpDir, data);
  try {
    fs.linkSync(tmp, target);
  } catch (e) {
    if (isCode(e, 'EEXIST')) return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDir(path.dirname(target));
  return true;
}

/** Whether `e` is a Node system error with one of `codes`. */
export function isCode(e: unknown, ...codes: string[]): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && codes.includes(String((e as { code: unknown }).code));
}
