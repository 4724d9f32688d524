import { agglomerate, bestMember, clusterPaper, paperDistance, paperDistanceMatrix, toClustering } from '../../algorithms/cluster-paper';
import type { Clustering, PerformanceMatrix } from '../../algorithms/types';
import { selectDatasets } from '../../algorithms/matrix';
import { mulberry32 } from '../../algorithms/random';
import { loadAnchors } from '../../replay/load';
import { naiveAgglomerate, naiveClusterPaper } from '../helpers/naive-cluster-paper';
import { ANCHORS_DIR, describePublished } from '../replay/anchors';

const A = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
const B = [0.8, 0.8, 0.5, 0.6, 0.2, 0.3];

describe('paperDistance', () => {
  it('averages the 5 largest absolute differences', () => {
    // |diffs| = 0.1, 0, 0.2, 0, 0.3, 0.1 -> top 5 = 0.3 0.2 0.1 0.1 0 -> 0.7 / 5
    expect(paperDistance(A, B)).toBeCloseTo(0.14, 12);
    expect(paperDistance(B, A)).toBeCloseTo(0.14, 12);
  });

  it('uses only datasets where both scores are > 0', () => {
    expect(paperDistance([...A, 0.9, -0.1], [...B, Number.NaN, 0.5])).toBeCloseTo(0.14, 12);
    expect(paperDistance([...A, 0.9], [...B, 0])).toBeCloseTo(0.14, 12);
  });

  it('is +Infinity with 5 or fewer shared datasets', () => {
    expect(paperDistance(A.slice(0, 5), B.slice(0, 5))).toBe(Number.POSITIVE_INFINITY);
    expect(paperDistance(A, [...B.slice(0, 5), Number.NaN])).toBe(Number.POSITIVE_INFINITY);
  });

  it('honours topDifferences and rejects a bad one', () => {
    expect(paperDistance(A, B, 2)).toBeCloseTo(0.25, 12);
    expect(() => paperDistance(A, B, 0)).toThrow(/topDifferences is 0, but must be an integer >= 1/);
  });

  it('paperDistanceMatrix is symmetric with a zero diagonal', () => {
    const d = paperDistanceMatrix([A, B]);
    expect(d[0]?.[0]).toBe(0);
    expect(d[0]?.[1]).toBeCloseTo(0.14, 12);
    expect(d[1]?.[0]).toBeCloseTo(0.14, 12);
  });
});

describe('agglomerate (average linkage)', () => {
  const D3 = [
    [0, 0.02, 0.1],
    [0.02, 0, 0.06],
    [0.1, 0.06, 0],
  ];

  it('merges while the average linkage is within the threshold', () => {
    // after {0,1}: link to 2 = (0.1 + 0.06) / 2 = 0.08
    expect(agglomerate(D3, 0.09)).toEqual([[0, 1, 2]]);
    expect(agglomerate(D3, 0.07)).toEqual([[0, 1], [2]]);
    expect(agglomerate(D3, 0.01)).toEqual([[0], [1], [2]]);
  });

  it('merges the first closest pair on a tie and keeps the merged cluster in the first place', () => {
    const inf = Number.POSITIVE_INFINITY;
    const tie = [
      [0, 0.05, inf, inf],
      [0.05, 0, inf, inf],
      [inf, inf, 0, 0.05],
      [inf, inf, 0.05, 0],
    ];
    expect(agglomerate(tie, 0.09)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const middle = [
      [0, 0.5, 0.5],
      [0.5, 0, 0.01],
      [0.5, 0.01, 0],
    ];
    expect(agglomerate(middle, 0.09)).toEqual([[0], [1, 2]]);
  });

  it('never merges across an infinite distance and rejects a non-finite threshold', () => {
    expect(
      agglomerate(
        [
          [0, Number.POSITIVE_INFINITY],
          [Number.POSITIVE_INFINITY, 0],
        ],
        1e9,
      ),
    ).toEqual([[0], [1]]);
    expect(() => agglomerate(D3, Number.NaN)).toThrow(/threshold is NaN, but must be a finite number/);
  });
});

describe('representatives', () => {
  it('bestMember takes the highest score, the first on a tie, a number over NaN', () => {
    expect(bestMember([0, 1, 2], [0.5, 0.7, 0.7])).toBe(1);
    expect(bestMember([0, 1], [Number.NaN, 0.1])).toBe(1);
  });

  it('toClustering labels by list position and gives only multi-model clusters a representative', () => {
    const c = toClustering(['a', 'b', 'c'], [[2, 0], [1]], [0.9, 0.5, 0.4]);
    expect(c.labels).toEqual([0, 1, 0]);
    expect([...c.representatives]).toEqual([[0, 'a']]);
  });
});

describe('clusterPaper', () => {
  // 6 datasets; a and b differ by 0.02 everywhere, c differs from both by 0.3.
  const cols = {
    a: [0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
    b: [0.82, 0.72, 0.62, 0.52, 0.42, 0.32],
    c: [0.5, 0.4, 0.3, 0.2, 0.1, 0.6],
  };
  const models = Object.keys(cols) as (keyof typeof cols)[];
  const values = Float64Array.from({ length: 18 }, (_, i) => cols[models[i % 3] ?? 'a'][Math.floor(i / 3)] ?? Number.NaN);
  const matrix: PerformanceMatrix = { models, datasets: ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'], values };

  it('clusters a and b, leaves c alone, and picks the member with the best mean as representative', () => {
    const c = clusterPaper(matrix);
    expect(c.models).toEqual(['a', 'b', 'c']);
    expect(c.labels).toEqual([0, 0, 1]);
    expect([...c.representatives]).toEqual([[0, 'b']]);
  });

  it('keeps everyone apart with a threshold below their distance (0.02)', () => {
    expect(clusterPaper(matrix, { threshold: 0.019 }).labels).toEqual([0, 1, 2]);
    expect(clusterPaper(matrix, { threshold: 0.019 }).representatives.size).toBe(0);
  });
});

/** n models drawn around `families` profiles over `dims` datasets, continuous scores, a share missing. */
function familyMatrix(n: number, dims: number, families: number, seed: number, missing: number): PerformanceMatrix {
  const r = mulberry32(seed);
  const profiles = Array.from({ length: families }, () => Array.from({ length: dims }, () => 0.3 + 0.6 * r()));
  const values = new Float64Array(n * dims);
  for (let m = 0; m < n; m += 1) {
    const p = profiles[Math.floor(r() * families)] ?? [];
    for (let d = 0; d < dims; d += 1) values[d * n + m] = r() < missing ? Number.NaN : (p[d] ?? 0) + (r() - 0.5) * 0.12;
  }
  return { models: Array.from({ length: n }, (_, i) => `m${i}`), datasets: Array.from({ length: dims }, (_, d) => `d${d}`), values };
}

const summary = (c: Clustering): unknown => ({ labels: c.labels, representatives: [...c.representatives] });

describe('the O(n²) agglomeration makes the decisions of the original O(n³) loop', () => {
  it.each([1, 2, 3, 4, 5, 6])('on continuous synthetic scores (seed %p), at several thresholds', (seed) => {
    const m = familyMatrix(40 + 7 * seed, 8 + seed, 2 + seed, seed, 0.1);
    for (const threshold of [0.03, 0.06, 0.09, 0.15, 0.3]) {
      expect(summary(clusterPaper(m, { threshold }))).toEqual(summary(naiveClusterPaper(m, threshold)));
    }
  });

  it('breaks exact ties the same way when sums are exact (integer distances with many ties)', () => {
    const r = mulberry32(99);
    for (let trial = 0; trial < 20; trial += 1) {
      const n = 12 + trial;
      const d = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < n; i += 1) {
        for (let j = i + 1; j < n; j += 1) {
          const v = r() < 0.1 ? Number.POSITIVE_INFINITY : 1 + Math.floor(r() * 6);
          (d[i] ?? [])[j] = v;
          (d[j] ?? [])[i] = v;
        }
      }
      for (const threshold of [1, 2, 3, 4]) expect(agglomerate(d, threshold)).toEqual(naiveAgglomerate(d, threshold));
    }
  });
});

describePublished('the paper clustering of the recorded NLP history matrix (16 clusters at 0.09), unchanged by the O(n²) merge loop', () => {
  it('gives exactly the clusters and representatives of the original loop, on the matrix and every leave-one-dataset-out sub-matrix', async () => {
    const { history } = await loadAnchors(ANCHORS_DIR);
    for (const threshold of [0.05, 0.09, 0.15]) expect(summary(clusterPaper(history, { threshold }))).toEqual(summary(naiveClusterPaper(history, threshold)));
    for (const left of history.datasets) {
      const sub = selectDatasets(history, (d) => d !== left);
      expect(summary(clusterPaper(sub))).toEqual(summary(naiveClusterPaper(sub)));
    }
    expect(new Set(clusterPaper(history).labels).size).toBe(16);
  });
});
