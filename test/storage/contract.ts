/**
 * The ObjectStore contract: one suite that every backend passes (fs.test.ts, s3.test.ts).
 * Each test works under its own fresh prefix of the backend's root.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StorageSettings } from '../../contracts/schemas/storage';
import { InvalidKeyError, ObjectCorruptError, ObjectNotFoundError, openStorage, sha256File, type ObjectStore } from '../../storage';

const ROOT = path.join(__dirname, '..', '..');

async function text(iter: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of iter) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

function runChild(config: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'race-child.ts'), JSON.stringify(config)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`race child exited ${String(code)}: ${err}`))));
  });
}

/**
 * Damage a stored file the way a disk or a broken transfer does, in place: the same inode and
 * modification time (bit rot), only the bytes changed or cut short.
 */
function damage(file: string, how: 'flip' | 'truncate'): void {
  const st = fs.statSync(file);
  if (how === 'truncate') fs.truncateSync(file, Math.floor(st.size / 2));
  else {
    const fd = fs.openSync(file, 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, 1000);
    b[0] = (b[0] ?? 0) ^ 0xff;
    fs.writeSync(fd, b, 0, 1, 1000);
    fs.closeSync(fd);
  }
  fs.utimesSync(file, st.atime, st.mtime);
}

/**
 * Run the contract against the backend that `settings()` names (S3 settings with a 5 MiB part
 * size, so files of a few MiB move in parts); `fileOf(prefixedKey)` is the file that backs an object.
 */
export function objectStoreContract(settings: () => StorageSettings, fileOf: (key: string) => string): void {
  let store: ObjectStore;
  let prefix: string;
  beforeEach(() => {
    prefix = `t-${randomBytes(5).toString('hex')}/`;
    store = openStorage(settings()).sub(prefix);
  });

  it('puts, gets, heads and replaces objects; a missing key is ObjectNotFound / null', async () => {
    await store.put('a/b.json', '{"x":1}');
    expect((await store.get('a/b.json')).toString()).toBe('{"x":1}');
    const h = await store.head('a/b.json');
    expect(h).toMatchObject({ key: 'a/b.json', size: 7 });
    await store.put('a/b.json', Buffer.from('replaced'));
    expect((await store.get('a/b.json')).toString()).toBe('replaced');
    expect((await store.head('a/b.json'))?.etag).not.toBe(h?.etag);
    await expect(store.get('a/none')).rejects.toThrow(ObjectNotFoundError);
    await expect(store.get('a/none')).rejects.toThrow(/a\/none does not exist/);
    expect(await store.head('a/none')).toBeNull();
  });

  it('reads byte ranges (short at the end) and streams', async () => {
    await store.put('r.bin', '0123456789');
    expect((await store.getRange('r.bin', 2, 3)).toString()).toBe('234');
    expect((await store.getRange('r.bin', 8, 5)).toString()).toBe('89');
    expect((await store.getRange('r.bin', 12, 5)).length).toBe(0);
    expect(await text(await store.read('r.bin'))).toBe('0123456789');
    await expect(store.getRange('gone.bin', 0, 1)).rejects.toThrow(ObjectNotFoundError);
    await expect(store.read('gone.bin')).rejects.toThrow(ObjectNotFoundError);
  });

  it('putIfAbsent creates once and never replaces', async () => {
    expect(await store.putIfAbsent('v/1.json', 'first')).toBe(true);
    expect(await store.putIfAbsent('v/1.json', 'second')).toBe(false);
    expect((await store.get('v/1.json')).toString()).toBe('first');
  });

  it('of four processes racing for the same keys, exactly one creates each, and its bytes stay', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `race/${i}.json`);
    const outs = await Promise.all(['p0', 'p1', 'p2', 'p3'].map((me) => runChild({ settings: settings(), prefix, keys, me })));
    const winners = new Map<string, string[]>();
    outs.forEach((out, p) =>
      out
        .split('\n')
        .filter((l) => l.startsWith('WON '))
        .forEach((l) => winners.set(l.slice(4), [...(winners.get(l.slice(4)) ?? []), `p${p}`])),
    );
    for (const key of keys) {
      expect(winners.get(key)).toHaveLength(1);
      expect((await store.get(key)).toString()).toBe(`${winners.get(key)?.[0] ?? ''}:${key}`);
    }
  });

  it('lists by prefix, sorted, with keys relative to the store; sub-stores see only their keys', async () => {
    for (const k of ['b/2', 'a/1', 'b/1', 'b/sub/3', 'c']) await store.put(k, k);
    expect((await store.list()).map((o) => o.key)).toEqual(['a/1', 'b/1', 'b/2', 'b/sub/3', 'c']);
    expect((await store.list('b/')).map((o) => o.key)).toEqual(['b/1', 'b/2', 'b/sub/3']);
    expect((await store.list('b/s')).map((o) => o.key)).toEqual(['b/sub/3']);
    expect((await store.list('none/')).map((o) => o.key)).toEqual([]);
    const sub = store.sub('b');
    expect((await sub.list()).map((o) => [o.key, o.size])).toEqual([
      ['1', 3],
      ['2', 3],
      ['sub/3', 7],
    ]);
    expect((await sub.get('sub/3')).toString()).toBe('b/sub/3');
    expect(sub.describe('x')).toMatch(/b[/\\]x$/);
  });

  it('deletes (idempotently)', async () => {
    await store.put('d/x', 'x');
    await store.delete('d/x');
    await store.delete('d/x');
    expect(await store.head('d/x')).toBeNull();
    expect(await store.list('d/')).toEqual([]);
  });

  it('an upload is invisible until finished; an aborted one leaves nothing', async () => {
    const up = store.upload('u/big.arrow');
    up.write(Buffer.from('abc'));
    up.write(Buffer.from('def'));
    expect(await store.head('u/big.arrow')).toBeNull();
    await up.finish();
    expect((await store.get('u/big.arrow')).toString()).toBe('abcdef');
    const gone = store.upload('u/gone.arrow');
    gone.write(Buffer.from('x'));
    await gone.abort();
    expect((await store.list('u/')).map((o) => o.key)).toEqual(['u/big.arrow']);
  });

  it('uploads and downloads files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-blob-'));
    try {
      const src = path.join(dir, 'src.bin');
      const bytes = randomBytes(300_000);
      fs.writeFileSync(src, bytes);
      await store.putFile('ckpt/model.bin', src);
      const info = await store.getFile('ckpt/model.bin', path.join(dir, 'out', 'model.bin'));
      expect(info.size).toBe(bytes.length);
      expect(Buffer.compare(fs.readFileSync(path.join(dir, 'out', 'model.bin')), bytes)).toBe(0);
      await expect(store.getFile('ckpt/none.bin', path.join(dir, 'none.bin'))).rejects.toThrow(ObjectNotFoundError);
      expect(fs.readdirSync(path.join(dir, 'out'))).toEqual(['model.bin']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves a file of several parts (and an empty one) intact, recording its SHA-256', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-blob-'));
    try {
      const src = path.join(dir, 'src.bin');
      fs.writeFileSync(src, randomBytes(12 * 1024 * 1024 + 123));
      const sha256 = await sha256File(src);
      expect(await store.putFile('ckpt/big.bin', src)).toEqual({ size: 12 * 1024 * 1024 + 123, sha256 });
      expect(await store.head('ckpt/big.bin')).toMatchObject({ size: 12 * 1024 * 1024 + 123, sha256 });
      expect(await store.getFile('ckpt/big.bin', path.join(dir, 'big.bin'))).toMatchObject({ sha256 });
      expect(await sha256File(path.join(dir, 'big.bin'))).toBe(sha256);
      // A caller that hashed while writing passes the digest: it is recorded as given.
      expect((await store.putFile('ckpt/again.bin', src, { sha256 })).sha256).toBe(sha256);
      fs.writeFileSync(path.join(dir, 'empty.bin'), '');
      await store.putFile('ckpt/empty.bin', path.join(dir, 'empty.bin'));
      expect((await store.getFile('ckpt/empty.bin', path.join(dir, 'empty-out.bin'))).size).toBe(0);
      expect(fs.statSync(path.join(dir, 'empty-out.bin')).size).toBe(0);
      expect((await store.list('ckpt/')).map((o) => o.key)).toEqual(['ckpt/again.bin', 'ckpt/big.bin', 'ckpt/empty.bin']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['flip', 'truncate'] as const)('a stored file damaged in place (%s) fails with ObjectCorruptError naming it, and leaves no file', async (how) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-blob-'));
    try {
      const src = path.join(dir, 'src.bin');
      fs.writeFileSync(src, randomBytes(6 * 1024 * 1024));
      await store.putFile('ckpt/bad.bin', src);
      damage(fileOf(`${prefix}ckpt/bad.bin`), how);
      const err: unknown = await store.getFile('ckpt/bad.bin', path.join(dir, 'out.bin')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ObjectCorruptError);
      expect((err as ObjectCorruptError).type).toBe('StoreCorrupt');
      expect((err as Error).message).toContain(store.describe('ckpt/bad.bin'));
      expect((err as Error).message).toMatch(/hash|bytes|shorter/);
      expect(fs.readdirSync(dir)).toEqual(['src.bin']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses keys that are absolute or climb out of the store', async () => {
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '', 'a\\b', './a']) {
      await expect(store.put(bad, 'x')).rejects.toThrow(InvalidKeyError);
    }
    expect(() => store.sub('../up')).toThrow(InvalidKeyError);
  });
}
