/**
 * One job of the reference PyTorch trainer (trainers/torch/main.py) run to completion, for
 * the PyTorch demo hub's pre-training and for benchmarks: spawn, pass the job on stdin,
 * return the protocol lines it printed. A reported `error` line becomes its typed failure.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CommandErrorLineSchema } from '../contracts/schemas/training';
import { CommandRun, failed, reportedFailure } from '../training/command-process';
import { TORCH_TRAINER_MAIN, torchPython } from '../training/command-torch';

/** Run `job` through the torch trainer; resolves with every stdout line as parsed JSON. */
export async function runTorchJob(job: object, env: Readonly<Record<string, string>> = {}): Promise<Record<string, unknown>[]> {
  const python = torchPython();
  const child = spawn(python, [TORCH_TRAINER_MAIN], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const run = new CommandRun(child, 20);
  child.stdin.on('error', () => undefined);
  child.stdin.end(JSON.stringify(job) + '\n');
  const lines: Record<string, unknown>[] = [];
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      run.terminate(0);
      throw failed(`${TORCH_TRAINER_MAIN} printed a line that is not JSON: ${line.slice(0, 200)}`, true);
    }
  }
  const exit = await run.exited;
  const error = lines.map((l) => CommandErrorLineSchema.safeParse(l)).find((r) => r.success);
  if (error?.success) throw reportedFailure(error.data.error, python);
  run.check(exit, python);
  return lines;
}
