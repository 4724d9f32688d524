import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../../hub/datasets';
import { buildDemoHub, readRecord, specHash } from '../../demo/build';
import { DEMO_SPEC, type DemoSpec, demoDatasetIds, demoDatasetTask } from '../../demo/spec';
import { LABEL_MAP, PIXELS, sampleTask, transform } from '../../demo/mnist-tasks';
import { listModelIds, loadHubModel } from '../../hub/models';
import { mulberry32 } from '../../hub/rng';
import { pickBackend } from '../../training/backend';
import { disposeModels } from '../../training/dispose';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';
import { fakeImages, makeTinySpec } from './tiny-spec';

const tinySpec = makeTinySpec(
  [
    { id: 'mlp-a', arch: { kind: 'mlp', hidden: [8] }, transform: 'identity', labels: 'digits' },
    { id: 'cnn-b', arch: { kind: 'cnn', filters: [2], dense: 4, freezeConv: true }, transform: 'rot90', labels: 'parity' },
  ],
  [
    { id: 'bench-x', role: 'benchmark', transform: 'invert', labels: 'low' },
    { id: 'target-y', role: 'target', transform: 'flip', labels: 'gt4' },
  ],
);

const img = Float32Array.from({ length: PIXELS }, (_, i) => ((i * 37) % 11) / 10);
const never = (): number => {
  throw new Error('only noise draws random numbers');
};

describe('demo spec', () => {
  it('has at least 16 models, 6 benchmarks and 3 targets, with varied architectures and sources', () => {
    expect(DEMO_SPEC.models.length).toBeGreaterThanOrEqual(16);
    expect(demoDatasetIds('benchmark').length).toBeGreaterThanOrEqual(6);
    expect(demoDatasetIds('target').length).toBeGreaterThanOrEqual(3);
    const ids = [...DEMO_SPEC.models.map((m) => m.id), ...DEMO_SPEC.datasets.map((d) => d.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(DEMO_SPEC.models.map((m) => JSON.stringify(m.arch))).size).toBeGreaterThanOrEqual(8);
    expect(new Set(DEMO_SPEC.models.map((m) => `${m.transform}/${m.labels}`)).size).toBeGreaterThanOrEqual(8);
    expect(DEMO_SPEC.pretrainPool[1]).toBeLessThanOrEqual(DEMO_SPEC.downstreamPool[0]);
  });

  it('has a regression target scored by RMSE (minimized); every other dataset is classification by accuracy (maximized)', () => {
    const tasks = DEMO_SPEC.datasets.map((d) => [d.id, demoDatasetTask(d)] as const);
    const regression = tasks.filter(([, t]) => t.task === 'regression');
    expect(regression.map(([id]) => id)).toEqual(['target-blur-digit-value']);
    expect(regression[0]?.[1]).toEqual({ task: 'regression', classes: [], metric: 'rmse', direction: 'minimize' });
    tasks
      .filter(([, t]) => t.task === 'classification')
      .forEach(([, t]) => expect([t.metric, t.direction, t.classes.length >= 2]).toEqual(['accuracy', 'maximize', true]));
    expect(demoDatasetIds('target')[0]).not.toBe('target-blur-digit-value');
  });
});

describe('MNIST tasks', () => {
  it.each([
    ['rot90', 4],
    ['flip', 2],
    ['invert', 2],
  ] as const)('%s applied %i times is the identity', (name, times) => {
    let x: Float32Array = img;
    for (let i = 0; i < times; i++) x = transform(name, x, never);
    Array.from(x).forEach((v, i) => expect(v).toBeCloseTo(img[i] as number, 6));
    expect(Array.from(transform(name, img, never))).not.toEqual(Array.from(img));
  });

  it('rot90 moves the top-left pixel to the top-right', () => {
    const x = new Float32Array(PIXELS);
    x[0] = 1;
    expect(transform('rot90', x, never)[13]).toBe(1);
  });

  it('blur averages 2×2 blocks and is idempotent', () => {
    const b = transform('blur', img, never);
    expect(b[0]).toBeCloseTo(((img[0] as number) + (img[1] as number) + (img[14] as number) + (img[15] as number)) / 4, 6);
    expect(Array.from(transform('blur', b, never))).toEqual(Array.from(b));
  });

  it('noise stays in [0, 1] and repeats with the seed', () => {
    const a = transform('noise', img, mulberry32(4));
    expect(Array.from(a)).toEqual(Array.from(transform('noise', img, mulberry32(4))));
    expect(a.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('samples disjoint, labelled splits from the pool, deterministically', () => {
    const spec = { transform: 'identity', labels: 'high', pool: [0, 10], seed: 3 } as const;
    const [a, b] = sampleTask(fakeImages, spec, [20, 100]);
    expect(a?.n).toBe(20);
    expect(b?.n).toBe(30);
    expect(Array.from(a?.y ?? []).every((y) => y >= 0 && y < LABEL_MAP.high.classes.length)).toBe(true);
    const rows = (s: typeof a) => Array.from({ length: s?.n ?? 0 }, (_, i) => Array.from(s?.x.subarray(i * PIXELS, (i + 1) * PIXELS) ?? []).join());
    const overlap = rows(a).filter((r) => rows(b).includes(r));
    expect(overlap).toEqual([]);
    expect(Array.from(sampleTask(fakeImages, spec, [20])[0]?.y ?? [])).toEqual(Array.from(a?.y ?? []));
  });
});

describe('buildDemoHub', () => {
  let dirs: TinyDirs;
  beforeEach(async () => {
    dirs = await makeTempDirs();
  });
  afterEach(async () => {
    await removeDirs(dirs);
  });

  it('builds loadable models and datasets once, then skips, and rebuilds identically', async () => {
    const backend = await pickBackend({ prefer: 'cpu' });
    const options = { hubDir: dirs.hubDir, datasetsDir: dirs.datasetsDir, spec: tinySpec, backend, images: fakeImages };
    const first = await buildDemoHub(options);
    expect(first.built).toBe(true);
    expect(first.record.specHash).toBe(specHash(tinySpec));
    expect(first.record.backend).toBe('cpu');
    expect(Object.keys(first.record.sourceAccuracy)).toEqual(['mlp-a', 'cnn-b']);
    expect(await listModelIds(dirs.hubDir)).toEqual(['cnn-b', 'mlp-a']);

    const hub = await loadHubModel(tf, dirs.hubDir, 'cnn-b');
    expect(hub.card.labels).toEqual(['even', 'odd']);
    expect(hub.card.frozenLayers).toEqual(['conv_1']);
    expect(hub.featureSize).toBe(4);
    disposeModels(hub.model);
    const data = await loadDataset(dirs.datasetsDir, 'target-y');
    expect(data.manifest.role).toBe('target');
    expect([data.train.n, data.val.n, data.test?.n]).toEqual([30, 20, 20]);

    const weights = await fs.readFile(path.join(dirs.hubDir, 'mlp-a', 'weights.bin'));
    const second = await buildDemoHub(options);
    expect(second.built).toBe(false);
    expect(second.record).toEqual(first.record);

    const forced = await buildDemoHub({ ...options, force: true });
    expect(forced.built).toBe(true);
    expect(Buffer.compare(await fs.readFile(path.join(dirs.hubDir, 'mlp-a', 'weights.bin')), weights)).toBe(0);

    await fs.rm(path.join(dirs.datasetsDir, 'bench-x'), { recursive: true });
    expect((await buildDemoHub(options)).built).toBe(true);
    expect((await readRecord(dirs.hubDir))?.datasets).toEqual(['bench-x', 'target-y']);
  });

  it('rebuilds when the spec changes', async () => {
    const backend = await pickBackend({ prefer: 'cpu' });
    const options = { hubDir: dirs.hubDir, datasetsDir: dirs.datasetsDir, spec: tinySpec, backend, images: fakeImages };
    await buildDemoHub(options);
    const changed = { ...tinySpec, seed: tinySpec.seed + 1 };
    expect(specHash(changed)).not.toBe(specHash(tinySpec));
    expect((await buildDemoHub({ ...options, spec: changed })).built).toBe(true);
  });

  it('adds a regression dataset (digit values as targets, rmse / minimize) without retraining unchanged models', async () => {
    const backend = await pickBackend({ prefer: 'cpu' });
    const options = { hubDir: dirs.hubDir, datasetsDir: dirs.datasetsDir, spec: tinySpec, backend, images: fakeImages };
    const first = await buildDemoHub(options);
    const withValue: DemoSpec = { ...tinySpec, datasets: [...tinySpec.datasets, { id: 'target-value', role: 'target', transform: 'blur', labels: 'value' }] };
    const details: string[] = [];
    const second = await buildDemoHub({ ...options, spec: withValue, onProgress: (e) => e.kind === 'model' && details.push(e.detail) });
    expect(second.built).toBe(true);
    expect(details).toHaveLength(2);
    details.forEach((d) => expect(d).toMatch(/unchanged, kept/));
    expect(second.record.sourceAccuracy).toEqual(first.record.sourceAccuracy);
    const data = await loadDataset(dirs.datasetsDir, 'target-value');
    expect(data.manifest).toMatchObject({ task: 'regression', classes: [], metric: 'rmse', direction: 'minimize' });
    const targets = [...(data.train.target ?? [])];
    expect(targets).toHaveLength(30);
    targets.forEach((v) => expect(Number.isInteger(v) && v >= 0 && v <= 9).toBe(true));
    expect(new Set(targets).size).toBeGreaterThan(3);
  });
});
