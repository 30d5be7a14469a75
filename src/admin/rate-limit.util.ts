/**
 * A pacer for outgoing calls: at most `perSecond` starts per second, spaced evenly. `sleep` is
 * injected so tests run it without waiting; pacing is about spacing calls, not about time of day.
 */
export function createPacer(
  perSecond: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  monotonicNow: () => number = () => performance.now(),
): () => Promise<void> {
  const gapMs = 1000 / perSecond;
  let next = -Infinity;
  return async () => {
    const now = monotonicNow();
    const start = Math.max(now, next);
    next = start + gapMs;
    if (start > now) await sleep(start - now);
  };
}

/** Makes the pacer of one run; injectable so a test can count its calls on a virtual clock. */
export type PacerFactory = (perSecond: number) => () => Promise<void>;

/** Nest token of an optional PacerFactory (default: createPacer on real time). */
export const PACER_FACTORY = 'admin:pacer-factory';
