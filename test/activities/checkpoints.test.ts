import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyGc,
  checkpointArea,
  collectGc,
  createCheckpointActivities,
  epochOfKey,
  keysBelow,
  manifestKey,
  planGc,
  pruneRun,
  readManifest,
  runIdOfKey,
  runPrefix,
  listArea,
  type CheckpointArea,
} from '../../activities/checkpoints';
import { FsObjectStore } from '../../storage';
import { CheckpointStore } from '../../training/checkpoint-store';

const HOUR = 3_600_000;

describe('checkpoint keys', () => {
  it('reads the run id and the epoch back from the keys CheckpointStore writes (model ids with "/" and ".")', () => {
    const store = new CheckpointStore('/unused');
    const runId = 'select-mnist-1a2b/org/bert.base@glue/sst2';
    const key = store.keyFor(runId, 3);
    expect(runIdOfKey(key)).toBe(runId);
    expect(epochOfKey(key)).toBe(3);
    expect(key.startsWith(runPrefix(runId))).toBe(true);
    expect(epochOfKey(`${runPrefix(runId)}epoch-12.pt`)).toBe(12);
    expect(epochOfKey(`${runPrefix(runId)}notes.txt`)).toBeNull();
    expect(runIdOfKey('kept/x.json')).toBeNull();
  });

  it('keysBelow keeps the named epoch and every newer one, and files that name no epoch', () => {
    const p = runPrefix('w/m@t');
    const objects = [1, 2, 3, 4]
      .map((e) => ({ key: `${p}epoch-${e}.ckpt`, size: 1, etag: '', mtimeMs: 0 }))
      .concat([{ key: `${p}log.txt`, size: 1, etag: '', mtimeMs: 0 }]);
    expect(keysBelow(objects, 3)).toEqual([`${p}epoch-1.ckpt`, `${p}epoch-2.ckpt`]);
    expect(keysBelow(objects, 1)).toEqual([]);
  });
});

describe('planGc', () => {
  const obj = (runId: string, epoch: number, ageHours = 48) => ({
    key: `${runPrefix(runId)}epoch-${epoch}.ckpt`,
    size: 100,
    mtimeMs: 1000 * HOUR - ageHours * HOUR,
  });
  const objects = [
    obj('open-1/alpha@t', 2), // an open selection: kept
    obj('open-1x/alpha@t', 2), // a finished workflow whose id merely starts like an open one: removed
    obj('done-1/alpha@t', 4), // a finished selection's pick, named in its manifest: kept
    obj('done-1/beta@t', 1), // the same selection's eliminated model: removed
    obj('offline/alpha@bench/e4-s0', 2), // an offline cell: kept while a matrix build is open
    obj('crashed/beta@t', 3, 1), // an orphan written an hour ago: too young for --older-than 7h
    { key: 'stray.bin', size: 5, mtimeMs: 0 }, // not a run's checkpoint: never touched
  ];
  const base = { objects, openWorkflowIds: new Set(['open-1']), keptKeys: new Set([obj('done-1/alpha@t', 4).key]), nowMs: 1000 * HOUR };

  it('removes exactly the orphans, and says why the rest stays', () => {
    const plan = planGc({ ...base, offlineOpen: true, olderThanMs: 7 * HOUR });
    expect(plan.remove.map((o) => runIdOfKey(o.key))).toEqual(['open-1x/alpha@t', 'done-1/beta@t']);
    expect(plan.kept).toEqual({ 'open-workflow': 1, 'offline-running': 1, 'kept-pick': 1, 'too-young': 1, 'not-a-checkpoint': 1 });
  });

  it('with no matrix build open and no age limit, offline cells and young orphans go too', () => {
    const plan = planGc({ ...base, offlineOpen: false, olderThanMs: 0 });
    expect(plan.remove.map((o) => runIdOfKey(o.key))).toEqual(['open-1x/alpha@t', 'done-1/beta@t', 'offline/alpha@bench/e4-s0', 'crashed/beta@t']);
  });
});

describe('checkpoint lifecycle on a folder', () => {
  let dir: string;
  let area: CheckpointArea;
  let store: CheckpointStore;
  const payload = (epoch: number) => ({
    meta: { modelId: 'm', datasetId: 'd', seed: 0, numClasses: 2, epoch },
    weights: [new Float32Array([epoch])],
    optimizer: { step: epoch, m: [new Float32Array(1)], v: [new Float32Array(1)] },
  });
  const keysOf = async (runId: string) => (await listArea(area, runPrefix(runId))).map((o) => epochOfKey(o.key));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mselect-ckpt-life-'));
    area = checkpointArea(join(dir, 'shared'), new FsObjectStore(join(dir, 'bucket')));
    store = new CheckpointStore(area.stores[0]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pruneRun deletes the epochs below the held one in every store; the held and newer ones stay loadable', async () => {
    for (const e of [1, 2, 3, 4]) await store.save('w/m@d', payload(e));
    await (area.stores[1] as FsObjectStore).put(store.keyFor('w/m@d', 1), 'a local copy');
    expect(await pruneRun(area, 'w/m@d', 3)).toEqual([store.keyFor('w/m@d', 1), store.keyFor('w/m@d', 2)]);
    expect(await keysOf('w/m@d')).toEqual([3, 4]);
    expect((await store.load({ key: store.keyFor('w/m@d', 3), epoch: 3 })).meta.epoch).toBe(3);
    expect(await pruneRun(area, 'w/m@d', 3)).toEqual([]);
  });

  it('releaseCheckpoints deletes released runs but the kept keys; keepCheckpoints writes the manifest export and gc read', async () => {
    const acts = createCheckpointActivities(area);
    for (const e of [3, 4]) await store.save('w/alpha@d', payload(e));
    await store.save('w/beta@d', payload(1));
    await store.save('other/alpha@d', payload(1));
    const keep = store.keyFor('w/alpha@d', 4);
    const pick = {
      model: 'alpha',
      target: 'd',
      trainer: 'tfjs',
      seed: 0,
      epochs: 4,
      checkpoint: { key: keep, epoch: 4 },
      metric: 'accuracy',
      validation: 0.9,
      test: 0.88,
      storeVersion: 2,
    };
    await acts.keepCheckpoints({ workflowId: 'w', keys: [keep], pick });
    expect(await acts.releaseCheckpoints({ runIds: ['w/alpha@d', 'w/beta@d'], keep: [keep] })).toEqual({ deleted: 2 });
    expect(await keysOf('w/alpha@d')).toEqual([4]);
    expect(await keysOf('w/beta@d')).toEqual([]);
    expect(existsSync(join(dir, 'bucket', runPrefix('w/beta@d')))).toBe(false);
    expect(existsSync(join(dir, 'bucket', runPrefix('w/alpha@d')))).toBe(true);
    expect(await keysOf('other/alpha@d')).toEqual([1]);
    expect(await readManifest(area, 'w')).toMatchObject({ workflowId: 'w', keys: [keep], pick });
    expect(manifestKey('a/b.c')).toBe('kept/a%2Fb%2Ec.json');

    // gc: `other` is no open workflow, `w` keeps its pick through the manifest.
    const plan = await collectGc(area, async () => ({ ids: new Set<string>(), offlineOpen: false }), 0);
    expect(plan.remove.map((o) => o.key)).toEqual([store.keyFor('other/alpha@d', 1)]);
    expect(await applyGc(area, plan)).toBeGreaterThan(0);
    expect((await listArea(area, 'runs/')).map((o) => o.key)).toEqual([keep]);
  });

  it('without a checkpoint area the release activities do nothing and fail on bad input with InvalidInput', async () => {
    const acts = createCheckpointActivities(undefined);
    expect(await acts.releaseCheckpoints({ runIds: ['x'] })).toEqual({ deleted: 0 });
    await expect(acts.releaseCheckpoints({ runIds: [''] })).rejects.toMatchObject({ type: 'InvalidInput', nonRetryable: true });
  });
});
