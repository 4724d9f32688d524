/** The ObjectStore contract on S3 (a real versitygw), and what only S3 can get wrong: credentials, buckets, outages. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { sha256File, S3ObjectStore, StorageConfigError, StorageUnavailableError } from '../../storage';
import { useS3Server } from '../helpers/versitygw';
import { objectStoreContract } from './contract';

const server = useS3Server();

describe('ObjectStore on S3 (versitygw)', () => {
  objectStoreContract(
    () => ({ ...server().settings('contract'), partSize: 5 * 1024 * 1024 }),
    (key) => path.join(server().dir, server().bucket, 'contract', ...key.split('/')),
  );
});

describe('S3 failures', () => {
  it('refused credentials are a StorageConfigError naming the bucket and the variables', async () => {
    for (const credentials of [
      { accessKeyId: 'nobody', secretAccessKey: 'x' },
      { accessKeyId: server().accessKeyId, secretAccessKey: 'wrong-secret' },
    ]) {
      const store = new S3ObjectStore({ ...server().settings(), credentials });
      await expect(store.put('k', 'v')).rejects.toThrow(StorageConfigError);
      await expect(store.get('k')).rejects.toThrow(/refused the credentials for bucket "mselect-test".*AWS_ACCESS_KEY_ID/);
      await expect(store.check()).rejects.toThrow(StorageConfigError);
    }
    // A HEAD has no error body: versitygw answers an unknown key id with 404 there, a wrong secret with 403.
    await expect(
      new S3ObjectStore({ ...server().settings(), credentials: { accessKeyId: server().accessKeyId, secretAccessKey: 'wrong' } }).head('k'),
    ).rejects.toThrow(StorageConfigError);
  });

  it('a missing bucket is a StorageConfigError naming it and MSELECT_STORAGE', async () => {
    const store = new S3ObjectStore({ ...server().settings(), bucket: 'no-such-bucket' });
    await expect(store.put('k', 'v')).rejects.toThrow(/bucket "no-such-bucket" does not exist .*MSELECT_STORAGE/);
    await expect(store.putIfAbsent('k', 'v')).rejects.toThrow(StorageConfigError);
    await expect(store.list('')).rejects.toThrow(StorageConfigError);
    await expect(store.check()).rejects.toThrow(StorageConfigError);
  });

  it('rides out a short outage, and reports a long one as StorageUnavailable (retryable)', async () => {
    const store = new S3ObjectStore(server().settings('outage'), { retry: { deadlineMs: 10_000, initialDelayMs: 50, maxDelayMs: 500 } });
    await server().pause();
    const put = store.put('k', 'survived');
    await new Promise((r) => setTimeout(r, 1500));
    await server().resume();
    await put;
    expect((await store.get('k')).toString()).toBe('survived');
    const impatient = new S3ObjectStore(server().settings('outage'), { retry: { deadlineMs: 500, initialDelayMs: 50, maxDelayMs: 100 } });
    await server().pause();
    try {
      await expect(impatient.get('k')).rejects.toThrow(StorageUnavailableError);
      await expect(impatient.get('k')).rejects.toThrow(/s3:\/\/mselect-test\/outage\/k \(endpoint http:\/\/127.0.0.1:\d+\) is unavailable after \d+ attempts/);
    } finally {
      await server().resume();
    }
  });
});

/**
 * A TCP relay to the S3 server that counts the bytes each way and cuts the first connection
 * that has carried `cutAfter` bytes in the direction `dir` (a network that breaks once mid-part),
 * or, with `always`, every such connection.
 */
async function flakyRelay(port: number, dir: 'up' | 'down', cutAfter: number, always = false) {
  const bytes = { up: 0, down: 0 };
  let cut = false;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let carried = 0;
    const count = (d: 'up' | 'down') => (chunk: Buffer) => {
      bytes[d] += chunk.length;
      if (d !== dir) return;
      carried += chunk.length;
      if ((always || !cut) && carried > cutAfter) {
        cut = true;
        client.resetAndDestroy();
        upstream.destroy();
      }
    };
    client.on('data', count('up'));
    upstream.on('data', count('down'));
    client.pipe(upstream).on('error', () => undefined);
    upstream.pipe(client).on('error', () => undefined);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  return {
    bytes,
    cut: () => cut,
    endpoint: `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => relay.close(r));
    },
  };
}

describe('S3 transfers over a connection that breaks once', () => {
  const MiB = 1024 * 1024;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-flaky-'));
    fs.writeFileSync(path.join(dir, 'src.bin'), randomBytes(20 * MiB));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(['up', 'down'] as const)('a part cut mid-transfer (%s) is retried alone: the object arrives intact, re-sending less than a part', async (way) => {
    const relay = await flakyRelay(server().port, way, 3 * MiB);
    try {
      const settings = { ...server().settings(`flaky-${way}`), endpoint: relay.endpoint, partSize: 5 * MiB };
      const store = new S3ObjectStore(settings, { transfer: { partSize: 5 * MiB, concurrency: 2 } });
      const src = path.join(dir, 'src.bin');
      if (way === 'down') await new S3ObjectStore(server().settings(`flaky-${way}`)).putFile('big.bin', src);
      relay.bytes.up = 0;
      relay.bytes.down = 0;
      if (way === 'up') await store.putFile('big.bin', src);
      const got = await store.getFile('big.bin', path.join(dir, `out-${way}.bin`));
      expect(relay.cut()).toBe(true);
      expect(got.sha256).toBe(await sha256File(src));
      expect(await sha256File(path.join(dir, `out-${way}.bin`))).toBe(got.sha256);
      // The whole object once, plus at most the one part that broke (and HTTP headers).
      const moved = way === 'up' ? relay.bytes.up : relay.bytes.down;
      expect(moved).toBeGreaterThan(20 * MiB);
      expect(moved).toBeLessThan(25 * MiB + 256 * 1024);
    } finally {
      await relay.close();
    }
  });

  it('an upload that cannot finish is aborted: no parts are left in the bucket', async () => {
    const relay = await flakyRelay(server().port, 'up', 3 * MiB, true);
    try {
      const settings = { ...server().settings('flaky-abort'), endpoint: relay.endpoint };
      const store = new S3ObjectStore(settings, {
        transfer: { partSize: 5 * MiB, concurrency: 2 },
        retry: { deadlineMs: 1_000, initialDelayMs: 50, maxDelayMs: 200 },
      });
      await expect(store.putFile('big.bin', path.join(dir, 'src.bin'))).rejects.toThrow(StorageUnavailableError);
      const uploads = await server()
        .client()
        .send(new ListMultipartUploadsCommand({ Bucket: server().bucket, Prefix: 'flaky-abort/' }));
      expect(uploads.Uploads ?? []).toEqual([]);
      expect(await new S3ObjectStore(server().settings('flaky-abort')).head('big.bin')).toBeNull();
    } finally {
      await relay.close();
    }
  });
});
