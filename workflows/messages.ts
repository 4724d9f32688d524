import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AddSteps, PlumbingProgress } from '../contracts/schemas';

/** Messages shared by workflows and starters. Every workflow answers a `progress` query. */
export const plumbingProgressQuery = defineQuery<PlumbingProgress>('progress');
export const addStepsUpdate = defineUpdate<number, [AddSteps]>('addSteps');
