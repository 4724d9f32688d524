/**
 * What the web UI shows of a run, read back through the client from a finished history on the
 * real dev server: the static summary and details, a summary on every activity and timer, and
 * current details equal to the CLI's one-line progress.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { readFileSync } from 'node:fs';
import type { temporal } from '@temporalio/proto';
import { selectModel } from '../../workflows';
import { selectionDetails, selectionProgressLine, selectionSummary, matrixProgressLine } from '../../contracts/progress-text';
import { SelectModelInputSchema } from '../../contracts/schemas';
import { pickPolicyOptions } from '../../contracts/schemas/policy';
import type { MatrixProgress } from '../../contracts/schemas';
import { harness, withWorkers, type Harness } from '../helpers/test-env';
import { MAXIMIZED_TARGET, buildSyntheticMatrix, syntheticReplay, type SyntheticReplay } from '../helpers/synthetic-replay';

const text = (p: temporal.api.common.v1.IPayload | null | undefined): string | undefined => (p ? defaultPayloadConverter.fromPayload<string>(p) : undefined);

/** The activity type and summary of every scheduled activity, and the summary of every timer. */
function summaries(events: readonly temporal.api.history.v1.IHistoryEvent[]): { activities: [string, string | undefined][]; timers: (string | undefined)[] } {
  return {
    activities: events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => [e.activityTaskScheduledEventAttributes?.activityType?.name ?? '', text(e.userMetadata?.summary)]),
    timers: events.filter((e) => e.timerStartedEventAttributes).map((e) => text(e.userMetadata?.summary)),
  };
}

interface WorkflowMetadata {
  readonly currentDetails?: string | null;
}

describe('what the web UI shows of a run (real dev server, synthetic recorded hub)', () => {
  let h: Harness;
  let data: SyntheticReplay;
  let models: readonly string[];
  beforeAll(async () => {
    data = syntheticReplay();
    models = data.hub.runs.models.slice(0, 6);
    h = await harness('metadata', { replayDir: data.dir });
  });
  afterAll(async () => {
    await h?.close();
    data?.remove();
  });

  it('a selection: static summary and details, a summary on every activity and timer, current details = the CLI progress line', async () => {
    const ws = [await h.orchestrator(), await h.gpuWorker(8)];
    await withWorkers(ws, async () => {
      await buildSyntheticMatrix(h, models, `offline-meta-${h.taskQueue}`);
      const offline = h.client.workflow.getHandle(`offline-meta-${h.taskQueue}`);
      const offlineHistory = summaries((await offline.fetchHistory()).events ?? []);
      expect(offlineHistory.activities.filter(([t]) => t === 'fineTune').map(([, s]) => s)).toContainEqual(
        expect.stringMatching(new RegExp(`^fineTune ${models[0]} on \\S+, epochs 0→\\d+ \\(offline cell\\)$`)),
      );
      expect(offlineHistory.activities.every(([, s]) => s !== undefined && s.length > 0)).toBe(true);
      const offlineMeta = await offline.query<WorkflowMetadata>('__temporal_workflow_metadata');
      expect(offlineMeta.currentDetails).toBe(matrixProgressLine(await offline.query<MatrixProgress>('progress')));

      const input = SelectModelInputSchema.parse({ target: MAXIMIZED_TARGET, policy: 'successive-halving', trainer: 'replay', budgetEpochs: 3 });
      const handle = await h.client.workflow.start(selectModel, {
        taskQueue: h.taskQueue,
        workflowId: `metadata-${h.taskQueue}`,
        args: [input],
        staticSummary: selectionSummary(input),
        staticDetails: selectionDetails(input, pickPolicyOptions(input)),
      });
      const result = await handle.result();

      const described = await handle.describe();
      expect(await described.staticSummary()).toBe(`select a model for ${MAXIMIZED_TARGET}: successive-halving, replay trainer, budget 3 epochs`);
      expect(await described.staticDetails()).toMatch(/- \*\*policy\*\* successive-halving \(eta=2\)\n- \*\*budget\*\* 3 epochs per model/);

      const { activities, timers } = summaries((await handle.fetchHistory()).events ?? []);
      const of = (type: string): (string | undefined)[] => activities.filter(([t]) => t === type).map(([, s]) => s);
      expect(of('planSelection')).toEqual([`planSelection for ${MAXIMIZED_TARGET}: successive-halving over every live model`]);
      expect(of('recall')).toEqual([`recall successive-halving for ${MAXIMIZED_TARGET}: ${models.length} models`]);
      expect(of('fineTune')).toContain(`fineTune ${result.pick} on ${MAXIMIZED_TARGET}, epochs 0→1`);
      expect(of('fineTune').every((s) => /^fineTune \S+ on \S+, epochs \d+→\d+$/.test(s ?? ''))).toBe(true);
      expect(of('decideRound')[0]).toBe(`decideRound round 1: ${models.length} models at epoch 1 of 3`);
      expect(of('writeSelectionReport')).toEqual([`writeSelectionReport for ${MAXIMIZED_TARGET}: pick ${result.pick}`]);
      expect(timers.length).toBeGreaterThan(0);
      expect(timers.every((s) => /^round \d+ deadline: \d+ fine-tune\(s\) to epoch \d+$/.test(s ?? ''))).toBe(true);

      const meta = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      expect(meta.currentDetails).toBe(selectionProgressLine(result));
      expect(meta.currentDetails).toMatch(/^done: round \d+, 1 of 6 candidates left/);
      expect(result.rounds?.length).toBe(result.round);
      expect(result).toMatchObject({ workflowId: `metadata-${h.taskQueue}`, settings: { seed: 0, trainer: 'replay', options: { eta: 2 } } });

      // Every elimination can be re-derived from the recorded numbers: halved models lie below the round's cutoff, the rest at or above it.
      for (const round of result.rounds ?? []) {
        const value = (m: (typeof round.models)[number]): number => (round.rankedBy === 'score' ? m.score : m.validation) ?? Number.NEGATIVE_INFINITY;
        for (const m of round.models) {
          if (round.cutoff === null) expect(m.fate).not.toBe('halving');
          else if (m.fate === 'halving') expect(value(m)).toBeLessThanOrEqual(round.cutoff);
          else expect(value(m)).toBeGreaterThanOrEqual(round.cutoff);
        }
      }
      const halved = new Set((result.rounds ?? []).flatMap((x) => x.models.filter((m) => m.fate === 'halving').map((m) => m.model)));
      expect([...halved].sort()).toEqual(
        result.eliminations
          .filter((e) => e.reason === 'halving' && !e.outcome?.startsWith('not picked'))
          .map((e) => e.model)
          .sort(),
      );
      const html = readFileSync(result.reportPath ?? '', 'utf8');
      expect(Buffer.byteLength(html)).toBeLessThan(2 * 2 ** 20);
      expect(html).not.toContain('<script src=');
      expect(html).toContain(`Round 1: epoch 1 of 3, ${models.length} models, ranked by validation accuracy; cutoff `);
    });
  });
});
