/**
 * The `features` job of the external-trainer protocol: the command runs a forward pass of a
 * hub model over chosen rows of a dataset split and writes a features file (see
 * training/features.ts for the format); mselect reads it back as the same ProbeOutputs the
 * tfjs forward pass gives, so every proxy score runs unchanged on external models.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { formatIssues } from '../contracts/parse';
import { CommandErrorLineSchema, CommandFeaturesLineSchema, type SplitName } from '../contracts/schemas/training';
import { type CommandRun, failed, reportedFailure } from './command-process';
import { decodeFeatures, type ProbeOutputs } from './features';
import { abortError } from './session';

/** What a features job asks for: rows of one split of a dataset, through one hub model. */
export interface FeaturesRequest {
  readonly modelId: string;
  readonly datasetId: string;
  readonly split: SplitName;
  /** Row indices into the split (e.g. a balanced probe). */
  readonly rows: readonly number[];
}

/** The job the command receives on stdin (and in MSELECT_JOB). */
export interface FeaturesJob extends FeaturesRequest {
  readonly modelDir: string;
  readonly datasetDir: string;
}

interface FeaturesSettings {
  readonly command: string;
  readonly killGraceMs: number;
  readonly backendName: string;
}

/**
 * Run one features job with `start` (which spawns the command with the job on stdin) and read
 * the file it names. The file lives in a temporary folder removed afterwards.
 */
export async function runFeaturesJob(
  start: (job: object) => CommandRun,
  request: FeaturesJob,
  settings: FeaturesSettings,
  signal?: AbortSignal,
): Promise<ProbeOutputs & { backend: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-features-'));
  const out = path.join(dir, 'features.bin');
  const run = start({ job: 'features', ...request, rows: [...request.rows], out });
  const stop = (): void => run.terminate(settings.killGraceMs);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const answer = await readAnswer(run);
    const exit = await run.exited;
    if (signal?.aborted) throw abortError(signal);
    if ('error' in answer) throw reportedFailure(answer.error, settings.command);
    run.check(exit, settings.command);
    if (!answer.line) throw failed(`${settings.command} exited without a features line`, true);
    if (path.resolve(answer.line.features) !== out) throw failed(`${settings.command} wrote features to ${answer.line.features}, not to ${out}`, true);
    const bytes = await fs.readFile(out).catch(() => {
      throw failed(`${settings.command} reported ${out} but it is missing`, true);
    });
    let decoded: ProbeOutputs;
    try {
      decoded = decodeFeatures(bytes);
    } catch (err) {
      throw failed(`features file of ${settings.command} is unreadable: ${(err as Error).message}`, true);
    }
    if (decoded.features.length !== request.rows.length)
      throw failed(`${settings.command} returned ${decoded.features.length} feature rows for ${request.rows.length} probe rows`, true);
    return { ...decoded, backend: answer.line.backend ?? settings.backendName };
  } catch (err) {
    run.terminate(0);
    throw signal?.aborted ? abortError(signal) : err;
  } finally {
    signal?.removeEventListener('abort', stop);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

type Answer = { line?: ReturnType<typeof CommandFeaturesLineSchema.parse> } | ReturnType<typeof CommandErrorLineSchema.parse>;

async function readAnswer(run: CommandRun): Promise<Answer> {
  let answer: Answer = {};
  let n = 0;
  for await (const line of createInterface({ input: run.child.stdout, crlfDelay: Infinity })) {
    n += 1;
    if (line.trim() === '' || 'error' in answer || answer.line) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw failed(`stdout line ${n} is not a features line (not JSON): ${line.slice(0, 200)}`, true);
    }
    const isError = typeof json === 'object' && json !== null && 'error' in json;
    const r = isError ? CommandErrorLineSchema.safeParse(json) : CommandFeaturesLineSchema.safeParse(json);
    if (!r.success) throw failed(`stdout line ${n} is not a features line (${formatIssues(r.error.issues)}): ${line.slice(0, 200)}`, true);
    answer = 'error' in r.data ? r.data : { line: r.data };
  }
  return answer;
}
