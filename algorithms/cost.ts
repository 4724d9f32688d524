/**
 * Cost accounting in epochs, as Cui et al. (ICDE 2024) count it: every epoch of
 * fine-tuning one model on the target costs 1, and every proxy-score computation (e.g.
 * LEEP of one model) costs `proxyEpochCost` (0.5) epoch.
 */

/** The paper's charge for one proxy-score computation, in epochs. */
export const PROXY_EPOCH_COST = 0.5;

export interface SelectionCost {
  /** Epochs of fine-tuning spent on the target, over all models. */
  readonly trainEpochs: number;
  /** Proxy-score computations charged. */
  readonly proxyComputations: number;
  /** trainEpochs + proxyComputations * proxyEpochCost. */
  readonly epochs: number;
}

function assertCount(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} is ${value}, but must be a finite number >= 0`);
}

/** Total cost of a selection run. Throws when a count is negative or not finite. */
export function selectionCost(trainEpochs: number, proxyComputations: number, proxyEpochCost = PROXY_EPOCH_COST): SelectionCost {
  assertCount('trainEpochs', trainEpochs);
  assertCount('proxyComputations', proxyComputations);
  assertCount('proxyEpochCost', proxyEpochCost);
  return { trainEpochs, proxyComputations, epochs: trainEpochs + proxyComputations * proxyEpochCost };
}

/** Cost of brute force: every model of the pool trained for every epoch. */
export function bruteForceEpochs(poolSize: number, maxEpochs: number): number {
  assertCount('poolSize', poolSize);
  assertCount('maxEpochs', maxEpochs);
  return poolSize * maxEpochs;
}

/**
 * Per-model record of the epochs trained so far. `charge(model, toEpoch)` returns how many
 * new epochs that request costs (0 when the model is already that far) and records them;
 * training never goes backwards, so asking again for an earlier epoch is free.
 */
export class EpochLedger {
  private readonly trained = new Map<string, number>();
  private proxies = 0;

  /** New epochs needed to bring `model` to `toEpoch`; records them. Throws when toEpoch is not an integer >= 0. */
  charge(model: string, toEpoch: number): number {
    if (!Number.isInteger(toEpoch) || toEpoch < 0) throw new Error(`toEpoch is ${toEpoch}, but must be an integer >= 0`);
    const done = this.trained.get(model) ?? 0;
    if (toEpoch <= done) return 0;
    this.trained.set(model, toEpoch);
    return toEpoch - done;
  }

  /** Epochs `model` has been trained (0 if never). */
  epochsOf(model: string): number {
    return this.trained.get(model) ?? 0;
  }

  /** Record `count` proxy computations. Throws when count is negative. */
  chargeProxies(count: number): void {
    assertCount('count', count);
    this.proxies += count;
  }

  /** The cost so far. */
  cost(proxyEpochCost = PROXY_EPOCH_COST): SelectionCost {
    const train = [...this.trained.values()].reduce((s, e) => s + e, 0);
    return selectionCost(train, this.proxies, proxyEpochCost);
  }
}
