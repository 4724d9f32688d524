import { ApplicationFailure } from '@temporalio/common';
import { ReplayTrainer, replayCheckpointKey } from '../../replay/replay-trainer';
import { trainerBackend } from '../../replay/trainer-backend';
import type { RunSet } from '../../algorithms/types';
import type { TrainRequest, Trainer } from '../../training/trainer';

const RUNS: RunSet = {
  models: ['m', 'n'],
  datasets: ['d', 'e'],
  runs: [
    { model: 'm', dataset: 'd', val: [0.5, 0.6, 0.7], test: 0.65 },
    { model: 'n', dataset: 'e', val: [0.1], test: null },
  ],
};

function request(over: Partial<TrainRequest> = {}): TrainRequest {
  return { modelId: 'm', datasetId: 'd', fromEpoch: 0, toEpoch: 2, resume: null, seed: 1, runId: 'm@d', ...over };
}

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApplicationFailure) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('ReplayTrainer', () => {
  const trainer = new ReplayTrainer(RUNS);

  it('replays the recorded epochs with zero seconds, a checkpoint per epoch, no test before the end', async () => {
    const seen: string[] = [];
    const r = await trainer.train(request(), { onEpoch: (rec, cp) => void seen.push(`${rec.epoch}:${cp?.key ?? ''}`) });
    expect(r.curve).toEqual([
      { epoch: 1, metric: 0.5, seconds: 0 },
      { epoch: 2, metric: 0.6, seconds: 0 },
    ]);
    expect(r.checkpoint).toEqual({ key: 'replay/m@d/epoch-2', epoch: 2 });
    expect(r.test).toBeNull();
    expect(r.trainer).toBe('replay');
    expect(r.backend).toBe('replay');
    expect(trainer.name).toBe('replay');
    expect(seen).toEqual(['1:replay/m@d/epoch-1', '2:replay/m@d/epoch-2']);
  });

  it('resumes mid-run and reports the recorded test after the last epoch', async () => {
    const r = await trainer.train(request({ fromEpoch: 2, toEpoch: 3, resume: { key: replayCheckpointKey('m', 'd', 2), epoch: 2 } }));
    expect(r.curve).toEqual([{ epoch: 3, metric: 0.7, seconds: 0 }]);
    expect(r.test).toBe(0.65);
  });

  it.each([
    [{ datasetId: 'q' }, 'DatasetNotFound', /no recorded run on dataset q/],
    [{ modelId: 'q' }, 'ModelNotFound', /no recorded run of model q/],
    [{ modelId: 'n' }, 'ModelNotFound', /model n was never run on dataset d/],
    [{ toEpoch: 4 }, 'InvalidInput', /epochs 1..4 of m on d: the record has epochs 1..3/],
    [{ fromEpoch: 2, toEpoch: 2 }, 'InvalidInput', /fromEpoch must be < toEpoch/],
  ])('fails non-retryably for %p', async (over, type, message) => {
    const f = await failure(trainer.train(request(over)));
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(message);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(trainer.train(request(), { signal: controller.signal })).rejects.toThrow('cancelled');
  });
});

describe('trainerBackend', () => {
  it('trains one dataset, resuming each model from its previous checkpoint', async () => {
    const requests: TrainRequest[] = [];
    const inner = new ReplayTrainer(RUNS);
    const spy: Trainer = { name: 'spy', train: (r, h) => (requests.push(r), inner.train(r, h)) };
    const train = trainerBackend(spy, 'd', 7);
    expect(await train('m', 0, 1)).toEqual([0.5]);
    expect(await train('m', 1, 3)).toEqual([0.6, 0.7]);
    expect(requests.map((r) => [r.fromEpoch, r.toEpoch, r.resume?.key ?? null, r.seed, r.runId])).toEqual([
      [0, 1, null, 7, 'm@d'],
      [1, 3, 'replay/m@d/epoch-1', 7, 'm@d'],
    ]);
  });

  it('passes the trainer failure through', async () => {
    await expect(trainerBackend(new ReplayTrainer(RUNS), 'd', 1)('n', 0, 1)).rejects.toThrow(/never run on dataset d/);
  });
});
