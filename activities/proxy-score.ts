/**
 * The `proxyScore` activity: one forward pass of a hub model over a class-balanced probe
 * of the target's train split, then a pure transferability estimate (LEEP, LogME, NCE,
 * PARC, H-score) from the algorithms folder; and `withProxyScoreCache`, which keeps those
 * scores in the matrix store so a repeated selection does not run the forward pass again.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { hScore, shrinkageHScore } from '../algorithms/hscore';
import { leep } from '../algorithms/leep';
import { logme } from '../algorithms/logme';
import { nceFromProbabilities } from '../algorithms/nce';
import { parc } from '../algorithms/parc';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { parseOrFail } from '../contracts/parse';
import {
  type ForwardProxy,
  type ProxyScoreActivityInput,
  ProxyScoreInputSchema,
  type ProxyScoreOutput,
  type ProxyScoreRequest,
} from '../contracts/schemas/training';
import { loadSplit, readManifest } from '../hub/datasets';
import { exists } from '../hub/files';
import { MODEL_JSON } from '../hub/model-io';
import { loadHubModel, modelDir, readCard, sameShape } from '../hub/models';
import { activate, type Backend } from '../training/backend';
import type { MatrixStore, Writer } from '../matrix-store';
import { disposeModels } from '../training/dispose';
import type { FeaturesRequest } from '../training/command-features';
import { probeOutputs, type ProbeOutputs } from '../training/features';
import { balancedProbe } from '../training/probe';

/** A forward pass outside tfjs (the `features` job of an external trainer, e.g. PyTorch). */
export interface FeatureSource {
  readonly name: string;
  features(request: FeaturesRequest, signal?: AbortSignal): Promise<ProbeOutputs & { backend: string }>;
}

export interface ProxyScoreDeps {
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly backend: () => Promise<Backend>;
  /** Runs the forward pass of hub entries that are not tfjs models (no model.json). @default none: such entries fail with InvalidModel */
  readonly external?: FeatureSource;
  /** Heartbeat this often while the forward pass runs. */
  readonly keepAliveMs: number;
}

/** Score one proxy from the probe's outputs; throws a plain Error for degenerate input. */
function score(proxy: ForwardProxy, out: ProbeOutputs, labels: number[]): number {
  switch (proxy) {
    case 'leep':
      return leep(out.probs, labels);
    case 'logme':
      return logme(out.features, labels);
    case 'nce':
      return nceFromProbabilities(out.probs, labels);
    case 'parc':
      return parc(out.features, labels);
    case 'hscore':
      return hScore(out.features, labels);
    case 'hscore-shrinkage':
      return shrinkageHScore(out.features, labels);
    default:
      return assertUnreachable(proxy);
  }
}

function assertUnreachable(x: never): never {
  throw new Error(`Unknown proxy ${String(x)}`);
}

export function createProxyScore(deps: ProxyScoreDeps) {
  /**
   * Transferability of hub model `model` for dataset `target` by `proxy`, from a
   * class-balanced probe of `probeSize` train samples drawn with `seed`. Deterministic and
   * idempotent. Fails with InvalidInput, ModelNotFound, DatasetNotFound, InvalidModel (also
   * for an input shape that does not match the dataset), InvalidDataset (also when the
   * proxy cannot be computed on this probe), PathOutsideRoot; CancelledFailure when cancelled.
   */
  return async function proxyScore(raw: ProxyScoreActivityInput): Promise<ProxyScoreOutput> {
    const input = parseOrFail(ProxyScoreInputSchema, raw, 'proxyScore input');
    const ctx = Context.current();
    ctx.heartbeat();
    const keepAlive = setInterval(() => ctx.heartbeat(), deps.keepAliveMs);
    try {
      return await computeProxyScore(deps, input, ctx.cancellationSignal);
    } finally {
      clearInterval(keepAlive);
    }
  };
}

/**
 * The proxy score itself, outside any activity context (the activity above, and benchmarks
 * that time each proxy). Loads the model and the target's train split, runs the forward
 * pass and scores. Throws the ApplicationFailures listed at `createProxyScore`.
 */
export async function computeProxyScore(
  deps: Pick<ProxyScoreDeps, 'hubDir' | 'datasetsDir' | 'backend' | 'external'>,
  input: ProxyScoreRequest,
  signal: AbortSignal = new AbortController().signal,
): Promise<ProxyScoreOutput> {
  const card = await readCard(deps.hubDir, input.model);
  if (!(await exists(`${modelDir(deps.hubDir, input.model)}/${MODEL_JSON}`))) {
    if (!deps.external)
      throw nonRetryable(
        ErrorType.InvalidModel,
        `${modelDir(deps.hubDir, input.model)} has no ${MODEL_JSON} and this worker has no external trainer for its forward pass`,
      );
    const manifest = await readManifest(deps.datasetsDir, input.target);
    if (!sameShape(card.input.shape, manifest.featureShape)) throw shapeMismatch(input, card.input.shape, manifest.featureShape);
    const train = await loadSplit(deps.datasetsDir, manifest, 'train');
    const rows = balancedProbe(train.y, input.probeSize, input.seed);
    const out = await deps.external.features({ modelId: input.model, datasetId: input.target, split: 'train', rows }, signal);
    return scored(
      input,
      out,
      rows.map((r) => train.y[r] as number),
      out.backend,
    );
  }
  const backend = await deps.backend();
  await activate(backend);
  const manifest = await readManifest(deps.datasetsDir, input.target);
  if (manifest.task === 'regression') {
    throw nonRetryable(
      ErrorType.InvalidInput,
      `Proxy ${input.proxy} scores class labels, but target ${input.target} is a regression dataset (${manifest.metric}); recall on it with the history prior instead`,
    );
  }
  const train = await loadSplit(deps.datasetsDir, manifest, 'train');
  const hub = await loadHubModel(backend.tf, deps.hubDir, input.model);
  let out: ProbeOutputs;
  const rows = balancedProbe(train.y, input.probeSize, input.seed);
  try {
    if (!sameShape(hub.card.input.shape, manifest.featureShape)) throw shapeMismatch(input, hub.card.input.shape, manifest.featureShape);
    out = await probeOutputs(backend.tf, hub, train, rows, manifest.featureShape, 256, signal);
  } catch (err) {
    if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
    throw signal.aborted ? signal.reason : err;
  } finally {
    disposeModels(hub.model);
  }
  return scored(
    input,
    out,
    rows.map((r) => train.y[r] as number),
    backend.name,
  );
}

function shapeMismatch(input: ProxyScoreRequest, model: readonly number[], dataset: readonly number[]): Error {
  return nonRetryable(
    ErrorType.InvalidModel,
    `Input shape mismatch: model ${input.model} expects [${model.join(',')}], dataset ${input.target} has [${dataset.join(',')}]`,
  );
}

/** The proxy of `input` from the probe's outputs; InvalidDataset when it cannot be computed. */
function scored(input: ProxyScoreRequest, out: ProbeOutputs, labels: number[], backend: string): ProxyScoreOutput {
  let value: number;
  try {
    value = score(input.proxy, out, labels);
    if (!Number.isFinite(value)) throw new Error(`the score is ${value} (degenerate features or probe)`);
  } catch (err) {
    throw nonRetryable(ErrorType.InvalidDataset, `${input.proxy} of ${input.model} on ${input.target} cannot be computed: ${(err as Error).message}`);
  }
  return { model: input.model, target: input.target, proxy: input.proxy, value, probeSize: labels.length, backend };
}

/** The activity's signature, as `createProxyScore` returns it. */
export type ProxyScoreActivity = (raw: ProxyScoreActivityInput) => Promise<ProxyScoreOutput>;

export interface ProxyScoreCacheDeps {
  /** The matrix store that holds the cache; called on first use, so a worker that never scores never opens it. */
  readonly store: () => MatrixStore;
  readonly datasetsDir: string;
}

/** `backend` of a score read from the cache instead of computed. */
export const CACHED_BACKEND = 'matrix-store';

/**
 * The `proxy` column under which the store caches a score: the proxy, the number of probe
 * samples actually used and the probe seed, e.g. `leep@probe500#seed0`. The probe is a
 * function of (train labels, size, seed), so equal keys mean equal probes; asking for 500
 * samples of a 200-sample split uses (and caches under) `@probe200`.
 */
export function proxyCacheKey(proxy: ForwardProxy, probeSize: number, seed: number): string {
  return `${proxy}@probe${probeSize}#seed${seed}`;
}

/**
 * `compute` (a `proxyScore` activity) behind a read-through cache in the matrix store,
 * keyed by (model, target, proxyCacheKey(proxy, probe size, seed)). A hit returns the stored
 * value with `backend` CACHED_BACKEND and runs no forward pass; a miss computes, then
 * writes the score in a commit of its own. The cache only saves work: when the store
 * cannot be read or written the score is computed (and returned) anyway, with a warning
 * in the activity log. Fails as `compute` does.
 */
export function withProxyScoreCache(compute: ProxyScoreActivity, deps: ProxyScoreCacheDeps): ProxyScoreActivity {
  return async function proxyScore(raw: ProxyScoreActivityInput): Promise<ProxyScoreOutput> {
    const input = parseOrFail(ProxyScoreInputSchema, raw, 'proxyScore input');
    const probeSize = await probeSizeOf(deps.datasetsDir, input);
    const key = proxyCacheKey(input.proxy, probeSize, input.seed);
    const cached = await lookup(deps, input, key);
    if (cached !== undefined) return { model: input.model, target: input.target, proxy: input.proxy, value: cached, probeSize, backend: CACHED_BACKEND };
    const out = await compute(input);
    await remember(deps, out, key);
    return out;
  };
}

/** Samples the probe of `input` holds: `balancedProbe` takes min(probeSize, train rows). */
async function probeSizeOf(datasetsDir: string, input: ProxyScoreRequest): Promise<number> {
  const train = await loadSplit(datasetsDir, await readManifest(datasetsDir, input.target), 'train');
  return Math.min(input.probeSize, train.n);
}

async function lookup(deps: ProxyScoreCacheDeps, input: ProxyScoreRequest, key: string): Promise<number | undefined> {
  try {
    const value = (await (await deps.store().snapshot()).proxyScores(input.target, key)).get(input.model);
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  } catch (err) {
    log.warn('proxyScore computes without the cache: the store cannot be read', { key, error: (err as Error).message });
    return undefined;
  }
}

async function remember(deps: ProxyScoreCacheDeps, out: ProxyScoreOutput, key: string): Promise<void> {
  let writer: Writer | undefined;
  try {
    writer = deps.store().beginWrite();
    await writer.putProxyScores([{ model: out.model, target: out.target, proxy: key, value: out.value }]);
    await writer.commit(`proxyScore ${key} of ${out.model} on ${out.target}`);
  } catch (err) {
    await writer?.abort().catch(() => undefined);
    log.warn('proxyScore could not cache its score in the store', { key, error: (err as Error).message });
  }
}
