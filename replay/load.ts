/**
 * Reads a directory of recorded selection data laid out as the two-phase anchors: curves.csv
 * (required), and optionally history_matrix.tsv + history_datasets.txt (the authors' offline
 * matrix; without them the history is curves.csv's test values), proxy/<kind>_<target>.tsv
 * (the target URI-encoded where it holds a `/`: `logme_glue%2Fsst2.tsv`) and datasets.tsv
 * giving each dataset's metric direction.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Direction, PerformanceMatrix, RunSet } from '../algorithms/types';
import { matrixFromRuns } from '../algorithms/matrix';
import { parseCurvesCsv, parseDatasetDirections, parseHistoryMatrix, parseNameList, parseProxyScores } from './anchor-format';

export interface AnchorData {
  readonly dir: string;
  readonly runs: RunSet;
  /** Models of the paper's pool (in_paper_pool = 1). */
  readonly inPaperPool: ReadonlySet<string>;
  /** The authors' offline matrix. */
  readonly history: PerformanceMatrix;
  /** Proxy scores by kind (`leep`), then by target dataset id, then by model. */
  readonly proxies: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;
  /** Metric direction per dataset, from the optional `datasets.tsv`; a dataset it does not list is maximized. */
  readonly directions: ReadonlyMap<string, Direction>;
}

/** Proxy file targets that are short for a dataset id (the anchors README: `tweet` = `tweet_eval`), applied only when no dataset has the short name. */
export const PROXY_TARGET_ALIASES: Readonly<Record<string, string>> = { tweet: 'tweet_eval' };

async function readText(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${join(dir, name)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function loadProxies(dir: string, datasets: readonly string[]): Promise<Map<string, Map<string, Map<string, number>>>> {
  const proxyDir = join(dir, 'proxy');
  const files = await readdir(proxyDir).catch(() => [] as string[]);
  const out = new Map<string, Map<string, Map<string, number>>>();
  for (const file of files.filter((f) => f.endsWith('.tsv')).sort()) {
    const m = /^([a-z0-9]+)_(.+)\.tsv$/i.exec(file);
    if (m === null) throw new Error(`${join(proxyDir, file)}: name must be <kind>_<target>.tsv`);
    const [, kind = '', short = ''] = m;
    const decoded = decodeURIComponent(short);
    const target = datasets.includes(decoded) ? decoded : (PROXY_TARGET_ALIASES[decoded] ?? decoded);
    const scores = parseProxyScores(await readText(proxyDir, file), join(proxyDir, file));
    out.set(kind, (out.get(kind) ?? new Map<string, Map<string, number>>()).set(target, scores));
  }
  return out;
}

/**
 * Load an anchors directory. Returns the parsed runs, pool, matrix and proxy scores.
 * Throws when a file is missing or malformed (AnchorFormatError names file and line).
 */
export async function loadAnchors(dir: string): Promise<AnchorData> {
  const { runs, inPaperPool } = parseCurvesCsv(await readText(dir, 'curves.csv'), join(dir, 'curves.csv'));
  const datasetsText = await readFile(join(dir, 'history_datasets.txt'), 'utf8').catch(() => null);
  const matrixText = await readFile(join(dir, 'history_matrix.tsv'), 'utf8').catch(() => null);
  if ((datasetsText === null) !== (matrixText === null))
    throw new Error(
      `${dir}: history_matrix.tsv and history_datasets.txt come together; found only ${datasetsText === null ? 'history_matrix.tsv' : 'history_datasets.txt'}`,
    );
  const history =
    datasetsText === null || matrixText === null
      ? matrixFromRuns(runs)
      : parseHistoryMatrix(matrixText, parseNameList(datasetsText), join(dir, 'history_matrix.tsv'));
  const directionsText = await readFile(join(dir, 'datasets.tsv'), 'utf8').catch(() => null);
  const directions = directionsText === null ? new Map<string, Direction>() : parseDatasetDirections(directionsText, join(dir, 'datasets.tsv'));
  return { dir, runs, inPaperPool, history, proxies: await loadProxies(dir, runs.datasets), directions };
}
