/**
 * "Three machines" on one host: a Temporal dev server (listening on every address) and
 * versitygw (S3) here, the hub pushed into the bucket; worker processes each with its own empty
 * data folder and, where this process runs as root, its own network namespace (netns.ts),
 * reaching Temporal and the bucket through the host end of its veth. Temporal and the bucket
 * are the only things the workers share. Used by test/faults/three-machines.fault.ts and
 * `npm run bench:storage -- --selection`.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pushHub } from '../../../hub/cache';
import { loadDevServerConfig, sdkServerOptions } from '../../../server/dev-server';
import { ensureTemporalCli } from '../../../server/temporal-cli';
import { S3Server } from '../../../server/versitygw';
import { openStorage } from '../../../storage';
import { TF_BACKEND, removeDir } from './fixtures';
import { machines, relay, type Machine } from './netns';
import { killAll, privateFolders, startWorkerProcess, type Child } from './processes';
import { connect, type Server } from './server';

export interface Proc {
  readonly role: 'orchestrator' | 'gpu';
  readonly dataDir: string;
  readonly tmpDir: string;
  readonly child: Child;
}

export interface Cluster {
  readonly temporal: TestWorkflowEnvironment;
  readonly server: Server;
  readonly s3: S3Server;
  /** The workers' storage: `s3://<bucket>/<prefix>`. */
  readonly prefix: string;
  /** The machines (network namespaces), or null where this process cannot make them: the workers then run on loopback. */
  readonly net: ReturnType<typeof machines>;
  /** A worker process on `m` (or loopback) with its own empty data folder. */
  startMachine(role: Proc['role'], taskQueue: string, m: Machine | undefined): Promise<Proc>;
  /** Kill the workers, remove the machines, stop the servers, remove the folders made here. */
  close(): Promise<void>;
}

/** Start the dev server and versitygw, push the hub into `s3://<bucket>/<prefix>`, make `count` machines. */
export async function startCluster(o: { prefix: string; hub: { hubDir: string; datasetsDir: string }; machines?: number }): Promise<Cluster> {
  const temps: string[] = [];
  const relays: { close(): Promise<void> }[] = [];
  const cfg = { ...loadDevServerConfig(), ip: '0.0.0.0' };
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: sdkServerOptions(cfg, (await ensureTemporalCli()).path, { port: 0, ui: false, dbFile: null }),
  });
  const port = Number(temporal.address.split(':').at(-1));
  const server = await connect(`127.0.0.1:${port}`, temporal.namespace ?? 'default');
  const s3Dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-s3-'));
  temps.push(s3Dir);
  const s3 = await S3Server.start({ dir: s3Dir });
  const files = await pushHub(openStorage(s3.settings(o.prefix)), o.hub.hubDir, o.hub.datasetsDir);
  if (files === 0) throw new Error(`no hub files pushed from ${o.hub.hubDir}`);
  const net = machines(o.machines ?? 3);
  process.stderr.write(
    net
      ? `three machines: network namespaces ${net.list.map((m) => `${m.name} (${m.address})`).join(', ')}\n`
      : 'three machines: NOT root or no network namespaces here; the worker processes run on loopback\n',
  );

  /** The environment of a worker on `m` (or loopback): Temporal and the bucket, everything else private. */
  const machineEnv = async (m: Machine | undefined): Promise<{ env: Record<string, string>; dataDir: string; tmpDir: string }> => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-machine-'));
    const tmpDir = path.join(dataDir, 'tmp');
    await fs.mkdir(tmpDir);
    temps.push(dataDir);
    let endpoint = s3.endpoint;
    if (m) {
      const r = await relay(m.hostAddress, { host: '127.0.0.1', port: s3.port });
      relays.push(r);
      endpoint = `http://${m.hostAddress}:${r.port}`;
    }
    return {
      dataDir,
      tmpDir,
      env: {
        ...s3.env(o.prefix),
        AWS_ENDPOINT_URL_S3: endpoint,
        TEMPORAL_ADDRESS: `${m ? m.hostAddress : '127.0.0.1'}:${port}`,
        TEMPORAL_NAMESPACE: server.namespace,
        ...privateFolders(dataDir),
        TMPDIR: tmpDir,
        MSELECT_TF_BACKEND: TF_BACKEND,
      },
    };
  };

  return {
    temporal,
    server,
    s3,
    prefix: o.prefix,
    net,
    startMachine: async (role, taskQueue, m) => {
      const { env, dataDir, tmpDir } = await machineEnv(m);
      const child = await startWorkerProcess({ role, taskQueue, env, prefix: m?.prefix });
      return { role, dataDir, tmpDir, child };
    },
    close: async () => {
      await killAll();
      await Promise.all(relays.map((r) => r.close()));
      net?.remove();
      await server.close();
      await s3.stop(true);
      await temporal.teardown();
      await Promise.all(temps.map(removeDir));
    },
  };
}
