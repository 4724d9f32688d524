/**
 * How big objects move: S3's limits, the part size and concurrency of multipart uploads and
 * ranged downloads, and the SHA-256 every `putFile` records and every `getFile` checks.
 *
 * Why SHA-256 of the bytes, recorded beside the object (S3 user metadata; a sidecar on a
 * filesystem): an S3 ETag is an MD5 only for single-part PUTs (a multipart ETag is a hash of
 * the part hashes, and its value depends on the part size), and S3's own additional checksums
 * are not offered by every S3 implementation (GCS's XML API, older MinIO and Ceph) and, for
 * multipart objects, are again checksums of parts. One SHA-256 of the whole content is the
 * same whatever the part size or backend, any user can check it with `sha256sum`, and it is
 * computed in the pass that writes the file anyway (the checkpoint writer, the download).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** S3's own limits (AWS): parts of 5 MiB (all but the last) to 5 GiB, at most 10,000 parts, objects up to 5 TiB. */
export const S3_LIMITS = {
  minPartSize: 5 * 1024 ** 2,
  maxPartSize: 5 * 1024 ** 3,
  maxParts: 10_000,
  maxObjectSize: 5 * 1024 ** 4,
} as const;

/**
 * Part size and parallelism of one transfer. An upload streams its parts from the file (about
 * concurrency × 1 MiB in memory); a download holds at most concurrency × partSize, the parts
 * that arrived ahead of the one being hashed.
 */
export interface TransferSettings {
  /** Bytes per part (uploads and ranged downloads); raised automatically so an object fits in 10,000 parts. */
  readonly partSize: number;
  /** Parts in flight at once per transfer. */
  readonly concurrency: number;
}

/**
 * 16 MiB × 8: at most 128 MiB of buffers per download; a 30 GB checkpoint is 1,788 parts (the
 * 10,000-part limit is reached at 156 GiB, above which parts grow). Measured in
 * `npm run bench:storage -- --sweep` (docs/storage.md).
 */
export const DEFAULT_TRANSFER: TransferSettings = { partSize: 16 * 1024 ** 2, concurrency: 8 };

/** The part size for an object of `size` bytes: the setting, raised to whole MiB until the object fits in S3's 10,000 parts. */
export function partSizeFor(size: number, wanted: number): number {
  const fit = Math.ceil(size / S3_LIMITS.maxParts / 1024 ** 2) * 1024 ** 2;
  return Math.min(S3_LIMITS.maxPartSize, Math.max(wanted, fit, S3_LIMITS.minPartSize));
}

/** The SHA-256 (hex) of a local file, read once in 1 MiB chunks. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 ** 2 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A well-formed SHA-256 in hex (64 lower-case hex digits). */
export const isSha256 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
