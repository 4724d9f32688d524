import { connectionConfigFromEnv, resolveTarget } from '../../workers/connection';
import { DevServerConfigSchema } from '../../contracts/schemas';

const dev = DevServerConfigSchema.parse({ port: 7300, namespace: 'ml' });

describe('Temporal connection settings', () => {
  it('defaults to the embedded dev server of temporal-dev.yml', () => {
    expect(resolveTarget(connectionConfigFromEnv({}), dev)).toEqual({
      address: '127.0.0.1:7300', namespace: 'ml', apiKey: undefined, tls: undefined, embedded: true,
    });
  });

  it('TEMPORAL_ADDRESS, namespace and API key point the same workers at a cluster (TLS on)', () => {
    const t = resolveTarget(connectionConfigFromEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'k' }), dev);
    expect(t).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', apiKey: 'k', embedded: false });
    expect(t.tls).toBeDefined();
  });

  it('rejects a malformed address, naming the variable', () => {
    expect(() => connectionConfigFromEnv({ TEMPORAL_ADDRESS: 'http://x' })).toThrow(/TEMPORAL_\* environment variables\): address: must be host:port/);
  });

  it('needs TLS cert and key together', () => {
    expect(() => connectionConfigFromEnv({ TEMPORAL_TLS_CERT: '/c.pem' })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together/);
  });

  it('names an unreadable certificate file', () => {
    const cfg = connectionConfigFromEnv({ TEMPORAL_ADDRESS: 'h:1', TEMPORAL_TLS_CERT: '/no/c.pem', TEMPORAL_TLS_KEY: '/no/k.pem' });
    expect(() => resolveTarget(cfg, dev)).toThrow('TEMPORAL_TLS_CERT: cannot read /no/c.pem');
  });
});
