import { type Backend, pickBackend } from '../../training/backend';
import { TfjsTrainer } from '../../training/tfjs-trainer';
import { transferSummary, type TransferTable } from '../../training/transfer';
import { makeTempDirs, removeDirs, type TinyDirs, writeTinyModel, writeTinyRegression } from '../hub/tiny-hub';

let dirs: TinyDirs;
let cpu: Backend;

beforeAll(async () => {
  cpu = await pickBackend({ prefer: 'cpu' });
});
beforeEach(async () => {
  dirs = await makeTempDirs();
  await writeTinyModel(dirs.hubDir, 'tiny');
  await writeTinyRegression(dirs.datasetsDir, 'linear');
});
afterEach(async () => {
  await removeDirs(dirs);
});

describe('TfjsTrainer on a regression dataset', () => {
  it('fine-tunes a one-output linear head with MSE and reports a decreasing validation RMSE and a test RMSE', async () => {
    const trainer = new TfjsTrainer({ backend: cpu, ...dirs, options: { learningRate: 0.05, batchSize: 8 } });
    const r = await trainer.train({ modelId: 'tiny', datasetId: 'linear', fromEpoch: 0, toEpoch: 6, resume: null, seed: 3, runId: 'reg' });
    const rmse = r.curve.map((e) => e.metric);
    expect(rmse).toHaveLength(6);
    rmse.forEach((v) => expect(v).toBeGreaterThan(0));
    // the target's spread is about sqrt(5) = 2.2; a fitted head does far better
    expect(rmse[5]).toBeLessThan(0.6 * (rmse[0] ?? 0));
    expect(r.test).not.toBeNull();
    expect(Math.abs((r.test ?? 0) - (rmse[5] ?? 0))).toBeLessThan(0.5 * (rmse[5] ?? 0) + 0.2);
  });

  it('resumes a regression run exactly from its checkpoint', async () => {
    const trainer = new TfjsTrainer({ backend: cpu, ...dirs, options: { learningRate: 0.05, batchSize: 8 } });
    const full = await trainer.train({ modelId: 'tiny', datasetId: 'linear', fromEpoch: 0, toEpoch: 2, resume: null, seed: 3, runId: 'full' });
    const first = await trainer.train({ modelId: 'tiny', datasetId: 'linear', fromEpoch: 0, toEpoch: 1, resume: null, seed: 3, runId: 'part' });
    const rest = await trainer.train({ modelId: 'tiny', datasetId: 'linear', fromEpoch: 1, toEpoch: 2, resume: first.checkpoint, seed: 3, runId: 'part' });
    expect([...first.curve, ...rest.curve].map((e) => e.metric)).toEqual(full.curve.map((e) => e.metric));
  });
});

describe('transferSummary', () => {
  it('takes the lowest RMSE as best on a minimized dataset and the highest accuracy on a maximized one', () => {
    const t: TransferTable = {
      models: ['a', 'b', 'c'],
      datasets: ['acc', 'reg'],
      epochs: 1,
      backend: 'cpu',
      seconds: 0,
      accuracy: [
        [0.5, 0.9, 0.7],
        [1.5, 0.5, 2.5],
      ],
      metrics: [
        { metric: 'accuracy', direction: 'maximize' },
        { metric: 'rmse', direction: 'minimize' },
      ],
    };
    expect(transferSummary(t)).toEqual([
      { dataset: 'acc', best: 'b', worst: 'a', gapPoints: expect.closeTo(40, 9) },
      { dataset: 'reg', best: 'b', worst: 'c', gapPoints: expect.closeTo(2, 9) },
    ]);
  });
});
