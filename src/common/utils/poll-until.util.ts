/** How a caller waits for a row another caller holds: the first pause, doubling up to the longest, until the total. */
export interface PollBackoff {
  firstMs: number;
  maxMs: number;
  /** Sum of the pauses after which the caller gives up. */
  totalMs: number;
}

/**
 * The wait of the claim rows (idempotency keys, checkout claims): short first, as a holder is
 * usually done in milliseconds, and capped, so that waiting callers do not hammer the database.
 */
export const CLAIM_POLL: PollBackoff = { firstMs: 10, maxMs: 200, totalMs: 30_000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it answers something other than null, pausing between calls by `backoff`.
 * Once the pauses add up to `totalMs`, throws what `giveUp` makes. The pauses are counted, not
 * read from a clock, so the limit holds whatever the clock does. `attempt` may throw to stop.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | null>,
  backoff: PollBackoff,
  giveUp: () => Error,
  pause: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  for (let waited = 0, delay = backoff.firstMs; ; waited += delay, delay = Math.min(delay * 2, backoff.maxMs)) {
    const result = await attempt();
    if (result !== null) return result;
    if (waited >= backoff.totalMs) throw giveUp();
    await pause(delay);
  }
}
