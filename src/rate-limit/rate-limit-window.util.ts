export interface RateLimitWindow {
  count: number;
  /** Epoch ms when the window ends and the count starts again. */
  resetAt: number;
}

export interface RateLimitHit {
  window: RateLimitWindow;
  allowed: boolean;
  /** Whole seconds until the window ends (at least 1): the Retry-After of a refusal. */
  retryAfterSeconds: number;
}

/**
 * One hit on a fixed window: counts it, starting a fresh window when the old one ended, and
 * says whether the hit is within `limit`. Pure, so the store and the tests share the rule.
 */
export function hitWindow(previous: RateLimitWindow | undefined, nowMs: number, windowMs: number, limit: number): RateLimitHit {
  const window =
    previous && previous.resetAt > nowMs ? { count: previous.count + 1, resetAt: previous.resetAt } : { count: 1, resetAt: nowMs + windowMs };
  return { window, allowed: window.count <= limit, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - nowMs) / 1000)) };
}
