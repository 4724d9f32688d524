/**
 * Bad storage settings (catalogue kind `storage`): a process opening the matrix store with
 * wrong credentials, a missing bucket, a malformed MSELECT_STORAGE or endpoint fails at once
 * with a non-retryable StorageMisconfigured failure naming the bucket or setting, and writes
 * nothing. The S3 server is a real versitygw.
 */
import * as path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { useS3Server } from '../helpers/versitygw';
import { casesOf } from './catalogue';
import { killAll, spawnNode } from './helpers/processes';

const CHILD = path.join(__dirname, 'helpers', 'storage-child.ts');
const server = useS3Server('mselect-faults');
afterEach(killAll);

describe('bad storage settings', () => {
  it('the good settings commit (the control case)', async () => {
    const child = spawnNode(['-r', 'ts-node/register/transpile-only', CHILD], { ...server().env('run') });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toContain('COMMITTED 1');
  });

  it.each(casesOf('storage').map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const s = server();
    const env = Object.fromEntries(
      Object.entries(c.env).map(([k, v]) => [k, v.replace('{endpoint}', s.endpoint).replace('{key}', s.accessKeyId).replace('{secret}', s.secretAccessKey)]),
    );
    const before = await s.client().send(new ListObjectsV2Command({ Bucket: s.bucket }));
    const started = Date.now();
    const child = spawnNode(['-r', 'ts-node/register/transpile-only', CHILD], {
      // Nothing from the caller's environment may fill in for what the case leaves out.
      MSELECT_STORAGE: '',
      AWS_ENDPOINT_URL: '',
      AWS_ENDPOINT_URL_S3: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      ...env,
    });
    expect(await child.exited).toEqual({ code: 1, signal: null });
    const line = /FAILURE (.*)/.exec(child.output())?.[1];
    expect(line).toBeDefined();
    const failure = JSON.parse(line ?? '{}') as { type: string; nonRetryable: boolean; message: string };
    expect(failure).toMatchObject({ type: c.errorType, nonRetryable: true });
    expect(failure.message).toContain(c.excerpt);
    // Failed at once: no retry loop ran (the retry deadline is 60 s).
    expect(Date.now() - started).toBeLessThan(30_000);
    const after = await s.client().send(new ListObjectsV2Command({ Bucket: s.bucket }));
    expect(after.KeyCount ?? 0).toBe(before.KeyCount ?? 0);
  });
});
