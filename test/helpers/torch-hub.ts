/**
 * PyTorch test support: whether torch is importable here (the tests skip with a visible
 * reason when it is not), and a tiny slice of the PyTorch demo hub built for one test file.
 */
import { DEMO_SPEC, type DemoSpec } from '../../demo/spec';
import { buildTorchDemoHub } from '../../demo/torch-build';
import { torchUnavailable } from '../../training/command-torch';
import { gatedTitle } from './skip-policy';

/** null when the PyTorch tests can run, else why not and how to fix it. */
export const TORCH_MISSING: string | null = torchUnavailable();

/** A top-level `describe` titled `needs PyTorch: <name>`, skipped with the reason (counted as skipped) when torch cannot be imported. */
export function describeTorch(name: string, fn: () => void): void {
  if (TORCH_MISSING) describe.skip(gatedTitle('needs PyTorch', name, TORCH_MISSING.replace(/[[\]\n]/g, ' ')), fn);
  else describe(gatedTitle('needs PyTorch', name), fn);
}

export const TORCH_MODELS = ['mlp-h16-digits', 'cnn-c8-digits'] as const;
export const TORCH_BENCHMARK = 'bench-digits';
export const TORCH_TARGET = 'target-rot90-parity';

/** Two demo models (an MLP, a CNN) and two datasets, with small splits and one short pre-training epoch. */
export const TINY_TORCH_SPEC: DemoSpec = {
  ...DEMO_SPEC,
  pretrain: { ...DEMO_SPEC.pretrain, holdout: 50, samples: 400, epochs: 1 },
  splits: { train: 96, val: 48, test: 48 },
  models: DEMO_SPEC.models.filter((m) => (TORCH_MODELS as readonly string[]).includes(m.id)),
  datasets: DEMO_SPEC.datasets.filter((d) => d.id === TORCH_BENCHMARK || d.id === TORCH_TARGET),
};

/** Build the tiny PyTorch hub into `hubDir` / `datasetsDir`. */
export async function buildTinyTorchHub(hubDir: string, datasetsDir: string, spec: DemoSpec = TINY_TORCH_SPEC): Promise<void> {
  await buildTorchDemoHub({ hubDir, datasetsDir, spec, force: true });
}
