/**
 * Debian's chromium (or `MSELECT_CHROMIUM`), driven by playwright-core without a browser
 * download, for tests that open an HTML page; and the gate for them.
 */
import { existsSync } from 'node:fs';
import { gatedTitle } from './skip-policy';

export const CHROMIUM = process.env.MSELECT_CHROMIUM ?? '/usr/bin/chromium';

/** A top-level `describe` titled `needs chromium: <what>`, skipped with the reason when no chromium is installed. */
export function describeWithChromium(what: string, fn: () => void): void {
  if (existsSync(CHROMIUM)) describe(gatedTitle('needs chromium', what), fn);
  else describe.skip(gatedTitle('needs chromium', what, `${CHROMIUM} is absent (apt-get install chromium, or set MSELECT_CHROMIUM)`), fn);
}

/** Launch headless chromium with no network access beyond the page itself. */
export async function launchChromium(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--headless'] });
}
