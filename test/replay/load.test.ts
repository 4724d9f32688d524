import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAnchors, PROXY_TARGET_ALIASES } from '../../replay/load';
import { ANCHORS_DIR, describePublished, writeTinyAnchors } from './anchors';

describe('loadAnchors', () => {
  it('reads curves, pool, matrix and proxy files, resolving the tweet alias', async () => {
    const dir = writeTinyAnchors();
    const data = await loadAnchors(dir);
    expect(data.dir).toBe(dir);
    expect(data.runs.runs.length).toBe(8);
    expect([...data.inPaperPool]).toEqual(['a', 'b']);
    expect(data.history.datasets).toEqual(['h1', 'h2', 'h3']);
    expect([...data.history.values]).toEqual([0.5, 0.6, 0.7, Number.NaN, 0.2, 0.3]);
    expect([...(data.proxies.get('leep')?.keys() ?? [])]).toEqual(['tweet_eval', 'x']);
    expect(data.proxies.get('leep')?.get('tweet_eval')?.get('b')).toBe(-0.5);
    expect(PROXY_TARGET_ALIASES.tweet).toBe('tweet_eval');
  });

  it('names the missing file', async () => {
    await expect(loadAnchors(join(writeTinyAnchors(), 'nowhere'))).rejects.toThrow(/cannot read .*nowhere\/curves.csv/);
  });

  it('names a malformed file and line', async () => {
    const dir = writeTinyAnchors();
    writeFileSync(join(dir, 'history_matrix.tsv'), 'a\tb\n0.5\n0.1\t0.2\n0.3\t0.4\n');
    await expect(loadAnchors(dir)).rejects.toThrow(/history_matrix.tsv:2: 1 cells, but line 1 names 2 models/);
  });

  it('rejects a proxy file that is not <kind>_<target>.tsv', async () => {
    const dir = writeTinyAnchors();
    writeFileSync(join(dir, 'proxy', 'leep.tsv'), 'a\n1\n');
    await expect(loadAnchors(dir)).rejects.toThrow(/leep.tsv: name must be <kind>_<target>.tsv/);
  });
});

describePublished('loadAnchors on the published anchors', () => {
  it('holds 1,426 runs of 57 models on 31 datasets, a 40-model pool, a 22 x 39 matrix and 5 LEEP files', async () => {
    const data = await loadAnchors(ANCHORS_DIR);
    expect([data.runs.runs.length, data.runs.models.length, data.runs.datasets.length, data.inPaperPool.size]).toEqual([1426, 57, 31, 40]);
    expect([data.history.datasets.length, data.history.models.length]).toEqual([22, 39]);
    expect([...(data.proxies.get('leep')?.keys() ?? [])].sort()).toEqual(['boolq', 'copa', 'mnli', 'multirc', 'tweet_eval']);
  });
});
