/**
 * One of several processes racing to create the same keys: argv[2] is JSON
 * `{ settings, prefix, keys, me }`; prints `WON <key>` for each key its putIfAbsent created.
 */
import type { StorageSettings } from '../../contracts/schemas/storage';
import { openStorage } from '../../storage';

interface Config {
  readonly settings: StorageSettings;
  readonly prefix: string;
  readonly keys: string[];
  readonly me: string;
}

async function main(c: Config): Promise<void> {
  const store = openStorage(c.settings).sub(c.prefix);
  for (const key of c.keys) if (await store.putIfAbsent(key, `${c.me}:${key}`)) process.stdout.write(`WON ${key}\n`);
}

main(JSON.parse(process.argv[2] ?? '{}') as Config).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
