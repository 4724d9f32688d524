/**
 * Catalogue cases for broken PyTorch hub entries: the offline workflow fine-tunes a good
 * PyTorch demo model and broken copies of it with the torch trainer. Each broken cell fails
 * at once with a typed, non-retryable error naming the file; the good cell is computed and
 * committed, stored cells are kept and nothing of a broken entry is checkpointed. Skipped,
 * with the reason in the name, where torch is not importable.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { casesOf } from './catalogue';
import { expectCellFailure, runOffline, storedCells, type OfflineRun } from './helpers/bad-runs';
import { makeRoots, removeDir, workerConfig, type Roots } from './helpers/fixtures';
import { seedHistory } from './helpers/selection';
import { connectShared, type Server } from './helpers/server';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';
import { buildTinyTorchHub, describeTorch, TINY_TORCH_SPEC, TORCH_BENCHMARK } from '../helpers/torch-hub';

const GOOD = 'mlp-h16-digits';
const SPEC = {
  ...TINY_TORCH_SPEC,
  models: TINY_TORCH_SPEC.models.filter((m) => m.id === GOOD),
  datasets: TINY_TORCH_SPEC.datasets.filter((d) => d.id === TORCH_BENCHMARK),
};
const CASES = casesOf('torch');

/** Break a copy of the good entry as `entry` says; returns the file the error must name. */
async function breakEntry(hubDir: string, id: string, entry: (typeof CASES)[number]['entry']): Promise<string> {
  const dir = path.join(hubDir, id);
  await fs.cp(path.join(hubDir, GOOD), dir, { recursive: true });
  const card = JSON.parse(await fs.readFile(path.join(dir, 'card.json'), 'utf8')) as { id: string; torch: { architecture: { layers: unknown[][] } } };
  card.id = id;
  if (entry === 'unknown-arch') card.torch.architecture.layers[1] = ['hidden_1', 'SuperDense', { units: 16 }];
  await fs.writeFile(path.join(dir, 'card.json'), JSON.stringify(card));
  if (entry === 'no-weights') await fs.rm(path.join(dir, 'weights.pt'));
  if (entry === 'corrupt-weights') await fs.writeFile(path.join(dir, 'weights.pt'), 'not a state dict');
  return path.join(dir, entry === 'unknown-arch' ? 'card.json' : 'weights.pt');
}

describeTorch('bad PyTorch hub entries', () => {
  let server: Server;
  let hub: TinyDirs;
  let r: Roots;
  let out: OfflineRun;
  let before: unknown[][];
  const files = new Map<string, string>();

  beforeAll(async () => {
    server = await connectShared();
    hub = await makeTempDirs('mselect-faults-torch-bad-');
    await buildTinyTorchHub(hub.hubDir, hub.datasetsDir, SPEC);
    for (const c of CASES) files.set(c.id, await breakEntry(hub.hubDir, c.id, c.entry));
    r = await makeRoots(hub);
    await seedHistory(r.storeDir);
    before = await storedCells(r);
    out = await runOffline(
      server,
      r,
      { models: [GOOD, ...CASES.map((c) => c.id)], benchmarks: [TORCH_BENCHMARK], trainer: 'torch', epochs: 2 },
      { ...workerConfig(r), defaultTrainer: 'torch' },
    );
  });
  afterAll(async () => {
    await server?.close();
    if (hub) await removeDirs(hub);
    if (r) await removeDir(r.dataDir);
  });

  it.each(CASES)('$id: $errorType at once, naming the file; the good cell is computed, stored cells kept', async (c) => {
    expectCellFailure(c, out, c.id, TORCH_BENCHMARK, files.get(c.id) ?? null);
    expect(out.result).toMatchObject({ cellsComputed: 1, cellsFailed: CASES.length });
    const after = await storedCells(r);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map(([m, d]) => `${String(m)}@${String(d)}`)).toEqual([`${GOOD}@${TORCH_BENCHMARK}`]);
    const runs = await fs.readdir(path.join(r.checkpointDir, 'runs')).catch(() => [] as string[]);
    expect(runs.filter((d) => decodeURIComponent(d).startsWith(`${c.id}@`))).toEqual([]);
  });
});
