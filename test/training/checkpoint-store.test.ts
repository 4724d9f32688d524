import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { S3ObjectStore } from '../../storage';
import { CheckpointCache } from '../../training/checkpoint-cache';
import { CheckpointStore, type CheckpointPayload } from '../../training/checkpoint-store';
import { useS3Server } from '../helpers/versitygw';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';

let dirs: TinyDirs;
beforeEach(async () => {
  dirs = await makeTempDirs();
});
afterEach(async () => {
  await removeDirs(dirs);
});

const payload = (epoch: number): CheckpointPayload => ({
  meta: { modelId: 'm', datasetId: 'd', seed: 3, numClasses: 2, epoch },
  weights: [Float32Array.from([1, 2, 3]), Float32Array.from([-0.5])],
  optimizer: { step: 12, m: [Float32Array.from([0.1, 0.2, 0.3]), Float32Array.from([0])], v: [Float32Array.from([1, 1, 1]), Float32Array.from([2])] },
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('CheckpointStore', () => {
  it('round-trips weights, optimiser state and metadata exactly', async () => {
    const store = new CheckpointStore(dirs.checkpointDir);
    const ref = await store.save('wf/m@d', payload(4));
    expect(ref).toEqual({ key: 'runs/wf%2Fm%40d/epoch-4.ckpt', epoch: 4 });
    expect(await store.load(ref)).toEqual(payload(4));
  });

  it('encodes run ids into one safe path segment', () => {
    const store = new CheckpointStore(dirs.checkpointDir);
    expect(store.keyFor('..', 1)).toBe('runs/%2E%2E/epoch-1.ckpt');
    expect(store.keyFor('a/../../b', 2)).toBe('runs/a%2F%2E%2E%2F%2E%2E%2Fb/epoch-2.ckpt');
  });

  it('overwrites atomically and leaves no temporary files', async () => {
    const store = new CheckpointStore(dirs.checkpointDir);
    await store.save('r', payload(1));
    const ref = await store.save('r', { ...payload(1), weights: [Float32Array.from([9, 9, 9]), Float32Array.from([9])] });
    expect(Array.from((await store.load(ref)).weights[0] ?? [])).toEqual([9, 9, 9]);
    // The checkpoint and its hidden SHA-256 sidecar.
    expect((await fs.readdir(path.join(dirs.checkpointDir, 'runs', 'r'))).sort()).toEqual(['.epoch-1.ckpt.sha256', 'epoch-1.ckpt']);
  });

  it('fails with InvalidInput for a missing checkpoint and PathOutsideRoot for an escaping key', async () => {
    const store = new CheckpointStore(dirs.checkpointDir);
    expect((await failure(store.load({ key: 'runs/x/epoch-1.ckpt', epoch: 1 }))).type).toBe('InvalidInput');
    expect((await failure(store.load({ key: '../outside.ckpt', epoch: 1 }))).type).toBe('PathOutsideRoot');
    expect((await failure(store.load({ key: '/etc/passwd', epoch: 1 }))).type).toBe('PathOutsideRoot');
  });

  it.each([
    ['truncated data', (b: Buffer) => b.subarray(0, b.length - 4), /truncated data/],
    ['bad magic', (b: Buffer) => Buffer.concat([Buffer.from('XXXXXXXX'), b.subarray(8)]), /bad magic/],
    ['trailing bytes', (b: Buffer) => Buffer.concat([b, Buffer.alloc(4)]), /4 trailing bytes/],
  ])('fails with StoreCorrupt for %s', async (_name, damage, message) => {
    const store = new CheckpointStore(dirs.checkpointDir);
    const ref = await store.save('r', payload(2));
    const file = path.join(dirs.checkpointDir, ref.key);
    await fs.writeFile(file, damage(await fs.readFile(file)));
    const f = await failure(store.load(ref));
    expect(f.type).toBe('StoreCorrupt');
    expect(f.message).toMatch(message);
  });

  it('fails with StoreCorrupt when the file holds another epoch than the reference', async () => {
    const store = new CheckpointStore(dirs.checkpointDir);
    const ref = await store.save('r', payload(2));
    const f = await failure(store.load({ ...ref, epoch: 3 }));
    expect(f.message).toMatch(/holds epoch 2, reference says 3/);
  });
});

describe('CheckpointStore on S3 with a local cache', () => {
  const server = useS3Server();
  let prefix: string;
  const roots: string[] = [];
  const fresh = async (cacheBytes = 1e9): Promise<{ store: CheckpointStore; cache: CheckpointCache }> => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-ckpt-cache-'));
    roots.push(root);
    const cache = new CheckpointCache(root, cacheBytes);
    return { store: new CheckpointStore(new S3ObjectStore({ ...server().settings(prefix), partSize: 5 * 1024 * 1024 }), { cache }), cache };
  };
  /** A payload of `mb` MiB of weights (and as much Adam state): several parts on S3. */
  const big = (epoch: number, mb: number): CheckpointPayload => {
    const n = (mb * 1024 * 1024) / 4;
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = Math.sin(i + epoch);
    return { meta: { ...payload(epoch).meta }, weights: [w], optimizer: { step: epoch, m: [w.map((x) => x / 2)], v: [w.map((x) => x * x)] } };
  };
  const objectFile = (key: string) => path.join(server().dir, server().bucket, prefix, ...key.split('/'));
  /** The payload's bytes (a fast exact comparison of millions of floats). */
  const bytes = (p: CheckpointPayload): Buffer =>
    Buffer.concat([
      Buffer.from(JSON.stringify([p.meta, p.optimizer.step])),
      ...[...p.weights, ...p.optimizer.m, ...p.optimizer.v].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
    ]);
  beforeEach(() => {
    prefix = `ck-${Math.random().toString(16).slice(2, 10)}`;
  });
  afterAll(async () => {
    await Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true })));
  });

  it('a checkpoint written here is read back without a download; another machine fetches it once; delete drops both', async () => {
    const a = await fresh();
    const ref = await a.store.save('run/1', big(2, 3));
    expect(await fs.stat(a.cache.pathOf(ref.key))).toMatchObject({ size: (await fs.stat(objectFile(ref.key))).size });
    expect(bytes(await a.store.load(ref)).equals(bytes(big(2, 3)))).toBe(true);
    expect(a.cache.stats()).toMatchObject({ hits: 1, fetches: 0, bytesFetched: 0 });

    const b = await fresh();
    expect(bytes(await b.store.load(ref)).equals(bytes(big(2, 3)))).toBe(true);
    expect(bytes(await b.store.load(ref)).equals(bytes(big(2, 3)))).toBe(true);
    const size = (await fs.stat(objectFile(ref.key))).size;
    expect(b.cache.stats()).toMatchObject({ hits: 1, fetches: 1, bytesFetched: size });
    expect(await b.cache.bytesFetchedByAll()).toBe(size);

    await b.store.delete(ref);
    await expect(fs.stat(b.cache.pathOf(ref.key))).rejects.toThrow(/ENOENT/);
    expect((await failure(a.store.load(ref))).type).toBe('InvalidInput');
  });

  it('a damaged cache entry is fetched again; a damaged object fails with StoreCorrupt naming it', async () => {
    const a = await fresh();
    const ref = await a.store.save('run/2', big(1, 3));
    const flip = async (file: string) => {
      const h = await fs.open(file, 'r+');
      const b = Buffer.alloc(1);
      await h.read(b, 0, 1, 5000);
      b[0] = (b[0] ?? 0) ^ 1;
      await h.write(b, 0, 1, 5000);
      await h.close();
    };
    await flip(a.cache.pathOf(ref.key));
    expect(bytes(await a.store.load(ref)).equals(bytes(big(1, 3)))).toBe(true);
    expect(a.cache.stats()).toMatchObject({ fetches: 1 });

    await flip(objectFile(ref.key));
    const b = await fresh();
    const f = await failure(b.store.load(ref));
    expect(f.type).toBe('StoreCorrupt');
    expect(f.message).toContain(`s3://${server().bucket}/${prefix}/${ref.key}`);
    expect(f.nonRetryable).toBe(true);
  });
});
