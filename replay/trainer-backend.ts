/**
 * Adapts any Trainer to the selection policies' training backend (algorithms/policy.ts):
 * each model is trained on one dataset, resuming from its last checkpoint.
 */
import type { TrainEpochs } from '../algorithms/policy';
import type { CheckpointRef, Trainer } from '../training/trainer';

/**
 * A TrainEpochs that runs `trainer` on `datasetId` with `seed`, one run id per model
 * (`<model>@<dataset>`), passing the previous call's checkpoint as `resume`.
 * Rejects with whatever the trainer throws.
 */
export function trainerBackend(trainer: Trainer, datasetId: string, seed: number): TrainEpochs {
  const checkpoints = new Map<string, CheckpointRef | null>();
  return async (modelId, fromEpoch, toEpoch) => {
    const resume = checkpoints.get(modelId) ?? null;
    const result = await trainer.train({ modelId, datasetId, fromEpoch, toEpoch, resume, seed, runId: `${modelId}@${datasetId}` });
    checkpoints.set(modelId, result.checkpoint);
    return result.curve.map((r) => r.metric);
  };
}
