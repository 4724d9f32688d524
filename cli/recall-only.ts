import Table from 'cli-table3';
import { performance } from 'node:perf_hooks';
import { recallShortlist, storedProxies, ShortlistInputError, type Shortlist } from '../evaluation';
import { InteropUsageError, openExistingStore, storeDirOf } from '../interop';
import { UsageError } from './options';

export interface RecallOnlyFlags {
  store?: string;
  target: string;
  proxy?: string;
  recallSize?: number;
  models?: string;
  json?: boolean;
}

const fmt = (v: number | null): string => (v === null || !Number.isFinite(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));

export function shortlistTable(s: Shortlist): string {
  const t = new Table({ head: ['rank', 'model', 'score', 'why', `measured on ${s.target}`], style: { head: [], border: [], compact: true } });
  s.entries.forEach((e) => t.push([String(e.rank), e.model, fmt(e.score), e.why, fmt(e.measured)]));
  return [`Recall-only shortlist for ${s.target}, ranked by ${s.score}`, ...s.notes.map((n) => `  ${n}`), t.toString()].join('\n');
}

/** `mselect select --recall-only`: the ranked shortlist from the store, no workflow, no training. */
export async function runRecallOnly(o: RecallOnlyFlags): Promise<string> {
  const t0 = performance.now();
  try {
    const dir = storeDirOf(o.store);
    const snap = await openExistingStore(dir).snapshot();
    const [matrix, datasets, proxies] = await Promise.all([snap.performanceMatrix(), snap.datasets(), storedProxies(snap)]);
    const proxy = o.proxy === undefined || o.proxy === 'history-prior' ? null : o.proxy;
    const s = recallShortlist({
      matrix,
      directions: new Map(datasets.map((d) => [d.id, d.direction])),
      proxies: proxies.get(o.target) ?? new Map(),
      target: o.target,
      proxy,
      size: o.recallSize ?? 5,
      models: o.models
        ?.split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    });
    const seconds = (performance.now() - t0) / 1000;
    return o.json
      ? JSON.stringify({ store: dir, version: snap.version, seconds, ...s }, null, 2)
      : `${shortlistTable(s)}\nstore version ${snap.version}; took ${seconds.toFixed(2)} s`;
  } catch (e) {
    if (e instanceof ShortlistInputError || e instanceof InteropUsageError) throw new UsageError(e.message);
    throw e;
  }
}
