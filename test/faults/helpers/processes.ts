/**
 * Child processes of the fault tests: `mselect` CLI runs and `mselect worker` processes.
 * Every child is registered and killed by `killAll()` (call it in afterEach/afterAll) and,
 * as a last resort, when the test process exits, so no worker outlives a failing test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(PROJECT_ROOT, 'bin', 'mselect.js');

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output contains `text`; rejects when the child exits first or after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Spawn `node <args>` in the project root with `env` on top of this process's environment;
 * `prefix` runs it through a wrapper that execs it (e.g. `ip netns exec <ns>`), so the pid is still node's.
 */
export function spawnNode(args: readonly string[], env: Readonly<Record<string, string>> = {}, prefix: readonly string[] = []): Child {
  const [cmd, ...pre] = prefix.length ? prefix : [process.execPath];
  const argv = prefix.length ? [...pre, process.execPath, ...args] : [...args];
  const child = spawn(cmd as string, argv, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const l of [...listeners]) l();
      resolve({ code, signal });
    });
  });
  const matches = (text: string | RegExp): boolean => (typeof text === 'string' ? out.includes(text) : text.test(out));
  return {
    process: child,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitFor: (text, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${String(text)} from pid ${child.pid}; output:\n${out}`)),
          timeoutMs,
        );
        const check = (): void => {
          if (matches(text)) done();
          else if (child.exitCode !== null || child.signalCode !== null)
            done(new Error(`pid ${child.pid} exited (${child.exitCode ?? child.signalCode}) before printing ${String(text)}; output:\n${out}`));
        };
        const done = (err?: Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Run the `mselect` CLI to completion; resolves with its exit and output. */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Exit & { output: string }> {
  const c = spawnNode([BIN, ...args], env);
  const exit = await c.exited;
  return { ...exit, output: c.output() };
}

/**
 * The environment of a worker process with `dataDir` as its own machine's disk: its data and
 * home there, no recorded runs, and none of this process's hub, datasets, store, checkpoint or
 * report folders leaking in.
 */
export function privateFolders(dataDir: string): Record<string, string> {
  return {
    MSELECT_DATA: dataDir,
    HOME: dataDir,
    MSELECT_REPLAY_DATA: path.join(dataDir, 'no-recorded-runs'),
    MSELECT_HUB: '',
    MSELECT_DATASETS: '',
    MSELECT_STORE: '',
    MSELECT_CHECKPOINTS: '',
    MSELECT_REPORTS: '',
  };
}

export interface WorkerProcessOptions {
  readonly role: 'gpu' | 'orchestrator' | 'all';
  readonly taskQueue: string;
  /** TEMPORAL_* and MSELECT_* variables of the worker. */
  readonly env: Readonly<Record<string, string>>;
  readonly slots?: number;
  /** A wrapper that execs the worker, e.g. `['ip', 'netns', 'exec', 'ns1']`. */
  readonly prefix?: readonly string[];
}

/** `mselect worker --role R --task-queue Q`, resolved once it polls. */
export async function startWorkerProcess(o: WorkerProcessOptions): Promise<Child> {
  const c = spawnNode([BIN, 'worker', '--role', o.role, '--task-queue', o.taskQueue, '--slots', String(o.slots ?? 1)], o.env, o.prefix);
  try {
    await c.waitFor(`${o.role} worker running on task queue ${o.taskQueue}`, 120_000);
  } catch (err) {
    c.kill('SIGKILL');
    throw err;
  }
  return c;
}

/** SIGKILL every child still running and wait for them to go. */
export async function killAll(): Promise<void> {
  const waits = [...live].map(
    (c) =>
      new Promise((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve(undefined);
        c.once('exit', resolve);
        c.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}
