/** The demo-hub tests' fixtures: synthetic digit images and a tiny demo spec around them. */
import { DEMO_SPEC, type DemoSpec } from '../../demo/spec';
import { type DigitImages, PIXELS } from '../../demo/mnist-tasks';
import { mulberry32 } from '../../hub/rng';

/** Synthetic "digits": digit d lights row d (and a little seeded noise); 30 images each. */
export const fakeImages: DigitImages = {
  count: () => 30,
  image(digit, index) {
    const r = mulberry32(digit * 1000 + index);
    return Float32Array.from({ length: PIXELS }, (_, p) => (Math.floor(p / 14) === digit + 2 ? 0.9 : 0.1 * r()));
  },
};

/** DEMO_SPEC shrunk to seconds of work (15 pre-training and 15 downstream images per digit, 1 pre-training epoch), with these models and datasets. */
export function makeTinySpec(models: DemoSpec['models'], datasets: DemoSpec['datasets']): DemoSpec {
  return {
    ...DEMO_SPEC,
    pretrainPool: [0, 15],
    downstreamPool: [15, 30],
    pretrain: { holdout: 20, samples: 60, epochs: 1, learningRate: 0.01, batchSize: 16 },
    splits: { train: 30, val: 20, test: 20 },
    models,
    datasets,
  };
}
