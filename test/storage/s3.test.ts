/** The ObjectStore contract on S3 (a real versitygw), and what only S3 can get wrong: credentials, buckets, outages. */
import * as path from 'node:path';
import { S3ObjectStore, StorageConfigError, StorageUnavailableError } from '../../storage';
import { useS3Server } from '../helpers/versitygw';
import { objectStoreContract } from './contract';

const server = useS3Server();

describe('ObjectStore on S3 (versitygw)', () => {
  objectStoreContract(() => ({ ...server().settings('contract'), partSize: 5 * 1024 * 1024 }), (key) => path.join(server().dir, server().bucket, 'contract', ...key.split('/')));
});

describe('S3 failures', () => {
  it('refused credentials are a StorageConfigError naming the bucket and the variables', async () => {
    for (const credentials of [{ accessKeyId: 'nobody', secretAccessKey: 'x' }, { accessKeyId: server().accessKeyId, secretAccessKey: 'wrong-secret' }]) {
      const store = new S3ObjectStore({ ...server().settings(), credentials });
      await expect(store.put('k', 'v')).rejects.toThrow(StorageConfigError);
      await expect(store.get('k')).rejects.toThrow(/refused the credentials for bucket "mselect-test".*AWS_ACCESS_KEY_ID/);
      await expect(store.check()).rejects.toThrow(StorageConfigError);
    }
    // A HEAD has no error body: versitygw answers an unknown key id with 404 there, a wrong secret with 403.
    await expect(new S3ObjectStore({ ...server().settings(), credentials: { accessKeyId: server().accessKeyId, secretAccessKey: 'wrong' } }).head('k')).rejects.toThrow(StorageConfigError);
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
