import { SingleBar, Presets } from 'cli-progress';
import type { WorkflowHandle } from '@temporalio/client';
import type { MatrixProgress, SelectionProgress } from '../contracts/schemas';
import { matrixProgressLine, selectionProgressLine } from '../contracts/progress-text';
import { matrixProgressQuery, selectionProgressQuery } from '../workflows/messages';
import { workflowResult } from './failure';

/** One line of state for a progress bar: value out of total, and a label. */
interface Frame {
  readonly value: number;
  readonly total: number;
  readonly label: string;
}

/** The bar of the offline phase; its label is the workflow's current details in the web UI. */
export function matrixFrame(p: MatrixProgress): Frame {
  return { value: p.done, total: Math.max(p.total, 1), label: matrixProgressLine(p) };
}

/** The bar of a selection; its label is the workflow's current details in the web UI. */
export function selectionFrame(p: SelectionProgress): Frame {
  return { value: p.epochsSpent, total: Math.max(p.bruteForceEpochs, 1), label: selectionProgressLine(p) };
}

/**
 * Draw a live progress bar from a workflow's `progress` query until it completes, then
 * return its result. Falls back to plain lines when stderr is not a terminal.
 */
export async function watch<R>(handle: WorkflowHandle, frame: (h: WorkflowHandle) => Promise<Frame | null>, everyMs = 500): Promise<R> {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new SingleBar({ format: '{bar} {percentage}% | {label}', stream: process.stderr, hideCursor: true, noTTYOutput: false }, Presets.shades_classic);
  let started = false;
  let lastLabel = '';
  let done = false;
  const result = workflowResult<R>(handle).finally(() => {
    done = true;
  });
  // Handled at once: a workflow that has already failed rejects before the first frame is drawn.
  result.catch(() => undefined);
  while (!done) {
    const f = await frame(handle).catch(() => null);
    if (f) {
      if (tty) {
        if (!started) bar.start(f.total, f.value, { label: f.label });
        started = true;
        bar.setTotal(f.total);
        bar.update(f.value, { label: f.label });
      } else if (f.label !== lastLabel) {
        process.stderr.write(`${f.label}\n`);
      }
      lastLabel = f.label;
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, everyMs))]);
  }
  if (started) bar.stop();
  return result;
}

export const selectionFrames = (h: WorkflowHandle) => h.query(selectionProgressQuery).then(selectionFrame);
export const matrixFrames = (h: WorkflowHandle) => h.query(matrixProgressQuery).then(matrixFrame);
