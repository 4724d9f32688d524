import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionConfigFromEnv, resolveTarget } from '../../workers/connection';
import { DevServerConfigSchema } from '../../contracts/schemas';

const dev = DevServerConfigSchema.parse({ port: 7300, namespace: 'ml' });
const dir = mkdtempSync(join(tmpdir(), 'mselect-connection-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A temporal.toml in the temp folder; returns its path. */
function tomlFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
const pem = (name: string, text: string): string => tomlFile(name, text);
const quiet = (): void => undefined;

describe('Temporal connection settings from the environment', () => {
  it('defaults to the embedded dev server of temporal-dev.yml', () => {
    expect(resolveTarget(connectionConfigFromEnv({}), dev)).toEqual({
      address: '127.0.0.1:7300',
      namespace: 'ml',
      apiKey: undefined,
      tls: undefined,
      embedded: true,
    });
  });

  it('TEMPORAL_ADDRESS, namespace and API key point the same workers at a cluster (TLS on)', () => {
    const t = resolveTarget(
      connectionConfigFromEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'k' }),
      dev,
    );
    expect(t).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', apiKey: 'k', embedded: false });
    expect(t.tls).toBeDefined();
  });

  it('an empty variable counts as unset', () => {
    expect(resolveTarget(connectionConfigFromEnv({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '' }), dev)).toMatchObject({
      address: '127.0.0.1:7300',
      namespace: 'ml',
      embedded: true,
    });
  });

  it('reads mTLS files from the documented variables', () => {
    const cert = pem('env-cert.pem', 'CERT');
    const key = pem('env-key.pem', 'KEY');
    const ca = pem('env-ca.pem', 'CA');
    const t = resolveTarget(
      connectionConfigFromEnv({
        TEMPORAL_ADDRESS: 'h:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: key,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      }),
      dev,
    );
    expect(t.tls).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
      serverRootCACertificate: Buffer.from('CA'),
      serverNameOverride: 'temporal.internal',
    });
  });

  it('rejects a malformed address, naming the variable and the value', () => {
    expect(() => connectionConfigFromEnv({ TEMPORAL_ADDRESS: 'http://x' })).toThrow(
      'Temporal connection settings: TEMPORAL_ADDRESS "http://x" must be host:port',
    );
  });

  it('needs the client certificate and key together, naming both variables', () => {
    expect(() => connectionConfigFromEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem' })).toThrow(
      'a client certificate and its key must be set together (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)',
    );
  });

  it('names an unreadable certificate file and its variable', () => {
    const cfg = connectionConfigFromEnv({ TEMPORAL_ADDRESS: 'h:1', TEMPORAL_TLS_CLIENT_CERT_PATH: '/no/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/no/k.pem' });
    expect(() => resolveTarget(cfg, dev)).toThrow('TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read /no/c.pem');
  });

  it('still reads the former TEMPORAL_TLS_CERT/KEY/CA names, with a warning naming the replacement', () => {
    const warnings: string[] = [];
    const cert = pem('old-cert.pem', 'OLD-CERT');
    const cfg = connectionConfigFromEnv({ TEMPORAL_ADDRESS: 'h:1', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: '/no/k.pem' }, (l) => warnings.push(l));
    expect(warnings).toEqual([
      "WARN TEMPORAL_TLS_CERT is deprecated: set TEMPORAL_TLS_CLIENT_CERT_PATH (Temporal's name) instead",
      "WARN TEMPORAL_TLS_KEY is deprecated: set TEMPORAL_TLS_CLIENT_KEY_PATH (Temporal's name) instead",
    ]);
    expect(() => resolveTarget(cfg, dev)).toThrow('TEMPORAL_TLS_KEY: cannot read /no/k.pem');
  });
});

describe('Temporal connection settings from a temporal.toml profile', () => {
  const cert = pem('prod-cert.pem', 'PROD-CERT');
  const key = pem('prod-key.pem', 'PROD-KEY');
  const file = tomlFile(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "localhost:7233"',
      '',
      '[profile.prod]',
      'address = "temporal.prod:7233"',
      'namespace = "models"',
      '',
      '[profile.prod.tls]',
      `client_cert_path = "${cert}"`,
      `client_key_path = "${key}"`,
      'server_name = "temporal.prod"',
      '',
      '[profile.prod.grpc_meta]',
      'x-team = "ml"',
      '',
      '[profile.typo]',
      'address = "temporal.prod"',
      '',
      '[profile.lost]',
      'address = "h:1"',
      '[profile.lost.tls]',
      'client_cert_path = "/no/cert.pem"',
      'client_key_path = "/no/key.pem"',
      '',
    ].join('\n'),
  );

  it('TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE select a profile: address, namespace, mTLS, gRPC metadata', () => {
    const t = resolveTarget(connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }), dev);
    expect(t).toEqual({
      address: 'temporal.prod:7233',
      namespace: 'models',
      apiKey: undefined,
      embedded: false,
      metadata: { 'x-team': 'ml' },
      tls: {
        clientCertPair: { crt: Buffer.from('PROD-CERT'), key: Buffer.from('PROD-KEY') },
        serverRootCACertificate: undefined,
        serverNameOverride: 'temporal.prod',
      },
    });
  });

  it('without TEMPORAL_PROFILE the default profile is used; environment variables override the profile', () => {
    expect(resolveTarget(connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: file }), dev)).toMatchObject({
      address: 'localhost:7233',
      namespace: 'ml',
      tls: undefined,
      embedded: false,
    });
    expect(resolveTarget(connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'staging' }), dev)).toMatchObject({
      address: 'temporal.prod:7233',
      namespace: 'staging',
    });
  });

  it('the default file is $XDG_CONFIG_HOME/temporalio/temporal.toml, as for the temporal CLI', () => {
    const home = join(dir, 'xdg');
    mkdirSync(join(home, 'temporalio'), { recursive: true });
    writeFileSync(join(home, 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "xdg.host:7233"\n');
    expect(resolveTarget(connectionConfigFromEnv({ XDG_CONFIG_HOME: home }), dev)).toMatchObject({ address: 'xdg.host:7233', embedded: false });
  });

  it('names a profile the file lacks', () => {
    expect(() => connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'stage' })).toThrow(
      `TEMPORAL_PROFILE is stage, but ${file} has no [profile.stage]`,
    );
  });

  it('names a missing config file', () => {
    expect(() => connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') })).toThrow(
      `TEMPORAL_CONFIG_FILE names ${join(dir, 'none.toml')}, which does not exist`,
    );
  });

  it('names a file that is not TOML', () => {
    const bad = tomlFile('bad.toml', '[profile.default\naddress = 1\n');
    expect(() => connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: bad })).toThrow(`cannot read ${bad} (TEMPORAL_CONFIG_FILE)`);
  });

  it('names the profile key and file of a malformed address', () => {
    expect(() => connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'typo' })).toThrow(
      `address of [profile.typo] in ${file} "temporal.prod" must be host:port`,
    );
  });

  it('names the profile key of an unreadable certificate', () => {
    const cfg = connectionConfigFromEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'lost' }, quiet);
    expect(() => resolveTarget(cfg, dev)).toThrow(`tls.client_cert_path of [profile.lost] in ${file}: cannot read /no/cert.pem`);
  });
});
