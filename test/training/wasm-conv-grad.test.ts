import * as tf from '@tensorflow/tfjs';
import { pickBackend } from '../../training/backend';
import { conv2dFilterGradient } from '../../training/wasm-conv-grad';

type Case = [string, [number, number, number, number], [number, number, number, number], number | [number, number], 'valid' | 'same'];

const cases: Case[] = [
  ['1 channel, valid', [2, 6, 6, 1], [3, 3, 1, 4], 1, 'valid'],
  ['stride 2, same', [3, 7, 7, 2], [3, 3, 2, 3], 2, 'same'],
  ['uneven strides and kernel', [2, 7, 8, 3], [5, 3, 3, 2], [2, 1], 'same'],
];

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
}

/** d/dW of Σ (conv(x, W) ⊙ dy): the filter gradient for upstream gradient dy. */
async function filterGradient(backend: string, xs: Case[2], ws: Case[2], strides: Case[3], pad: Case[4]): Promise<Float32Array> {
  await (await pickBackend({ prefer: backend })).tf.ready();
  return tf.tidy(() => {
    const x = tf.tensor4d(
      values(
        xs.reduce((a, b) => a * b, 1),
        1,
      ),
      xs,
    );
    const w = tf.tensor4d(
      values(
        ws.reduce((a, b) => a * b, 1),
        2,
      ),
      ws,
    );
    const y = tf.conv2d(x, w, strides, pad);
    const dy = tf.tensor(values(y.size, 3), y.shape);
    return tf
      .grad((f) =>
        tf
          .conv2d(x, f as tf.Tensor4D, strides, pad)
          .mul(dy)
          .sum(),
      )(w)
      .dataSync() as Float32Array;
  });
}

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(cases)('matches the cpu backend (%s)', async (_name, xs, ws, strides, pad) => {
    const expected = await filterGradient('cpu', xs, ws, strides, pad);
    const actual = await filterGradient('wasm', xs, ws, strides, pad);
    expect(actual).toHaveLength(expected.length);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 4));
  });

  it('computes a hand-checked 1×1 case', () => {
    // x = [1 2; 3 4] (one channel), 2×2 kernel, valid: one output; dW = x · dy.
    const info = tf.backend_util.computeConv2DInfo([1, 2, 2, 1], [2, 2, 1, 1], 1, 1, 'valid');
    expect(Array.from(conv2dFilterGradient([1, 2, 3, 4], [0.5], info))).toEqual([0.5, 1, 1.5, 2]);
  });
});
