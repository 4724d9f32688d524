/** Every workflow type, and nothing else: the module workers load into the sandbox. */
export { plumbingCheck } from './plumbing-check';
