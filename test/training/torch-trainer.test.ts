/**
 * The reference PyTorch trainer (trainers/torch) on a tiny slice of the PyTorch demo hub:
 * exact resume, reproducible hub builds, proxy scores equal to a direct numpy computation on
 * the same features file, and bad hub entries failing with typed non-retryable errors that
 * name the file. Skipped, with the reason in the test name, where torch is not importable.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { computeProxyScore } from '../../activities/proxy-score';
import { loadSplit, readManifest } from '../../hub/datasets';
import { pickBackend } from '../../training/backend';
import { TORCH_TRAINER_MAIN, TorchTrainer, torchPython } from '../../training/command-torch';
import { balancedProbe } from '../../training/probe';
import type { TrainRequest } from '../../training/trainer';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';
import { buildTinyTorchHub, describeTorch, TORCH_MODELS, TORCH_TARGET } from '../helpers/torch-hub';

let dirs: TinyDirs;
let trainer: TorchTrainer;
const [MLP, CNN] = TORCH_MODELS;

const request = (over: Partial<TrainRequest> = {}): TrainRequest => ({
  modelId: CNN,
  datasetId: TORCH_TARGET,
  fromEpoch: 0,
  toEpoch: 3,
  resume: null,
  seed: 3,
  runId: 'full',
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** Copy hub entry `from` to `to` (card id rewritten), then let `damage` break it. */
async function brokenEntry(
  from: string,
  to: string,
  damage: (dir: string, card: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<string> {
  const dir = path.join(dirs.hubDir, to);
  await fs.cp(path.join(dirs.hubDir, from), dir, { recursive: true });
  const card = JSON.parse(await fs.readFile(path.join(dir, 'card.json'), 'utf8')) as Record<string, unknown>;
  await fs.writeFile(path.join(dir, 'card.json'), JSON.stringify(await damage(dir, { ...card, id: to })));
  return dir;
}

describeTorch('TorchTrainer (trainers/torch)', () => {
  beforeAll(async () => {
    dirs = await makeTempDirs('mselect-torch-');
    await buildTinyTorchHub(dirs.hubDir, dirs.datasetsDir);
    trainer = new TorchTrainer({ ...dirs, env: { MSELECT_TORCH_DEVICE: 'cpu' } });
  });
  afterAll(async () => {
    if (dirs) await removeDirs(dirs);
  });

  it('fine-tunes with one line per epoch, and a run resumed from a checkpoint equals an undisturbed one exactly', async () => {
    const full = await trainer.train(request());
    expect(full.curve.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(full.backend).toBe('torch-cpu');
    expect(full.trainer).toBe('torch');
    expect(full.checkpoint).toEqual({ key: 'runs/full/epoch-3.pt', epoch: 3 });
    // Wall seconds and peak memory (on CPU the process's peak resident size) of every epoch.
    expect(full.curve.every((e) => e.seconds > 0 && (e.peakMemoryBytes ?? 0) > 10 * 2 ** 20)).toBe(true);
    const first = await trainer.train(request({ toEpoch: 1, runId: 'split' }));
    const rest = await trainer.train(request({ fromEpoch: 1, resume: first.checkpoint, runId: 'split' }));
    expect([...first.curve, ...rest.curve].map((e) => e.metric)).toEqual(full.curve.map((e) => e.metric));
    expect(rest.test).toBe(full.test);
    const same = spawnSync(
      torchPython(),
      [
        '-c',
        `import torch,sys; a=torch.load(sys.argv[1]); b=torch.load(sys.argv[2]); print(all(torch.equal(a['model'][k], b['model'][k]) for k in a['model']) and a['optimizer']['state'].keys() == b['optimizer']['state'].keys())`,
        path.join(dirs.checkpointDir, 'runs/full/epoch-3.pt'),
        path.join(dirs.checkpointDir, 'runs/split/epoch-3.pt'),
      ],
      { encoding: 'utf8' },
    );
    expect(same.stdout.trim()).toBe('True');
  });

  it('rebuilds the hub with identical weights from the same seed', async () => {
    const again = await makeTempDirs('mselect-torch-rebuild-');
    try {
      await buildTinyTorchHub(again.hubDir, again.datasetsDir);
      for (const m of TORCH_MODELS) {
        expect(await fs.readFile(path.join(again.hubDir, m, 'weights.pt'))).toEqual(await fs.readFile(path.join(dirs.hubDir, m, 'weights.pt')));
      }
    } finally {
      await removeDirs(again);
    }
  });

  it('proxy scores of PyTorch models equal numpy on the same features file (LEEP, NCE)', async () => {
    const deps = { hubDir: dirs.hubDir, datasetsDir: dirs.datasetsDir, backend: () => pickBackend({ prefer: 'cpu' }), external: trainer };
    const manifest = await readManifest(dirs.datasetsDir, TORCH_TARGET);
    const train = await loadSplit(dirs.datasetsDir, manifest, 'train');
    const rows = balancedProbe(train.y, 40, 1);
    const labels = rows.map((r) => train.y[r] as number);
    for (const model of [MLP]) {
      const leep = await computeProxyScore(deps, { model, target: TORCH_TARGET, proxy: 'leep', probeSize: 40, seed: 1 });
      const nce = await computeProxyScore(deps, { model, target: TORCH_TARGET, proxy: 'nce', probeSize: 40, seed: 1 });
      expect(leep.backend).toBe('torch-cpu');
      const out = path.join(dirs.root, `${model}.features`);
      const job = {
        job: 'features',
        modelId: model,
        modelDir: path.join(dirs.hubDir, model),
        datasetId: TORCH_TARGET,
        datasetDir: path.join(dirs.datasetsDir, TORCH_TARGET),
        split: 'train',
        rows,
        out,
      };
      expect(spawnSync(torchPython(), [TORCH_TRAINER_MAIN], { input: JSON.stringify(job), env: { ...process.env, MSELECT_TORCH_DEVICE: 'cpu' } }).status).toBe(
        0,
      );
      const numpy = spawnSync(torchPython(), ['-c', NUMPY_PROXIES, out, JSON.stringify(labels)], { encoding: 'utf8' });
      const [npLeep, npNce] = JSON.parse(numpy.stdout) as [number, number];
      expect(leep.value).toBeCloseTo(npLeep, 5);
      expect(nce.value).toBeCloseTo(npNce, 5);
    }
  });

  it('a missing or corrupt weights file and an unknown architecture fail with InvalidModel naming the file', async () => {
    const missing = await brokenEntry(MLP, 'no-weights', async (dir, card) => {
      await fs.rm(path.join(dir, 'weights.pt'));
      return card;
    });
    const corrupt = await brokenEntry(MLP, 'corrupt-weights', async (dir, card) => {
      await fs.writeFile(path.join(dir, 'weights.pt'), 'not a state dict');
      return card;
    });
    const unknown = await brokenEntry(MLP, 'unknown-arch', async (_dir, card) => {
      const torch = card.torch as { architecture: { layers: unknown[][] } };
      torch.architecture.layers[1] = ['hidden_1', 'SuperDense', { units: 16 }];
      return card;
    });
    const noScript = await brokenEntry(MLP, 'no-model-pt', async (dir, card) => ({ ...card, torch: { format: 'torchscript' } }));
    const cases: [string, string][] = [
      ['no-weights', `${path.join(missing, 'weights.pt')} is missing`],
      ['corrupt-weights', `${path.join(corrupt, 'weights.pt')} cannot be loaded`],
      ['unknown-arch', `${path.join(unknown, 'card.json')}: torch.architecture.layers[1] names unknown architecture layer 'SuperDense'`],
      ['no-model-pt', `${path.join(noScript, 'model.pt')} is missing`],
    ];
    for (const [modelId, excerpt] of cases) {
      const f = await failure(trainer.train(request({ modelId, toEpoch: 1, runId: modelId })));
      expect(f).toMatchObject({ type: 'InvalidModel', nonRetryable: true });
      expect(f.message).toContain(excerpt);
      await expect(fs.access(path.join(dirs.checkpointDir, 'runs', modelId))).rejects.toThrow();
    }
  });

  it('garbage on stdout is a non-retryable TrainerFailed quoting the line; a trainer that dies is a retryable one', async () => {
    const fake = (name: string, body: string): string => {
      const file = path.join(dirs.root, name);
      spawnSync('sh', ['-c', `printf '%s\\n' '#!/bin/sh' '${body}' > ${file} && chmod +x ${file}`]);
      return file;
    };
    const garbage = new TorchTrainer({ ...dirs, python: fake('garbage.sh', 'echo "Epoch 1/3 ... loss 0.7"') });
    const g = await failure(garbage.train(request({ runId: 'garbage' })));
    expect(g).toMatchObject({ type: 'TrainerFailed', nonRetryable: true });
    expect(g.message).toContain('stdout line 1 is not a progress line (not JSON): Epoch 1/3 ... loss 0.7');
    const dies = new TorchTrainer({ ...dirs, python: fake('dies.sh', 'echo "Segmentation fault" >&2; exit 139') });
    const d = await failure(dies.train(request({ runId: 'dies' })));
    expect(d).toMatchObject({ type: 'TrainerFailed', nonRetryable: false });
    expect(d.message).toContain('exited with code 139; stderr tail:\nSegmentation fault');
  });
});

/** LEEP (Nguyen et al. 2020) and NCE (Tran et al. 2019) in numpy, from a features file and the probe labels. */
const NUMPY_PROXIES = `
import json, struct, sys
import numpy as np
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'MSFEAT01'
(length,) = struct.unpack('<I', data[8:12])
h = json.loads(data[12:12 + length])
body = np.frombuffer(data, dtype='<f4', offset=12 + length).astype(np.float64)
n, d, c = h['rows'], h['featureSize'], h['classes']
probs = body[n * d:].reshape(n, c)
y = np.array(json.loads(sys.argv[2]))
k = y.max() + 1
joint = np.stack([probs[y == t].sum(0) for t in range(k)]) / n
cond = joint / joint.sum(0, keepdims=True)
leep = np.mean(np.log((probs @ cond.T)[np.arange(n), y]))
z = probs.argmax(1)
pz = np.array([[np.sum((z == a) & (y == t)) for t in range(k)] for a in range(c)]) / n
pa = pz.sum(1, keepdims=True)
nz = pz > 0
nce = np.sum(pz[nz] * np.log((pz / np.where(pa > 0, pa, 1))[nz]))
print(json.dumps([float(leep), float(nce)]))
`;
