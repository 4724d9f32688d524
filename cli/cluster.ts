/**
 * `mselect cluster init`: prepare a Temporal cluster for mselect. Registers the search
 * attributes selections set (MselectTarget, MselectPolicy) on the namespace when missing;
 * idempotent, so it is safe to run again and workers run the same step when they start.
 */
import { Command } from 'commander';
import { loadDevServerConfig } from '../server/dev-server';
import { connectClient, connectionConfigFromEnv, resolveTarget } from '../workers/connection';
import { describeReport, ensureSearchAttributes, type SearchAttributeReport } from '../workers/search-attributes';

const log = (l: string) => process.stderr.write(`${l}\n`);

/** Register mselect's search attributes on the namespace of TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (or the embedded dev server's). */
export async function clusterInit(env: NodeJS.ProcessEnv = process.env): Promise<SearchAttributeReport> {
  const target = resolveTarget(connectionConfigFromEnv(env), loadDevServerConfig());
  const client = await connectClient(target).catch((e: unknown) => {
    throw new Error(`Cannot reach Temporal at ${target.address} (TEMPORAL_ADDRESS): ${(e as Error).message}`);
  });
  try {
    return await ensureSearchAttributes(client.connection.operatorService, target.namespace);
  } finally {
    await client.connection.close();
  }
}

export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('Prepare a Temporal cluster for mselect.');
  cluster
    .command('init')
    .description('Register mselect\'s search attributes (MselectTarget, MselectPolicy) on the namespace when missing; idempotent.')
    .action(async () => {
      const report = await clusterInit();
      log(describeReport(report));
      console.log(JSON.stringify(report));
    });
  return cluster;
}
