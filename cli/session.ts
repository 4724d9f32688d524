import { openSession, startWorkers, type Session } from './runtime';

const log = (l: string) => process.stderr.write(`${l}\n`);

/**
 * Run `fn` with a Temporal session. When this process had to launch the embedded dev
 * server, it also runs both workers for the duration (nobody else would); against a running
 * server or cluster, the workers already there do the work.
 */
export async function withSession<T>(fn: (s: Session) => Promise<T>, opts: { workers?: 'auto' | 'always' | 'never' } = {}): Promise<T> {
  const session = await openSession(log);
  const mode = opts.workers ?? 'auto';
  const run = mode === 'always' || (mode === 'auto' && session.launched);
  const workers = run ? await startWorkers(session.target, { orchestrator: true, gpu: true, slots: 1 }) : null;
  try {
    return await fn(session);
  } finally {
    await workers?.stop();
    await session.close();
  }
}
