/**
 * Temporary folders that a test file creates and jest removes when the file is done, also
 * when a test fails. Importing this module from a test file (directly or through another
 * helper) registers the clean-up for that file. Every folder is named `mselect-<what>-*`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh folder `<tmp>/mselect-<what>-XXXXXX`, removed after this test file. */
export function tempDir(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mselect-${what}-`));
  made.push(dir);
  return dir;
}

/** Remove every folder made so far (run by jest after the file; callable earlier). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

// Outside jest (a script importing a helper) there is no afterAll; the caller cleans up.
if (typeof afterAll === 'function') afterAll(removeTempDirs);
