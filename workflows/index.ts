/** Every workflow type, and nothing else: the module workers load into the sandbox. */
export { plumbingCheck } from './plumbing-check';
import { selectModel as selectModelRun } from './select-model';
import { buildPerformanceMatrix as buildPerformanceMatrixRun } from './build-performance-matrix';
import { causeOnTop } from './failures';

/** Both fail with an activity's cause on top (see causeOnTop). */
export const selectModel = causeOnTop(selectModelRun);
export const buildPerformanceMatrix = causeOnTop(buildPerformanceMatrixRun);
