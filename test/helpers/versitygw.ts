/**
 * A real S3 server (versitygw over a temporary folder) for one jest file: started before its
 * tests, stopped and its folder removed after them, also when they fail. Never skipped: when
 * versitygw is missing it is built with `go install` (server/versitygw.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Server } from '../../server/versitygw';

/** Register beforeAll/afterAll hooks; the returned getter gives the running server. */
export function useS3Server(bucket = 'mselect-test'): () => S3Server {
  let server: S3Server | null = null;
  let dir: string | null = null;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-s3-'));
    server = await S3Server.start({ dir, bucket });
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!server) throw new Error('the S3 server is not running (beforeAll failed?)');
    return server;
  };
}
