import { clusterKMeans, kmeans, kmeans1d, nearestCenter, normalizedVectors, silhouette } from '../../algorithms/kmeans';
import type { PerformanceMatrix } from '../../algorithms/types';
import { mulberry32 } from '../../algorithms/random';
import { mean } from '../../algorithms/stats';

/** The original per-point silhouette (one distance list per cluster and point), kept as the reference. */
function referenceSilhouette(points: number[][], labels: number[]): number {
  if (new Set(labels).size < 2) return Number.NaN;
  const dist = (p: number[], q: number[]): number => Math.sqrt(p.reduce((s, v, i) => s + (v - (q[i] ?? 0)) ** 2, 0));
  return mean(
    points.map((p, i) => {
      const byLabel = new Map<number, number[]>();
      points.forEach((q, j) => {
        if (j !== i) byLabel.set(labels[j] ?? -1, [...(byLabel.get(labels[j] ?? -1) ?? []), dist(p, q)]);
      });
      const a = byLabel.get(labels[i] ?? -1);
      if (a === undefined) return 0;
      const own = mean(a);
      const nearest = Math.min(...[...byLabel].filter(([l]) => l !== labels[i]).map(([, d]) => mean(d)));
      return nearest === own ? 0 : (nearest - own) / Math.max(nearest, own);
    }),
  );
}

const POINTS = [[0], [0.1], [10], [10.1]];

describe('kmeans', () => {
  it('separates two obvious groups with exact centroids and inertia', () => {
    const r = kmeans(POINTS, 2, { seed: 7 });
    expect(r.labels[0]).toBe(r.labels[1]);
    expect(r.labels[2]).toBe(r.labels[3]);
    expect(r.labels[0]).not.toBe(r.labels[2]);
    const centres = r.centroids.map((c) => c[0] ?? Number.NaN).sort((a, b) => a - b);
    expect(centres[0]).toBeCloseTo(0.05, 12);
    expect(centres[1]).toBeCloseTo(10.05, 12);
    expect(r.inertia).toBeCloseTo(0.01, 12);
  });

  it('is deterministic for a seed', () => {
    const pts = [
      [0.1, 0.3],
      [0.2, 0.1],
      [0.9, 0.8],
      [0.5, 0.5],
      [0.4, 0.45],
      [0.95, 0.9],
    ];
    expect(kmeans(pts, 3, { seed: 3 })).toEqual(kmeans(pts, 3, { seed: 3 }));
  });

  it.each([
    [0, /k is 0, but must be an integer >= 1/],
    [1.5, /k is 1.5, but must be an integer >= 1/],
    [5, /k is 5, but must be <= the number of points \(4\)/],
  ])('rejects k = %p', (k, message) => {
    expect(() => kmeans(POINTS, k)).toThrow(message);
  });

  it('rejects missing values and zero restarts', () => {
    expect(() => kmeans([[0], [Number.NaN]], 1)).toThrow(/points must be finite/);
    expect(() => kmeans(POINTS, 2, { restarts: 0 })).toThrow(/restarts is 0, but must be >= 1/);
  });
});

describe('silhouette', () => {
  it('matches a hand computation', () => {
    // a = 1 for every point; b = 10.5, 9.5, 9.5, 10.5
    const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
    expect(silhouette([[0], [1], [10], [11]], [0, 0, 1, 1])).toBeCloseTo(expected, 12);
  });

  it('scores a point alone in its cluster 0', () => {
    // p0: a 1, b 5 -> 0.8; p1: a 1, b 4 -> 0.75; p2 alone -> 0
    expect(silhouette([[0], [1], [5]], [0, 0, 1])).toBeCloseTo((0.8 + 0.75) / 3, 12);
  });

  it.each([1, 2, 3])('gives exactly the values of the per-point reference (seed %p, singletons and labels out of order)', (seed) => {
    const r = mulberry32(seed);
    const points = Array.from({ length: 60 }, () => [r(), r() * 3, r()]);
    const labels = points.map((_, i) => (i === 7 ? 40 : ([5, -1, 2, 9][Math.floor(r() * 4)] ?? 0)));
    expect(silhouette(points, labels)).toBe(referenceSilhouette(points, labels));
    expect(silhouette(points, labels)).not.toBeNaN();
  });

  it('is NaN for a single cluster', () => {
    expect(silhouette([[0], [1]], [0, 0])).toBeNaN();
  });
});

describe('kmeans1d and nearestCenter', () => {
  it('lowers k to the number of distinct values', () => {
    const r = kmeans1d([1, 1, 1, 5], 3, { seed: 1 });
    expect([...r.centers].sort((a, b) => a - b)).toEqual([1, 5]);
    expect(r.labels[0]).toBe(r.labels[2]);
    expect(r.labels[3]).not.toBe(r.labels[0]);
    expect(r.inertia).toBe(0);
  });

  it('rejects k < 1', () => {
    expect(() => kmeans1d([1, 2], 0)).toThrow(/k is 0, but must be an integer >= 1/);
  });

  it('nearestCenter takes the first centre on a tie', () => {
    expect(nearestCenter([0.2, 0.8], 0.5)).toBe(0);
    expect(nearestCenter([0.2, 0.8], 0.6)).toBe(1);
  });
});

function matrix(models: string[], rows: number[][]): PerformanceMatrix {
  return { models, datasets: rows.map((_, d) => `d${d}`), values: Float64Array.from(rows.flat()) };
}

describe('normalizedVectors', () => {
  it('scales each dataset to [0, 1] and fills a gap with the dataset mean', () => {
    const m = matrix(
      ['a', 'b', 'c'],
      [
        [0.2, 0.4, 0.6],
        [0.5, Number.NaN, 0.9],
        [0.3, 0.3, 0.3],
      ],
    );
    const v = normalizedVectors(m);
    expect(v[0]).toEqual([0, 0, 0.5]);
    expect(v[1]?.[0]).toBeCloseTo(0.5, 12);
    expect(v[1]?.[1]).toBeCloseTo(0.5, 12);
    expect(v[2]).toEqual([1, 1, 0.5]);
  });
});

describe('clusterKMeans', () => {
  // a, b, c score high everywhere; d, e, f low; within a group the mean differs slightly
  const m = matrix(
    ['a', 'b', 'c', 'd', 'e', 'f'],
    [
      [0.9, 0.91, 0.92, 0.3, 0.31, 0.32],
      [0.8, 0.81, 0.79, 0.2, 0.22, 0.21],
      [0.85, 0.86, 0.84, 0.1, 0.12, 0.11],
    ],
  );

  it('finds the two groups by silhouette and picks the best mean as representative', () => {
    const c = clusterKMeans(m, { seed: 5 });
    expect(c.labels.slice(0, 3).every((l) => l === c.labels[0])).toBe(true);
    expect(c.labels.slice(3).every((l) => l === c.labels[3])).toBe(true);
    expect(c.labels[0]).not.toBe(c.labels[3]);
    expect(c.representatives.get(c.labels[0] ?? -1)).toBe('b');
    expect(c.representatives.get(c.labels[3] ?? -1)).toBe('e');
    expect(clusterKMeans(m, { seed: 5 })).toEqual(c);
  });

  it('rejects too few models and bad k bounds', () => {
    expect(() => clusterKMeans(matrix(['a', 'b'], [[0.1, 0.2]]))).toThrow(/2 models, but k-means clustering needs >= 3/);
    expect(() => clusterKMeans(m, { minK: 1 })).toThrow(/minK is 1, but must be an integer >= 2/);
    expect(() => clusterKMeans(m, { minK: 4, maxK: 3 })).toThrow(/maxK is 3, but must be >= minK \(4\)/);
  });
});
