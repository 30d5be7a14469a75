import { describe, expect, it } from '@jest/globals';
import { ManualClock, SystemClock } from './clock.js';

describe('Clock', () => {
  it('ManualClock moves only when told to', () => {
    const clock = new ManualClock(new Date('2026-01-31T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-01-31T00:00:00.000Z');
    clock.advance(86_400_000);
    expect(clock.now().toISOString()).toBe('2026-02-01T00:00:00.000Z');
    clock.set(new Date('2027-03-01T12:00:00Z'));
    expect(clock.now().toISOString()).toBe('2027-03-01T12:00:00.000Z');
  });

  it('ManualClock hands out copies, so callers cannot move it', () => {
    const clock = new ManualClock(0);
    clock.now().setTime(5_000);
    expect(clock.now().getTime()).toBe(0);
  });

  it('SystemClock follows the wall clock', () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
