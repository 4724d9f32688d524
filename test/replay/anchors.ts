/**
 * Test helpers: where the published anchors live, the gate for suites that reproduce the
 * authors' published numbers from them, and a tiny anchors directory in a temporary folder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gatedTitle } from '../helpers/skip-policy';
import { tempDir } from '../helpers/temp';

/** `<project>/../shared/anchors/two-phase-nlp`. */
export const ANCHORS_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'anchors', 'two-phase-nlp');

/** The published anchors are checked out beside the project. */
export const HAVE_ANCHORS = existsSync(join(ANCHORS_DIR, 'curves.csv'));

/**
 * A top-level `describe` for tests whose purpose is reproducing the published numbers from
 * `../shared/anchors`: titled `reproduces published numbers: <what>`. When the anchors are
 * absent it is skipped with the reason in its title (the only skip a run allows,
 * test/helpers/skip-policy.js), except under `CI=true`, where a missing folder is an error.
 */
export function describePublished(what: string, fn: () => void): void {
  if (HAVE_ANCHORS) {
    describe(gatedTitle('reproduces published numbers', what), fn);
    return;
  }
  const reason = `${ANCHORS_DIR} is absent`;
  if (process.env.CI === 'true') throw new Error(`reproduces published numbers: ${what}: ${reason}, but CI must run these tests`);
  describe.skip(gatedTitle('reproduces published numbers', what, reason), fn);
}

/**
 * A small anchors directory: models a, b, c; datasets x, y (all models), z (a, b only);
 * a 3-dataset history matrix over a, b; LEEP for target `tweet` (= x's alias is not used).
 * Removed after the test file.
 */
export function writeTinyAnchors(): string {
  const dir = tempDir('anchors');
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
