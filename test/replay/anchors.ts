/**
 * Test helpers: where the published anchors live, a gate for suites that need them, and a
 * tiny anchors directory written to a temporary folder.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** `<project>/../shared/anchors/two-phase-nlp`. */
export const ANCHORS_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'anchors', 'two-phase-nlp');

/** `describe`, or `describe.skip` with a visible warning when the anchors are absent. */
export function describeWithAnchors(what: string): jest.Describe {
  if (existsSync(join(ANCHORS_DIR, 'curves.csv'))) return describe;
  console.warn(`Skipping ${what}: ${ANCHORS_DIR} is absent`);
  return describe.skip;
}

/**
 * A small anchors directory: models a, b, c; datasets x, y (all models), z (a, b only);
 * a 3-dataset history matrix over a, b; LEEP for target `tweet` (= x's alias is not used).
 */
export function writeTinyAnchors(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mselect-anchors-'));
  const csv = [
    'model,dataset,in_paper_pool,test,val_ep1,val_ep2',
    'a,x,1,0.6,0.5,0.55',
    'b,x,1,0.7,0.6,0.5',
    'c,x,0,0.65,0.4,0.6',
    'a,y,1,0.8,0.7,0.75',
    'b,y,1,0.75,0.72,0.74',
    'c,y,0,0.9,0.8,0.85',
    'a,z,1,0.3,0.2,0.25',
    'b,z,1,0.4,0.3,0.35',
  ];
  writeFileSync(join(dir, 'curves.csv'), `${csv.join('\n')}\n`);
  writeFileSync(join(dir, 'history_datasets.txt'), 'h1\nh2\nh3\n');
  writeFileSync(join(dir, 'history_matrix.tsv'), 'a\tb\r\n0.5\t0.6\r\n0.7\t0\r\n0.2\t0.3\r\n');
  mkdirSync(join(dir, 'proxy'));
  writeFileSync(join(dir, 'proxy', 'leep_tweet.tsv'), 'a\tb\r\n-1.1\t-0.5\r\n');
  writeFileSync(join(dir, 'proxy', 'leep_x.tsv'), 'a\tb\n-1\t-2\n');
  return dir;
}
