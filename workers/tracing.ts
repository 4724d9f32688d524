/**
 * OpenTelemetry tracing of workflows, activities and the client calls that start them
 * (@temporalio/interceptors-opentelemetry), off by default. On when the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: spans go there
 * over OTLP/HTTP, named by `OTEL_SERVICE_NAME` (default `mselect`), the trace context carried
 * from the starter through the workflow into every activity.
 */
import type { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

export interface Tracing {
  /** Where spans are sent. */
  readonly endpoint: string;
  /** The plugin for connections: clients and workers built on them trace. */
  readonly plugin: OpenTelemetryPlugin;
  /** Send the spans still buffered (before a short-lived command exits). */
  flush(): Promise<void>;
}

let installed: Promise<Tracing | null> | undefined;

/** The OTLP/HTTP traces URL the standard variables name, or null when tracing is off. */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string | null {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return null;
}

/**
 * This process's tracing, set up on first use from the environment (one tracer provider per
 * process, registered as the global one); null when no OTLP endpoint is set. The OpenTelemetry
 * packages are loaded only then (about 0.3 s), not by every command.
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  installed ??= setUp(env);
  return installed;
}

async function setUp(env: NodeJS.ProcessEnv): Promise<Tracing | null> {
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return null;
  try {
    new URL(endpoint);
  } catch {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT: ${endpoint} is not a URL (e.g. http://otel-collector:4318)`);
  }
  const [
    { trace },
    { AsyncLocalStorageContextManager },
    { OTLPTraceExporter },
    { Resource },
    { BasicTracerProvider, BatchSpanProcessor },
    { OpenTelemetryPlugin: Plugin },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@temporalio/interceptors-opentelemetry'),
  ]);
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || 'mselect' });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The active span follows async calls, so the trace context reaches the headers Temporal carries.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return {
    endpoint,
    plugin: new Plugin({ resource, spanProcessor, tracer: trace.getTracer('mselect') }),
    flush: () => provider.forceFlush(),
  };
}
