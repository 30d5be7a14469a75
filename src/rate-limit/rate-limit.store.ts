import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { hitWindow, type RateLimitHit, type RateLimitWindow } from './rate-limit-window.util.js';

/** Injection token of the store's size cap (tests pass a small one). */
export const RATE_LIMIT_STORE_MAX_ENTRIES = Symbol('RATE_LIMIT_STORE_MAX_ENTRIES');
/** Default cap: about 100 bytes per entry, so some 10 MB at most, whatever a flood of keys does. */
export const DEFAULT_RATE_LIMIT_STORE_MAX_ENTRIES = 100_000;

/**
 * Fixed-window counters in memory, per instance (a limit is per instance behind a load balancer),
 * bounded in size with O(1) work per hit. The Map keeps windows in the order they started (a key
 * is moved to the end when its new window starts), so with one window length the first entry is
 * always the one that ends first: ended windows are dropped from the front, and when the store is
 * full the window closest to its end is dropped to make room. Dropping a live window only gives
 * that key a fresh budget early; memory never grows past the cap.
 */
@Injectable()
export class RateLimitStore {
  private readonly windows = new Map<string, RateLimitWindow>();

  constructor(
    private readonly clock: Clock,
    @Optional() @Inject(RATE_LIMIT_STORE_MAX_ENTRIES) private readonly maxEntries: number = DEFAULT_RATE_LIMIT_STORE_MAX_ENTRIES,
  ) {}

  hit(key: string, windowSeconds: number, limit: number): RateLimitHit {
    const now = this.clock.now().getTime();
    const previous = this.windows.get(key);
    const result = hitWindow(previous, now, windowSeconds * 1000, limit);
    // A new window goes to the end, keeping the Map ordered by when windows end.
    if (previous && previous.resetAt !== result.window.resetAt) this.windows.delete(key);
    this.windows.set(key, result.window);
    this.evict(now);
    return result;
  }

  /** Entries held (tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  /** Each entry is deleted at most once, so this is O(1) amortised per hit. */
  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetAt > now && this.windows.size <= this.maxEntries) return;
      this.windows.delete(key);
    }
  }
}
