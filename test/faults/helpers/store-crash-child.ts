/**
 * A process that records fine-tune results through the orchestrator's `recordCells` activity
 * and kills itself (SIGKILL, nothing flushed) at a chosen point of the store's write path.
 * argv[2] is a JSON config `{ config: WorkerConfig, results: CellResult[], crashAt }`:
 *  - `fragment`: after the third chunk written to the first fragment's temporary file;
 *  - `between-fragments`: when the second fragment's temporary file is opened (the first is in place);
 *  - `commit`: every fragment in place, just before the version file is linked into `versions/`.
 * Prints `CRASH <point>` right before dying.
 */
import fs from 'node:fs';
import * as path from 'node:path';
import { createOrchestratorActivities } from '../../../activities';
import type { CellResult } from '../../../contracts/schemas';
import type { WorkerConfig } from '../../../workers/config';
import { orchestratorDeps } from '../../../workers/deps';

export type CrashPoint = 'fragment' | 'between-fragments' | 'commit';

interface Config {
  readonly config: WorkerConfig;
  readonly results: CellResult[];
  readonly crashAt: CrashPoint;
}

function die(point: CrashPoint): never {
  fs.writeSync(1, `CRASH ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
}

/** Wrap the fs calls the store writes through, so the process dies exactly at `point`. */
function injectCrash(point: CrashPoint, storeDir: string): void {
  const real = { openSync: fs.openSync, writeSync: fs.writeSync, linkSync: fs.linkSync };
  const fragmentFds = new Map<number, number>();
  let fragmentsOpened = 0;
  // The module object itself (not an import namespace), so the store's own `fs` sees the wrappers.
  const mutable = fs as { -readonly [K in keyof typeof fs]: (typeof fs)[K] };
  mutable.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
    const isFragment = String(file).endsWith('.arrow.tmp');
    if (isFragment && (fragmentsOpened += 1) === 2 && point === 'between-fragments') die(point);
    const fd = (real.openSync as (...a: unknown[]) => number)(file, ...rest);
    if (isFragment) fragmentFds.set(fd, 0);
    return fd;
  }) as typeof fs.openSync;
  mutable.writeSync = ((fd: number, ...rest: unknown[]) => {
    const writes = fragmentFds.get(fd);
    if (writes !== undefined) {
      fragmentFds.set(fd, writes + 1);
      if (writes + 1 === 3 && point === 'fragment') die(point);
    }
    return (real.writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  mutable.linkSync = ((existing: fs.PathLike, target: fs.PathLike) => {
    if (point === 'commit' && path.dirname(path.resolve(String(target))) === path.resolve(storeDir, 'versions')) die(point);
    real.linkSync(existing, target);
  }) as typeof fs.linkSync;
}

async function main(c: Config): Promise<void> {
  injectCrash(c.crashAt, c.config.storeDir);
  await createOrchestratorActivities(await orchestratorDeps(c.config)).recordCells({ results: c.results });
  process.stdout.write('COMMITTED\n');
}

main(JSON.parse(process.argv[2] ?? '{}') as Config).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
