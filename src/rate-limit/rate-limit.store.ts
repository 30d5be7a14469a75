import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { hitWindow, type RateLimitHit, type RateLimitWindow } from './rate-limit-window.util.js';

/** Entries kept before ended windows are swept, so a flood of distinct keys cannot grow memory forever. */
const SWEEP_AT = 10_000;

/** Fixed-window counters in memory, per instance (a limit is per instance behind a load balancer). */
@Injectable()
export class RateLimitStore {
  private readonly windows = new Map<string, RateLimitWindow>();

  constructor(private readonly clock: Clock) {}

  hit(key: string, windowSeconds: number, limit: number): RateLimitHit {
    const now = this.clock.now().getTime();
    if (this.windows.size >= SWEEP_AT) {
      for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    }
    const result = hitWindow(this.windows.get(key), now, windowSeconds * 1000, limit);
    this.windows.set(key, result.window);
    return result;
  }
}
