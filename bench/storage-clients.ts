/**
 * What the storage benchmarks share: timing, test files, and the plain AWS SDK client that
 * moves the bytes and nothing else (no checksum, no retries of its own), the ceiling mselect's
 * S3 transfers are compared with.
 */
import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { TransferSettings } from '../storage';

export const MiB = 1024 * 1024;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

export async function seconds(run: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function repeat(n: number, run: () => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await seconds(run));
  return median(out);
}

/** A file of `mb` MiB of random bytes, written 16 MiB at a time (never the whole file in memory). */
export function writeBlob(file: string, mb: number): void {
  const chunk = Buffer.allocUnsafe(16 * MiB);
  const fd = fs.openSync(file, 'w');
  try {
    for (let left = mb * MiB; left > 0; left -= chunk.length) {
      randomFillSync(chunk);
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The transfer alone, with a plain SDK client: what this machine (or link) allows. */
export class PlainClient {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly t: TransferSettings,
  ) {}

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async putSingle(key: string, file: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: fs.createReadStream(file), ContentLength: fs.statSync(file).size }));
  }

  async putParts(key: string, file: string): Promise<void> {
    const body = fs.createReadStream(file, { highWaterMark: MiB });
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentLength: fs.statSync(file).size },
      partSize: this.t.partSize,
      queueSize: this.t.concurrency,
    }).done();
  }

  async getSingle(key: string, file: string): Promise<void> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    await pipeline(res.Body as Readable, fs.createWriteStream(file));
  }

  async getParts(key: string, file: string, size: number): Promise<void> {
    const handle = await fs.promises.open(file, 'w');
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let offset = next * this.t.partSize; offset < size; offset = next * this.t.partSize) {
          next += 1;
          const end = Math.min(size, offset + this.t.partSize) - 1;
          const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${offset}-${end}` }));
          let at = offset;
          for await (const c of res.Body as Readable) {
            const b = c as Buffer;
            await handle.write(b, 0, b.length, at);
            at += b.length;
          }
        }
      };
      await Promise.all(Array.from({ length: this.t.concurrency }, worker));
    } finally {
      await handle.close();
    }
  }
}

/** A plain SDK client of an S3 endpoint: no checksums beyond what the server requires, the SDK's own retries. */
export function plainS3Client(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
