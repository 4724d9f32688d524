import { slidingWindow } from '../../workflows/window';

describe('slidingWindow', () => {
  it('keeps at most `width` in flight, starts items in order and returns how many started', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    const n = await slidingWindow([1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5 * (6 - i)));
      inFlight -= 1;
    });
    expect([n, started, most]).toEqual([5, [1, 2, 3, 4, 5], 2]);
  });

  it('starts nothing more once `stop` says so; items in flight finish', async () => {
    const finished: number[] = [];
    const n = await slidingWindow(
      [1, 2, 3, 4, 5, 6],
      2,
      async (i) => {
        await new Promise((r) => setTimeout(r, 1));
        finished.push(i);
      },
      () => finished.length >= 2,
    );
    expect(n).toBe(3);
    expect(finished.sort()).toEqual([1, 2, 3]);
  });
});
