/**
 * Run `fn` over `items` with at most `width` in flight, in item order (a sliding window:
 * a slot is refilled as soon as one finishes). Before starting an item it asks `stop`; once
 * that says true no further item starts (those in flight finish) and the result is the
 * number started. Deterministic inside a workflow.
 */
export async function slidingWindow<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<number> {
  let next = 0;
  let stopped = false;
  const lane = async (): Promise<void> => {
    while (next < items.length && !(stopped ||= stop())) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, width), items.length) }, lane));
  return next;
}
