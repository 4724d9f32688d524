/**
 * The reference PyTorch trainer (trainers/torch/main.py) as a worker trainer named `torch`:
 * a CommandTrainer whose command is a Python interpreter that can import torch. The
 * interpreter is a setting: MSELECT_PYTHON, else /usr/bin/python3 when it imports torch
 * (Debian's python3-torch), else `python3` on PATH.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../server/paths';
import type { ObjectStore } from '../storage';
import type { CheckpointCache } from './checkpoint-cache';
import { CommandTrainer, type FeaturesRequest } from './command-trainer';
import type { ProbeOutputs } from './features';
import type { Trainer, TrainHooks, TrainRequest, TrainResult } from './trainer';

/** The trainer's entry point. */
export const TORCH_TRAINER_MAIN = path.join(PROJECT_ROOT, 'trainers', 'torch', 'main.py');
export const TORCH_TRAINER_NAME = 'torch';
/** How to get PyTorch where it is missing; printed by every check that fails. */
export const TORCH_INSTALL_HINT =
  'install it with `sudo apt-get install -y python3-torch` (Debian/Ubuntu, CPU), or set MSELECT_PYTHON to a Python 3 that has torch >= 1.13';

const SYSTEM_PYTHON = '/usr/bin/python3';

/** True when `python -c "import torch"` succeeds. */
export function importsTorch(python: string): boolean {
  return spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

let resolved: string | undefined;
/** The Python that runs the trainer (see the module comment); the import check runs once per process. */
export function torchPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MSELECT_PYTHON) return env.MSELECT_PYTHON;
  resolved ??= existsSync(SYSTEM_PYTHON) && importsTorch(SYSTEM_PYTHON) ? SYSTEM_PYTHON : 'python3';
  return resolved;
}

let resolving: Promise<string> | undefined;
/** torchPython() without blocking the event loop (a worker keeps heartbeating while torch imports). */
export function torchPythonAsync(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.MSELECT_PYTHON) return Promise.resolve(env.MSELECT_PYTHON);
  if (resolved) return Promise.resolve(resolved);
  resolving ??= new Promise<boolean>((done) => {
    if (!existsSync(SYSTEM_PYTHON)) return done(false);
    execFile(SYSTEM_PYTHON, ['-c', 'import torch'], { timeout: 60_000 }, (err) => done(err === null));
  }).then((ok) => (resolved ??= ok ? SYSTEM_PYTHON : 'python3'));
  return resolving;
}

/** null when PyTorch is usable here, else a message saying what is missing and how to install it. */
export function torchUnavailable(env: NodeJS.ProcessEnv = process.env): string | null {
  const python = torchPython(env);
  return importsTorch(python) ? null : `PyTorch is not available: ${python} cannot import torch; ${TORCH_INSTALL_HINT}.`;
}

export interface TorchTrainerConfig {
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly checkpointDir: string;
  /** Shared storage checkpoints are copied to and resumed from (CommandTrainerConfig.sharedCheckpoints). @default none */
  readonly sharedCheckpoints?: ObjectStore;
  /** The worker's checkpoint cache over `checkpointDir` (CommandTrainerConfig.checkpointCache). @default none */
  readonly checkpointCache?: CheckpointCache;
  /** @default torchPython() */
  readonly python?: string;
  /** Extra environment (e.g. MSELECT_TORCH_DEVICE=cpu, CUDA_VISIBLE_DEVICES). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** SIGTERM to SIGKILL on cancellation. @default 5000 */
  readonly killGraceMs?: number;
}

/**
 * The `torch` trainer: fine-tunes and feature passes through trainers/torch/main.py. Built
 * lazily, so a worker that never trains on PyTorch never starts Python.
 */
export class TorchTrainer implements Trainer {
  readonly name = TORCH_TRAINER_NAME;
  private inner: CommandTrainer | undefined;

  constructor(private readonly config: TorchTrainerConfig) {}

  private async command(): Promise<CommandTrainer> {
    const command = this.config.python ?? (await torchPythonAsync());
    this.inner ??= new CommandTrainer({
      command,
      args: [TORCH_TRAINER_MAIN],
      env: { PYTHONDONTWRITEBYTECODE: '1', ...this.config.env },
      hubDir: this.config.hubDir,
      datasetsDir: this.config.datasetsDir,
      checkpointDir: this.config.checkpointDir,
      sharedCheckpoints: this.config.sharedCheckpoints,
      checkpointCache: this.config.checkpointCache,
      name: TORCH_TRAINER_NAME,
      backendName: 'torch',
      killGraceMs: this.config.killGraceMs ?? 5000,
    });
    return this.inner;
  }

  async train(request: TrainRequest, hooks?: TrainHooks): Promise<TrainResult> {
    return (await this.command()).train(request, hooks);
  }

  async features(request: FeaturesRequest, signal?: AbortSignal): Promise<ProbeOutputs & { backend: string }> {
    return (await this.command()).features(request, signal);
  }
}
