import { ApplicationFailure } from '@temporalio/common';
import { createOrchestratorActivities, withStoreFailures } from '../../activities';
import { StoreCorruptError, type MatrixStore } from '../../matrix-store';
import { folderReportSink } from '../../workers/deps';

const corrupt = () => new StoreCorruptError('/store/fragments/cells/0001.arrow', 'cells', 12, 'sha256 mismatch');

/** A store whose every read finds a corrupt fragment. */
const corruptStore = { snapshot: () => Promise.reject(corrupt()) } as unknown as MatrixStore;

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

describe('withStoreFailures', () => {
  it('turns a store error into a non-retryable failure of its type and lets other errors pass', async () => {
    const acts = withStoreFailures({ a: () => Promise.reject(corrupt()), b: () => Promise.reject(new Error('network')) });
    const f = await failure(acts.a());
    expect(f).toMatchObject({ type: 'StoreCorrupt', nonRetryable: true });
    expect(f.message).toContain('/store/fragments/cells/0001.arrow');
    await expect(acts.b()).rejects.toThrow('network');
    expect(acts.a.name).toBe('a');
  });

  it('covers every orchestrator activity: clusterModels on a corrupt store is not retried', async () => {
    const acts = createOrchestratorActivities({ store: corruptStore, catalogs: {}, reports: folderReportSink('/nonexistent') });
    const f = await failure(acts.clusterModels({ mode: 'recluster', spec: { method: 'paper', threshold: 0.5 } } as Parameters<typeof acts.clusterModels>[0]));
    expect(f).toMatchObject({ type: 'StoreCorrupt', nonRetryable: true });
  });
});
