/**
 * The typed-array recall, history prior and standardized prior give exactly (toBe) the values
 * of their original array-per-model formulations, kept here as references, on random
 * matrices with gaps, complete rows, singletons and clusters.
 */
import { recallScores } from '../../algorithms/recall';
import { standardizedPrior, zScores } from '../../algorithms/prior';
import { meanHistory, modelVectors } from '../../algorithms/matrix';
import { cosine, mean } from '../../algorithms/stats';
import { mulberry32 } from '../../algorithms/random';
import { cell, type Clustering, type PerformanceMatrix } from '../../algorithms/types';

function referenceRecall(history: PerformanceMatrix, clustering: Clustering, proxy: ReadonlyMap<string, number>): number[] {
  const prior = modelVectors(history).map(mean);
  const size = new Map<number, number>();
  clustering.labels.forEach((l) => size.set(l, (size.get(l) ?? 0) + 1));
  const index = new Map(history.models.map((id, i) => [id, i]));
  const reps = [...clustering.representatives.values()].map((id) => index.get(id) ?? -1);
  const vectors = modelVectors(history);
  const p = (id: string): number => proxy.get(id) ?? Number.NaN;
  return history.models.map((id, m) => {
    const h = prior[m] ?? Number.NaN;
    if ((size.get(clustering.labels[m] ?? -1) ?? 0) > 1) return h * Math.exp(p(id));
    if (reps.length === 0) return Number.NaN;
    const terms = reps.map((r) => cosine(vectors[m] ?? [], vectors[r] ?? []) * Math.exp(p(history.models[r] ?? '')));
    return h * (terms.reduce((s, t) => s + t, 0) / reps.length);
  });
}

function referenceStandardizedPrior(matrix: PerformanceMatrix): number[] {
  const n = matrix.models.length;
  const z = new Float64Array(matrix.values.length).fill(Number.NaN);
  matrix.datasets.forEach((_, d) => {
    const row = matrix.models.map((__, m) => cell(matrix, d, m));
    const finite = row.filter(Number.isFinite);
    if (finite.length < 2) return;
    const mu = mean(finite);
    const sd = Math.sqrt(mean(finite.map((v) => (v - mu) ** 2)));
    row.forEach((v, m) => {
      if (Number.isFinite(v)) z[d * n + m] = sd > 0 ? (v - mu) / sd : 0;
    });
  });
  return matrix.models.map((_, m) => mean(matrix.datasets.map((__, d) => z[d * n + m] ?? Number.NaN)));
}

/** 60 models × 9 datasets; models 0..29 complete, the rest with gaps; one dataset with a single score. */
function randomCase(seed: number): { history: PerformanceMatrix; clustering: Clustering; proxy: Map<string, number> } {
  const r = mulberry32(seed);
  const n = 60;
  const dims = 9;
  const models = Array.from({ length: n }, (_, i) => `m${i}`);
  const values = Float64Array.from({ length: n * dims }, (_, k) => {
    const d = Math.floor(k / n);
    const m = k % n;
    if (d === 8) return m === 3 ? 0.5 : Number.NaN;
    return m >= 30 && r() < 0.3 ? Number.NaN : r();
  });
  const labels = models.map((_, m) => (m % 3 === 0 ? 100 + m : m % 4));
  const representatives = new Map([0, 1, 2, 3].map((l) => [l, `m${labels.indexOf(l)}`] as [number, string]));
  const proxy = new Map(models.map((id) => [id, -2 * r()]));
  return { history: { models, datasets: Array.from({ length: dims }, (_, d) => `d${d}`), values }, clustering: { models, labels, representatives }, proxy };
}

describe.each([1, 2, 3])('typed-array recall and priors equal the references (seed %p)', (seed) => {
  const { history, clustering, proxy } = randomCase(seed);

  it('recallScores with proxy scores, singletons included', () => {
    const got = recallScores(history, clustering, { kind: 'scores', scores: proxy });
    const want = referenceRecall(history, clustering, proxy);
    got.forEach((v, m) => expect(v).toBe(want[m]));
    expect(got.filter(Number.isFinite).length).toBeGreaterThan(50);
  });

  it('the history prior and the standardized prior', () => {
    const prior = meanHistory(history);
    modelVectors(history).forEach((v, m) => expect(prior[m]).toBe(mean(v)));
    const got = standardizedPrior(history);
    referenceStandardizedPrior(history).forEach((v, m) => expect(got[m]).toBe(v));
    expect(Number.isNaN(zScores(history)[8 * 60 + 3] ?? 0)).toBe(true);
  });
});
