/**
 * Fragment files: one immutable Arrow IPC file per write of one table. Writing hashes the
 * whole file, the head (magic, schema, dictionaries) and each record batch, so a reader can
 * verify exactly the bytes it reads: a whole file, or one batch for a streaming read.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { AsyncByteQueue, Message, RecordBatchFileWriter, type Schema } from 'apache-arrow';
import type { FragmentEntry } from '../contracts/schemas/store';
import { encodeBatches } from './arrow-codec';
import type { ColumnSet } from './columns';
import type { BlobUpload, ObjectStore } from '../storage';
import { arrowSchema } from './schema';

/** A written fragment, before a commit gives it its place in the order. */
export type WrittenFragment = Omit<FragmentEntry, 'order'>;

/** Writes every chunk straight to an upload and keeps the chunks of the current batch for hashing. */
class FileSink extends AsyncByteQueue {
  position = 0;
  readonly whole = createHash('sha256');
  private chunks: { at: number; bytes: Uint8Array }[] = [];

  constructor(private readonly upload: BlobUpload) {
    super();
  }

  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    const bytes = value as Uint8Array;
    this.upload.write(bytes);
    this.whole.update(bytes);
    this.chunks.push({ at: this.position, bytes });
    this.position += bytes.byteLength;
  }

  /** Feed the chunks written since the last call: bytes before `split` to `before`, the rest to `after`. */
  drain(split: number, before: Hash | null, after: Hash): void {
    for (const { at, bytes } of this.chunks) {
      const cut = Math.max(0, Math.min(bytes.byteLength, split - at));
      if (cut > 0) {
        if (!before) throw new Error('record batch blocks are not contiguous');
        before.update(bytes.subarray(0, cut));
      }
      if (cut < bytes.byteLength) after.update(bytes.subarray(cut));
    }
    this.chunks = [];
  }
}

/** The IPC file writer, writing the schema message after the magic as the C++ writer does, so the head is a stream prefix. */
class FragmentFileWriter extends RecordBatchFileWriter {
  protected override _writeSchema(schema: Schema): this {
    return this._writeMagic()._writePadding(2)._writeMessage(Message.from(schema));
  }

  lastBlock(): { offset: number; length: number } {
    const b = this._recordBatchBlocks[this._recordBatchBlocks.length - 1];
    if (!b) throw new Error('no record batch written');
    return { offset: Number(b.offset), length: b.metaDataLength + Number(b.bodyLength) };
  }
}

/** A batch lists the distinct values of its range column when it has at most this many. */
const MAX_LISTED_KEYS = 16;

type Range = { min: string | null; max: string | null; keys: string[] | null };

/** Min, max (by string order) and, when few, the distinct values of the range column over output rows `[lo, hi)`. */
function rangeOf(set: ColumnSet, order: Uint32Array | null, lo: number, hi: number, rank: Int32Array | null): Range {
  if (!rank || !set.spec.range || hi <= lo) return { min: null, max: null, keys: null };
  const { dict, index } = set.dict(set.spec.range);
  let min = -1;
  let max = -1;
  const distinct = new Set<number>();
  for (let i = lo; i < hi; i++) {
    const d = index[order ? (order[i] ?? 0) : i] ?? 0;
    if (distinct.size <= MAX_LISTED_KEYS) distinct.add(d);
    if (min < 0 || (rank[d] ?? 0) < (rank[min] ?? 0)) min = d;
    if (max < 0 || (rank[d] ?? 0) > (rank[max] ?? 0)) max = d;
  }
  const keys = distinct.size <= MAX_LISTED_KEYS ? [...distinct].map((d) => dict[d] ?? '').sort() : null;
  return { min: dict[min] ?? null, max: dict[max] ?? null, keys };
}

function dictRank(set: ColumnSet): Int32Array | null {
  if (!set.spec.range) return null;
  const { dict } = set.dict(set.spec.range);
  const sorted = dict.map((_, i) => i).sort((a, b) => ((dict[a] ?? '') < (dict[b] ?? '') ? -1 : 1));
  const rank = new Int32Array(dict.length);
  sorted.forEach((d, r) => (rank[d] = r));
  return rank;
}

/**
 * Write rows (all, or the row ids in `order`) as a new fragment `fragments/<table>/<name>.arrow`
 * (a folder: temporary file, fsync, rename; S3: one PUT). Nothing references it until a commit lists it.
 */
export async function writeFragment(objects: ObjectStore, set: ColumnSet, order: Uint32Array | null, batchRows: number): Promise<WrittenFragment> {
  const schema = arrowSchema(set.spec);
  const rel = `fragments/${set.spec.name}/${Date.now().toString(36)}-${process.pid}-${randomBytes(8).toString('hex')}.arrow`;
  const upload = objects.upload(rel);
  const sink = new FileSink(upload);
  const writer = new FragmentFileWriter();
  const head = createHash('sha256');
  const batches: WrittenFragment['batches'] = [];
  const rank = dictRank(set);
  let headBytes = 0;
  try {
    writer.reset(sink, schema);
    for (const batch of encodeBatches(set, schema, batchRows, order)) {
      writer.write(batch);
      const block = writer.lastBlock();
      if (batches.length === 0) headBytes = block.offset;
      const hash = createHash('sha256');
      sink.drain(block.offset, batches.length === 0 ? head : null, hash);
      const lo = batches.reduce((n, b) => n + b.rows, 0);
      batches.push({ ...block, rows: batch.numRows, sha256: hash.digest('hex'), ...rangeOf(set, order, lo, lo + batch.numRows, rank) });
      if (batches.length % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    writer.finish();
    await upload.finish();
  } catch (e) {
    await upload.abort();
    throw e;
  }
  const rows = batches.reduce((n, b) => n + b.rows, 0);
  return { table: set.spec.name, path: rel, rows, bytes: sink.position, sha256: sink.whole.digest('hex'), headBytes, headSha256: head.digest('hex'), batches };
}
