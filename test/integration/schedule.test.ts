import { upsertSchedule } from '../../cli/schedule';
import { ScheduleSpecSchema } from '../../contracts/schemas';
import type { BuildMatrixResult } from '../../contracts/schemas';
import { syntheticReplay } from '../helpers/synthetic-replay';
import { harness, withWorkers, type Harness } from '../helpers/test-env';

describe('nightly refresh schedule on the real dev server', () => {
  const fx = syntheticReplay();
  let h: Harness;
  beforeAll(async () => {
    h = await harness('schedule', { replayDir: fx.dir });
  });
  afterAll(async () => h.close());

  it('is created then updated idempotently, and a trigger runs the offline workflow at once', async () => {
    const id = `refresh-${h.taskQueue}`;
    const input = { models: fx.models.slice(0, 3), benchmarks: fx.benchmarks.slice(0, 2), epochs: 5, trainer: 'replay' };
    const spec = ScheduleSpecSchema.parse({ id, cron: '0 2 * * *', timezone: 'Europe/Paris', input });
    expect(await upsertSchedule(h.client, spec, h.taskQueue)).toBe('created');
    expect(await upsertSchedule(h.client, { ...spec, cron: '30 3 * * *' }, h.taskQueue)).toBe('updated');
    const handle = h.client.schedule.getHandle(id);
    const d = await handle.describe();
    expect(d.spec.timezone).toBe('Europe/Paris');
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });

    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    const result = await withWorkers(workers, async () => {
      await handle.trigger();
      let runId: string | undefined;
      for (let i = 0; i < 100 && !runId; i++) {
        runId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (!runId) await new Promise((r) => setTimeout(r, 100));
      }
      expect(runId).toMatch(new RegExp(`^${id}-run`));
      return (await h.client.workflow.getHandle(runId as string).result()) as BuildMatrixResult;
    });
    expect(result).toMatchObject({ cellsComputed: 6, cellsFailed: 0 });
    await handle.delete();
  });

  it('rejects a bad cron or time zone with the field named', () => {
    expect(() => ScheduleSpecSchema.parse({ cron: 'nightly' })).toThrow(/5-field cron/);
    expect(() => ScheduleSpecSchema.parse({ timezone: 'Mars/Olympus' })).toThrow(/IANA time zone/);
  });
});
