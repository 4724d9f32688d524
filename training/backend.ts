/**
 * Chooses the tfjs compute backend: native TensorFlow with CUDA, native TensorFlow on CPU,
 * WebAssembly, then pure JS; the first that loads wins. The native bindings are optional
 * (their install downloads libtensorflow), so they are loaded with a guarded dynamic
 * require: a GPU worker that has `@tensorflow/tfjs-node-gpu` installed gets it, everyone
 * else falls through to wasm. `MSELECT_TF_BACKEND` (or `prefer`) pins one backend and fails
 * if it cannot load, rather than silently running somewhere slower.
 */
import { createRequire } from 'node:module';
import * as tfjs from '@tensorflow/tfjs';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { type TfBackendName, TfBackendNameSchema } from '../contracts/schemas/training';
import type { Tf } from '../hub/model-io';
import { registerConvFilterGradient } from './wasm-conv-grad';

export type { TfBackendName };

/** A ready backend: the tfjs namespace to use and the name recorded in every TrainResult. */
export interface Backend {
  readonly name: TfBackendName;
  readonly tf: Tf;
  /** The backend's name inside the tfjs engine (`tensorflow`, `wasm`, `cpu`). */
  readonly engineName: string;
}

/** Fastest first: the order `pickBackend` tries. */
export const BACKEND_ORDER: readonly TfBackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const optionalRequire = createRequire(__filename);

/** Load an optional package; `null` with the reason when it is not installed or does not load. */
function tryRequire(id: string): { module: unknown } | { reason: string } {
  try {
    return { module: optionalRequire(id) as unknown };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = e.code === 'MODULE_NOT_FOUND' && e.message.includes(id);
    return { reason: missing ? `${id} is not installed` : `${id} failed to load: ${e.message.split('\n')[0]}` };
  }
}

async function loadNative(id: string): Promise<{ tf: Tf } | { reason: string }> {
  const r = tryRequire(id);
  if ('reason' in r) return r;
  const tf = r.module as Tf;
  const ok = await tf.setBackend('tensorflow').catch(() => false);
  return ok ? { tf } : { reason: `${id} loaded but the tensorflow backend did not initialise` };
}

async function loadJs(engineName: 'wasm' | 'cpu'): Promise<{ tf: Tf } | { reason: string }> {
  if (engineName === 'wasm') {
    const r = tryRequire('@tensorflow/tfjs-backend-wasm');
    if ('reason' in r) return r;
    registerConvFilterGradient(tfjs, 'wasm');
  }
  const ok = await tfjs.setBackend(engineName).catch(() => false);
  return ok ? { tf: tfjs } : { reason: `the ${engineName} backend did not initialise` };
}

const cache = new Map<TfBackendName, Promise<Backend | { reason: string }>>();

async function load(name: TfBackendName): Promise<Backend | { reason: string }> {
  const engineName = name === 'tensorflow-gpu' || name === 'tensorflow' ? 'tensorflow' : name;
  const r =
    name === 'tensorflow-gpu'
      ? await loadNative('@tensorflow/tfjs-node-gpu')
      : name === 'tensorflow'
        ? await loadNative('@tensorflow/tfjs-node')
        : await loadJs(name === 'wasm' ? 'wasm' : 'cpu');
  return 'reason' in r ? r : { name, tf: r.tf, engineName };
}

/** Try one backend; the result is cached per process. */
export async function tryBackend(name: TfBackendName): Promise<Backend | { reason: string }> {
  let p = cache.get(name);
  if (!p) {
    p = load(name);
    cache.set(name, p);
  }
  const r = await p;
  if ('tf' in r) await activate(r);
  return r;
}

/** Make `backend` the active one in its tfjs engine (several may be loaded in one process). */
export async function activate(backend: Backend): Promise<void> {
  if (backend.tf.getBackend() !== backend.engineName) await backend.tf.setBackend(backend.engineName);
}

export interface PickBackendOptions {
  /** Pin one backend; overrides the environment. @default env.MSELECT_TF_BACKEND, else none */
  prefer?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * The first backend of BACKEND_ORDER that loads, or the pinned one. Fails with
 * InvalidInput for an unknown name and TrainerFailed when a pinned backend cannot load.
 */
export async function pickBackend(options: PickBackendOptions = {}): Promise<Backend> {
  const pinned = options.prefer ?? (options.env ?? process.env).MSELECT_TF_BACKEND;
  if (pinned !== undefined && pinned !== '') {
    const parsed = TfBackendNameSchema.safeParse(pinned);
    if (!parsed.success) throw nonRetryable(ErrorType.InvalidInput, `Backend ${JSON.stringify(pinned)} is unknown; use one of ${BACKEND_ORDER.join(', ')}`);
    const r = await tryBackend(parsed.data);
    if ('reason' in r) throw nonRetryable(ErrorType.TrainerFailed, `Backend ${pinned} was requested but is unavailable: ${r.reason}`);
    return r;
  }
  const reasons: string[] = [];
  for (const name of BACKEND_ORDER) {
    const r = await tryBackend(name);
    if ('tf' in r) return r;
    reasons.push(r.reason);
  }
  throw nonRetryable(ErrorType.TrainerFailed, `No tfjs backend loads: ${reasons.join('; ')}`);
}

/** Every backend with whether it loads here and why not (for benchmarks and diagnostics). */
export async function probeBackends(): Promise<{ name: TfBackendName; available: boolean; reason: string | null }[]> {
  const out: { name: TfBackendName; available: boolean; reason: string | null }[] = [];
  for (const name of BACKEND_ORDER) {
    const r = await tryBackend(name);
    out.push({ name, available: 'tf' in r, reason: 'reason' in r ? r.reason : null });
  }
  return out;
}
