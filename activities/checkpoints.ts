/**
 * The checkpoint lifecycle: what may be deleted, and when, so that checkpoints never pile up
 * and nothing a retry could resume from is lost (docs/storage.md, "Checkpoint lifecycle").
 *
 * - While a fine-tune runs, `pruneRun` deletes the run's epochs below the one the Temporal
 *   server is known to hold in the activity's heartbeat (activities/fine-tune.ts).
 * - Once a model's fine-tunes are over (eliminated, committed offline cell), the workflow calls
 *   `releaseCheckpoints` with its run ids: everything under them goes but the keys it keeps.
 * - A finished selection keeps its pick's final checkpoint and records it in a manifest,
 *   `kept/<workflow id>.json`, which `mselect export model` and `mselect gc` read.
 * - `mselect gc` removes what crashed or terminated workflows left behind (`planGc`).
 *
 * Checkpoints may live in more than one place: the shared storage's `checkpoints/` and the
 * worker's local checkpoint folder (where external trainers write before the upload); every
 * deletion goes to each of them.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseOrFail } from '../contracts/parse';
import { KeptManifestSchema, ReleaseCheckpointsInputSchema, type KeptManifest, type ReleaseCheckpointsInput } from '../contracts/schemas/training';
import { FsObjectStore, ObjectNotFoundError, type ObjectInfo, type ObjectStore } from '../storage';
import { CheckpointStore } from '../training/checkpoint-store';

/** The places checkpoints live; the first is the primary one (where manifests go). */
export interface CheckpointArea {
  readonly stores: readonly [ObjectStore, ...ObjectStore[]];
}

/** The area of a worker: the shared `checkpoints/` (when there is shared storage), then the local folder. */
export function checkpointArea(checkpointDir: string, shared?: ObjectStore | null): CheckpointArea {
  const local = new FsObjectStore(checkpointDir);
  return { stores: shared ? [shared, local] : [local] };
}

const KEYS = new CheckpointStore(new FsObjectStore('/nonexistent-checkpoint-root'));

/** The key prefix all checkpoints of `runId` live under (`runs/<encoded runId>/`), as CheckpointStore.keyFor writes them. */
export function runPrefix(runId: string): string {
  const key = KEYS.keyFor(runId, 0);
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/** The run id a `runs/<encoded>/...` key belongs to, or null for any other key. */
export function runIdOfKey(key: string): string | null {
  const m = /^runs\/([^/]+)\//.exec(key);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1] as string);
  } catch {
    return null;
  }
}

/** The epoch a checkpoint file name states (`epoch-3.ckpt`, `epoch-3.pt`), or null when it states none. */
export function epochOfKey(key: string): number | null {
  const m = /(?:^|\/)epoch-(\d+)(?:\.[^/]*)?$/.exec(key);
  return m ? Number(m[1]) : null;
}

/**
 * Delete one checkpoint object everywhere it lives. The one place a checkpoint is removed,
 * so a store with its own removal (one that also drops a local cache entry) is switched here.
 */
export async function removeCheckpoint(area: CheckpointArea, key: string): Promise<void> {
  for (const store of area.stores) await store.delete(key);
}

/** The folder of a released run in each folder store, when nothing is left in it (no fine-tune of the run runs any more). */
async function removeEmptyRunFolders(area: CheckpointArea, runId: string): Promise<void> {
  for (const store of area.stores) {
    if (store instanceof FsObjectStore) await fs.rmdir(path.join(store.root, ...runPrefix(runId).split('/').filter(Boolean))).catch(() => undefined);
  }
}

/** Every object under `prefix` in every store of the area (one entry per key; the newest mtime). */
export async function listArea(area: CheckpointArea, prefix: string): Promise<ObjectInfo[]> {
  const byKey = new Map<string, ObjectInfo>();
  for (const store of area.stores) {
    for (const o of await store.list(prefix)) {
      const seen = byKey.get(o.key);
      if (!seen || o.mtimeMs > seen.mtimeMs) byKey.set(o.key, o);
    }
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The keys of a run's listing that lie strictly below epoch `below` (files naming no epoch stay). */
export function keysBelow(objects: readonly ObjectInfo[], below: number): string[] {
  return objects
    .filter((o) => {
      const e = epochOfKey(o.key);
      return e !== null && e < below;
    })
    .map((o) => o.key);
}

/**
 * Delete the checkpoints of `runId` below epoch `below`: the epochs no retry can resume from
 * once the server holds a heartbeat naming epoch `below` (or the run's input resumes from it).
 * Returns the keys deleted.
 */
export async function pruneRun(area: CheckpointArea, runId: string, below: number): Promise<string[]> {
  const doomed = keysBelow(await listArea(area, runPrefix(runId)), below);
  for (const key of doomed) await removeCheckpoint(area, key);
  return doomed;
}

/** Where the manifest of selection `workflowId` lives in the checkpoint area. */
export function manifestKey(workflowId: string): string {
  return `kept/${encodeURIComponent(workflowId).replace(/\./g, '%2E')}.json`;
}

/** The manifest of selection `workflowId`, or null when it kept nothing. */
export async function readManifest(area: CheckpointArea, workflowId: string): Promise<KeptManifest | null> {
  try {
    return KeptManifestSchema.parse(JSON.parse((await area.stores[0].get(manifestKey(workflowId))).toString('utf8')));
  } catch (e) {
    if (e instanceof ObjectNotFoundError) return null;
    throw e;
  }
}

/** Every manifest of the area (unreadable ones are reported by key, and keep nothing). */
export async function readManifests(area: CheckpointArea): Promise<{ manifests: KeptManifest[]; unreadable: string[] }> {
  const manifests: KeptManifest[] = [];
  const unreadable: string[] = [];
  for (const o of await area.stores[0].list('kept/')) {
    try {
      manifests.push(KeptManifestSchema.parse(JSON.parse((await area.stores[0].get(o.key)).toString('utf8'))));
    } catch {
      unreadable.push(o.key);
    }
  }
  return { manifests, unreadable };
}

/** The light activities of the lifecycle, run on the orchestrator worker. */
export function createCheckpointActivities(area: CheckpointArea | undefined) {
  return {
    /**
     * Delete every checkpoint of `runIds` but the keys in `keep`: the run's fine-tunes are over
     * (an eliminated model, a committed offline cell, a finished selection). Idempotent.
     */
    async releaseCheckpoints(raw: ReleaseCheckpointsInput): Promise<{ deleted: number }> {
      const input = parseOrFail(ReleaseCheckpointsInputSchema, raw, 'releaseCheckpoints input');
      if (!area) return { deleted: 0 };
      const keep = new Set(input.keep);
      let deleted = 0;
      for (const runId of input.runIds) {
        for (const o of await listArea(area, runPrefix(runId))) {
          if (keep.has(o.key)) continue;
          await removeCheckpoint(area, o.key);
          deleted += 1;
        }
        await removeEmptyRunFolders(area, runId);
      }
      return { deleted };
    },
    /** Record what a finished selection keeps (written before anything else of it is released). Idempotent. */
    async keepCheckpoints(raw: Omit<KeptManifest, 'writtenAt'>): Promise<{ manifest: string | null }> {
      const manifest = parseOrFail(KeptManifestSchema, { ...raw, writtenAt: new Date().toISOString() }, 'keepCheckpoints input');
      if (!area) return { manifest: null };
      const key = manifestKey(manifest.workflowId);
      await area.stores[0].put(key, `${JSON.stringify(manifest, null, 1)}\n`);
      return { manifest: area.stores[0].describe(key) };
    },
  };
}
export type CheckpointActivities = ReturnType<typeof createCheckpointActivities>;

/** What gc knows about one leftover object. */
export interface GcObject {
  readonly key: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface GcPlan {
  /** Objects no open workflow can resume from and no finished selection keeps, old enough to go. */
  readonly remove: readonly GcObject[];
  /** Objects kept, with why (summed per reason). */
  readonly kept: Readonly<Record<'open-workflow' | 'offline-running' | 'kept-pick' | 'too-young' | 'not-a-checkpoint', number>>;
}

/**
 * Which checkpoints gc removes (pure): a run's objects go unless the run belongs to an open
 * workflow (`<workflow id>/...`, or any `offline/...` cell while a buildPerformanceMatrix
 * workflow is open), a manifest keeps them, or they are younger than `olderThanMs`.
 * List the objects BEFORE asking which workflows are open, so a run started in between is
 * either listed as open or not listed at all.
 */
export function planGc(args: {
  readonly objects: readonly GcObject[];
  readonly openWorkflowIds: ReadonlySet<string>;
  readonly offlineOpen: boolean;
  readonly keptKeys: ReadonlySet<string>;
  readonly nowMs: number;
  readonly olderThanMs: number;
}): GcPlan {
  const kept = { 'open-workflow': 0, 'offline-running': 0, 'kept-pick': 0, 'too-young': 0, 'not-a-checkpoint': 0 };
  const remove: GcObject[] = [];
  const open = [...args.openWorkflowIds];
  for (const o of args.objects) {
    const runId = runIdOfKey(o.key);
    if (runId === null) kept['not-a-checkpoint'] += 1;
    else if (args.keptKeys.has(o.key)) kept['kept-pick'] += 1;
    else if (open.some((w) => runId.startsWith(`${w}/`))) kept['open-workflow'] += 1;
    else if (runId.startsWith('offline/') && args.offlineOpen) kept['offline-running'] += 1;
    else if (args.nowMs - o.mtimeMs < args.olderThanMs) kept['too-young'] += 1;
    else remove.push(o);
  }
  return { remove, kept };
}

/** Which workflows may still resume from checkpoints: the ids of open workflows, and whether an offline build is open. */
export interface OpenWorkflows {
  readonly ids: ReadonlySet<string>;
  readonly offlineOpen: boolean;
}

/**
 * Plan a gc of the area: list every run's objects first, then ask which workflows are open
 * (`openWorkflows`, e.g. Temporal's visibility), then read the manifests of finished
 * selections. `olderThanMs` spares what was written recently (0: no age limit).
 */
export async function collectGc(
  area: CheckpointArea,
  openWorkflows: () => Promise<OpenWorkflows>,
  olderThanMs: number,
  nowMs = Date.now(),
): Promise<GcPlan & { unreadableManifests: string[] }> {
  const objects = await listArea(area, 'runs/');
  const open = await openWorkflows();
  const { manifests, unreadable } = await readManifests(area);
  const keptKeys = new Set(manifests.flatMap((m) => m.keys));
  return { ...planGc({ objects, openWorkflowIds: open.ids, offlineOpen: open.offlineOpen, keptKeys, nowMs, olderThanMs }), unreadableManifests: unreadable };
}

/** Delete what a plan removes, reporting each deletion; returns the bytes freed. */
export async function applyGc(area: CheckpointArea, plan: GcPlan, onRemoved: (o: GcObject) => void = () => undefined): Promise<number> {
  let bytes = 0;
  for (const o of plan.remove) {
    await removeCheckpoint(area, o.key);
    bytes += o.size;
    onRemoved(o);
  }
  return bytes;
}
