/**
 * A process that opens the matrix store where the environment says (MSELECT_STORAGE and the
 * AWS variables, as a worker does: `openStorage(readStorageSettings())`, then `store/`), and
 * commits one cell. On failure it prints the activity-boundary failure (`toFailure`) as one
 * JSON line `FAILURE {type, nonRetryable, message}` and exits 1.
 */
import { ApplicationFailure } from '@temporalio/common';
import { openStoreOn, toFailure } from '../../../matrix-store';
import { checkStorage, openStorage, readStorageSettings } from '../../../storage';

async function main(): Promise<void> {
  const root = openStorage(readStorageSettings());
  await checkStorage(root);
  const store = await openStoreOn(root.sub('store/'));
  const w = store.beginWrite();
  await w.appendCells([{ model: 'm', dataset: 'd', settingsHash: 's', metric: 'acc', value: 1, epochs: 1, runId: 'r' }]);
  process.stdout.write(`COMMITTED ${await w.commit('one cell')}\n`);
}

main().catch((e: unknown) => {
  const f = toFailure(e);
  const out =
    f instanceof ApplicationFailure
      ? { type: f.type, nonRetryable: f.nonRetryable, message: f.message }
      : { type: null, nonRetryable: false, message: e instanceof Error ? e.message : String(e) };
  process.stdout.write(`FAILURE ${JSON.stringify(out)}\n`);
  process.exit(1);
});
