import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HubMirror, ObjectCache, pushHub } from '../../hub/cache';
import { listModelIds } from '../../hub/models';
import { FsObjectStore } from '../../storage';
import { makeTempDirs, removeDirs, type TinyDirs, writeTinyDataset, writeTinyModel } from './tiny-hub';

let dirs: TinyDirs;
let remoteDir: string;
beforeEach(async () => {
  dirs = await makeTempDirs();
  remoteDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-remote-'));
});
afterEach(async () => {
  await removeDirs(dirs);
  await fs.rm(remoteDir, { recursive: true, force: true });
});

describe('ObjectCache', () => {
  it('downloads each object once, also for concurrent callers, and again only when it changes', async () => {
    const remote = new FsObjectStore(remoteDir);
    await remote.put('hub/m/weights.bin', Buffer.alloc(4096, 7));
    await remote.put('hub/m/model.json', '{"a":1}');
    const cache = new ObjectCache(remote, path.join(dirs.root, 'cache'));
    await Promise.all([cache.folder('hub/m/'), cache.folder('hub/m/'), cache.folder('hub/m/')]);
    expect(cache.downloads).toBe(2);
    expect(await fs.readFile(cache.pathOf('hub/m/model.json'), 'utf8')).toBe('{"a":1}');
    await cache.folder('hub/m/');
    // Another cache in the same folder (another process) finds the files current.
    const again = new ObjectCache(remote, path.join(dirs.root, 'cache'));
    await again.folder('hub/m/');
    expect(again.downloads).toBe(0);
    await remote.put('hub/m/model.json', '{"a":22}');
    await again.folder('hub/m/');
    expect(again.downloads).toBe(1);
    expect(await fs.readFile(cache.pathOf('hub/m/model.json'), 'utf8')).toBe('{"a":22}');
    // A damaged local copy (wrong size) is fetched again.
    await fs.truncate(cache.pathOf('hub/m/weights.bin'), 10);
    await again.folder('hub/m/');
    expect((await fs.stat(cache.pathOf('hub/m/weights.bin'))).size).toBe(4096);
  });
});

describe('HubMirror', () => {
  it('mirrors a pushed hub: cards for the catalog, whole models and datasets on demand', async () => {
    await writeTinyModel(dirs.hubDir, 'tiny');
    await writeTinyDataset(dirs.datasetsDir, 'blobs');
    const remote = new FsObjectStore(remoteDir);
    expect(await pushHub(remote, dirs.hubDir, dirs.datasetsDir)).toBeGreaterThanOrEqual(4);
    const mirror = new HubMirror(remote, path.join(dirs.root, 'cache'));
    await mirror.catalogue();
    expect(await listModelIds(mirror.hubDir)).toEqual(['tiny']);
    expect(await fs.readdir(path.join(mirror.hubDir, 'tiny'))).toEqual(['card.json']);
    await Promise.all([mirror.model('tiny'), mirror.dataset('blobs')]);
    expect((await fs.readdir(path.join(mirror.hubDir, 'tiny'))).sort()).toEqual((await fs.readdir(path.join(dirs.hubDir, 'tiny'))).sort());
    expect((await fs.readdir(path.join(mirror.datasetsDir, 'blobs'))).sort()).toEqual((await fs.readdir(path.join(dirs.datasetsDir, 'blobs'))).sort());
  });
});
