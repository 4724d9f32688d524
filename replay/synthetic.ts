/**
 * A synthetic recorded hub: fine-tune runs that look like real ones, generated from a seed,
 * for tests and benchmarks that must not depend on recorded data outside the repository.
 *
 * Model m's final metric on dataset d is driven by latent factors: a model skill, a model
 * family (families share a taste vector, so clustering finds them), a dataset difficulty and
 * a family × dataset affinity. Curves rise (or fall, for a minimized metric) towards the final
 * value with a per-model speed, plus validation noise. Values are rounded to `decimals`, so
 * validation ties are common, as in the recorded NLP runs. A minimized dataset records an
 * error rate in [0, 1] (lower is better), so its direction really matters.
 * Pure and deterministic for a seed; `writeAnchorsDir` lays it out as the anchors folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../algorithms/random';
import type { Direction, PerformanceMatrix, RunRecord, RunSet } from '../algorithms/types';
import { formatCurvesCsv } from './anchor-format';

export interface SyntheticHubOptions {
  /** Number of models. @default 12 */
  readonly models?: number;
  /** Number of datasets (benchmarks and targets alike). @default 6 */
  readonly datasets?: number;
  /** Epochs recorded per run. @default 5 */
  readonly epochs?: number;
  /** Model families (clusters of similar models). @default 3 */
  readonly families?: number;
  /** Ids of datasets whose metric is minimized (they must be among the generated ids). @default none */
  readonly minimized?: readonly string[];
  /** Decimals kept in every value; 2 makes validation ties frequent. @default 3 */
  readonly decimals?: number;
  /** Standard deviation of validation noise around the curve. @default 0.01 */
  readonly noise?: number;
  /** Fraction of (model, dataset) runs left out, as in a real hub. @default 0 */
  readonly missing?: number;
  readonly seed?: number;
  /** Model id prefix; ids are `<prefix>-<index>`. @default 'model' */
  readonly modelPrefix?: string;
  /** Dataset id prefix; ids are `<prefix>-<index>`. @default 'ds' */
  readonly datasetPrefix?: string;
}

export interface SyntheticHub {
  readonly runs: RunSet;
  /** Final test metric per (dataset, model), as the offline matrix records it. */
  readonly history: PerformanceMatrix;
  /** Metric direction per dataset id. */
  readonly directions: ReadonlyMap<string, Direction>;
  /** A LEEP-like proxy per target and model: a noisy, monotone view of the final metric. */
  readonly proxies: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;
}

const DEFAULTS = { models: 12, datasets: 6, epochs: 5, families: 3, decimals: 3, noise: 0.01, missing: 0, seed: 1, modelPrefix: 'model', datasetPrefix: 'ds' };

function check(ok: boolean, what: string, value: unknown, rule: string): void {
  if (!ok) throw new Error(`syntheticRecordedHub: ${what} is ${JSON.stringify(value)}, but must be ${rule}`);
}

/** A standard normal draw (Box–Muller) from a uniform source. */
function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const pad = (i: number, n: number): string => String(i).padStart(String(Math.max(n - 1, 1)).length, '0');

interface Latents {
  readonly skill: number[];
  readonly family: number[];
  readonly speed: number[];
  readonly difficulty: number[];
  readonly affinity: number[][];
}

function latents(o: typeof DEFAULTS, rand: () => number): Latents {
  const affinity = Array.from({ length: o.families }, () => Array.from({ length: o.datasets }, () => 0.08 * gaussian(rand)));
  return {
    skill: Array.from({ length: o.models }, () => 0.06 * gaussian(rand)),
    family: Array.from({ length: o.models }, (_, m) => m % o.families),
    speed: Array.from({ length: o.models }, () => 0.6 + 0.4 * rand()),
    difficulty: Array.from({ length: o.datasets }, () => 0.55 + 0.3 * rand()),
    affinity,
  };
}

/** Accuracy-like quality in (0, 1) of model m on dataset d. */
function quality(l: Latents, m: number, d: number): number {
  return clamp((l.difficulty[d] ?? 0.7) + (l.skill[m] ?? 0) + (l.affinity[l.family[m] ?? 0]?.[d] ?? 0), 0.05, 0.98);
}

/** Generate a synthetic recorded hub (module comment). Throws on a bad option, naming it. */
export function syntheticRecordedHub(options: SyntheticHubOptions = {}): SyntheticHub {
  const o = { ...DEFAULTS, ...options };
  check(Number.isInteger(o.models) && o.models >= 1, 'models', o.models, 'an integer >= 1');
  check(Number.isInteger(o.datasets) && o.datasets >= 1, 'datasets', o.datasets, 'an integer >= 1');
  check(Number.isInteger(o.epochs) && o.epochs >= 1, 'epochs', o.epochs, 'an integer >= 1');
  check(Number.isInteger(o.families) && o.families >= 1, 'families', o.families, 'an integer >= 1');
  check(o.missing >= 0 && o.missing < 1, 'missing', o.missing, 'in [0, 1)');
  const rand = mulberry32(o.seed);
  const l = latents(o, rand);
  const models = Array.from({ length: o.models }, (_, m) => `${o.modelPrefix}-${pad(m, o.models)}`);
  const datasets = Array.from({ length: o.datasets }, (_, d) => `${o.datasetPrefix}-${pad(d, o.datasets)}`);
  const unknown = (options.minimized ?? []).filter((d) => !datasets.includes(d));
  check(unknown.length === 0, 'minimized', unknown, `among the generated dataset ids (${datasets.join(', ')})`);
  const directions = new Map<string, Direction>(datasets.map((d) => [d, options.minimized?.includes(d) ? 'minimize' : 'maximize']));
  const round = (v: number): number => Number(v.toFixed(o.decimals));
  const values = new Float64Array(o.models * o.datasets).fill(Number.NaN);
  const runs: RunRecord[] = [];
  datasets.forEach((dataset, d) => {
    const minimize = directions.get(dataset) === 'minimize';
    models.forEach((model, m) => {
      if (o.missing > 0 && rand() < o.missing) return;
      const q = quality(l, m, d);
      const test = round(minimize ? 1 - q : q);
      const val = Array.from({ length: o.epochs }, (_, k) => {
        const reached = 1 - (1 - (l.speed[m] ?? 0.8)) ** (k + 1) * 0.9;
        const v = clamp(q * reached + o.noise * gaussian(rand), 0, 1);
        return round(minimize ? 1 - v : v);
      });
      values[d * o.models + m] = test;
      runs.push({ model, dataset, val, test });
    });
  });
  const proxies = new Map([
    [
      'leep',
      new Map(datasets.map((dataset, d) => [dataset, new Map(models.map((model, m) => [model, round(-2 + 2 * quality(l, m, d) + 0.05 * gaussian(rand))]))])),
    ],
  ]);
  return { runs: { models, datasets, runs }, history: { models, datasets, values }, directions, proxies };
}

/**
 * Write `hub` as an anchors folder (curves.csv, history_matrix.tsv, history_datasets.txt,
 * datasets.tsv with each dataset's direction, proxy/<kind>_<target>.tsv) under `dir`,
 * creating it. Returns `dir`.
 */
export function writeAnchorsDir(dir: string, hub: SyntheticHub): string {
  mkdirSync(join(dir, 'proxy'), { recursive: true });
  const { history } = hub;
  writeFileSync(join(dir, 'curves.csv'), formatCurvesCsv(hub.runs, new Set(hub.runs.models)));
  writeFileSync(join(dir, 'history_datasets.txt'), `${history.datasets.join('\n')}\n`);
  const rows = history.datasets.map((_, d) =>
    history.models
      .map((_, m) => {
        const v = history.values[d * history.models.length + m] ?? Number.NaN;
        return Number.isFinite(v) ? String(v) : '0';
      })
      .join('\t'),
  );
  writeFileSync(join(dir, 'history_matrix.tsv'), `${[history.models.join('\t'), ...rows].join('\n')}\n`);
  writeFileSync(join(dir, 'datasets.tsv'), `${['dataset\tdirection', ...[...hub.directions].map(([d, dir]) => `${d}\t${dir}`)].join('\n')}\n`);
  for (const [kind, byTarget] of hub.proxies) {
    for (const [target, scores] of byTarget) {
      writeFileSync(join(dir, 'proxy', `${kind}_${target}.tsv`), `${[...scores.keys()].join('\t')}\n${[...scores.values()].join('\t')}\n`);
    }
  }
  return dir;
}
