/**
 * Data for the fault tests: a tiny hub (two 4-feature MLPs, a benchmark and a target
 * dataset of Gaussian blobs) whose training split is sized so one tfjs epoch takes a
 * noticeable but short time, and per-run worker roots (store, checkpoints, reports).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pickBackend } from '../../../training/backend';
import { CheckpointStore } from '../../../training/checkpoint-store';
import { TfjsTrainer } from '../../../training/tfjs-trainer';
import type { WorkerConfig } from '../../../workers/config';
import { writeTinyDataset, writeTinyModel } from '../../hub/tiny-hub';

/** The fault tests train on the pure-JS backend everywhere, so every process computes the same numbers. */
export const TF_BACKEND = 'cpu';

export const MODELS = ['alpha', 'beta'] as const;
export const BENCHMARK = 'bench';
export const TARGET = 'target';

export interface Hub {
  readonly root: string;
  readonly hubDir: string;
  readonly datasetsDir: string;
  /** Training samples per epoch of `bench` and `target`. */
  readonly trainSize: number;
}

/** Where one run's workers keep their state. */
export interface Roots {
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly storeDir: string;
  readonly checkpointDir: string;
  readonly reportDir: string;
  readonly dataDir: string;
}

async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Samples per second of a warm tfjs epoch (the second of two) of the tiny model on this machine, now. */
async function samplesPerSecond(dir: string): Promise<number> {
  const hubDir = path.join(dir, 'hub');
  const datasetsDir = path.join(dir, 'datasets');
  const n = 4000;
  await writeTinyModel(hubDir, 'probe', 6, 1);
  await writeTinyDataset(datasetsDir, 'probe', {}, [n, 32, 32]);
  const trainer = new TfjsTrainer({ backend: await pickBackend({ prefer: TF_BACKEND }), hubDir, datasetsDir, checkpointDir: path.join(dir, 'ckpt') });
  const r = await trainer.train({ modelId: 'probe', datasetId: 'probe', fromEpoch: 0, toEpoch: 2, resume: null, seed: 0, runId: 'probe' });
  return n / Math.max(0.01, r.curve[1]?.seconds ?? 1);
}

/**
 * A hub whose epochs take about `epochSeconds` on this machine (measured, clamped to
 * 4,000..80,000 samples). Models `alpha` and `beta` differ by their seeded weights.
 */
export async function makeHub(epochSeconds: number): Promise<Hub> {
  const root = await tempDir('mselect-faults-hub-');
  const rate = await samplesPerSecond(path.join(root, 'probe'));
  await fs.rm(path.join(root, 'probe'), { recursive: true, force: true });
  const trainSize = Math.max(4000, Math.min(80_000, Math.round((rate * epochSeconds) / 100) * 100));
  const hubDir = path.join(root, 'hub');
  const datasetsDir = path.join(root, 'datasets');
  await writeTinyModel(hubDir, 'alpha', 6, 1);
  await writeTinyModel(hubDir, 'beta', 6, 5);
  await writeTinyDataset(datasetsDir, BENCHMARK, { role: 'benchmark' }, [trainSize, 64, 64]);
  await writeTinyDataset(datasetsDir, TARGET, { role: 'target' }, [trainSize, 64, 64]);
  return { root, hubDir, datasetsDir, trainSize };
}

/** Fresh store, checkpoint and report folders for one run over `hub`. */
export async function makeRoots(hub: Pick<Hub, 'hubDir' | 'datasetsDir'>, prefix = 'mselect-faults-run-'): Promise<Roots> {
  const dataDir = await tempDir(prefix);
  return {
    hubDir: hub.hubDir,
    datasetsDir: hub.datasetsDir,
    dataDir,
    storeDir: path.join(dataDir, 'store'),
    checkpointDir: path.join(dataDir, 'checkpoints'),
    reportDir: path.join(dataDir, 'reports'),
  };
}

/** The worker configuration of `roots` for workers in this process (no replay data, no external trainer). */
export function workerConfig(roots: Roots): WorkerConfig {
  return {
    storeDir: roots.storeDir,
    hubDir: roots.hubDir,
    datasetsDir: roots.datasetsDir,
    checkpointDir: roots.checkpointDir,
    reportDir: roots.reportDir,
    replayDir: null,
    commandTrainer: null,
  };
}

/** The environment of a `mselect worker` process serving `roots` against a Temporal server. */
export function workerEnv(roots: Roots, server: { address: string; namespace: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    MSELECT_DATA: roots.dataDir,
    MSELECT_STORE: roots.storeDir,
    MSELECT_HUB: roots.hubDir,
    MSELECT_DATASETS: roots.datasetsDir,
    MSELECT_CHECKPOINTS: roots.checkpointDir,
    MSELECT_REPORTS: roots.reportDir,
    MSELECT_REPLAY_DATA: path.join(roots.dataDir, 'no-recorded-runs'),
    MSELECT_TF_BACKEND: TF_BACKEND,
    ...extra,
  };
}

/** Epochs with a checkpoint on disk for `runId`. */
export async function checkpointEpochs(checkpointDir: string, runId: string): Promise<number[]> {
  const dir = path.join(checkpointDir, path.dirname(new CheckpointStore(checkpointDir).keyFor(runId, 0)));
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names
    .flatMap((n) => /^epoch-(\d+)\.ckpt$/.exec(n)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b);
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}
