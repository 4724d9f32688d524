/**
 * Real PyTorch fine-tunes through a GPU worker on the dev server: the offline matrix and a
 * selection (two-phase-paper with LEEP recall) on a tiny slice of the PyTorch demo hub, with the torch trainer as the worker's default.
 * Skipped, with the reason in the name, where torch is not importable.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { checkpointArea } from '../../activities/checkpoints';
import { exportModel } from '../../cli/export-model';
import { torchPythonAsync } from '../../training/command-torch';
import { openStore } from '../../matrix-store';
import type { WorkerConfig } from '../../workers/config';
import { createGpuWorker, createOrchestratorWorker } from '../../workers/create-workers';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';
import { serverInfo, withWorkers } from '../helpers/test-env';
import { buildTinyTorchHub, describeTorch, TORCH_BENCHMARK, TORCH_MODELS, TORCH_TARGET } from '../helpers/torch-hub';

describeTorch('PyTorch workflows on the dev server', () => {
  let dirs: TinyDirs;
  let connection: NativeConnection;
  let clientConnection: Connection;
  let client: Client;
  let config: WorkerConfig;
  const taskQueue = `torch-${randomUUID()}`;

  beforeAll(async () => {
    dirs = await makeTempDirs('mselect-torch-wf-');
    await buildTinyTorchHub(dirs.hubDir, dirs.datasetsDir);
    const { address, namespace } = serverInfo();
    connection = await NativeConnection.connect({ address });
    clientConnection = await Connection.connect({ address });
    client = new Client({ connection: clientConnection, namespace });
    config = {
      ...dirs,
      storeDir: path.join(dirs.root, 'store'),
      reportDir: path.join(dirs.root, 'reports'),
      replayDir: null,
      commandTrainer: null,
      defaultTrainer: 'torch',
    };
  });
  afterAll(async () => {
    await clientConnection?.close();
    await connection?.close();
    if (dirs) await removeDirs(dirs);
  });

  it('builds the offline matrix and selects a model with the torch trainer', async () => {
    const { namespace, bundlePath } = serverInfo();
    const base = { connection, namespace, taskQueue, config, workflowBundle: { codePath: bundlePath }, shutdownGraceTime: '1s' as const };
    await withWorkers([await createOrchestratorWorker(base), await createGpuWorker({ ...base, slots: 2 })], async () => {
      const offline = await client.workflow.execute(buildPerformanceMatrix, {
        taskQueue,
        workflowId: `torch-offline-${taskQueue}`,
        args: [{ trainer: 'torch', epochs: 2, maxParallel: 2, seed: 1 }],
      });
      expect(offline).toMatchObject({ cellsComputed: TORCH_MODELS.length, cellsFailed: 0 });
      const runs = (await (await openStore({ dir: config.storeDir }).snapshot()).runSet()).runs;
      expect(runs.map((r) => r.model).sort()).toEqual([...TORCH_MODELS].sort());
      expect(runs.every((r) => r.dataset === TORCH_BENCHMARK && r.val.length === 2)).toBe(true);

      const selection = await client.workflow.execute(selectModel, {
        taskQueue,
        workflowId: `torch-select-${taskQueue}`,
        args: [{ target: TORCH_TARGET, trainer: 'torch', policy: 'two-phase-paper', proxy: 'leep', recallSize: 1, budgetEpochs: 2 }],
      });
      expect(TORCH_MODELS).toContain(selection.pick);
      expect(selection.backend).toContain('torch');
      expect(selection.curves[selection.pick ?? '']).toHaveLength(2);

      // The kept pick, exported as a PyTorch state_dict, scores the reported test metric when
      // loaded into its architecture with plain torch (torch.load + load_state_dict).
      const out = path.join(dirs.root, 'export');
      await exportModel(config, checkpointArea(dirs.checkpointDir), `torch-select-${taskQueue}`, out);
      const card = JSON.parse(await fs.readFile(path.join(out, 'card.json'), 'utf8')) as { fineTuned: Record<string, unknown> };
      expect(card.fineTuned).toMatchObject({ sourceModel: selection.pick, target: TORCH_TARGET, epochs: 2, test: selection.pickTest });
      const test = await plainTorchTestMetric(
        path.join(out, 'model.pt'),
        path.join(dirs.hubDir, selection.pick ?? ''),
        path.join(dirs.datasetsDir, TORCH_TARGET),
      );
      expect(test).toBeCloseTo(selection.pickTest as number, 6);
    });
  });
});

/** The test metric of an exported state_dict, loaded with torch.load into the hub model's fine-tune architecture. */
async function plainTorchTestMetric(stateDict: string, modelDir: string, datasetDir: string): Promise<number> {
  const script = [
    'import sys, torch',
    `sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', '..', 'trainers', 'torch'))})`,
    'from data import load_split, minimized, num_outputs, read_manifest',
    'from model import FineTuneNet, feature_size, input_permute, load_hub_net, to_input',
    'from finetune import evaluate',
    'manifest = read_manifest(sys.argv[3])',
    'x, y = load_split(sys.argv[3], manifest, "test")',
    'card, hub = load_hub_net(sys.argv[2])',
    'perm = input_permute(card)',
    'net = FineTuneNet(hub, num_outputs(manifest), set(card.get("frozenLayers") or []), feature_size(hub, to_input(x[:1], perm)))',
    'net.load_state_dict(torch.load(sys.argv[1], map_location="cpu"))',
    'print(evaluate(net, x, y, perm, "cpu", minimized(manifest)))',
  ].join('\n');
  const { stdout } = await promisify(execFile)(await torchPythonAsync(), ['-c', script, stateDict, modelDir, datasetDir]);
  return Number(stdout.trim());
}
