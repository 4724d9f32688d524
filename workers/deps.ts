/**
 * The composition root: every dependency a worker's activities use (matrix store, trainers,
 * compute backend, catalogs, the proxy-score cache, the report sink) is built here, from the
 * worker's configuration, and handed to `createXActivities(deps)`.
 */
import { join } from 'node:path';
import type { RunSet } from '../algorithms/types';
import type { GpuActivityDeps, OrchestratorActivityDeps } from '../activities';
import { hubCatalog, runSetCatalog, type Catalog } from '../activities/catalog';
import type { ReportSink } from '../activities/report';
import { writeFileAtomic } from '../hub/files';
import { openStore, type MatrixStore } from '../matrix-store';
import { loadAnchors } from '../replay/load';
import { ReplayTrainer } from '../replay/replay-trainer';
import { pickBackend, type Backend } from '../training/backend';
import { CommandTrainer } from '../training/command-trainer';
import { TfjsTrainer } from '../training/tfjs-trainer';
import type { Trainer } from '../training/trainer';
import type { WorkerConfig } from './config';

/** Build on first use, once (loading a backend or recorded runs takes time; a worker that never needs it never pays). */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

/** A trainer built on first use. */
function lazyTrainer(name: string, make: () => Promise<Trainer>): Trainer {
  const get = lazy(make);
  return { name, train: async (req, hooks) => (await get()).train(req, hooks) };
}

function lazyCatalog(make: () => Promise<Catalog>): Catalog {
  const get = lazy(make);
  return { models: async () => (await get()).models(), datasets: async () => (await get()).datasets() };
}

/** Shared, lazily loaded recorded runs of the replay trainer. */
function replayRuns(cfg: WorkerConfig): (() => Promise<RunSet>) | null {
  const dir = cfg.replayDir;
  return dir ? lazy(async () => (await loadAnchors(dir)).runs) : null;
}

export interface GpuDepsOptions {
  /** The compute backend; @default pickBackend() on first use. */
  readonly backend?: Backend;
  /** Trainers to offer instead of the configured ones (tfjs, the external command, replay). */
  readonly trainers?: readonly Trainer[];
  readonly keepAliveMs?: number;
}

/** The trainers a GPU worker offers: tfjs first, then the external command and replay when configured. */
export function configuredTrainers(cfg: WorkerConfig, backend: () => Promise<Backend>): Trainer[] {
  const trainers: Trainer[] = [lazyTrainer('tfjs', async () => new TfjsTrainer({ ...cfg, backend: await backend() }))];
  if (cfg.commandTrainer) trainers.push(new CommandTrainer({ ...cfg.commandTrainer, hubDir: cfg.hubDir, datasetsDir: cfg.datasetsDir, checkpointDir: cfg.checkpointDir }));
  const runs = replayRuns(cfg);
  if (runs) trainers.push(lazyTrainer('replay', async () => new ReplayTrainer(await runs())));
  return trainers;
}

/** The GPU worker's dependencies: trainers, backend, hub folders, and the matrix store (opened on first use) that caches proxy scores. */
export function gpuDeps(cfg: WorkerConfig, o: GpuDepsOptions = {}): GpuActivityDeps {
  const backend = lazy(() => (o.backend ? Promise.resolve(o.backend) : pickBackend()));
  let store: MatrixStore | undefined;
  return {
    training: { hubDir: cfg.hubDir, datasetsDir: cfg.datasetsDir, trainers: o.trainers ?? configuredTrainers(cfg, backend), backend, keepAliveMs: o.keepAliveMs },
    proxyCache: { store: () => (store ??= openStore({ dir: cfg.storeDir })), datasetsDir: cfg.datasetsDir },
  };
}

/** Reports as files in `dir`, each written atomically; returns the file's path. */
export function folderReportSink(dir: string): ReportSink {
  return {
    async write(name, html) {
      const file = join(dir, name);
      await writeFileAtomic(file, html);
      return file;
    },
  };
}

/** The orchestrator worker's dependencies: the matrix store, a catalog per trainer, the report sink. */
export function orchestratorDeps(cfg: WorkerConfig, store: MatrixStore = openStore({ dir: cfg.storeDir })): OrchestratorActivityDeps {
  const catalogs: Record<string, Catalog> = { tfjs: hubCatalog(cfg.hubDir, cfg.datasetsDir) };
  if (cfg.commandTrainer) catalogs[cfg.commandTrainer.name] = catalogs.tfjs as Catalog;
  const runs = replayRuns(cfg);
  if (runs) catalogs.replay = lazyCatalog(async () => runSetCatalog(await runs()));
  return { store, catalogs, reports: folderReportSink(cfg.reportDir) };
}
