import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { CommandTrainer, type CommandTrainerConfig } from '../../training/command-trainer';
import type { CheckpointRef, EpochRecord, TrainRequest } from '../../training/trainer';
import { FsObjectStore } from '../../storage';
import { CheckpointCache } from '../../training/checkpoint-cache';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';

const SCRIPT = path.join(__dirname, '..', 'fixtures', 'epoch-trainer.js');

let dirs: TinyDirs;
beforeEach(async () => {
  dirs = await makeTempDirs();
});
afterEach(async () => {
  await removeDirs(dirs);
});

function trainer(mode = 'ok', extra: Partial<CommandTrainerConfig> = {}): CommandTrainer {
  return new CommandTrainer({ command: process.execPath, args: [SCRIPT], env: { FIXTURE_MODE: mode }, ...dirs, ...extra });
}

const request = (over: Partial<TrainRequest> = {}): TrainRequest => ({
  modelId: 'm1',
  datasetId: 'd1',
  fromEpoch: 0,
  toEpoch: 3,
  resume: null,
  seed: 2,
  runId: 'wf-1/m1@d1',
  ...over,
});

/** Metric the fixture reports: state = seed + 1 + 2 + ... + epoch, metric = 1 - 1/(1 + state). */
const metricAt = (seed: number, epoch: number): number => 1 - 1 / (1 + seed + (epoch * (epoch + 1)) / 2);

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('CommandTrainer', () => {
  it('streams one record per epoch, with root-relative checkpoint keys and the test line', async () => {
    const seen: [EpochRecord, CheckpointRef | null][] = [];
    const r = await trainer().train(request(), { onEpoch: (rec, c) => void seen.push([rec, c]) });
    expect(r.curve.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(r.curve.map((e) => e.metric)).toEqual([1, 2, 3].map((e) => expect.closeTo(metricAt(2, e), 12)));
    expect(r.curve.every((e) => e.seconds === 0.01)).toBe(true);
    expect(seen.map(([rec]) => rec)).toEqual(r.curve);
    expect(seen.map(([, c]) => c)).toEqual([1, 2, 3].map((epoch) => ({ key: `runs/wf-1%2Fm1%40d1/epoch-${epoch}.json`, epoch })));
    expect(r.checkpoint).toEqual({ key: 'runs/wf-1%2Fm1%40d1/epoch-3.json', epoch: 3 });
    expect(r.test).toBeCloseTo(0.5 + 8 / 1000, 12);
    expect(r.trainer).toBe('command');
    expect(r.backend).toBe('fixture-gpu');
  });

  it('passes the resume checkpoint so a resumed run continues the same curve', async () => {
    const full = await trainer().train(request({ runId: 'full' }));
    const first = await trainer().train(request({ toEpoch: 1, runId: 'split' }));
    const rest = await trainer().train(request({ fromEpoch: 1, toEpoch: 3, resume: first.checkpoint, runId: 'split' }));
    expect(rest.curve.map((e) => e.epoch)).toEqual([2, 3]);
    expect([...first.curve, ...rest.curve].map((e) => e.metric)).toEqual(full.curve.map((e) => e.metric));
  });

  it('copies each checkpoint to shared storage before its epoch is reported, so another machine resumes from it', async () => {
    const shared = new FsObjectStore(path.join(dirs.root, 'bucket'), { tmpDir: path.join(dirs.root, 'bucket-tmp') });
    const full = await trainer().train(request({ runId: 'full' }));
    const copied: boolean[] = [];
    const first = await trainer('ok', { sharedCheckpoints: shared }).train(request({ toEpoch: 2, runId: 'moved' }), {
      onEpoch: async (_rec, c) => void copied.push(c !== null && (await shared.head(c.key)) !== null),
    });
    expect(copied).toEqual([true, true]);
    const other = await makeTempDirs('other-machine');
    try {
      const elsewhere = trainer('ok', { ...other, sharedCheckpoints: shared });
      const rest = await elsewhere.train(request({ fromEpoch: 2, toEpoch: 3, resume: first.checkpoint, runId: 'moved' }));
      expect([...first.curve, ...rest.curve].map((e) => e.metric)).toEqual(full.curve.map((e) => e.metric));
      const lost = await failure(
        trainer('ok', { ...other, sharedCheckpoints: shared }).train(
          request({ fromEpoch: 2, resume: { key: 'runs/nowhere/epoch-2.json', epoch: 2 }, runId: 'lost' }),
        ),
      );
      expect(lost.type).toBe('InvalidInput');
      expect(lost.message).toMatch(/Checkpoint runs\/nowhere\/epoch-2.json is neither in .* nor in /);
    } finally {
      await removeDirs(other);
    }
  });

  it("with a checkpoint cache, resumes its own checkpoints without a download and fetches another machine's once; a damaged one is StoreCorrupt", async () => {
    const shared = new FsObjectStore(path.join(dirs.root, 'bucket'), { tmpDir: path.join(dirs.root, 'bucket-tmp') });
    const cacheA = new CheckpointCache(dirs.checkpointDir, 1e9);
    const a = trainer('ok', { sharedCheckpoints: shared, checkpointCache: cacheA });
    const first = await a.train(request({ toEpoch: 1, runId: 'cached' }));
    const second = await a.train(request({ fromEpoch: 1, toEpoch: 2, resume: first.checkpoint, runId: 'cached' }));
    expect(cacheA.stats()).toMatchObject({ hits: 1, fetches: 0, bytesFetched: 0 });
    expect((await cacheA.entries()).map((e) => e.key).sort()).toEqual(['runs/cached/epoch-1.json', 'runs/cached/epoch-2.json']);
    const other = await makeTempDirs();
    try {
      const cacheB = new CheckpointCache(other.checkpointDir, 1e9);
      const b = trainer('ok', { ...other, sharedCheckpoints: shared, checkpointCache: cacheB });
      const rest = await b.train(request({ fromEpoch: 2, toEpoch: 3, resume: second.checkpoint, runId: 'cached' }));
      expect(rest.curve.map((e) => e.metric)).toEqual([expect.closeTo(metricAt(2, 3), 12)]);
      expect(cacheB.stats()).toMatchObject({ fetches: 1, bytesFetched: (await shared.head(second.checkpoint?.key ?? ''))?.size });
      // Bit rot in the bucket (same inode and mtime): the resume on a third machine fails, naming the object.
      const file = path.join(dirs.root, 'bucket', ...(first.checkpoint?.key ?? '').split('/'));
      const st = await fs.stat(file);
      const bytes = await fs.readFile(file);
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      const h = await fs.open(file, 'r+');
      await h.write(bytes, 0, bytes.length, 0);
      await h.close();
      await fs.utimes(file, st.atime, st.mtime);
      await fs.rm(path.join(other.checkpointDir, 'runs'), { recursive: true, force: true });
      const bad = await failure(
        trainer('ok', { ...other, sharedCheckpoints: shared, checkpointCache: new CheckpointCache(other.checkpointDir, 1e9) }).train(
          request({ fromEpoch: 1, toEpoch: 2, resume: first.checkpoint, runId: 'cached' }),
        ),
      );
      expect(bad.type).toBe('StoreCorrupt');
      expect(bad.message).toContain(file);
    } finally {
      await removeDirs(other);
    }
  });

  it('substitutes placeholders in the configured arguments (and passes the optional peak memory of an epoch line through)', async () => {
    const echo = path.join(dirs.root, 'args.js');
    await fs.writeFile(
      echo,
      "const job = JSON.parse(require('fs').readFileSync(0, 'utf8'));\nconst a = process.argv.slice(2);\nif (a[0] !== job.modelDir || a[1] !== '0-1' || a[2] !== '{unknown}') process.exit(9);\nconsole.log(JSON.stringify({ epoch: 1, metric: 0.5, seconds: 0, peakMemoryBytes: 2048 }));\n",
    );
    const r = await trainer('ok', { args: [echo, '{modelDir}', '{fromEpoch}-{toEpoch}', '{unknown}'] }).train(request({ toEpoch: 1 }));
    expect(r.curve).toEqual([{ epoch: 1, metric: 0.5, seconds: 0, peakMemoryBytes: 2048 }]);
    expect(r.checkpoint).toBeNull();
    expect(r.test).toBeNull();
    expect(r.backend).toBe('external');
  });

  it('names the malformed line', async () => {
    const f = await failure(trainer('malformed').train(request()));
    expect(f.type).toBe('TrainerFailed');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/stdout line 2 is not a progress line \(epoch: Expected number, received string; seconds: Required\): \{"epoch": "two"/);
  });

  it('names a line that is not JSON', async () => {
    const chatty = path.join(dirs.root, 'chatty.js');
    await fs.writeFile(chatty, "require('fs').readFileSync(0);\nconsole.log('loss=0.31 acc=0.9');\n");
    const f = await failure(trainer('ok', { args: [chatty] }).train(request()));
    expect(f.message).toMatch(/stdout line 1 is not a progress line \(not JSON\): loss=0.31 acc=0.9/);
  });

  it('surfaces the exit code and the stderr tail as a retryable TrainerFailed', async () => {
    const seen: number[] = [];
    const f = await failure(trainer('crash').train(request(), { onEpoch: (r) => void seen.push(r.epoch) }));
    expect(f.type).toBe('TrainerFailed');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toMatch(/exited with code 3; stderr tail:\nCUDA out of memory\nTraceback/);
    expect(seen).toEqual([1]);
  });

  it('fails when the command stops before the last epoch', async () => {
    const f = await failure(trainer('skip').train(request()));
    expect(f.message).toMatch(/exited after epoch 2, but epoch 3 was asked for/);
  });

  it('rejects a checkpoint outside the checkpoint root', async () => {
    const f = await failure(trainer('outside').train(request()));
    expect(f.type).toBe('PathOutsideRoot');
  });

  it('fails clearly when the command cannot start', async () => {
    const f = await failure(new CommandTrainer({ command: path.join(dirs.root, 'no-such-binary'), ...dirs }).train(request()));
    expect(f.type).toBe('TrainerFailed');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/could not be started: spawn .*ENOENT/);
  });

  it('terminates the command when cancelled', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    const p = trainer('slow').train(request({ toEpoch: 50 }), {
      signal: controller.signal,
      onEpoch: (r) => {
        if (r.epoch === 1) controller.abort(reason);
      },
    });
    await expect(p).rejects.toBe(reason);
    const files = await fs.readdir(path.join(dirs.checkpointDir, 'runs', 'wf-1%2Fm1%40d1'));
    expect(files.length).toBeLessThan(5);
  });

  it('rejects ids that escape the hub', async () => {
    const f = await failure(trainer().train(request({ modelId: '../x' })));
    expect(f.type).toBe('PathOutsideRoot');
  });
});
