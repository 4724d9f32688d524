/**
 * `mselect cluster init`: prepare a Temporal cluster for mselect. Registers the search
 * attributes selections set (MselectTarget, MselectPolicy) on the namespace when missing;
 * idempotent, so it is safe to run again and workers run the same step when they start.
 */
import { Command } from 'commander';
import * as path from 'node:path';
import { pushHub } from '../hub/cache';
import { defaultHubPaths } from '../hub/paths';
import { loadDevServerConfig } from '../server/dev-server';
import { dataDir } from '../server/paths';
import { S3Server } from '../server/versitygw';
import { checkStorage, openStorage, readStorageSettings } from '../storage';
import { connectClient, connectionConfigFromEnv, resolveTarget } from '../workers/connection';
import { describeReport, ensureSearchAttributes, type SearchAttributeReport } from '../workers/search-attributes';

const log = (l: string) => process.stderr.write(`${l}\n`);

/** Register mselect's search attributes on the namespace of the Temporal connection settings (workers/connection.ts; else the embedded dev server's). */
export async function clusterInit(env: NodeJS.ProcessEnv = process.env): Promise<SearchAttributeReport> {
  const settings = connectionConfigFromEnv(env);
  const target = resolveTarget(settings, loadDevServerConfig());
  const client = await connectClient(target).catch((e: unknown) => {
    throw new Error(
      `Cannot reach Temporal at ${target.address} (${target.embedded ? 'the embedded dev server' : settings.origin('address')}): ${(e as Error).message}`,
    );
  });
  try {
    return await ensureSearchAttributes(client.connection.operatorService, target.namespace);
  } finally {
    await client.connection.close();
  }
}

/** Upload the local hub and datasets (MSELECT_HUB, MSELECT_DATASETS) into `hub/` and `datasets/` of MSELECT_STORAGE. */
export async function pushLocalHub(env: NodeJS.ProcessEnv = process.env): Promise<{ files: number; to: string }> {
  const settings = readStorageSettings(env);
  if (settings.kind !== 's3') throw new Error('MSELECT_STORAGE is not an s3:// URL: the hub is already where the workers read it');
  const objects = openStorage(settings);
  await checkStorage(objects);
  const { hubDir, datasetsDir } = defaultHubPaths(env);
  return { files: await pushHub(objects, hubDir, datasetsDir), to: objects.url };
}

/**
 * A local versitygw serving `<data>/s3` with a bucket `mselect`, and this process's
 * MSELECT_STORAGE and AWS_* variables pointed at it (`npm run dev -- --s3`). The local hub
 * is uploaded when there is one.
 */
export async function startLocalS3(log: (l: string) => void): Promise<S3Server> {
  const s3 = await S3Server.start({ dir: path.join(dataDir(), 's3'), accessKeyId: 'mselect-dev', secretAccessKey: 'mselect-dev-secret' });
  Object.assign(process.env, s3.env(''));
  const pushed = await pushLocalHub();
  log(`versitygw at ${s3.endpoint}: bucket ${s3.bucket}, ${pushed.files} hub and dataset files uploaded`);
  return s3;
}

export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('Prepare a Temporal cluster for mselect.');
  cluster
    .command('init')
    .description("Register mselect's search attributes (MselectTarget, MselectPolicy) on the namespace when missing; idempotent.")
    .action(async () => {
      const report = await clusterInit();
      log(describeReport(report));
      console.log(JSON.stringify(report));
    });
  cluster
    .command('push-hub')
    .description('Upload the local hub and datasets (MSELECT_HUB, MSELECT_DATASETS; default data/hub, data/datasets) to MSELECT_STORAGE.')
    .action(async () => {
      const r = await pushLocalHub();
      log(`Uploaded ${r.files} files to ${r.to}`);
    });
  return cluster;
}
