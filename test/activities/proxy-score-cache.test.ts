import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGpuActivities } from '../../activities';
import { createTrainingActivities } from '../../activities/fine-tune';
import { CACHED_BACKEND, proxyCacheKey, withProxyScoreCache, type ProxyScoreActivity } from '../../activities/proxy-score';
import type { ProxyScoreActivityInput, ProxyScoreOutput } from '../../contracts/schemas/training';
import { openStore, type MatrixStore } from '../../matrix-store';
import { type Backend, pickBackend } from '../../training/backend';
import type { WorkerConfig } from '../../workers/config';
import { makeTempDirs, removeDirs, type TinyDirs, writeTinyDataset, writeTinyModel } from '../hub/tiny-hub';
import { gpuDeps } from '../../workers/deps';

let dirs: TinyDirs;
let cpu: Backend;
let store: MatrixStore;
beforeAll(async () => {
  cpu = await pickBackend({ prefer: 'cpu' });
});
beforeEach(async () => {
  dirs = await makeTempDirs();
  await writeTinyModel(dirs.hubDir, 'tiny');
  await writeTinyDataset(dirs.datasetsDir, 'blobs', {}, [60, 24, 24]);
  store = openStore({ dir: path.join(dirs.root, 'store') });
});
afterEach(async () => {
  await removeDirs(dirs);
});

/** The real proxyScore activity behind the cache, with a count of the calls that reach it. */
function counted(storeOf: () => MatrixStore = () => store): { activity: ProxyScoreActivity; computed: () => number } {
  const real = createTrainingActivities({ ...dirs, trainers: [], backend: async () => cpu }).proxyScore;
  let calls = 0;
  const compute: ProxyScoreActivity = async (input) => {
    calls += 1;
    return real(input);
  };
  return { activity: withProxyScoreCache(compute, { store: storeOf, datasetsDir: dirs.datasetsDir }), computed: () => calls };
}

function run(activity: ProxyScoreActivity, input: ProxyScoreActivityInput): Promise<ProxyScoreOutput> {
  return new MockActivityEnvironment().run<[ProxyScoreActivityInput], ProxyScoreOutput, ProxyScoreActivity>(activity, input);
}

const LEEP = { model: 'tiny', target: 'blobs', proxy: 'leep', probeSize: 30, seed: 5 } as const;

describe('proxyCacheKey', () => {
  it('names the proxy, the probe size and the seed', () => {
    expect(proxyCacheKey('leep', 500, 0)).toBe('leep@probe500#seed0');
    expect(proxyCacheKey('hscore-shrinkage', 64, 7)).toBe('hscore-shrinkage@probe64#seed7');
  });
});

describe('proxyScore with the matrix-store cache', () => {
  it('computes and stores a score once, then answers from the store without the forward pass', async () => {
    const { activity, computed } = counted();
    const first = await run(activity, LEEP);
    expect(computed()).toBe(1);
    expect(first.backend).toBe('cpu');
    expect(await store.head()).toBe(1);
    const snap = await store.snapshot();
    expect(await snap.proxyScores('blobs', 'leep@probe30#seed5')).toEqual(new Map([['tiny', first.value]]));

    const second = await run(activity, LEEP);
    expect(computed()).toBe(1);
    expect(await store.head()).toBe(1);
    expect(second).toEqual({ ...first, backend: CACHED_BACKEND });
  });

  it.each([
    ['another seed', { seed: 6 }, 'leep@probe30#seed6'],
    ['another probe size', { probeSize: 40 }, 'leep@probe40#seed5'],
    ['another proxy', { proxy: 'logme' }, 'logme@probe30#seed5'],
  ] as const)('computes again for %s, under its own key', async (_name, over, key) => {
    const { activity, computed } = counted();
    const first = await run(activity, LEEP);
    const other = await run(activity, { ...LEEP, ...over });
    expect(computed()).toBe(2);
    expect(await store.head()).toBe(2);
    const snap = await store.snapshot();
    expect(await snap.proxyScores('blobs', key)).toEqual(new Map([['tiny', other.value]]));
    expect(await snap.proxyScores('blobs', 'leep@probe30#seed5')).toEqual(new Map([['tiny', first.value]]));
  });

  it('keys by the samples actually used, so probes capped by a small split share one entry', async () => {
    const { activity, computed } = counted();
    const asked500 = await run(activity, { ...LEEP, probeSize: 500 });
    const asked1000 = await run(activity, { ...LEEP, probeSize: 1000 });
    expect(asked500.probeSize).toBe(60);
    expect(computed()).toBe(1);
    expect(asked1000).toEqual({ ...asked500, backend: CACHED_BACKEND });
    expect(await (await store.snapshot()).proxyScores('blobs', 'leep@probe60#seed5')).toEqual(new Map([['tiny', asked500.value]]));
  });

  it('applies the schema defaults (500 samples, seed 0) before building the key', async () => {
    const { activity } = counted();
    const out = await run(activity, { model: 'tiny', target: 'blobs', proxy: 'nce' });
    expect(await (await store.snapshot()).proxyScores('blobs', 'nce@probe60#seed0')).toEqual(new Map([['tiny', out.value]]));
  });

  it('still scores, uncached, when the store cannot be opened', async () => {
    const { activity, computed } = counted(() => {
      throw new Error('store offline');
    });
    const a = await run(activity, LEEP);
    const b = await run(activity, LEEP);
    expect(computed()).toBe(2);
    expect(b).toEqual(a);
    expect(a.backend).toBe('cpu');
  });

  it('fails as the activity does, and caches nothing, for an unknown target', async () => {
    const { activity, computed } = counted();
    const err: unknown = await run(activity, { ...LEEP, target: 'nope' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('DatasetNotFound');
    expect(computed()).toBe(0);
    expect(await store.head()).toBe(0);
  });
});

describe('createGpuActivities', () => {
  it('caches proxy scores in the store at storeDir: a repeat needs neither the model nor a forward pass', async () => {
    const cfg: WorkerConfig = {
      ...dirs,
      storeDir: path.join(dirs.root, 'gpu-store'),
      reportDir: path.join(dirs.root, 'reports'),
      replayDir: null,
      commandTrainer: null,
    };
    const acts = createGpuActivities(await gpuDeps(cfg, { backend: cpu }));
    const first = await run(acts.proxyScore, LEEP);
    const gpuStore = openStore({ dir: cfg.storeDir, create: false });
    expect(await (await gpuStore.snapshot()).proxyScores('blobs', 'leep@probe30#seed5')).toEqual(new Map([['tiny', first.value]]));

    await fs.rm(path.join(dirs.hubDir, 'tiny'), { recursive: true });
    const again = await run(acts.proxyScore, LEEP);
    expect(again).toEqual({ ...first, backend: CACHED_BACKEND });
    expect(await gpuStore.head()).toBe(1);
    const uncached: unknown = await run(acts.proxyScore, { ...LEEP, proxy: 'logme' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((uncached as ApplicationFailure).type).toBe('ModelNotFound');
  });
});
