/**
 * A store's runs written as an anchors folder, the layout the replay trainer reads
 * (MSELECT_REPLAY_DATA): curves.csv (every model in the pool), datasets.tsv (directions) and
 * proxy/<proxy>_<target>.tsv with the target URI-encoded (`logme_glue%2Fsst2.tsv`). Only runs
 * with a validation curve can be replayed; the others are counted and left out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../matrix-store';
import { formatCurvesCsv } from '../replay/anchor-format';

export interface AnchorsWritten {
  readonly dir: string;
  readonly runs: number;
  readonly withoutCurve: number;
  readonly proxyFiles: number;
}

/** Write the anchors folder of `snap` under `dir` (created). Throws StoreCorrupt; Error for an id with a comma. */
export async function writeAnchorsFromStore(snap: Snapshot, dir: string): Promise<AnchorsWritten> {
  const [runSet, datasets, proxies] = await Promise.all([snap.runSet(), snap.datasets(), snap.rows('proxyScores')]);
  const runs = runSet.runs.filter((r) => r.val.length > 0);
  const models = runSet.models.filter((m) => runs.some((r) => r.model === m));
  const used = runSet.datasets.filter((d) => runs.some((r) => r.dataset === d));
  mkdirSync(join(dir, 'proxy'), { recursive: true });
  writeFileSync(join(dir, 'curves.csv'), formatCurvesCsv({ models, datasets: used, runs }, new Set(models)));
  const direction = new Map(datasets.map((d) => [d.id, d.direction]));
  writeFileSync(join(dir, 'datasets.tsv'), `${['dataset\tdirection', ...used.map((d) => `${d}\t${direction.get(d) ?? 'maximize'}`)].join('\n')}\n`);
  const files = new Map<string, Map<string, number>>();
  for (const p of proxies) {
    if (!/^[a-z0-9]+$/i.test(String(p.proxy))) continue;
    const name = `${String(p.proxy)}_${encodeURIComponent(String(p.target))}.tsv`;
    (files.get(name) ?? files.set(name, new Map()).get(name))?.set(String(p.model), Number(p.value));
  }
  for (const [name, scores] of files) writeFileSync(join(dir, 'proxy', name), `${[...scores.keys()].join('\t')}\n${[...scores.values()].join('\t')}\n`);
  return { dir, runs: runs.length, withoutCurve: runSet.runs.length - runs.length, proxyFiles: files.size };
}
