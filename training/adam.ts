/**
 * Adam (Kingma & Ba 2015) with state that round-trips exactly through a checkpoint.
 * tfjs's own Adam restores its bias-correction powers as β^(t+1) computed afresh, which
 * differs in the last bits from the running product it keeps while training, so a resumed
 * run would drift from an uninterrupted one. Here the step count t is the only scalar state
 * and the corrections are computed from it the same way every time.
 *
 *   m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²
 *   θ ← θ − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../hub/model-io';

export interface AdamOptions {
  /** @default 0.003 */
  learningRate?: number;
  /** @default 0.9 */
  beta1?: number;
  /** @default 0.999 */
  beta2?: number;
  /** @default 1e-7 */
  epsilon?: number;
}

export const ADAM_DEFAULTS: Required<AdamOptions> = { learningRate: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** Plain-array snapshot of the optimiser: step count plus first and second moments per variable. */
export interface AdamState {
  readonly step: number;
  readonly m: Float32Array[];
  readonly v: Float32Array[];
}

export class Adam {
  private readonly o: Required<AdamOptions>;
  private step = 0;
  private readonly m: tfjs.Variable[];
  private readonly v: tfjs.Variable[];

  constructor(
    private readonly tf: Tf,
    private readonly vars: tfjs.Variable[],
    options: AdamOptions = {},
  ) {
    this.o = { ...ADAM_DEFAULTS, ...options };
    const zeros = (x: tfjs.Variable): tfjs.Variable => tf.tidy(() => tf.variable(tf.zerosLike(x), false));
    this.m = vars.map(zeros);
    this.v = vars.map(zeros);
  }

  /** One update from gradients given in the order of the constructor's variables. */
  apply(grads: tfjs.Tensor[]): void {
    const { tf, o } = this;
    this.step += 1;
    const c1 = 1 - Math.pow(o.beta1, this.step);
    const c2 = 1 - Math.pow(o.beta2, this.step);
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[i];
        const m = this.m[i];
        const v = this.v[i];
        if (!g || !m || !v) throw new Error(`Adam: missing gradient or state for variable ${i}`);
        m.assign(m.mul(o.beta1).add(g.mul(1 - o.beta1)));
        v.assign(v.mul(o.beta2).add(g.square().mul(1 - o.beta2)));
        const update = m.div(c1).div(v.div(c2).sqrt().add(o.epsilon)).mul(o.learningRate);
        x.assign(x.sub(update));
      });
    });
  }

  /** Snapshot for a checkpoint. */
  getState(): AdamState {
    return { step: this.step, m: this.m.map((t) => Float32Array.from(t.dataSync())), v: this.v.map((t) => Float32Array.from(t.dataSync())) };
  }

  /** Restore a snapshot taken for the same variables (same count and sizes). */
  setState(state: AdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new Error(`Adam state holds ${state.m.length} moments, the model has ${this.m.length} trainable variables`);
    }
    this.step = state.step;
    const { tf } = this;
    const load = (target: tfjs.Variable, values: Float32Array | undefined): void => {
      if (!values || values.length !== target.size) throw new Error(`Adam state size ${values?.length} does not match variable size ${target.size}`);
      tf.tidy(() => target.assign(tf.tensor(values, target.shape)));
    };
    this.m.forEach((t, i) => load(t, state.m[i]));
    this.v.forEach((t, i) => load(t, state.v[i]));
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
