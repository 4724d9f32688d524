/**
 * Run `fn` over `items` with at most `width` in flight, in item order (a sliding window:
 * a slot is refilled as soon as one finishes). Deterministic inside a workflow.
 */
export async function slidingWindow<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, width), items.length) }, lane));
}
