import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '../clock/clock.js';
import { RateLimitStore } from './rate-limit.store.js';

describe('RateLimitStore', () => {
  it('never holds more entries than its cap, however many keys arrive', () => {
    const store = new RateLimitStore(new ManualClock(0), 100);
    for (let i = 0; i < 10_000; i++) store.hit(`ip:${i}`, 60, 5);
    expect(store.size).toBe(100);
  });

  it('drops the window that ends first when full, and keeps counting the others', () => {
    const clock = new ManualClock(0);
    const store = new RateLimitStore(clock, 2);
    store.hit('a', 60, 2);
    clock.advance(1_000);
    store.hit('b', 60, 2);
    store.hit('b', 60, 2);
    clock.advance(1_000);
    store.hit('c', 60, 2);
    // 'a' (the oldest window) made room for 'c'; 'b' kept its count and is refused.
    expect(store.size).toBe(2);
    expect(store.hit('b', 60, 2).allowed).toBe(false);
  });

  it('drops ended windows first, so a full store of live keys is the only case that evicts a count', () => {
    const clock = new ManualClock(0);
    const store = new RateLimitStore(clock, 3);
    store.hit('old-1', 60, 1);
    store.hit('old-2', 60, 1);
    clock.advance(30_000);
    store.hit('live', 60, 1);
    clock.advance(31_000);
    // old-1 and old-2 ended; 'live' has 29 s left and must still be over its limit.
    store.hit('new', 60, 1);
    expect(store.size).toBe(2);
    expect(store.hit('live', 60, 1)).toMatchObject({ allowed: false, retryAfterSeconds: 29 });
  });

  it('moves a key whose new window starts to the back of the eviction order', () => {
    const clock = new ManualClock(0);
    const store = new RateLimitStore(clock, 2);
    store.hit('a', 10, 1);
    clock.advance(5_000);
    store.hit('b', 10, 1);
    clock.advance(6_000);
    // a's window ended; its new one ends after b's, so b goes first when the store is full.
    store.hit('a', 10, 1);
    store.hit('c', 10, 1);
    expect(store.hit('a', 10, 1).allowed).toBe(false);
    expect(store.hit('b', 10, 1).allowed).toBe(true);
  });
});
