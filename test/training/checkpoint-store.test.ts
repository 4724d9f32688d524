import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { CheckpointStore, type CheckpointPayload } from '../../training/checkpoint-store';
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
  const err: unknown = await p.then(() => null, (e: unknown) => e);
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
    expect(await fs.readdir(path.join(dirs.checkpointDir, 'runs', 'r'))).toEqual(['epoch-1.ckpt']);
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
