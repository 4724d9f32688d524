import { openStore, type MatrixStore } from '../matrix-store';
import { loadAnchors, type AnchorData } from '../replay/load';
import { ReplayTrainer } from '../replay/replay-trainer';
import { pickBackend } from '../training/backend';
import { CommandTrainer } from '../training/command-trainer';
import { TfjsTrainer } from '../training/tfjs-trainer';
import type { Trainer } from '../training/trainer';
import type { WorkerConfig } from '../workers/config';
import { hubCatalog, runSetCatalog, type Catalog } from './catalog';
import { createTrainingActivities } from './fine-tune';
import { createMatrixActivities } from './matrix';
import { createPlumbingActivities } from './plumbing';
import { withProxyScoreCache } from './proxy-score';
import { createSelectionActivities } from './selection';
import { createReportActivities } from './report';

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

/** A trainer built on first use (loading a backend or recorded runs takes time). */
function lazyTrainer(name: string, make: () => Promise<Trainer>): Trainer {
  const get = lazy(make);
  return { name, train: async (req, hooks) => (await get()).train(req, hooks) };
}

function lazyCatalog(make: () => Promise<Catalog>): Catalog {
  const get = lazy(make);
  return { models: async () => (await get()).models(), datasets: async () => (await get()).datasets() };
}

/** Shared, lazily loaded recorded runs (and dataset directions) of the replay trainer. */
function replayData(cfg: WorkerConfig): (() => Promise<AnchorData>) | null {
  const dir = cfg.replayDir;
  return dir ? lazy(() => loadAnchors(dir)) : null;
}

/** The GPU worker's activities: fine-tunes on every configured trainer, and proxy scores cached in the matrix store. */
export function createGpuActivities(cfg: WorkerConfig) {
  const runs = replayData(cfg);
  const trainers: Trainer[] = [lazyTrainer('tfjs', async () => new TfjsTrainer({ ...cfg, backend: await pickBackend() }))];
  if (cfg.commandTrainer) trainers.push(new CommandTrainer({ ...cfg.commandTrainer, hubDir: cfg.hubDir, datasetsDir: cfg.datasetsDir, checkpointDir: cfg.checkpointDir }));
  if (runs) trainers.push(lazyTrainer('replay', async () => new ReplayTrainer((await runs()).runs)));
  const training = createTrainingActivities({ ...cfg, trainer: trainers });
  let store: MatrixStore | undefined;
  const proxyScore = withProxyScoreCache(training.proxyScore, { store: () => (store ??= openStore({ dir: cfg.storeDir })), datasetsDir: cfg.datasetsDir });
  return { ...createPlumbingActivities(), ...training, proxyScore };
}

/** The orchestrator worker's light activities: matrix planning and recording, clustering, selection decisions. */
export function createOrchestratorActivities(cfg: WorkerConfig, store: MatrixStore = openStore({ dir: cfg.storeDir })) {
  const catalogs: Record<string, Catalog> = { tfjs: hubCatalog(cfg.hubDir, cfg.datasetsDir) };
  if (cfg.commandTrainer) catalogs[cfg.commandTrainer.name] = catalogs.tfjs as Catalog;
  const runs = replayData(cfg);
  if (runs) catalogs.replay = lazyCatalog(async () => { const a = await runs(); return runSetCatalog(a.runs, a.directions); });
  return { ...createMatrixActivities({ store, catalogs }), ...createSelectionActivities({ store, catalogs }), ...createReportActivities({ store, reportDir: cfg.reportDir }) };
}

export type GpuActivities = ReturnType<typeof createGpuActivities>;
export type OrchestratorActivities = ReturnType<typeof createOrchestratorActivities>;
export type Activities = GpuActivities & OrchestratorActivities;
