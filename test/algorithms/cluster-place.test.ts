import { nearestRepresentative, placeInNearestCluster, representativeVectors } from '../../algorithms/cluster-place';
import type { Clustering, PerformanceMatrix } from '../../algorithms/types';

/** Six datasets (the paper's distance needs more than 5 shared ones); models as columns. */
function matrix(vectors: Record<string, number[]>): PerformanceMatrix {
  const models = Object.keys(vectors);
  const values = new Float64Array(6 * models.length);
  models.forEach((m, j) =>
    (vectors[m] ?? []).forEach((v, d) => {
      values[d * models.length + j] = v;
    }),
  );
  return { models, datasets: ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'], values };
}

const clustering: Clustering = {
  models: ['a1', 'a2', 'b1', 'b2'],
  labels: [0, 0, 1, 1],
  representatives: new Map([
    [0, 'a1'],
    [1, 'b1'],
  ]),
};

describe('placeInNearestCluster', () => {
  const m = matrix({
    a1: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    a2: [0.88, 0.9, 0.9, 0.9, 0.9, 0.9],
    b1: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    b2: [0.52, 0.5, 0.5, 0.5, 0.5, 0.5],
    // Near a1: the 5 largest of |diffs| = 0.05, 0.05, 0.05, 0.05, 0.05 -> 0.05.
    nearA: [0.85, 0.85, 0.85, 0.85, 0.85, 0.95],
    // Far from both: 0.18 from a1, 0.22 from b1.
    far: [0.72, 0.72, 0.72, 0.72, 0.72, 0.72],
  });

  it('puts a new model in the cluster of its nearest representative, within the threshold', () => {
    const r = placeInNearestCluster(clustering, m);
    expect(r.placements[0]).toEqual({ model: 'nearA', label: 0, distance: expect.closeTo(0.05, 12) });
    expect(r.clustering.models).toEqual(['a1', 'a2', 'b1', 'b2', 'nearA', 'far']);
    expect(r.clustering.labels).toEqual([0, 0, 1, 1, 0, 2]);
    expect(r.clustering.representatives).toBe(clustering.representatives);
  });

  it('makes a singleton of a model farther than the threshold from every representative', () => {
    expect(placeInNearestCluster(clustering, m).placements[1]).toEqual({ model: 'far', label: 2, distance: Infinity });
    expect(placeInNearestCluster(clustering, m, { threshold: 0.25 }).placements[1]?.label).toBe(0);
  });

  it('leaves a clustering alone when no model is new, and rejects a bad threshold', () => {
    const only = matrix({ a1: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9], b1: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5] });
    expect(placeInNearestCluster(clustering, only).placements).toEqual([]);
    expect(() => placeInNearestCluster(clustering, m, { threshold: 0 })).toThrow('threshold is 0, but must be > 0');
  });
});

describe('nearestRepresentative', () => {
  const reps = [
    { label: 0, vector: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9] },
    { label: 3, vector: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5] },
    { label: 4, vector: [0.7, 0.7, 0.7, 0.7, 0.7, 0.7] },
  ];

  it('takes the representative at the smallest paper distance, the earlier one on a tie', () => {
    expect(nearestRepresentative([0.52, 0.5, 0.5, 0.5, 0.5, 0.5], reps)).toEqual({ label: 3, distance: expect.closeTo(0.004, 12) });
    const exact = [0.75, 0.25].map((v, i) => ({ label: [2, 1][i] ?? 0, vector: [v, v, v, v, v, v] }));
    expect(nearestRepresentative([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], exact)).toEqual({ label: 2, distance: 0.25 });
    expect(nearestRepresentative([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [...exact].reverse())).toEqual({ label: 1, distance: 0.25 });
  });

  it('is label -1 at Infinity when no representative shares more than 5 datasets', () => {
    expect(nearestRepresentative([0.5, 0.5, 0.5, 0.5, 0.5, Number.NaN], reps)).toEqual({ label: -1, distance: Infinity });
    expect(nearestRepresentative([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [])).toEqual({ label: -1, distance: Infinity });
  });

  it('representativeVectors lists the representatives by label with their history vectors', () => {
    const m = matrix({ b1: [0.5, 0.5, 0.5, 0.5, 0.5, 0.4], a1: [0.9, 0.9, 0.9, 0.9, 0.9, 0.8], x: [0, 0, 0, 0, 0, 0] });
    expect(representativeVectors(clustering, m)).toEqual([
      { label: 0, vector: [0.9, 0.9, 0.9, 0.9, 0.9, 0.8] },
      { label: 1, vector: [0.5, 0.5, 0.5, 0.5, 0.5, 0.4] },
    ]);
  });
});
