import { Command } from 'commander';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ScheduleSpecSchema, type ScheduleSpec } from '../contracts/schemas';
import { TASK_QUEUES } from '../contracts/task-queues';
import { buildPerformanceMatrix } from '../workflows';
import { json, parseFlags } from './options';
import { withSession } from './session';

/**
 * Create the nightly refresh schedule, or update it in place when it exists: it runs
 * buildPerformanceMatrix (only missing cells: new models and new benchmarks), which then
 * re-clusters. Idempotent; visible and editable in the web UI. Overlapping runs are skipped.
 */
export async function upsertSchedule(client: Client, spec: ScheduleSpec, taskQueue: string = TASK_QUEUES.orchestration): Promise<'created' | 'updated'> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: buildPerformanceMatrix,
    taskQueue,
    args: [spec.input] as [unknown],
    workflowId: `${spec.id}-run`,
    staticSummary: 'nightly refresh of the performance matrix',
  };
  const when = { cronExpressions: [spec.cron], timezone: spec.timezone };
  try {
    await client.schedule.create({ scheduleId: spec.id, spec: when, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' } });
    return 'created';
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule.getHandle(spec.id).update((prev) => ({ ...prev, spec: when, action }));
    return 'updated';
  }
}

export function scheduleCommand(): Command {
  const cmd = new Command('schedule').description('The nightly refresh of the performance matrix (a Temporal Schedule).');
  cmd
    .command('set')
    .description('create or update the schedule (idempotent)')
    .option('--id <id>', 'schedule id')
    .option('--cron <expr>', 'cron expression, e.g. "0 2 * * *"')
    .option('--timezone <tz>', 'IANA time zone, e.g. UTC')
    .option('--input <json>', 'buildPerformanceMatrix input as JSON')
    .action(async (o: { id?: string; cron?: string; timezone?: string; input?: string }) => {
      const spec = parseFlags(
        ScheduleSpecSchema,
        Object.fromEntries(
          Object.entries({ id: o.id, cron: o.cron, timezone: o.timezone, input: o.input ? json('--input', o.input) : undefined }).filter(
            ([, v]) => v !== undefined,
          ),
        ),
      );
      const what = await withSession((s) => upsertSchedule(s.client, spec), { workers: 'never' });
      console.log(`schedule ${spec.id} ${what}: "${spec.cron}" in ${spec.timezone}`);
    });
  cmd
    .command('trigger')
    .description('run the refresh now')
    .option('--id <id>', 'schedule id', 'mselect-nightly-refresh')
    .action(async (o: { id: string }) => {
      await withSession((s) => s.client.schedule.getHandle(o.id).trigger(), { workers: 'never' });
      console.log(`schedule ${o.id} triggered`);
    });
  cmd
    .command('describe')
    .option('--id <id>', 'schedule id', 'mselect-nightly-refresh')
    .action(async (o: { id: string }) => {
      const d = await withSession((s) => s.client.schedule.getHandle(o.id).describe(), { workers: 'never' });
      console.log(
        JSON.stringify(
          { id: d.scheduleId, spec: d.spec, paused: d.state.paused, nextActionTimes: d.info.nextActionTimes, recentActions: d.info.recentActions },
          null,
          2,
        ),
      );
    });
  cmd
    .command('delete')
    .option('--id <id>', 'schedule id', 'mselect-nightly-refresh')
    .action(async (o: { id: string }) => {
      await withSession((s) => s.client.schedule.getHandle(o.id).delete(), { workers: 'never' });
      console.log(`schedule ${o.id} deleted`);
    });
  return cmd;
}
