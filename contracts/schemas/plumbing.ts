import { z } from 'zod';
import { DurationSchema } from './common';

/** Input of `plumbingCheck`, the end-to-end check of server, both workers, timers, queries and updates. */
export const PlumbingCheckInputSchema = z
  .object({
    /** Heartbeating steps the GPU-queue activity performs. */
    steps: z.number().int().min(1).max(1000).default(5),
    /** Milliseconds each step takes. */
    stepMs: z.number().int().min(0).max(60_000).default(200),
    /** Durable timer between the two phases. */
    timer: DurationSchema.default('1s'),
    /** How soon a silent GPU worker is declared lost and the activity retried elsewhere. */
    heartbeatTimeoutMs: z.number().int().min(1000).max(3_600_000).default(30_000),
  })
  .strict();

/** Argument of the `addSteps` update. */
export const AddStepsSchema = z.object({ steps: z.number().int().min(1).max(1000) }).strict();
export type AddSteps = z.infer<typeof AddStepsSchema>;

export const CountStepsInputSchema = z.object({
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  stepMs: z.number().int().min(0),
});
export type CountStepsInput = z.infer<typeof CountStepsInputSchema>;

export interface CountStepsOutput {
  readonly stepsRun: number;
  readonly resumedFrom: number;
  readonly worker: string;
}

export interface PlumbingProgress {
  readonly phase: 'working' | 'waiting-timer' | 'extra-steps' | 'done';
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly heartbeatsResumedFrom: readonly number[];
}

export interface PlumbingCheckOutput {
  readonly stepsDone: number;
  readonly timerMs: number;
  readonly updatesApplied: number;
  readonly workers: readonly string[];
}
