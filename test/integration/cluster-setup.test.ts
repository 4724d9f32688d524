/**
 * A fresh Temporal server WITHOUT mselect's search attributes (its own, not the shared one,
 * which global setup launches with them): `mselect cluster init` registers them, a second
 * run finds them present, and a worker process started with MSELECT_METRICS registers them
 * too and serves Prometheus metrics with the names the README documents once it has run an
 * activity.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterInit } from '../../cli/cluster';
import { loadDevServerConfig, sdkServerOptions } from '../../server/dev-server';
import { ensureTemporalCli } from '../../server/temporal-cli';
import { KEY_METRICS } from '../../workers/metrics';
import { ensureSearchAttributes, mselectSearchAttributes } from '../../workers/search-attributes';
import { buildPerformanceMatrix, plumbingCheck } from '../../workflows';
import { killAll, startWorkerProcess } from '../faults/helpers/processes';

let env: TestWorkflowEnvironment;
const dataDir = mkdtempSync(join(tmpdir(), 'mselect-cluster-'));

beforeAll(async () => {
  const server = sdkServerOptions({ ...loadDevServerConfig(), searchAttributes: {} }, (await ensureTemporalCli()).path, { port: 0, ui: false, dbFile: null });
  env = await TestWorkflowEnvironment.createLocal({
    server: { ...server, extraArgs: [...server.extraArgs, '--namespace', 'mselect-race', '--namespace', 'mselect-metrics'] },
  });
});
afterAll(async () => {
  await killAll();
  await env?.teardown();
  rmSync(dataDir, { recursive: true, force: true });
});

const temporalEnv = (): Record<string, string> => ({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' });
const names = mselectSearchAttributes()
  .map((k) => k.name)
  .sort();

async function customAttributes(namespace: string): Promise<string[]> {
  const res = await env.connection.operatorService.listSearchAttributes({ namespace });
  return Object.keys(res.customAttributes ?? {})
    .filter((k) => k.startsWith('Mselect'))
    .sort();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('cluster set-up on a fresh namespace', () => {
  it('cluster init registers the search attributes once; a second run finds them present', async () => {
    expect(names).toEqual(['MselectPolicy', 'MselectTarget']);
    const ns = env.namespace ?? 'default';
    expect(await customAttributes(ns)).toEqual([]);
    const first = await clusterInit(temporalEnv());
    expect(first.added.sort()).toEqual(names);
    expect(await customAttributes(ns)).toEqual(names);
    const second = await clusterInit(temporalEnv());
    expect(second).toEqual({ namespace: ns, added: [], present: expect.arrayContaining(names) as unknown });
  });

  it('two registrations racing on another namespace both succeed', async () => {
    const namespace = 'mselect-race';
    const reports = await Promise.all([0, 1].map(() => ensureSearchAttributes(env.connection.operatorService, namespace)));
    expect(reports.flatMap((r) => [...r.added, ...r.present]).sort()).toEqual([...names, ...names].sort());
    expect(await customAttributes(namespace)).toEqual(names);
  });

  it('a worker registers them on its namespace and serves the documented Prometheus metrics', async () => {
    const namespace = 'mselect-metrics';
    const metrics = `127.0.0.1:${await freePort()}`;
    const taskQueue = `metrics-${Date.now()}`;
    const worker = await startWorkerProcess({
      role: 'all',
      taskQueue,
      env: { ...temporalEnv(), TEMPORAL_NAMESPACE: namespace, MSELECT_DATA: dataDir, MSELECT_METRICS: metrics, MSELECT_REPLAY_DATA: join(dataDir, 'none') },
    });
    expect(worker.output()).toContain(`Prometheus metrics at http://${metrics}/metrics`);
    expect(await customAttributes(namespace)).toEqual(names);

    const client = new Client({ connection: env.connection, namespace });
    await client.workflow.execute(plumbingCheck, { taskQueue, workflowId: `metrics-${taskQueue}`, args: [{ steps: 2, stepMs: 10, timer: '10ms' }] });
    // An offline run over a model the (empty) hub lacks: its planning activity fails once, non-retryable.
    const failed = await client.workflow
      .execute(buildPerformanceMatrix, { taskQueue, workflowId: `metrics-fail-${taskQueue}`, args: [{ models: ['no-such-model'], epochs: 1 }] })
      .then(
        () => null,
        (e: unknown) => e,
      );
    // The workflow fails with the activity's cause on top (what the web UI shows first).
    expect(String((failed as Error & { cause?: Error })?.cause?.message)).toContain('no-such-model');
    const text = await (await fetch(`http://${metrics}/metrics`)).text();
    for (const name of KEY_METRICS) expect(text).toMatch(new RegExp(`^${name}(_bucket|_sum|_count)?\\{`, 'm'));
    expect(text).toMatch(new RegExp(`^temporal_worker_task_slots_used\\{[^}]*task_queue="${taskQueue}-gpu"[^}]*worker_type="ActivityWorker"`, 'm'));
  });
});
