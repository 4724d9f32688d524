import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { applyImport, parseImport, planImport, selectionCsv, storeState, writeAnchorsFromStore } from '../../interop';
import { openStore, type MatrixStore } from '../../matrix-store';
import { selectModel } from '../../workflows';
import { harness, withWorkers, type Harness } from '../helpers/test-env';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'byoh');

async function importExample(store: MatrixStore): Promise<void> {
  for (const file of ['performance.csv', 'logme.csv']) {
    const parsed = parseImport(file, readFileSync(join(EXAMPLE, file), 'utf8'));
    await applyImport(store, planImport(parsed, await storeState(await store.snapshot())));
  }
}

describe('an imported hub with hub-style ids through the selectModel workflow and its report', () => {
  const root = mkdtempSync(join(tmpdir(), 'mselect-byoh-'));
  const previous = process.env.MSELECT_REPLAY_DATA;
  let h: Harness;
  beforeAll(async () => {
    const source = openStore({ dir: join(root, 'source') });
    await importExample(source);
    process.env.MSELECT_REPLAY_DATA = (await writeAnchorsFromStore(await source.snapshot(), join(root, 'anchors'))).dir;
    h = await harness('byoh');
    await importExample(openStore({ dir: h.config.storeDir }));
  });
  afterAll(async () => {
    await h?.close();
    if (previous === undefined) delete process.env.MSELECT_REPLAY_DATA;
    else process.env.MSELECT_REPLAY_DATA = previous;
    rmSync(root, { recursive: true, force: true });
  });

  it('selects for glue/sst2 on the replay trainer; the report file name is encoded and names the ids', async () => {
    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    const result = await withWorkers(workers, () =>
      h.client.workflow.execute(selectModel, {
        taskQueue: h.taskQueue,
        workflowId: `select-glue/sst2-${h.taskQueue}`,
        args: [{ target: 'glue/sst2', policy: 'prior-shrink-halving', trainer: 'replay', budgetEpochs: 5 }],
      }),
    );
    expect(result.target).toBe('glue/sst2');
    expect(result.pick).toMatch(/^[a-z]+\/encoder-\d\d$/);
    expect(basename(result.reportPath ?? '')).toMatch(/^select-glue_sst2-.*\.html$/);
    expect(result.reportPath?.startsWith(h.config.reportDir)).toBe(true);
    const html = readFileSync(result.reportPath ?? '', 'utf8');
    expect(html).toContain('glue/sst2');
    expect(html).toContain(`Pick: ${result.pick ?? ''}`);
    const csv = selectionCsv(result).split('\n');
    expect(csv[0]).toBe('target,model,epochs,last_validation,recall_score,outcome,round,reason');
    expect(csv.filter((l) => l.endsWith(',pick,,'))).toHaveLength(1);
  });
});
