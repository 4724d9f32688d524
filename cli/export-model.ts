/**
 * `mselect export model <workflowId> --out DIR`: the fine-tuned pick of a finished selection,
 * in its hub's format, with a `card.json` saying where it came from.
 *
 * - tfjs: `model.json` + `weights.bin` (a tfjs Layers model: the hub model with the head the
 *   selection trained; it outputs logits), loadable with plain `tf.loadLayersModel`. The card
 *   is a hub card (the folder can be added to a hub) plus `fineTuned`.
 * - torch: `model.pt`, the PyTorch state_dict (`torch.load` → `net.load_state_dict`).
 * - any other trainer: the checkpoint file as the trainer wrote it.
 *
 * The pick is found through the manifest the selection kept (`kept/<workflow id>.json` in the
 * checkpoint storage): a selection run with `--keep-checkpoints none` has nothing to export.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { readManifest, type CheckpointArea } from '../activities/checkpoints';
import { TASK_METRICS, type KeptManifest, type ModelCard } from '../contracts/schemas/training';
import { loadDataset } from '../hub/datasets';
import { fileSystemIO } from '../hub/model-io';
import { CARD_JSON, loadHubModel } from '../hub/models';
import { activate, pickBackend } from '../training/backend';
import { CheckpointStore } from '../training/checkpoint-store';
import { torchPythonAsync } from '../training/command-torch';
import { FineTuneSession, regressionHead } from '../training/session';
import { workerConfigFromEnv, type WorkerConfig } from '../workers/config';
import { checkpointAreaOf } from '../workers/deps';
import { UsageError } from './options';

type Pick = NonNullable<KeptManifest['pick']>;

/** What `card.json` records about the fine-tune, beside the hub card fields. */
export interface FineTunedCard {
  readonly sourceModel: string;
  readonly target: string;
  readonly epochs: number;
  readonly trainer: string;
  readonly seed: number;
  readonly metric: string;
  readonly validation: number | null;
  readonly test: number | null;
  readonly selection: string;
  readonly storeVersion: number;
  readonly checkpoint: string;
  /** A regression head predicts (y - center) / scale: multiply by scale and add center. */
  readonly regressionHead?: { readonly center: number; readonly scale: number };
}

/** Export the pick of selection `workflowId` into `out`; returns the files written. */
export async function exportModel(cfg: WorkerConfig, area: CheckpointArea, workflowId: string, out: string): Promise<string[]> {
  const manifest = await readManifest(area, workflowId);
  const pick = manifest?.pick;
  if (!pick)
    throw new UsageError(
      `Selection ${workflowId} kept no fine-tuned pick in ${area.stores[0].url} (not finished, run with --keep-checkpoints none, or unknown)`,
    );
  await fs.mkdir(out, { recursive: true });
  const card: FineTunedCard = {
    sourceModel: pick.model,
    target: pick.target,
    epochs: pick.epochs,
    trainer: pick.trainer,
    seed: pick.seed,
    metric: pick.metric,
    validation: pick.validation,
    test: pick.test,
    selection: workflowId,
    storeVersion: pick.storeVersion,
    checkpoint: pick.checkpoint.key,
  };
  if (pick.trainer === 'tfjs') return exportTfjs(cfg, area, pick, card, out);
  const local = path.join(out, path.basename(pick.checkpoint.key));
  await area.stores[0].getFile(pick.checkpoint.key, local);
  if (pick.trainer === 'torch') {
    const file = path.join(out, 'model.pt');
    const script = 'import sys, torch\nc = torch.load(sys.argv[1], map_location="cpu", weights_only=False)\ntorch.save(c["model"], sys.argv[2])\n';
    await promisify(execFile)(await torchPythonAsync(), ['-c', script, local, file]);
    await fs.rm(local, { force: true });
    return [file, await writeJson(path.join(out, CARD_JSON), { fineTuned: card })];
  }
  return [local, await writeJson(path.join(out, CARD_JSON), { fineTuned: card })];
}

async function exportTfjs(cfg: WorkerConfig, area: CheckpointArea, pick: Pick, card: FineTunedCard, out: string): Promise<string[]> {
  const backend = await pickBackend();
  await activate(backend);
  const data = await loadDataset(cfg.datasetsDir, pick.target);
  const hub = await loadHubModel(backend.tf, cfg.hubDir, pick.model);
  const regression = data.manifest.task === 'regression';
  const head = regression ? regressionHead(data.train) : ({ task: 'classification' } as const);
  const session = new FineTuneSession(backend.tf, hub, regression ? 1 : data.manifest.classes.length, pick.seed, {}, head);
  try {
    session.restore(await new CheckpointStore(area.stores[0]).load(pick.checkpoint));
    await session.save(fileSystemIO(out));
  } finally {
    session.dispose();
  }
  const hubCard: ModelCard & { fineTuned: FineTunedCard } = {
    id: `${pick.model}-ft-${pick.target}`.slice(0, 128).replace(/[^A-Za-z0-9._-]/g, '-'),
    family: hub.card.family,
    description: `${pick.model} fine-tuned ${pick.epochs} epoch(s) on ${pick.target} by selection ${card.selection} (${TASK_METRICS[data.manifest.task].metric} validation ${pick.validation ?? 'n/a'}, test ${pick.test ?? 'n/a'})`,
    input: hub.card.input,
    sourceTask: { name: pick.target, description: data.manifest.description },
    labels: regression ? ['value', 'unused'] : data.manifest.classes,
    output: 'logits',
    frozenLayers: [],
    fineTuned: head.task === 'regression' ? { ...card, regressionHead: { center: head.center, scale: head.scale } } : card,
  };
  return [path.join(out, 'model.json'), path.join(out, 'weights.bin'), await writeJson(path.join(out, CARD_JSON), hubCard)];
}

async function writeJson(file: string, value: unknown): Promise<string> {
  await fs.writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

/** The `model` subcommand of `mselect export`. */
export function exportModelCommand(): Command {
  return new Command('model')
    .description(
      "The fine-tuned pick of a finished selection in its hub's format (tfjs model.json + weights, or a PyTorch state_dict) with a card.json: source model, target, epochs, metric, selection.",
    )
    .argument('<workflowId>')
    .requiredOption('--out <dir>', 'folder to write into (created)')
    .action(async (id: string, o: { out: string }) => {
      const cfg = workerConfigFromEnv();
      const files = await exportModel(cfg, await checkpointAreaOf(cfg), id, o.out);
      for (const f of files) console.log(f);
    });
}
