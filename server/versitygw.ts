/**
 * versitygw (Apache-2.0), an S3 gateway over a local folder: the real S3 server of the tests,
 * the storage benchmark and `npm run dev` on S3. Found or built like the Temporal CLI
 * (`VERSITYGW` → PATH → `~/.cache/mselect/versitygw/<version>/` → `go install`), started as
 * `versitygw --access <k> --secret <s> --port 127.0.0.1:<port> posix <dir>` on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../contracts/schemas/storage';
import { ensureTool, findTool, GO_LOCATIONS, type BuildProgress, type GoTool, type ResolvedTool } from './go-tool';

export const VERSITYGW_VERSION = 'v1.8.0';
const GO_PACKAGE = 'github.com/versity/versitygw/cmd/versitygw';

export const VERSITYGW_INSTALL_HELP = [
  'versitygw (the S3 server of the tests and `npm run bench:storage`) was not found and Go is not installed to build it.',
  'Install Go (https://go.dev/dl/), or build it elsewhere with',
  `  go install ${GO_PACKAGE}@${VERSITYGW_VERSION}`,
  'and put it on PATH or point VERSITYGW at the binary.',
].join('\n');

export const VERSITYGW: GoTool = {
  title: 'versitygw',
  exe: 'versitygw',
  envVar: 'VERSITYGW',
  cacheName: 'versitygw',
  goPackage: GO_PACKAGE,
  version: VERSITYGW_VERSION,
  installHelp: VERSITYGW_INSTALL_HELP,
};

/** versitygw if it is already present: `VERSITYGW` → PATH → the cache. */
export function findVersitygw(env: NodeJS.ProcessEnv = process.env): ResolvedTool | undefined {
  return findTool(VERSITYGW, env);
}

/** Find versitygw or build it with `go install` into the per-user cache (about 90 s the first time). */
export function ensureVersitygw(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  goLocations: readonly string[] = GO_LOCATIONS,
  progress?: (p: BuildProgress) => void,
): Promise<ResolvedTool> {
  return ensureTool(VERSITYGW, env, log, goLocations, progress);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface VersitygwOptions {
  /** The folder it serves (buckets are its subfolders); created when missing. */
  readonly dir: string;
  /** Created at start; default 'mselect'. */
  readonly bucket?: string;
  /** Default: a free port. */
  readonly port?: number;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Default: stop waiting for it to answer after 30 s. */
  readonly startTimeoutMs?: number;
}

/** A running versitygw and what a client needs to reach it. */
export class S3Server {
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly binary: string,
    readonly dir: string,
    readonly port: number,
    readonly bucket: string,
    readonly accessKeyId: string,
    readonly secretAccessKey: string,
    private readonly startTimeoutMs: number,
  ) {}

  /** Find (or build) versitygw, start it, wait until it answers, create the bucket. */
  static async start(o: VersitygwOptions): Promise<S3Server> {
    const bin = await ensureVersitygw();
    const server = new S3Server(
      bin.path,
      path.resolve(o.dir),
      o.port ?? (await freePort()),
      o.bucket ?? 'mselect',
      o.accessKeyId ?? `mselect${randomBytes(6).toString('hex')}`,
      o.secretAccessKey ?? randomBytes(18).toString('base64url'),
      o.startTimeoutMs ?? 30_000,
    );
    await server.resume();
    await server
      .client()
      .send(new CreateBucketCommand({ Bucket: server.bucket }))
      .catch((e: unknown) => {
        if ((e as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw e;
      });
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Whether the process runs (false between `pause` and `resume`). */
  get running(): boolean {
    return this.child !== null;
  }

  /** The storage settings of `s3://<bucket>/<prefix>` on this server. */
  settings(prefix = ''): S3Settings {
    return {
      kind: 's3',
      bucket: this.bucket,
      prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
      endpoint: this.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
    };
  }

  /** The environment a worker needs to use `s3://<bucket>/<prefix>` here. */
  env(prefix = ''): Record<string, string> {
    return {
      MSELECT_STORAGE: `s3://${this.bucket}/${prefix}`,
      AWS_ENDPOINT_URL_S3: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: this.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.secretAccessKey,
    };
  }

  /** An S3 client for this server (admin tasks in tests). */
  client(): S3Client {
    return new S3Client({
      endpoint: this.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
    });
  }

  /** Start the process again on the same port and folder (after `pause`), and wait until it answers. */
  async resume(): Promise<void> {
    if (this.child) return;
    fs.mkdirSync(this.dir, { recursive: true });
    // Its flags win over its VGW_* / ROOT_* variables; drop those so a user's settings cannot leak in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VGW_|ROOT_)/.test(k)));
    const child = spawn(
      this.binary,
      ['--access', this.accessKeyId, '--secret', this.secretAccessKey, '--port', `127.0.0.1:${this.port}`, '--quiet', 'posix', this.dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      },
    );
    this.child = child;
    const keep = (d: Buffer): void => void (this.output = (this.output + d.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + this.startTimeoutMs;
    const client = this.client();
    for (;;) {
      try {
        await client.send(new ListBucketsCommand({}));
        return;
      } catch (e) {
        if (!this.child) throw new Error(`versitygw exited before answering on ${this.endpoint}: ${this.output.trim()}`);
        if (Date.now() > deadline) {
          await this.pause();
          throw new Error(
            `versitygw did not answer on ${this.endpoint} within ${this.startTimeoutMs} ms: ${e instanceof Error ? e.message : String(e)}; output: ${this.output.trim()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stop the process (SIGTERM, then SIGKILL after 5 s); the folder stays, so `resume` continues where it was. */
  async pause(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** Stop the process; `removeDir` also deletes the folder it served. */
  async stop(removeDir = false): Promise<void> {
    await this.pause();
    if (removeDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
