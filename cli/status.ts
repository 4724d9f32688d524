import { Command } from 'commander';
import type { BuildMatrixResult, SelectModelResult } from '../contracts/schemas';
import { workflowResult } from './failure';
import { formatOffline } from './offline';
import { matrixFrames, selectionFrames, watch } from './progress';
import { selectionTable } from './select';
import { selectionFacts } from '../report/selection-report';
import { withSession } from './session';

export function statusCommand(): Command {
  return new Command('status')
    .description('Follow a running selection or offline workflow with live progress bars (from its progress query).')
    .argument('<workflowId>')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await withSession(
        async (s) => {
          const handle = s.client.workflow.getHandle(id);
          const { type, status } = await handle.describe();
          // A closed workflow is answered from its result: a progress query would wait for a worker to replay it.
          const follow = <R>(frames: Parameters<typeof watch>[1]): Promise<R> =>
            status.name === 'RUNNING' ? watch<R>(handle, frames) : workflowResult<R>(handle);
          if (type === 'selectModel') {
            const r = await follow<SelectModelResult>(selectionFrames);
            console.log(o.json ? JSON.stringify(r, null, 2) : selectionTable(r));
          } else if (type === 'buildPerformanceMatrix') {
            const r = await follow<BuildMatrixResult>(matrixFrames);
            console.log(o.json ? JSON.stringify(r, null, 2) : formatOffline(r));
          } else {
            console.log(JSON.stringify(await workflowResult(handle), null, 2));
          }
        },
        { workers: 'never' },
      );
    });
}

export function reportCommand(): Command {
  return new Command('report')
    .description('Print the summary table of a finished selection and the path of its HTML report (--json: the facts the report shows).')
    .argument('<workflowId>')
    .option('--json', 'print what the report shows as JSON: rounds with scores and cutoffs, outcomes, settings, run times, cost')
    .action(async (id: string, o: { json?: boolean }) => {
      await withSession(
        async (s) => {
          const r = await workflowResult<SelectModelResult>(s.client.workflow.getHandle(id));
          console.log(o.json ? JSON.stringify(selectionFacts(r, s.uiUrl ?? process.env.MSELECT_UI_URL), null, 2) : selectionTable(r));
        },
        { workers: 'never' },
      );
    });
}
