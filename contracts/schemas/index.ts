/**
 * The single source of truth for every input a user can type: CLI flags, workflow
 * input JSON typed in the Temporal web UI, config files. Each area has its own file;
 * everything is imported from here.
 */
export * from './common';
export * from './proxies';
export * from './plumbing';
export * from './replay';
export * from './store';
export * from './training';
export * from './policy';
export * from './selection';
export * from './offline';
export * from './cluster';
export * from './storage';
