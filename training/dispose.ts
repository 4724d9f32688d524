/**
 * Frees the weights of models that share layers (a hub model and the head model built on
 * its trunk). Layer reference counts differ between Sequential and functional models, so
 * disposing one model may or may not free the shared trunk; instead every distinct weight
 * variable is released exactly once.
 */
import type * as tfjs from '@tensorflow/tfjs';

export function disposeModels(...models: tfjs.LayersModel[]): void {
  const variables = new Set<tfjs.Tensor>();
  for (const model of models) {
    for (const w of model.weights) {
      try {
        variables.add(w.read());
      } catch {
        // Already disposed through another model.
      }
    }
  }
  for (const v of variables) if (!v.isDisposed) v.dispose();
}
