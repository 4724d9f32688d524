/**
 * Architectures and pre-training of the demo hub's models. Every initialiser is seeded and
 * the data order comes from our PRNG, so a build repeats exactly on the same backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelCard } from '../contracts/schemas/training';
import type { DemoArch, DemoModelSpec } from './spec';
import { LABEL_MAP, SIDE, type TaskSamples } from './mnist-tasks';
import type { Tf } from '../hub/model-io';
import { mixSeed, permutation } from '../hub/rng';
import { Adam } from '../training/adam';

const INPUT_SHAPE = [SIDE, SIDE, 1];

/** A fresh model for `arch` with `classes` softmax outputs; layer names are stable. */
export function buildDemoModel(tf: Tf, arch: DemoArch, classes: number, seed: number): tfjs.Sequential {
  const init = (i: number): ReturnType<Tf['initializers']['glorotUniform']> => tf.initializers.glorotUniform({ seed: mixSeed(seed, i) });
  const layers: tfjs.layers.Layer[] = [];
  if (arch.kind === 'cnn') {
    arch.filters.forEach((filters, i) => {
      layers.push(
        tf.layers.conv2d({
          filters,
          kernelSize: 3,
          activation: 'relu',
          name: `conv_${i + 1}`,
          kernelInitializer: init(i),
          ...(i === 0 ? { inputShape: INPUT_SHAPE } : {}),
        }),
      );
      layers.push(tf.layers.maxPooling2d({ poolSize: 2, name: `pool_${i + 1}` }));
    });
    layers.push(tf.layers.flatten({ name: 'flatten' }));
    layers.push(tf.layers.dense({ units: arch.dense, activation: 'relu', name: 'features', kernelInitializer: init(50) }));
  } else {
    layers.push(tf.layers.flatten({ name: 'flatten', inputShape: INPUT_SHAPE }));
    arch.hidden.forEach((units, i) => {
      layers.push(tf.layers.dense({ units, activation: 'relu', name: `hidden_${i + 1}`, kernelInitializer: init(i) }));
    });
  }
  layers.push(tf.layers.dense({ units: classes, activation: 'softmax', name: 'output', kernelInitializer: init(99) }));
  return tf.sequential({ layers });
}

/** The hub card of a demo model. */
export function demoCard(spec: DemoModelSpec, sourceAccuracy: number): ModelCard {
  const arch = spec.arch.kind === 'cnn' ? `conv ${spec.arch.filters.join('→')} + dense ${spec.arch.dense}` : `dense ${spec.arch.hidden.join('→')}`;
  const frozen = spec.arch.kind === 'cnn' && spec.arch.freezeConv ? spec.arch.filters.map((_, i) => `conv_${i + 1}`) : [];
  return {
    id: spec.id,
    family: spec.arch.kind,
    description: `${arch}; pre-trained on ${spec.transform} MNIST ${spec.labels} (held-out source accuracy ${sourceAccuracy.toFixed(3)})`,
    input: { shape: INPUT_SHAPE, dtype: 'float32', range: [0, 1] },
    sourceTask: { name: `mnist-${spec.transform}-${spec.labels}`, description: `14×14 MNIST digits, ${spec.transform} transform, ${spec.labels} labels` },
    labels: [...LABEL_MAP[spec.labels].classes],
    output: 'softmax',
    frozenLayers: frozen,
  };
}

export interface PretrainOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly seed: number;
}

/** Train all layers with cross-entropy on the softmax output; mutates `model`. */
export async function pretrain(tf: Tf, model: tfjs.LayersModel, data: TaskSamples, classes: number, o: PretrainOptions): Promise<void> {
  const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const adam = new Adam(tf, vars, { learningRate: o.learningRate });
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = permutation(data.n, mixSeed(o.seed, epoch));
      for (let start = 0; start < data.n; start += o.batchSize) {
        const idx = order.subarray(start, Math.min(start + o.batchSize, data.n));
        tf.tidy(() => {
          const x = new Float32Array(idx.length * SIDE * SIDE);
          const y = new Int32Array(idx.length);
          idx.forEach((row, i) => {
            x.set(data.x.subarray(row * SIDE * SIDE, (row + 1) * SIDE * SIDE), i * SIDE * SIDE);
            y[i] = data.y[row] as number;
          });
          const xs = tf.tensor(x, [idx.length, ...INPUT_SHAPE]);
          const ys = tf.oneHot(tf.tensor1d(y, 'int32'), classes);
          const { grads } = tf.variableGrads(
            () => tf.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tfjs.Tensor).mean() as tfjs.Scalar,
            vars,
          );
          adam.apply(vars.map((v) => grads[v.name] as tfjs.Tensor));
        });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    adam.dispose();
  }
}

/** Accuracy of `model` on `data`. */
export function accuracy(tf: Tf, model: tfjs.LayersModel, data: TaskSamples): number {
  const predicted = tf.tidy(() => (model.predict(tf.tensor(data.x, [data.n, ...INPUT_SHAPE])) as tfjs.Tensor).argMax(-1).dataSync());
  let correct = 0;
  for (let i = 0; i < data.n; i++) if (predicted[i] === data.y[i]) correct++;
  return correct / data.n;
}
