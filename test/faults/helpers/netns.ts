/**
 * "Machines" for the cluster test: each worker in its own Linux network namespace joined to
 * the host by a veth pair with loopback-range addresses (127.100.N.1/30 on the host end,
 * 127.100.N.2/30 inside; route_localnet on both ends), so a worker reaches only what listens
 * on its host-end address or 0.0.0.0 — never the host's 127.0.0.1. Needs root and `ip`;
 * without them `machines` answers null and the test runs on loopback. Everything made is
 * removed by `remove()`, and as a last resort when the test process exits.
 */
import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';

export interface Machine {
  readonly name: string;
  /** The host end: what this machine dials to reach the host's servers. */
  readonly hostAddress: string;
  /** Its own address. */
  readonly address: string;
  /** Wrapper that runs a command inside it. */
  readonly prefix: readonly string[];
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'pipe' });
const made: string[] = [];

function removeNamespace(name: string): void {
  try {
    ip('netns', 'del', name);
  } catch {
    // already gone
  }
}
process.once('exit', () => made.forEach(removeNamespace));
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    made.forEach(removeNamespace);
    process.kill(process.pid, sig);
  });
}

/** Create `count` machines (namespaces), or null when this process cannot (not root, no `ip`, no netns support). */
export function machines(count: number, tag = `${process.pid % 200}`): { list: Machine[]; remove(): void } | null {
  if (process.getuid?.() !== 0) return null;
  const list: Machine[] = [];
  const remove = (): void => {
    for (const m of list) removeNamespace(m.name);
    made.splice(0, made.length, ...made.filter((n) => !list.some((m) => m.name === n)));
  };
  try {
    for (let i = 1; i <= count; i += 1) {
      const n = ((Number(tag) * 4 + i) % 250) + 1;
      const name = `mselect-m${tag}-${i}`;
      const host = `mvh${tag}x${i}`;
      const inner = `mvn${tag}x${i}`;
      removeNamespace(name);
      ip('netns', 'add', name);
      made.push(name);
      list.push({ name, hostAddress: `127.100.${n}.1`, address: `127.100.${n}.2`, prefix: ['ip', 'netns', 'exec', name] });
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', inner);
      ip('link', 'set', inner, 'netns', name);
      ip('addr', 'add', `127.100.${n}.1/30`, 'dev', host);
      ip('link', 'set', host, 'up');
      execFileSync('sysctl', ['-qw', `net.ipv4.conf.${host}.route_localnet=1`]);
      ip('netns', 'exec', name, 'ip', 'addr', 'add', `127.100.${n}.2/30`, 'dev', inner);
      ip('netns', 'exec', name, 'ip', 'link', 'set', inner, 'up');
      ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
      ip('netns', 'exec', name, 'sysctl', '-qw', `net.ipv4.conf.${inner}.route_localnet=1`);
    }
  } catch (e) {
    remove();
    process.stderr.write(`network namespaces unavailable (${(e as Error).message.split('\n')[0]})\n`);
    return null;
  }
  // Deleting a namespace deletes the veth end inside it, and with it the host end.
  return { list, remove };
}

/** A TCP relay on `host:port` to `target` (for a server that listens on 127.0.0.1 only); `close()` stops it. */
export function relay(host: string, target: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer((inbound) => {
    const out = createConnection(target);
    sockets.add(inbound);
    sockets.add(out);
    inbound.pipe(out).pipe(inbound);
    const end = (): void => {
      inbound.destroy();
      out.destroy();
    };
    inbound.on('error', end);
    out.on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            sockets.forEach((x) => x.destroy());
          }),
      });
    });
  });
}

/** Whether a process inside `m` can reach the host's 127.0.0.1:port: it must not. */
export function reachesHostLoopback(m: Machine, port: number): boolean {
  try {
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        m.name,
        process.execPath,
        '-e',
        `require('net').connect(${port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`,
      ],
      { stdio: 'pipe', timeout: 10_000 },
    );
    return true;
  } catch {
    return false;
  }
}
