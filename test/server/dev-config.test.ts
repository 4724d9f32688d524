import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp';
import { DEV_CONFIG_FILE, loadDevServerConfig, sdkServerOptions } from '../../server/dev-server';

function writeYaml(text: string): string {
  const file = join(tempDir('cfg'), 'temporal-dev.yml');
  writeFileSync(file, text);
  return file;
}

describe('temporal-dev.yml', () => {
  it('the shipped file is valid and persistent', () => {
    const cfg = loadDevServerConfig(DEV_CONFIG_FILE);
    expect(cfg.port).toBe(7233);
    expect(cfg.uiPort).toBe(8233);
    expect(cfg.dbFile).toMatch(/\.sqlite$/);
    expect(cfg.searchAttributes).toMatchObject({ MselectTarget: 'Keyword' });
  });

  it('fills defaults for an empty file', () => {
    expect(loadDevServerConfig(writeYaml(''))).toEqual({
      ip: '127.0.0.1',
      port: 7233,
      ui: true,
      uiPort: 8233,
      namespace: 'default',
      dbFile: 'data/temporal/dev.sqlite',
      searchAttributes: {},
      dynamicConfig: {},
      logLevel: 'warn',
    });
  });

  it('names the file and every bad key', () => {
    const file = writeYaml('port: 99999\nlogLevel: loud\nuiport: 1\n');
    expect(() => loadDevServerConfig(file)).toThrow(file);
    expect(() => loadDevServerConfig(file)).toThrow(/port: Number must be less than or equal to 65535/);
    expect(() => loadDevServerConfig(file)).toThrow(/logLevel: Invalid enum value/);
    expect(() => loadDevServerConfig(file)).toThrow(/Unrecognized key\(s\) in object: 'uiport'/);
  });

  it('rejects broken YAML with the file name', () => {
    const file = writeYaml('port: [1,\n');
    expect(() => loadDevServerConfig(file)).toThrow(new RegExp(`${file}: cannot read YAML`));
  });

  it('maps settings to dev-server options: SQLite file, UI, search attributes, dynamic config', () => {
    const cfg = loadDevServerConfig(writeYaml('dbFile: /tmp/x/dev.sqlite\nsearchAttributes: { A: Int }\ndynamicConfig: { k.v: 3, s: "x" }\nlogLevel: error\n'));
    const o = sdkServerOptions(cfg, '/bin/temporal');
    expect(o.executable).toEqual({ type: 'existing-path', path: '/bin/temporal' });
    expect(o.dbFilename).toBe('/tmp/x/dev.sqlite');
    expect(o.port).toBe(7233);
    expect(o.uiPort).toBe(8233);
    expect(o.log).toEqual({ format: 'pretty', level: 'error' });
    expect(o.searchAttributes.map((k) => [k.name, k.type])).toEqual([['A', 'INT']]);
    expect(o.extraArgs).toEqual(['--dynamic-config-value', 'k.v=3', '--dynamic-config-value', 's="x"']);
  });

  it('test overrides: free port, no UI, in memory', () => {
    const o = sdkServerOptions(loadDevServerConfig(writeYaml('')), '/bin/temporal', { port: 0, ui: false, dbFile: null });
    expect(o.port).toBeUndefined();
    expect(o.ui).toBe(false);
    expect(o.uiPort).toBeUndefined();
    expect(o.dbFilename).toBeUndefined();
  });
});
