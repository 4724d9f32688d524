/**
 * OpenTelemetry tracing, on with OTEL_EXPORTER_OTLP_ENDPOINT: a workflow started by a traced
 * client and run by traced workers sends its spans, in one trace, to an OTLP/HTTP receiver
 * (a local HTTP server standing in for a collector).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectClient, connectWorker, type Target } from '../../workers/connection';
import { createGpuWorker, createOrchestratorWorker } from '../../workers/create-workers';
import { tracesEndpoint, tracingFromEnv } from '../../workers/tracing';
import { plumbingCheck } from '../../workflows';
import { serverInfo, testWorkerConfig, withWorkers } from '../helpers/test-env';

interface Span {
  name: string;
  traceId: string;
}
const received: { spans: Span[]; services: string[] } = { spans: [], services: [] };
let collector: Server;
let endpoint = '';

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const data = JSON.parse(body) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: Span[] }[] }[];
        };
        for (const rs of data.resourceSpans) {
          received.services.push(...rs.resource.attributes.filter((a) => a.key === 'service.name').map((a) => a.value.stringValue ?? ''));
          for (const ss of rs.scopeSpans) received.spans.push(...ss.spans.map((s) => ({ name: s.name, traceId: s.traceId })));
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => collector.close(() => resolve())));

describe('OpenTelemetry tracing', () => {
  it('is off without an OTLP endpoint and names the traces URL from the standard variables', () => {
    expect(tracesEndpoint({})).toBeNull();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/traces' })).toBe('http://b/traces');
  });

  it('traces a workflow from the client call through its activities, in one trace', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
    const { address, namespace } = serverInfo();
    const target: Target = { address, namespace, embedded: false };
    const connection = await connectWorker(target, env);
    const client = await connectClient(target, env);
    const taskQueue = `tracing-${Date.now()}`;
    try {
      // Bundled at start (no prebuilt bundle), so the plugin's workflow interceptors are in it.
      const setup = { connection, namespace, taskQueue, config: testWorkerConfig(), shutdownGraceTime: '1s' as const };
      const workers = [await createOrchestratorWorker(setup), await createGpuWorker({ ...setup, slots: 1 })];
      await withWorkers(workers, () =>
        client.workflow.execute(plumbingCheck, { taskQueue, workflowId: taskQueue, args: [{ steps: 1, stepMs: 10, timer: '10ms' }] }),
      );
      await (await tracingFromEnv(env))?.flush();
    } finally {
      await client.connection.close();
      await connection.close();
    }
    const names = received.spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['StartWorkflow:plumbingCheck', 'RunWorkflow:plumbingCheck']));
    expect(names.some((n) => n.startsWith('RunActivity:'))).toBe(true);
    const start = received.spans.find((s) => s.name === 'StartWorkflow:plumbingCheck');
    const traced = received.spans.filter((s) => s.name === 'RunWorkflow:plumbingCheck' || s.name.startsWith('RunActivity:'));
    expect(traced.every((s) => s.traceId === start?.traceId)).toBe(true);
    expect(new Set(received.services)).toEqual(new Set(['mselect']));
  }, 180_000);
});
