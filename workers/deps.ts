/**
 * The composition root: every dependency a worker's activities use (matrix store, trainers,
 * compute backend, catalogs, the proxy-score cache, the report sink) is built here, from the
 * worker's configuration, and handed to `createXActivities(deps)`.
 */
import { join } from 'node:path';
import type { GpuActivityDeps, OrchestratorActivityDeps } from '../activities';
import { checkpointArea, type CheckpointArea } from '../activities/checkpoints';
import type { FeatureSource } from '../activities/proxy-score';
import { hubCatalog, runSetCatalog, type Catalog } from '../activities/catalog';
import type { ReportSink } from '../activities/report';
import { HubMirror } from '../hub/cache';
import { openStore, openStoreOn, type MatrixStore } from '../matrix-store';
import { checkStorage, openStorage, type ObjectStore } from '../storage';
import { CheckpointCache, DEFAULT_CHECKPOINT_CACHE_BYTES } from '../training/checkpoint-cache';
import { CheckpointStore } from '../training/checkpoint-store';
import { loadAnchors, type AnchorData } from '../replay/load';
import { writePage } from '../report/plot-html';
import { ReplayTrainer } from '../replay/replay-trainer';
import { pickBackend, type Backend } from '../training/backend';
import { CommandTrainer } from '../training/command-trainer';
import { TorchTrainer } from '../training/command-torch';
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

/** Shared, lazily loaded recorded runs (and dataset directions) of the replay trainer. */
function replayData(cfg: WorkerConfig): (() => Promise<AnchorData>) | null {
  const dir = cfg.replayDir;
  return dir ? lazy(() => loadAnchors(dir)) : null;
}

export interface GpuDepsOptions {
  /** The compute backend; @default pickBackend() on first use. */
  readonly backend?: Backend;
  /** Trainers to offer instead of the configured ones (tfjs, the external command, replay). */
  readonly trainers?: readonly Trainer[];
  readonly keepAliveMs?: number;
}

/** The shared object storage of `cfg` (checked: a missing bucket or refused credentials fail here), or null for folders. */
async function sharedStorage(cfg: WorkerConfig): Promise<ObjectStore | null> {
  if (!cfg.storage || cfg.storage.kind !== 's3') return null;
  const objects = openStorage(cfg.storage);
  await checkStorage(objects);
  return objects;
}

function mirrorOf(cfg: WorkerConfig, objects: ObjectStore | null): HubMirror | null {
  return objects ? new HubMirror(objects, cfg.cacheDir ?? join(cfg.hubDir, '..')) : null;
}

/** `trainer`, with its model and dataset mirrored into the local cache before it trains (or runs a `features` job). */
function withMirror(trainer: Trainer & Partial<FeatureSource>, mirror: HubMirror | null): Trainer {
  if (!mirror) return trainer;
  const fetch = (model: string, dataset: string) => Promise.all([mirror.model(model), mirror.dataset(dataset)]);
  const mirrored: Trainer = {
    name: trainer.name,
    train: async (req, hooks) => {
      await fetch(req.modelId, req.datasetId);
      return trainer.train(req, hooks);
    },
  };
  const features = trainer.features?.bind(trainer);
  if (!features) return mirrored;
  const withFeatures: Trainer & FeatureSource = {
    ...mirrored,
    features: async (req, signal) => {
      await fetch(req.modelId, req.datasetId);
      return features(req, signal);
    },
  };
  return withFeatures;
}

/**
 * The trainers a GPU worker offers: tfjs and torch (torch first with MSELECT_TRAINER=torch), then
 * the external command and replay when configured. tfjs checkpoints into `checkpoints` (the shared storage's `checkpoints/`, or the
 * checkpoint folder); the hub files they read come through `mirror` when there is one.
 */
export function configuredTrainers(
  cfg: WorkerConfig,
  backend: () => Promise<Backend>,
  shared: { checkpoints?: CheckpointStore; objects?: ObjectStore | null; mirror?: HubMirror | null } = {},
): Trainer[] {
  const mirror = shared.mirror ?? null;
  const sharedCheckpoints = shared.objects?.sub('checkpoints/');
  const checkpointCache = shared.checkpoints?.cache;
  const tfjs = lazyTrainer('tfjs', async () => new TfjsTrainer({ ...cfg, backend: await backend(), checkpoints: shared.checkpoints }));
  const torch = withMirror(
    new TorchTrainer({ hubDir: cfg.hubDir, datasetsDir: cfg.datasetsDir, checkpointDir: cfg.checkpointDir, sharedCheckpoints, checkpointCache }),
    mirror,
  );
  const trainers: Trainer[] = cfg.defaultTrainer === 'torch' ? [torch, withMirror(tfjs, mirror)] : [withMirror(tfjs, mirror), torch];
  if (cfg.commandTrainer)
    trainers.push(
      withMirror(
        new CommandTrainer({
          ...cfg.commandTrainer,
          hubDir: cfg.hubDir,
          datasetsDir: cfg.datasetsDir,
          checkpointDir: cfg.checkpointDir,
          sharedCheckpoints,
          checkpointCache,
        }),
        mirror,
      ),
    );
  const data = replayData(cfg);
  if (data) trainers.push(lazyTrainer('replay', async () => new ReplayTrainer((await data()).runs)));
  return trainers;
}

/**
 * The checkpoints of a GPU worker on object storage: the bucket's `checkpoints/`, with this
 * worker's checkpoint folder as the local cache of what it writes and fetches (bounded by
 * `checkpointCacheBytes`); `store.cache.stats()` counts the bytes fetched from the bucket.
 */
export function sharedCheckpointStore(cfg: WorkerConfig, objects: ObjectStore): CheckpointStore {
  const cache = new CheckpointCache(cfg.checkpointDir, cfg.checkpointCacheBytes ?? DEFAULT_CHECKPOINT_CACHE_BYTES);
  return new CheckpointStore(objects.sub('checkpoints/'), { cache });
}

/**
 * The GPU worker's dependencies: trainers, backend, hub folders (a private cache of the
 * shared storage when there is one), checkpoints, and the matrix store that caches proxy
 * scores (the shared one, or the store folder opened on first use).
 */
export async function gpuDeps(cfg: WorkerConfig, o: GpuDepsOptions = {}): Promise<GpuActivityDeps> {
  const backend = lazy(() => (o.backend ? Promise.resolve(o.backend) : pickBackend()));
  const objects = await sharedStorage(cfg);
  const mirror = mirrorOf(cfg, objects);
  const checkpoints = objects ? sharedCheckpointStore(cfg, objects) : undefined;
  const shared = objects ? await openStoreOn(objects.sub('store/')) : undefined;
  let store: MatrixStore | undefined = shared;
  return {
    training: {
      hubDir: cfg.hubDir,
      datasetsDir: cfg.datasetsDir,
      trainers: o.trainers ?? configuredTrainers(cfg, backend, { checkpoints, objects, mirror }),
      backend,
      keepAliveMs: o.keepAliveMs,
      checkpoints: checkpointArea(cfg.checkpointDir, objects?.sub('checkpoints/')),
    },
    proxyCache: { store: () => (store ??= openStore({ dir: cfg.storeDir })), datasetsDir: cfg.datasetsDir },
    prefetch: mirror
      ? async (model, dataset) => {
          await Promise.all([mirror.model(model), mirror.dataset(dataset)]);
        }
      : undefined,
  };
}

/** Reports as files in `dir`, each written atomically (self-contained pages); returns the file's path. */
export function folderReportSink(dir: string): ReportSink {
  return {
    async write(name, html) {
      const file = join(dir, name);
      await writePage(file, html);
      return file;
    },
  };
}

/** Reports as objects (atomic replace; self-contained pages); returns where the object is (an s3:// URL). */
export function objectReportSink(objects: ObjectStore): ReportSink {
  return {
    async write(name, html) {
      await objects.put(name, html);
      return objects.describe(name);
    },
  };
}

/** `catalog`, reading the shared hub's cards and manifests into the cache before it answers. */
function withCatalogue(catalog: Catalog, mirror: HubMirror | null): Catalog {
  if (!mirror) return catalog;
  return {
    models: async () => {
      await mirror.catalogue();
      return catalog.models();
    },
    datasets: async () => {
      await mirror.catalogue();
      return catalog.datasets();
    },
  };
}

/**
 * The orchestrator worker's dependencies: the matrix store (shared storage's `store/`, or the
 * store folder), a catalog per trainer, the report sink.
 */
export async function orchestratorDeps(cfg: WorkerConfig, given?: MatrixStore): Promise<OrchestratorActivityDeps> {
  const objects = await sharedStorage(cfg);
  const mirror = mirrorOf(cfg, objects);
  const store = given ?? (objects ? await openStoreOn(objects.sub('store/')) : openStore({ dir: cfg.storeDir }));
  const catalogs: Record<string, Catalog> = { tfjs: withCatalogue(hubCatalog(cfg.hubDir, cfg.datasetsDir), mirror) };
  catalogs.torch = catalogs.tfjs as Catalog;
  if (cfg.commandTrainer) catalogs[cfg.commandTrainer.name] = catalogs.tfjs as Catalog;
  const data = replayData(cfg);
  if (data)
    catalogs.replay = lazyCatalog(async () => {
      const a = await data();
      return runSetCatalog(a.runs, a.directions);
    });
  return {
    store,
    catalogs,
    reports: objects ? objectReportSink(objects.sub('reports/')) : folderReportSink(cfg.reportDir),
    checkpoints: checkpointArea(cfg.checkpointDir, objects?.sub('checkpoints/')),
    uiUrl: cfg.uiUrl ?? null,
  };
}

/** Where the checkpoints of `cfg` live (the shared storage's `checkpoints/`, then the local folder), for gc and export. */
export async function checkpointAreaOf(cfg: WorkerConfig): Promise<CheckpointArea> {
  const objects = await sharedStorage(cfg);
  return checkpointArea(cfg.checkpointDir, objects?.sub('checkpoints/'));
}
