/**
 * The activity groups of each worker, built from dependencies the worker hands in (the
 * worker is the composition root: workers/deps.ts builds stores, trainers, backends and
 * catalogs; nothing here constructs them). Every activity passes through `withStoreFailures`,
 * the one place a store error becomes a typed non-retryable failure.
 */
import type { MatrixStore } from '../matrix-store';
import type { Catalog } from './catalog';
import { createCheckpointActivities, type CheckpointArea } from './checkpoints';
import { createTrainingActivities, type TrainingDeps } from './fine-tune';
import { createMatrixActivities } from './matrix';
import { createPlumbingActivities } from './plumbing';
import { withProxyScoreCache, type ProxyScoreCacheDeps } from './proxy-score';
import { createReportActivities, type ReportSink } from './report';
import { createSelectionActivities } from './selection';
import { withStoreFailures } from './store-failures';

export { withStoreFailures };

/** What the GPU worker's activities need: trainers, a backend, the hub, and the store that caches proxy scores. */
export interface GpuActivityDeps {
  readonly training: TrainingDeps;
  readonly proxyCache: ProxyScoreCacheDeps;
  /** Make model and dataset files present locally before a proxy score reads them (the worker's hub cache). */
  readonly prefetch?: (model: string, dataset: string) => Promise<void>;
}

/** What the orchestrator worker's activities need: the matrix store, a catalog per trainer, where reports go. */
export interface OrchestratorActivityDeps {
  readonly store: MatrixStore;
  readonly catalogs: Readonly<Record<string, Catalog>>;
  readonly reports: ReportSink;
  /** Where checkpoints live, for the lifecycle's release and keep activities. @default none: they find nothing to release */
  readonly checkpoints?: CheckpointArea;
  /** The Temporal web UI's address, for the reports' links to their workflows. */
  readonly uiUrl?: string | null;
}

/** The GPU worker's activities: fine-tunes on every configured trainer, and proxy scores cached in the matrix store. */
export function createGpuActivities(deps: GpuActivityDeps) {
  const training = createTrainingActivities(deps.training);
  const cached = withProxyScoreCache(training.proxyScore, deps.proxyCache);
  const prefetch = deps.prefetch;
  const proxyScore: typeof cached = prefetch
    ? async (input) => {
        await prefetch(input.model, input.target);
        return cached(input);
      }
    : cached;
  return withStoreFailures({ ...createPlumbingActivities(), ...training, proxyScore });
}

/** The orchestrator worker's light activities: matrix planning and recording, clustering, selection decisions. */
export function createOrchestratorActivities(deps: OrchestratorActivityDeps) {
  const { store, catalogs } = deps;
  return withStoreFailures({
    ...createMatrixActivities({ store, catalogs }),
    ...createSelectionActivities({ store, catalogs }),
    ...createReportActivities({ store, reports: deps.reports, uiUrl: deps.uiUrl }),
    ...createCheckpointActivities(deps.checkpoints),
  });
}

export type GpuActivities = ReturnType<typeof createGpuActivities>;
export type OrchestratorActivities = ReturnType<typeof createOrchestratorActivities>;
export type Activities = GpuActivities & OrchestratorActivities;
