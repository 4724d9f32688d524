/** Every workflow type, and nothing else: the module workers load into the sandbox. */
export { plumbingCheck } from './plumbing-check';
export { selectModel } from './select-model';
export { buildPerformanceMatrix } from './build-performance-matrix';
