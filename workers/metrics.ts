/**
 * Opt-in Prometheus metrics of a worker process, through the Temporal SDK's runtime
 * telemetry: set `MSELECT_METRICS=127.0.0.1:9464` and scrape `http://127.0.0.1:9464/metrics`.
 * The metrics that matter for mselect (see README, "Running on a cluster"):
 * `temporal_activity_schedule_to_start_latency` (GPU queue backlog),
 * `temporal_worker_task_slots_used{worker_type="ActivityWorker"}` (fine-tunes running),
 * `temporal_activity_execution_failed{activity_type}` (attempts that failed on this worker).
 * A heartbeat timeout (a worker lost mid-epoch) is detected by the Temporal server, not by a
 * worker: the worker that takes the retry logs `fineTune resumes from heartbeat`.
 */
import type { RuntimeOptions } from '@temporalio/worker';
import { formatIssues } from '../contracts/parse';
import { MetricsAddressSchema } from '../contracts/schemas';

/** The metric names the README documents, as the Prometheus endpoint spells them. */
export const KEY_METRICS = ['temporal_activity_schedule_to_start_latency', 'temporal_worker_task_slots_used', 'temporal_activity_execution_failed'] as const;

/** Runtime telemetry options for `MSELECT_METRICS`, or undefined when it is not set; errors name the variable. */
export function telemetryFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeOptions['telemetryOptions'] {
  const raw = env.MSELECT_METRICS;
  if (!raw) return undefined;
  const r = MetricsAddressSchema.safeParse(raw);
  if (!r.success) throw new Error(`MSELECT_METRICS is ${JSON.stringify(raw)}: ${formatIssues(r.error.issues)}`);
  return { metrics: { prometheus: { bindAddress: r.data } } };
}
