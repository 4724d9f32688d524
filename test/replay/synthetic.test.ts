import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAnchors } from '../../replay/load';
import { syntheticRecordedHub, writeAnchorsDir } from '../../replay/synthetic';

describe('syntheticRecordedHub', () => {
  const opts = { models: 10, datasets: 4, epochs: 5, minimized: ['ds-3'], decimals: 2, seed: 7 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = syntheticRecordedHub(opts);
    expect(syntheticRecordedHub(opts)).toEqual(a);
    expect(syntheticRecordedHub({ ...opts, seed: 8 }).runs.runs[0]).not.toEqual(a.runs.runs[0]);
  });

  it('lays out every (model, dataset) run with ids, directions and a matching history', () => {
    const hub = syntheticRecordedHub(opts);
    expect(hub.runs.models).toEqual(['model-0', 'model-1', 'model-2', 'model-3', 'model-4', 'model-5', 'model-6', 'model-7', 'model-8', 'model-9']);
    expect(hub.runs.datasets).toEqual(['ds-0', 'ds-1', 'ds-2', 'ds-3']);
    expect(hub.runs.runs).toHaveLength(40);
    expect([...hub.directions]).toEqual([
      ['ds-0', 'maximize'],
      ['ds-1', 'maximize'],
      ['ds-2', 'maximize'],
      ['ds-3', 'minimize'],
    ]);
    const run = hub.runs.runs.find((r) => r.model === 'model-4' && r.dataset === 'ds-2');
    expect(hub.history.values[2 * 10 + 4]).toBe(run?.test);
    expect(run?.val).toHaveLength(5);
  });

  it('rises on maximized datasets and falls on minimized ones, with ties from rounding', () => {
    const hub = syntheticRecordedHub(opts);
    const mean = (dataset: string, k: number): number => {
      const rs = hub.runs.runs.filter((r) => r.dataset === dataset);
      return rs.reduce((s, r) => s + (r.val[k] ?? 0), 0) / rs.length;
    };
    expect(mean('ds-0', 4)).toBeGreaterThan(mean('ds-0', 0));
    expect(mean('ds-3', 4)).toBeLessThan(mean('ds-3', 0));
    const rungs = hub.runs.datasets.flatMap((d) => [0, 1, 2, 3, 4].map((k) => hub.runs.runs.filter((r) => r.dataset === d).map((r) => r.val[k])));
    expect(rungs.filter((vals) => new Set(vals).size < vals.length).length).toBeGreaterThan(0);
    const allVals = hub.runs.runs.flatMap((r) => r.val);
    expect(allVals.every((v) => v >= 0 && v <= 1 && Number(v.toFixed(2)) === v)).toBe(true);
  });

  it('leaves out runs when asked', () => {
    const hub = syntheticRecordedHub({ ...opts, missing: 0.3 });
    expect(hub.runs.runs.length).toBeLessThan(40);
    expect(hub.runs.runs.length).toBeGreaterThan(10);
    expect(Array.from(hub.history.values).filter(Number.isNaN)).toHaveLength(40 - hub.runs.runs.length);
  });

  it('names the bad option', () => {
    expect(() => syntheticRecordedHub({ models: 0 })).toThrow(/models is 0, but must be an integer >= 1/);
    expect(() => syntheticRecordedHub({ datasets: 2, minimized: ['ds-9'] })).toThrow(/minimized is \["ds-9"\], but must be among the generated dataset ids/);
  });

  it('round-trips through an anchors folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mselect-synthetic-'));
    try {
      const hub = syntheticRecordedHub(opts);
      const data = await loadAnchors(writeAnchorsDir(dir, hub));
      expect(data.runs).toEqual(hub.runs);
      expect(data.history.models).toEqual(hub.history.models);
      expect(Array.from(data.history.values)).toEqual(Array.from(hub.history.values).map((v) => (v === 0 ? Number.NaN : v)));
      expect(data.directions).toEqual(hub.directions);
      expect(data.proxies.get('leep')?.get('ds-1')).toEqual(hub.proxies.get('leep')?.get('ds-1'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
