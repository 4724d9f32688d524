import { placeInNearestCluster } from '../../algorithms/cluster-place';
import type { Clustering, PerformanceMatrix } from '../../algorithms/types';

/** Six datasets (the paper's distance needs more than 5 shared ones); models as columns. */
function matrix(vectors: Record<string, number[]>): PerformanceMatrix {
  const models = Object.keys(vectors);
  const values = new Float64Array(6 * models.length);
  models.forEach((m, j) => (vectors[m] ?? []).forEach((v, d) => { values[d * models.length + j] = v; }));
  return { models, datasets: ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'], values };
}

const clustering: Clustering = {
  models: ['a1', 'a2', 'b1', 'b2'],
  labels: [0, 0, 1, 1],
  representatives: new Map([[0, 'a1'], [1, 'b1']]),
};

describe('placeInNearestCluster', () => {
  const m = matrix({
    a1: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9], a2: [0.88, 0.9, 0.9, 0.9, 0.9, 0.9],
    b1: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], b2: [0.52, 0.5, 0.5, 0.5, 0.5, 0.5],
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
