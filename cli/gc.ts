/**
 * `mselect gc`: remove the checkpoints that crashed, cancelled or terminated workflows left
 * behind. A checkpoint stays while the workflow it belongs to is open (a selection's runs are
 * `<workflow id>/<model>@<target>`; offline cells `offline/...` stay while any
 * buildPerformanceMatrix is open) and when a finished selection keeps it (its manifest
 * `kept/<workflow id>.json` names it). See docs/storage.md, "Checkpoint lifecycle".
 */
import { Command } from 'commander';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { applyGc, collectGc, type OpenWorkflows } from '../activities/checkpoints';
import { durationMs } from '../contracts/duration';
import { DurationSchema } from '../contracts/schemas/common';
import { workerConfigFromEnv } from '../workers/config';
import { checkpointAreaOf } from '../workers/deps';
import { parseFlags } from './options';
import { withSession } from './session';

const log = (l: string) => process.stderr.write(`${l}\n`);

/** The workflows still open in the client's namespace (Temporal visibility). */
export async function openWorkflows(client: Client): Promise<OpenWorkflows> {
  const ids = new Set<string>();
  let offlineOpen = false;
  for await (const w of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    ids.add(w.workflowId);
    if (w.type === 'buildPerformanceMatrix') offlineOpen = true;
  }
  return { ids, offlineOpen };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function gcCommand(): Command {
  return new Command('gc')
    .description('Remove checkpoints that no open workflow can resume from and no finished selection keeps (left by crashed, cancelled or terminated runs).')
    .option('--dry-run', 'list what would be removed; remove nothing')
    .option('--older-than <duration>', 'only objects last written longer ago than this, e.g. 7d (default: any age)')
    .action(async (o: { dryRun?: boolean; olderThan?: string }) => {
      const olderThanMs = o.olderThan === undefined ? 0 : durationMs(parseFlags(z.object({ olderThan: DurationSchema }), { olderThan: o.olderThan }).olderThan);
      const area = await checkpointAreaOf(workerConfigFromEnv());
      const plan = await withSession((s) => collectGc(area, () => openWorkflows(s.client), olderThanMs), { workers: 'never' });
      const keptTotal = Object.values(plan.kept).reduce((a, b) => a + b, 0);
      const reasons = Object.entries(plan.kept)
        .filter(([, n]) => n > 0)
        .map(([why, n]) => `${n} ${why}`)
        .join(', ');
      for (const key of plan.unreadableManifests) log(`warning: manifest ${key} is unreadable; what it kept is not protected`);
      const size = plan.remove.reduce((a, x) => a + x.size, 0);
      if (o.dryRun) {
        for (const x of plan.remove) console.log(`would remove ${x.key} (${mb(x.size)})`);
        console.log(`dry run: ${plan.remove.length} object(s), ${mb(size)} would go; ${keptTotal} kept${reasons ? ` (${reasons})` : ''}`);
        return;
      }
      const freed = await applyGc(area, plan, (x) => console.log(`removed ${x.key} (${mb(x.size)})`));
      console.log(`removed ${plan.remove.length} object(s), ${mb(freed)}; ${keptTotal} kept${reasons ? ` (${reasons})` : ''}`);
    });
}
