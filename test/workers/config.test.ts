import * as path from 'node:path';
import { workerConfigFromEnv } from '../../workers/config';

const base = { MSELECT_REPLAY_DATA: '/nonexistent-replay' };

describe('workerConfigFromEnv and MSELECT_STORAGE', () => {
  it("unset: today's folders and overrides", () => {
    const c = workerConfigFromEnv({ ...base, MSELECT_HUB: '/x/hub', MSELECT_STORE: '/x/store' });
    expect(c).toMatchObject({ hubDir: '/x/hub', storeDir: '/x/store' });
    expect(c.storage ?? null).toBeNull();
  });

  it('unset: MSELECT_DATA roots every folder, the store included', () => {
    const c = workerConfigFromEnv({ ...base, MSELECT_DATA: '/x/data' });
    expect(c).toMatchObject({
      storeDir: '/x/data/store',
      hubDir: '/x/data/hub',
      datasetsDir: '/x/data/datasets',
      checkpointDir: '/x/data/checkpoints',
      reportDir: '/x/data/reports',
    });
  });

  it('a folder roots all five areas, each still overridable', () => {
    const c = workerConfigFromEnv({ ...base, MSELECT_STORAGE: '/srv/mselect', MSELECT_REPORTS: '/www/reports' });
    expect(c).toMatchObject({
      storeDir: '/srv/mselect/store',
      hubDir: '/srv/mselect/hub',
      datasetsDir: '/srv/mselect/datasets',
      checkpointDir: '/srv/mselect/checkpoints',
      reportDir: '/www/reports',
    });
    expect(c.storage ?? null).toBeNull();
  });

  it('s3: everything in the bucket, the hub and datasets cached in the private data folder', () => {
    const c = workerConfigFromEnv({
      ...base,
      MSELECT_STORAGE: 's3://bucket/team/',
      MSELECT_DATA: '/var/lib/mselect',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
    });
    expect(c.storage).toMatchObject({ kind: 's3', bucket: 'bucket' });
    expect(c).toMatchObject({
      cacheDir: '/var/lib/mselect/cache',
      hubDir: path.join('/var/lib/mselect/cache', 'hub'),
      datasetsDir: path.join('/var/lib/mselect/cache', 'datasets'),
    });
  });

  it('a malformed URL names the variable', () => {
    expect(() => workerConfigFromEnv({ ...base, MSELECT_STORAGE: 'gs://bucket' })).toThrow(/MSELECT_STORAGE/);
  });
});
