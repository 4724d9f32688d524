/** Backoff, the retry loop and which S3 errors count as transient. */
import { isTransient } from '../../storage';
import { backoff, withRetries } from '../../storage/retry';

const policy = { deadlineMs: 200, initialDelayMs: 10, maxDelayMs: 40 };

describe('retries', () => {
  it('back off exponentially with jitter in the upper half, capped', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoff(policy, a, () => 0))).toEqual([5, 10, 20, 20, 20]);
    expect([1, 2, 3, 4, 5].map((a) => backoff(policy, a, () => 1))).toEqual([10, 20, 40, 40, 40]);
  });

  it('retry transient errors until success, pass others through at once, give up at the deadline', async () => {
    let calls = 0;
    expect(
      await withRetries(
        policy,
        async (attempt) => (++calls < 3 ? Promise.reject(new Error('transient')) : attempt),
        () => true,
        () => new Error('gave up'),
      ),
    ).toBe(2);
    calls = 0;
    await expect(
      withRetries(
        policy,
        () => (++calls, Promise.reject(new Error('fatal'))),
        () => false,
        () => new Error('gave up'),
      ),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    calls = 0;
    const started = Date.now();
    await expect(
      withRetries(
        policy,
        () => (++calls, Promise.reject(new Error('down'))),
        () => true,
        (_e, n) => new Error(`gave up after ${n}`),
      ),
    ).rejects.toThrow(/gave up after \d+/);
    expect(calls).toBeGreaterThan(3);
    expect(Date.now() - started).toBeLessThan(policy.deadlineMs + 100);
  });

  it('treat connection errors, 5xx, 429, throttling and conditional-write conflicts as transient, not 4xx', () => {
    const http = (status: number, name = 'X') => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(http(503, 'SlowDown'))).toBe(true);
    expect(isTransient(http(500, 'InternalError'))).toBe(true);
    expect(isTransient(http(429))).toBe(true);
    expect(isTransient(http(409, 'ConditionalRequestConflict'))).toBe(true);
    expect(isTransient(http(403, 'SignatureDoesNotMatch'))).toBe(false);
    expect(isTransient(http(404, 'NoSuchBucket'))).toBe(false);
    expect(isTransient(http(412, 'PreconditionFailed'))).toBe(false);
    expect(isTransient(new Error('something else'))).toBe(false);
  });
});
