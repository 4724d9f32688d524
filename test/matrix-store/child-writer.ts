/**
 * A writer process for the multi-process tests. argv[2] is a JSON config:
 * `url` names the store (a folder or an s3:// URL), `env` adds the S3 variables.
 *  - `{ mode: 'commits', url, writer, commits, unique, shared, startFile }`: wait until
 *    `startFile` exists, then commit `commits` versions of `unique` own cells plus `shared`
 *    cells every writer also writes (value = writer number); prints `COMMITTED <k>` after each.
 *  - `{ mode: 'flush-and-hang', url }`: write fragments, print FLUSHED, never commit.
 *  - `{ mode: 'commit-loop', url, cells }`: print READY, then commit versions of `cells` cells forever.
 */
import * as fs from 'node:fs';
import type { CellRecordInput, CurveInput } from '../../contracts/schemas/store';
import { openStoreUrl } from '../../matrix-store';

interface Config {
  mode: 'commits' | 'flush-and-hang' | 'commit-loop';
  url: string;
  env?: Record<string, string>;
  writer?: number;
  commits?: number;
  unique?: number;
  shared?: number;
  cells?: number;
  startFile?: string;
}

const base = { settingsHash: 's1', metric: 'accuracy', epochs: 3, finishedAt: 1000 };

function rows(model: (i: number) => string, n: number, value: number): { cells: CellRecordInput[]; curves: CurveInput[] } {
  const ids = Array.from({ length: n }, (_, i) => model(i));
  return {
    cells: ids.map((m) => ({ ...base, model: m, dataset: 'd0', value, runId: `${m}:${value}` })),
    curves: ids.map((m) => ({ model: m, dataset: 'd0', settingsHash: 's1', metric: 'accuracy', values: [value, value, value] })),
  };
}

async function main(c: Config): Promise<void> {
  const store = await openStoreUrl(c.url, { create: false }, { ...process.env, ...c.env });
  if (c.mode === 'commits') {
    while (c.startFile && !fs.existsSync(c.startFile)) await new Promise((r) => setTimeout(r, 5));
    for (let k = 0; k < (c.commits ?? 1); k++) {
      const w = store.beginWrite();
      const own = rows((i) => `w${c.writer ?? 0}-c${k}-m${i}`, c.unique ?? 1, c.writer ?? 0);
      const shared = rows((i) => `shared-m${i}`, c.shared ?? 0, c.writer ?? 0);
      await w.appendCells([...own.cells, ...shared.cells]);
      await w.appendCurves([...own.curves, ...shared.curves]);
      await w.commit(`writer ${c.writer ?? 0} commit ${k}`);
      process.stdout.write(`COMMITTED ${k}\n`);
    }
    return;
  }
  if (c.mode === 'flush-and-hang') {
    const w = store.beginWrite();
    const r = rows((i) => `orphan-m${i}`, 5, 0.5);
    await w.appendCells(r.cells);
    await w.appendCurves(r.curves);
    await w.flush();
    process.stdout.write('FLUSHED\n');
    setInterval(() => undefined, 1000);
    return;
  }
  process.stdout.write('READY\n');
  for (let k = 0; ; k++) {
    const w = store.beginWrite();
    const r = rows((i) => `loop-c${k}-m${i}`, c.cells ?? 10, k);
    await w.appendCells(r.cells);
    await w.appendCurves(r.curves);
    await w.commit(`loop ${k}`);
  }
}

main(JSON.parse(process.argv[2] ?? '{}') as Config).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
