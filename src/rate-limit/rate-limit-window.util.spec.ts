import { describe, expect, it } from '@jest/globals';
import { hitWindow, type RateLimitWindow } from './rate-limit-window.util.js';

describe('hitWindow', () => {
  it('allows `limit` hits in a window and refuses the next, with the seconds left', () => {
    let window: RateLimitWindow | undefined;
    const allowed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const hit = hitWindow(window, 1_000 + i * 100, 60_000, 3);
      window = hit.window;
      allowed.push(hit.allowed);
    }
    expect(allowed).toEqual([true, true, true, false]);
    expect(hitWindow(window, 31_000, 60_000, 3)).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
  });

  it('starts a fresh window once the old one ended', () => {
    const full: RateLimitWindow = { count: 10, resetAt: 61_000 };
    expect(hitWindow(full, 61_000, 60_000, 3)).toEqual({ window: { count: 1, resetAt: 121_000 }, allowed: true, retryAfterSeconds: 60 });
  });

  it('never says retry in 0 seconds', () => {
    expect(hitWindow({ count: 5, resetAt: 1_000 }, 999, 60_000, 3).retryAfterSeconds).toBe(1);
  });
});
