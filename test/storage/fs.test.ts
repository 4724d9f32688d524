/** The ObjectStore contract on the filesystem backend. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { objectStoreContract } from './contract';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-fs-store-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('ObjectStore on the filesystem', () => {
  objectStoreContract(
    () => ({ kind: 'file', root }),
    (key) => path.join(root, ...key.split('/')),
  );
});
