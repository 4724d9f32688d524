/**
 * S3 transfers over an emulated link: versitygw in one network namespace, the clients in
 * another, joined by scripts/link-emulator.py, which carries every packet between a TUN device
 * in each after a one-way delay, dropping some and, with a rate, no faster than it (what
 * `tc netem delay D loss L rate R` does on both ends of a veth; this is for kernels built
 * without netem). Both namespaces use loopback-range addresses (127.10.0.1 and 127.10.0.2,
 * `route_localnet` on; their own `lo` stays down, so no 127.0.0.0/8 local route shadows the
 * link) and their own TCP congestion control; the host's network is not touched. Both
 * namespaces and the emulator go when the run ends, fails, or is interrupted.
 *
 * The measurements run in a child process inside the client namespace (this file, given its
 * settings as JSON), which prints one JSON line: one PUT stream against mselect's multipart
 * save, one GET stream against its parallel ranged load, mselect with one part in flight, and
 * the plain client's multipart upload and parallel GET, interleaved per repetition. Needs root,
 * `ip` and python3; never run by the tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { PROJECT_ROOT } from '../server/paths';
import { ensureVersitygw } from '../server/versitygw';
import { S3ObjectStore, sha256File, type TransferSettings } from '../storage';
import { median, MiB, PlainClient, plainS3Client, seconds, writeBlob } from './storage-clients';

export interface LinkOptions {
  /** Size of the file moved, MiB. */
  readonly sizeMiB: number;
  /** One-way delay, ms: the round trip is twice it. */
  readonly delayMs: number;
  /** Percent of packets dropped, each way. */
  readonly lossPercent: number;
  /** Link rate each way, Mbit/s; 0: no limit but the emulator's own speed. */
  readonly rateMbit: number;
  /** TCP congestion control in both namespaces (one of net.ipv4.tcp_allowed_congestion_control); empty: the system's default. */
  readonly congestionControl: string;
  /** Let versitygw keep connections alive between requests (as AWS S3 and MinIO do; versitygw's default is to close them). */
  readonly keepAlive: boolean;
  readonly transfer: TransferSettings;
  readonly repeat: number;
  /** Folder for the file, the downloads and the server's data. */
  readonly scratch: string;
}

/** Seconds per transfer (medians), and the link as measured (TCP connect time = one round trip). */
export interface LinkResult {
  readonly connectMs: number;
  /** The TCP congestion control the client used. */
  readonly congestionControl: string;
  readonly seconds: Record<'putSingle' | 'putParts' | 'ours' | 'oursSequential' | 'getSingle' | 'getParts' | 'oursLoad' | 'oursLoadSequential', number>;
}

interface ChildConfig {
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly file: string;
  readonly out: string;
  readonly sizeMiB: number;
  readonly transfer: TransferSettings;
  readonly repeat: number;
}

const SERVER_ADDRESS = '127.10.0.1';
const CLIENT_ADDRESS = '127.10.0.2';
const EMULATOR = path.join(PROJECT_ROOT, 'scripts', 'link-emulator.py');

const run = (cmd: string, ...args: string[]): void => void execFileSync(cmd, args, { stdio: 'pipe' });

/** What to undo when this process ends, also on SIGINT or SIGTERM: children to stop, namespaces to delete (last made, first undone). */
const undo: (() => void)[] = [];
function onExit(step: () => void): void {
  if (undo.push(step) > 1) return;
  const all = (): void => {
    for (const u of undo.splice(0).reverse()) {
      try {
        u();
      } catch {
        // best effort: the rest still runs
      }
    }
  };
  process.once('exit', all);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      all();
      process.kill(process.pid, sig);
    });
  }
}

/** The two namespaces and the emulator between them; `remove()` stops it and deletes them. */
async function makeLink(o: LinkOptions): Promise<{ server: string; client: string; emulatorOutput(): string; remove(): void }> {
  const tag = `${process.pid % 100000}`;
  const names = { server: `mselect-link-s${tag}`, client: `mselect-link-c${tag}` };
  let emulator: ChildProcess | null = null;
  let output = '';
  const remove = (): void => {
    emulator?.kill('SIGTERM');
    for (const ns of [names.server, names.client]) {
      try {
        run('ip', 'netns', 'del', ns);
      } catch {
        // not made, or already gone
      }
    }
  };
  onExit(remove);
  try {
    for (const ns of [names.server, names.client]) {
      try {
        run('ip', 'netns', 'del', ns);
      } catch {
        // none left from an earlier run
      }
      run('ip', 'netns', 'add', ns);
      if (o.congestionControl) run('ip', 'netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.tcp_congestion_control=${o.congestionControl}`);
    }
    const args = [
      EMULATOR,
      '--a',
      `${names.server}:${SERVER_ADDRESS}`,
      '--b',
      `${names.client}:${CLIENT_ADDRESS}`,
      '--delay-ms',
      String(o.delayMs),
      '--loss',
      String(o.lossPercent),
      '--rate-mbit',
      String(o.rateMbit),
    ];
    const child = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    emulator = child;
    const keep = (d: Buffer): void => void (output = (output + d.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the link emulator did not start within 15 s')), 15_000);
      const check = (): void => {
        if (!output.includes('ready')) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the link emulator exited with ${code}`));
      });
    });
  } catch (e) {
    remove();
    const err = e as Error & { stderr?: Buffer };
    throw new Error(
      `could not set up the emulated link (needs root, ip and python3): ${err.message.split('\n')[0]} ${err.stderr?.toString().trim() ?? ''} ${output.trim()}`,
    );
  }
  return { ...names, emulatorOutput: () => output, remove };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  return exited.finally(() => clearTimeout(timer));
}

/** Run the link benchmark; throws when the link cannot be made (not root, no `tc`). */
export async function linkBench(o: LinkOptions): Promise<LinkResult> {
  const bin = (await ensureVersitygw()).path;
  const dir = fs.mkdtempSync(path.join(o.scratch, 'link-'));
  const file = path.join(dir, `blob-${o.sizeMiB}.bin`);
  writeBlob(file, o.sizeMiB);
  const link = await makeLink(o);
  const children: ChildProcess[] = [];
  try {
    const config: ChildConfig = {
      endpoint: `http://${SERVER_ADDRESS}:9000`,
      host: SERVER_ADDRESS,
      port: 9000,
      bucket: 'bench',
      accessKeyId: `mselect${randomBytes(6).toString('hex')}`,
      secretAccessKey: randomBytes(18).toString('base64url'),
      file,
      out: path.join(dir, 'out.bin'),
      sizeMiB: o.sizeMiB,
      transfer: o.transfer,
      repeat: o.repeat,
    };
    fs.mkdirSync(path.join(dir, 's3'));
    const serverArgs = ['--access', config.accessKeyId, '--secret', config.secretAccessKey, '--port', `${config.host}:${config.port}`];
    const server = spawn(
      'ip',
      ['netns', 'exec', link.server, bin, ...serverArgs, ...(o.keepAlive ? ['--keep-alive'] : []), '--quiet', 'posix', path.join(dir, 's3')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    children.push(server);
    onExit(() => server.kill('SIGKILL'));
    let serverOutput = '';
    server.stderr?.on('data', (d: Buffer) => void (serverOutput = (serverOutput + d.toString()).slice(-4000)));
    const child = spawn('ip', ['netns', 'exec', link.client, process.execPath, '--enable-source-maps', __filename, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    onExit(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0)
      throw new Error(`the link benchmark's client exited with ${code}; versitygw: ${serverOutput.trim()}; emulator: ${link.emulatorOutput().trim()}`);
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as LinkResult;
  } finally {
    await Promise.all(children.map(stop));
    link.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds to open a TCP connection to host:port (one round trip on the link). */
function connectMs(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect(port, host, () => {
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      s.destroy();
    });
    s.once('error', reject);
  });
}

/** The client side, inside the client namespace. */
async function child(c: ChildConfig): Promise<LinkResult> {
  const credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  const client = plainS3Client(c.endpoint, credentials);
  for (const deadline = Date.now() + 30_000; ;) {
    try {
      await client.send(new ListBucketsCommand({}));
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await client.send(new CreateBucketCommand({ Bucket: c.bucket }));
  const settings = {
    kind: 's3' as const,
    bucket: c.bucket,
    prefix: 'mselect/',
    endpoint: c.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  };
  const ours = new S3ObjectStore(settings, { transfer: c.transfer });
  const sequential = new S3ObjectStore(settings, { transfer: { ...c.transfer, concurrency: 1 } });
  const plain = new PlainClient(client, c.bucket, c.transfer);
  const size = c.sizeMiB * MiB;
  const sha256 = await sha256File(c.file);
  const t: Record<string, number[]> = {};
  const time = async (name: string, op: () => Promise<unknown>): Promise<void> => {
    const s = await seconds(op);
    (t[name] ??= []).push(s);
    process.stderr.write(`  link: ${name} ${(c.sizeMiB / s).toFixed(1)} MB/s\n`);
  };
  const pings: number[] = [];
  for (let i = 0; i < 5; i++) pings.push(await connectMs(c.host, c.port));
  for (let i = 0; i < c.repeat; i++) {
    await time('putSingle', () => plain.putSingle('plain/blob', c.file));
    await time('putParts', () => plain.putParts('plain/blob', c.file));
    await time('ours', () => ours.putFile('blob', c.file, { sha256 }));
    await time('oursSequential', () => sequential.putFile('blob', c.file, { sha256 }));
    await time('getSingle', () => plain.getSingle('plain/blob', c.out));
    await time('getParts', () => plain.getParts('plain/blob', c.out, size));
    await time('oursLoad', () => ours.getFile('blob', c.out));
    await time('oursLoadSequential', () => sequential.getFile('blob', c.out));
  }
  const m = (name: string): number => median(t[name] ?? []);
  return {
    connectMs: median(pings),
    congestionControl: fs.readFileSync('/proc/sys/net/ipv4/tcp_congestion_control', 'utf8').trim(),
    seconds: {
      putSingle: m('putSingle'),
      putParts: m('putParts'),
      ours: m('ours'),
      oursSequential: m('oursSequential'),
      getSingle: m('getSingle'),
      getParts: m('getParts'),
      oursLoad: m('oursLoad'),
      oursLoadSequential: m('oursLoadSequential'),
    },
  };
}

if (require.main === module) {
  child(JSON.parse(process.argv[2] ?? '{}') as ChildConfig)
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
