import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AddSteps, PlumbingProgress } from '../contracts/schemas/plumbing';
import type { AddCandidates, SelectionProgress, SetBudget } from '../contracts/schemas/selection';
import type { MatrixProgress } from '../contracts/schemas/offline';

/** Messages shared by workflows and starters. Every workflow answers a `progress` query. */
export const plumbingProgressQuery = defineQuery<PlumbingProgress>('progress');
export const addStepsUpdate = defineUpdate<number, [AddSteps]>('addSteps');

export const selectionProgressQuery = defineQuery<SelectionProgress>('progress');
/** Add models to the running selection; returns survivors plus newly admitted models. */
export const addCandidatesUpdate = defineUpdate<string[], [AddCandidates]>('addCandidates');
/** Change the per-model epoch budget; returns the new budget. */
export const setBudgetUpdate = defineUpdate<number, [SetBudget]>('setBudget');
/** Stop after the current training and pick the best so far; returns the pick. */
export const finishNowUpdate = defineUpdate<string | null, []>('finishNow');

export const matrixProgressQuery = defineQuery<MatrixProgress>('progress');
