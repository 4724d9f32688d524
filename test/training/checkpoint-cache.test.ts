/** The GPU worker's checkpoint cache: bounded, least recently used first, never evicting a pinned entry, one download per key. */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FsObjectStore } from '../../storage';
import { CheckpointCache } from '../../training/checkpoint-cache';

let dir: string;
let remote: FsObjectStore;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-ckpt-cache-'));
  remote = new FsObjectStore(path.join(dir, 'bucket'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Put `n` bytes of `fill` under `key` in the remote store. */
async function object(key: string, n: number, fill: number): Promise<void> {
  const src = path.join(dir, 'src.bin');
  await fs.writeFile(src, Buffer.alloc(n, fill));
  await remote.putFile(key, src);
}
const keys = async (cache: CheckpointCache) => (await cache.entries()).map((e) => e.key).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CheckpointCache', () => {
  it('keeps the entries within its size, evicting the least recently used first', async () => {
    const cache = new CheckpointCache(path.join(dir, 'cache'), 2500);
    for (const [i, k] of ['runs/a/epoch-1.ckpt', 'runs/b/epoch-1.ckpt', 'runs/c/epoch-1.ckpt'].entries()) await object(k, 1000, i);
    await cache.fetch('runs/a/epoch-1.ckpt', remote);
    await sleep(20);
    await cache.fetch('runs/b/epoch-1.ckpt', remote);
    await sleep(20);
    // A use makes `a` the most recent: `b` goes when `c` arrives.
    expect((await cache.fetch('runs/a/epoch-1.ckpt', remote)).fetched).toBe(false);
    await sleep(20);
    await cache.fetch('runs/c/epoch-1.ckpt', remote);
    expect(await keys(cache)).toEqual(['runs/a/epoch-1.ckpt', 'runs/c/epoch-1.ckpt']);
    expect(cache.stats()).toMatchObject({ hits: 1, fetches: 3, bytesFetched: 3000, bytesEvicted: 1000 });
  });

  it('never evicts an entry pinned by this or another live process; pins of dead processes expire', async () => {
    const cache = new CheckpointCache(path.join(dir, 'cache'), 1500);
    for (const [i, k] of ['k/1', 'k/2', 'k/3'].entries()) await object(k, 1000, i);
    const release = await cache.pin('k/1');
    await cache.fetch('k/1', remote);
    await cache.fetch('k/2', remote);
    expect(await keys(cache)).toEqual(['k/1']);
    await release();

    // Another process pins k/1 (a pin file naming its pid), then dies.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await fs.writeFile(path.join(dir, 'cache', '.pins', `${other.pid}.x`), 'k/1');
      await cache.fetch('k/3', remote);
      expect(await keys(cache)).toEqual(['k/1']);
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    await cache.fetch('k/3', remote);
    expect(await keys(cache)).toEqual(['k/3']);
    expect(await fs.readdir(path.join(dir, 'cache', '.pins'))).toEqual([]);
  });

  it('downloads a key once for concurrent fine-tunes, refetches a rewritten object, and counts the bytes', async () => {
    const cache = new CheckpointCache(path.join(dir, 'cache'), 1e9);
    await object('runs/r/epoch-2.ckpt', 4096, 7);
    const got = await Promise.all([1, 2, 3].map(() => cache.fetch('runs/r/epoch-2.ckpt', remote)));
    expect(new Set(got.map((g) => g.file)).size).toBe(1);
    expect(cache.stats()).toMatchObject({ fetches: 1, bytesFetched: 4096 });
    await object('runs/r/epoch-2.ckpt', 4096, 8);
    expect((await cache.fetch('runs/r/epoch-2.ckpt', remote)).fetched).toBe(true);
    expect((await fs.readFile(cache.pathOf('runs/r/epoch-2.ckpt')))[0]).toBe(8);
    expect(await cache.bytesFetchedByAll()).toBe(8192);
  });
});
