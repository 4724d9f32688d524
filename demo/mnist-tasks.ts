/**
 * Tasks derived from the MNIST digits that the `mnist` package ships (about 1,000 28×28
 * images per digit): images are averaged down to 14×14, then an input transform (rotation by
 * 90° or 180°, transposition, a shift by 2 pixels, inversion, mirroring, blur, noise) and a label
 * map define a task: classification (all digits, a digit subset, parity, > 4, the digit mod 3,
 * digits drawn with a closed loop) or regression (`value`: the digit's value 0-9 as a
 * number, scored by RMSE, lower is better). Sampling is seeded and never uses the
 * package's own (unseeded) shuffling.
 */
import { createRequire } from 'node:module';
import { gaussian, mulberry32, shuffleInPlace } from '../hub/rng';

export const SIDE = 14;
export const PIXELS = SIDE * SIDE;

export const TRANSFORMS = ['identity', 'rot90', 'invert', 'flip', 'blur', 'noise', 'rot180', 'transpose', 'shift'] as const;
export type TransformName = (typeof TRANSFORMS)[number];

export const LABEL_MAPS = ['digits', 'low', 'high', 'parity', 'gt4', 'mod3', 'loops', 'value'] as const;
export type LabelMapName = (typeof LABEL_MAPS)[number];
/** Label maps a model can be pre-trained on (classification only). */
export type ClassLabelMapName = Exclude<LabelMapName, 'value'>;

interface LabelMap {
  /** `regression`: `of` gives the target value and there are no classes. */
  readonly task: 'classification' | 'regression';
  readonly classes: readonly string[];
  /** Class (or regression target) of a digit, or null when the digit is not part of the task. */
  readonly of: (digit: number) => number | null;
}

export const LABEL_MAP: Record<LabelMapName, LabelMap> = {
  digits: { task: 'classification', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], of: (d) => d },
  low: { task: 'classification', classes: ['0', '1', '2', '3', '4'], of: (d) => (d < 5 ? d : null) },
  high: { task: 'classification', classes: ['5', '6', '7', '8', '9'], of: (d) => (d >= 5 ? d - 5 : null) },
  parity: { task: 'classification', classes: ['even', 'odd'], of: (d) => d % 2 },
  gt4: { task: 'classification', classes: ['0-4', '5-9'], of: (d) => (d > 4 ? 1 : 0) },
  mod3: { task: 'classification', classes: ['0', '1', '2'], of: (d) => d % 3 },
  loops: { task: 'classification', classes: ['open', 'closed'], of: (d) => ([0, 4, 6, 8, 9].includes(d) ? 1 : 0) },
  value: { task: 'regression', classes: [], of: (d) => d },
};

/** Apply a transform to one 14×14 image; `random` feeds the noise transform only. */
export function transform(name: TransformName, img: Float32Array, random: () => number): Float32Array {
  const out = new Float32Array(PIXELS);
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const v = img[r * SIDE + c] as number;
      switch (name) {
        case 'identity':
          out[r * SIDE + c] = v;
          break;
        case 'rot90':
          out[c * SIDE + (SIDE - 1 - r)] = v;
          break;
        case 'invert':
          out[r * SIDE + c] = 1 - v;
          break;
        case 'flip':
          out[r * SIDE + (SIDE - 1 - c)] = v;
          break;
        case 'blur':
          out[r * SIDE + c] = blockMean(img, r - (r % 2), c - (c % 2));
          break;
        case 'noise':
          out[r * SIDE + c] = Math.min(1, Math.max(0, v + 0.4 * gaussian(random)));
          break;
        case 'rot180':
          out[(SIDE - 1 - r) * SIDE + (SIDE - 1 - c)] = v;
          break;
        case 'transpose':
          out[c * SIDE + r] = v;
          break;
        case 'shift':
          if (r + 2 < SIDE && c + 2 < SIDE) out[(r + 2) * SIDE + (c + 2)] = v;
          break;
      }
    }
  }
  return out;
}

function blockMean(img: Float32Array, r: number, c: number): number {
  const at = (i: number, j: number): number => img[i * SIDE + j] as number;
  return (at(r, c) + at(r, c + 1) + at(r + 1, c) + at(r + 1, c + 1)) / 4;
}

/** Source of 14×14 digit images: `image(digit, index)`. */
export interface DigitImages {
  count(digit: number): number;
  image(digit: number, index: number): Float32Array;
}

interface MnistDigit {
  length: number;
  get(index: number): number[];
}

/** Images from the `mnist` package, averaged 2×2 down to 14×14 and cached. */
export function mnistImages(): DigitImages {
  // The package has no type declarations; it is plain CommonJS holding the digit arrays.
  const mnist = createRequire(__filename)('mnist') as MnistDigit[];
  const cache = new Map<number, Float32Array>();
  return {
    count: (digit) => mnist[digit]?.length ?? 0,
    image(digit, index) {
      const key = digit * 100_000 + index;
      let img = cache.get(key);
      if (!img) {
        img = downsample((mnist[digit] as MnistDigit).get(index));
        cache.set(key, img);
      }
      return img;
    },
  };
}

function downsample(raw: number[]): Float32Array {
  const out = new Float32Array(PIXELS);
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const at = (i: number, j: number): number => raw[(2 * r + i) * 28 + 2 * c + j] ?? 0;
      out[r * SIDE + c] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
    }
  }
  return out;
}

export interface TaskSpec {
  readonly transform: TransformName;
  readonly labels: LabelMapName;
  /** Per-digit image index range [from, to) this task may draw from. */
  readonly pool: readonly [number, number];
  readonly seed: number;
}

export interface TaskSamples {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
}

/**
 * The first `sizes[0]`, next `sizes[1]`, ... samples of the task's pool in seeded order,
 * transformed and labelled: disjoint splits. Fewer rows when the pool runs out.
 */
export function sampleTask(images: DigitImages, spec: TaskSpec, sizes: readonly number[]): TaskSamples[] {
  const map = LABEL_MAP[spec.labels];
  const items: [number, number, number][] = [];
  for (let d = 0; d < 10; d++) {
    const label = map.of(d);
    if (label === null) continue;
    for (let i = spec.pool[0]; i < Math.min(spec.pool[1], images.count(d)); i++) items.push([d, i, label]);
  }
  const random = mulberry32(spec.seed);
  shuffleInPlace(items, random);
  let offset = 0;
  return sizes.map((size) => {
    const part = items.slice(offset, offset + size);
    offset += part.length;
    const x = new Float32Array(part.length * PIXELS);
    const y = new Int32Array(part.length);
    part.forEach(([d, i, label], k) => {
      x.set(transform(spec.transform, images.image(d, i), random), k * PIXELS);
      y[k] = label;
    });
    return { x, y, n: part.length };
  });
}
