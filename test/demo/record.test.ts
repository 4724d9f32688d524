import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO_RECORD_DATASETS, DEMO_SPEC, recordSpec } from '../../demo/spec';
import { recordDemoHub, RECORDED_PROXIES } from '../../demo/record';
import { loadAnchors } from '../../replay/load';
import { runReplay } from '../../replay/run';
import { POLICY_NAMES } from '../../contracts/schemas/policy';
import { pickBackend } from '../../training/backend';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';
import { fakeImages, makeTinySpec } from './tiny-spec';

const tinySpec = makeTinySpec(
  [
    { id: 'mlp-a', arch: { kind: 'mlp', hidden: [8] }, transform: 'identity', labels: 'digits' },
    { id: 'mlp-b', arch: { kind: 'mlp', hidden: [4] }, transform: 'transpose', labels: 'parity' },
  ],
  [
    { id: 'x-shift-mod3', role: 'benchmark', transform: 'shift', labels: 'mod3' },
    { id: 'y-rot180-loops', role: 'benchmark', transform: 'rot180', labels: 'loops' },
    { id: 'z-value', role: 'target', transform: 'identity', labels: 'value' },
  ],
);

describe('the recorded demo hub', () => {
  it('grows the demo datasets to at least 20 leave-one-dataset-out targets without changing the models', () => {
    const spec = recordSpec();
    expect(spec.models).toBe(DEMO_SPEC.models);
    expect(spec.datasets.length).toBeGreaterThanOrEqual(21);
    expect(new Set(spec.datasets.map((d) => d.id)).size).toBe(spec.datasets.length);
    expect(DEMO_SPEC.datasets.some((d) => DEMO_RECORD_DATASETS.includes(d))).toBe(false);
    // not benchmarks, so an offline phase over a datasets folder that holds them leaves them out
    expect(new Set(DEMO_RECORD_DATASETS.map((d) => d.role))).toEqual(new Set(['other']));
  });

  describe('mselect hub record on a tiny spec', () => {
    let dirs: TinyDirs;
    let out: string;
    beforeAll(async () => {
      dirs = await makeTempDirs();
      out = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-record-test-'));
    });
    afterAll(async () => {
      await removeDirs(dirs);
      await fs.rm(out, { recursive: true, force: true });
    });

    it('writes curves, directions and proxy files that replay reads; every policy completes on every target; a rerun keeps what is recorded', async () => {
      const backend = await pickBackend({ prefer: 'cpu' });
      const options = { hubDir: dirs.hubDir, datasetsDir: dirs.datasetsDir, outDir: out, backend, spec: tinySpec, images: fakeImages, epochs: 2, seed: 0 };
      const first = await recordDemoHub(options);
      expect(first).toMatchObject({ models: 2, datasets: 3, runs: 6 });

      const data = await loadAnchors(out);
      expect(data.runs.runs.map((r) => [r.model, r.dataset, r.val.length])).toEqual([
        ['mlp-a', 'x-shift-mod3', 2],
        ['mlp-b', 'x-shift-mod3', 2],
        ['mlp-a', 'y-rot180-loops', 2],
        ['mlp-b', 'y-rot180-loops', 2],
        ['mlp-a', 'z-value', 2],
        ['mlp-b', 'z-value', 2],
      ]);
      expect(data.runs.runs.every((r) => r.test !== null && Number.isFinite(r.test) && r.val.every(Number.isFinite))).toBe(true);
      expect(Object.fromEntries(data.directions)).toEqual({ 'x-shift-mod3': 'maximize', 'y-rot180-loops': 'maximize', 'z-value': 'minimize' });
      // proxies score class labels: none on the regression dataset
      for (const proxy of RECORDED_PROXIES) expect([...(data.proxies.get(proxy)?.keys() ?? [])]).toEqual(['x-shift-mod3', 'y-rot180-loops']);
      expect([...(data.proxies.get('logme')?.get('x-shift-mod3')?.keys() ?? [])]).toEqual(['mlp-a', 'mlp-b']);

      const report = await runReplay({ dataDir: out, protocol: 'loo', methods: [...POLICY_NAMES], seed: 1 });
      expect(report.targets).toEqual(['x-shift-mod3', 'y-rot180-loops', 'z-value']);
      for (const m of report.methods) expect(m.cases.map((c) => tinySpec.models.some((s) => s.id === c.pick))).toEqual([true, true, true]);

      const before = await fs.readFile(path.join(out, 'curves.csv'), 'utf8');
      const kept: boolean[] = [];
      await recordDemoHub({ ...options, onDataset: (e) => kept.push(e.kept) });
      expect(kept).toEqual([true, true, true]);
      expect(await fs.readFile(path.join(out, 'curves.csv'), 'utf8')).toBe(before);
    }, 120_000);
  });
});
