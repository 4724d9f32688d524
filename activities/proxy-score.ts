/**
 * The `proxyScore` activity: one forward pass of a hub model over a class-balanced probe
 * of the target's train split, then a pure transferability estimate (LEEP, LogME, NCE,
 * PARC, H-score) from the algorithms folder.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { hScore, shrinkageHScore } from '../algorithms/hscore';
import { leep } from '../algorithms/leep';
import { logme } from '../algorithms/logme';
import { nceFromProbabilities } from '../algorithms/nce';
import { parc } from '../algorithms/parc';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { parseOrFail } from '../contracts/parse';
import { type ForwardProxy, type ProxyScoreActivityInput, ProxyScoreInputSchema, type ProxyScoreOutput, type ProxyScoreRequest } from '../contracts/schemas/training';
import { loadSplit, readManifest } from '../hub/datasets';
import { loadHubModel, sameShape } from '../hub/models';
import { activate, type Backend } from '../training/backend';
import { disposeModels } from '../training/dispose';
import { probeOutputs, type ProbeOutputs } from '../training/features';
import { balancedProbe } from '../training/probe';

export interface ProxyScoreDeps {
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly backend: () => Promise<Backend>;
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
      return await scoreOnce(deps, input, ctx.cancellationSignal);
    } finally {
      clearInterval(keepAlive);
    }
  };
}

async function scoreOnce(deps: ProxyScoreDeps, input: ProxyScoreRequest, signal: AbortSignal): Promise<ProxyScoreOutput> {
  const backend = await deps.backend();
  await activate(backend);
  const manifest = await readManifest(deps.datasetsDir, input.target);
  const train = await loadSplit(deps.datasetsDir, manifest, 'train');
  const hub = await loadHubModel(backend.tf, deps.hubDir, input.model);
  let out: ProbeOutputs;
  const rows = balancedProbe(train.y, input.probeSize, input.seed);
  try {
    if (!sameShape(hub.card.input.shape, manifest.featureShape)) {
      throw nonRetryable(ErrorType.InvalidModel, `Input shape mismatch: model ${input.model} expects [${hub.card.input.shape.join(',')}], dataset ${input.target} has [${manifest.featureShape.join(',')}]`);
    }
    out = await probeOutputs(backend.tf, hub, train, rows, manifest.featureShape, 256, signal);
  } catch (err) {
    if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
    throw signal.aborted ? signal.reason : err;
  } finally {
    disposeModels(hub.model);
  }
  const labels = rows.map((r) => train.y[r] as number);
  let value: number;
  try {
    value = score(input.proxy, out, labels);
    if (!Number.isFinite(value)) throw new Error(`the score is ${value} (degenerate features or probe)`);
  } catch (err) {
    throw nonRetryable(ErrorType.InvalidDataset, `${input.proxy} of ${input.model} on ${input.target} cannot be computed: ${(err as Error).message}`);
  }
  return { model: input.model, target: input.target, proxy: input.proxy, value, probeSize: rows.length, backend: backend.name };
}
