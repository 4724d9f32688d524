/**
 * Verified reads of fragment files. A whole-file read checks the file's sha256; a batch read
 * checks the head's and that batch's sha256 and decodes `head + batch + end-of-stream` as an
 * IPC stream, so streaming one model's curves touches only the batches that hold it.
 */
import { createHash } from 'node:crypto';
import { tableFromIPC, type RecordBatch, type Table } from 'apache-arrow';
import type { FragmentEntry } from '../contracts/schemas/store';
import { ObjectNotFoundError, type ObjectStore } from '../storage';
import { SchemaVersionError, StoreCorruptError } from './errors';
import { readableSchemaVersion, STORE_SCHEMA_VERSION } from './schema';

const END_OF_STREAM = new Uint8Array(Int32Array.of(-1, 0).buffer);

function corrupt(entry: FragmentEntry, reason: string): StoreCorruptError {
  return new StoreCorruptError(entry.path, entry.table, entry.rows, reason);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws StoreCorrupt when the file is missing or its size differs from the manifest (truncation). */
export async function checkSize(objects: ObjectStore, entry: FragmentEntry): Promise<void> {
  const info = await objects.head(entry.path);
  if (!info) throw corrupt(entry, 'the file is missing');
  const size = info.size;
  if (size !== entry.bytes) throw corrupt(entry, `the file has ${size} bytes, but the manifest records ${entry.bytes}`);
}

/** Reject a decoded fragment written for another table or schema version. */
function checkMetadata(entry: FragmentEntry, metadata: Map<string, string>): void {
  const version = Number(metadata.get('mselect.schema_version'));
  if (metadata.get('mselect.table') !== entry.table) throw corrupt(entry, `the file holds table ${metadata.get('mselect.table') ?? '(none)'}`);
  if (!readableSchemaVersion(version)) throw new SchemaVersionError(entry.path, version, STORE_SCHEMA_VERSION);
}

/** Decode, turning Arrow's exceptions into StoreCorrupt. */
function decode<T>(entry: FragmentEntry, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SchemaVersionError || e instanceof StoreCorruptError) throw e;
    throw corrupt(entry, `it does not decode as Arrow IPC: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readBytes(objects: ObjectStore, entry: FragmentEntry, offset: number, length: number): Promise<Uint8Array> {
  let out: Uint8Array;
  try {
    out = offset === 0 && length === entry.bytes ? await objects.get(entry.path) : await objects.getRange(entry.path, offset, length);
  } catch (e) {
    if (e instanceof ObjectNotFoundError) throw corrupt(entry, 'the file is missing');
    throw e;
  }
  if (out.byteLength < length) throw corrupt(entry, `the file ends after ${offset + out.byteLength} bytes, but ${offset + length} are recorded`);
  return out.byteLength === length ? out : out.subarray(0, length);
}

/** Read and verify a whole fragment. Throws StoreCorrupt or SchemaVersionMismatch. */
export async function readTable(objects: ObjectStore, entry: FragmentEntry): Promise<Table> {
  const bytes = await readBytes(objects, entry, 0, entry.bytes);
  if (sha256(bytes) !== entry.sha256) throw corrupt(entry, 'its sha256 differs from the manifest');
  return decode(entry, () => {
    const table = tableFromIPC(bytes);
    checkMetadata(entry, table.schema.metadata);
    if (table.numRows !== entry.rows) throw corrupt(entry, `it holds ${table.numRows} rows, but the manifest records ${entry.rows}`);
    return table;
  });
}

/** Reads single batches of one fragment; caches the verified head. */
export class BatchReader {
  private head: Promise<Uint8Array> | null = null;

  constructor(
    private readonly objects: ObjectStore,
    readonly entry: FragmentEntry,
  ) {}

  /** Read and verify batch `i` of the fragment. Throws StoreCorrupt or SchemaVersionMismatch. */
  async batch(i: number): Promise<RecordBatch> {
    const block = this.entry.batches[i];
    if (!block) throw new RangeError(`${this.entry.path} has no batch ${i}`);
    const [head, body] = await Promise.all([this.readHead(), readBytes(this.objects, this.entry, block.offset, block.length)]);
    if (sha256(body) !== block.sha256) throw corrupt(this.entry, `the sha256 of batch ${i} differs from the manifest`);
    return decode(this.entry, () => {
      const stream = new Uint8Array(head.byteLength - 8 + body.byteLength + END_OF_STREAM.byteLength);
      stream.set(head.subarray(8), 0);
      stream.set(body, head.byteLength - 8);
      stream.set(END_OF_STREAM, head.byteLength - 8 + body.byteLength);
      const table = tableFromIPC(stream);
      const batch = table.batches[0];
      checkMetadata(this.entry, table.schema.metadata);
      if (!batch || batch.numRows !== block.rows) throw corrupt(this.entry, `batch ${i} does not hold the ${block.rows} rows recorded`);
      return batch;
    });
  }

  private readHead(): Promise<Uint8Array> {
    this.head ??= readBytes(this.objects, this.entry, 0, this.entry.headBytes).then((bytes) => {
      if (sha256(bytes) !== this.entry.headSha256) throw corrupt(this.entry, 'the sha256 of its schema and dictionaries differs from the manifest');
      return bytes;
    });
    return this.head;
  }
}

/** Hash a whole fragment by streaming it; resolves to a problem or null. */
export async function verifyFile(objects: ObjectStore, entry: FragmentEntry): Promise<StoreCorruptError | null> {
  try {
    await checkSize(objects, entry);
  } catch (e) {
    if (e instanceof StoreCorruptError) return e;
    throw e;
  }
  const hash = createHash('sha256');
  let stream: AsyncIterable<Uint8Array>;
  try {
    stream = await objects.read(entry.path);
  } catch (e) {
    if (e instanceof ObjectNotFoundError) return corrupt(entry, 'the file is missing');
    throw e;
  }
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex') === entry.sha256 ? null : corrupt(entry, 'its sha256 differs from the manifest');
}
