/**
 * Which skipped tests a run may have. Plain JavaScript: read by the jest reporter
 * (skip-reporter.js) and, through skip-policy.d.ts, by the TypeScript gates.
 *
 * A test may be skipped only by a gate, inside a top-level `describe` whose title the gate
 * wrote: `<group>: <what> [skipped: <reason>]`. The groups:
 * - `reproduces published numbers`: needs ../shared/anchors (the gate throws in CI instead);
 * - `needs chromium`: a browser check, where no chromium is installed;
 * - `needs PyTorch`: the reference PyTorch trainer's tests, where /usr/bin/python3 cannot import torch.
 * Anything else that skips fails the run.
 */
const GROUPS = ['reproduces published numbers', 'needs chromium', 'needs PyTorch'];

/** The title of a gated group: skipped when `reason` is set. */
function gatedTitle(group, what, reason) {
  return reason === undefined ? `${group}: ${what}` : `${group}: ${what} [skipped: ${reason}]`;
}

/** True when a test under the top-level describe `title` may be skipped. */
function skipAllowed(title) {
  return GROUPS.some((g) => title.startsWith(`${g}: `)) && / \[skipped: [^\]]+\]$/.test(title);
}

module.exports = { GROUPS, gatedTitle, skipAllowed };
