import { describe, expect, it } from '@jest/globals';
import { pollUntil } from './poll-until.util.js';

const backoff = { firstMs: 10, maxMs: 40, totalMs: 100 };

/** An attempt answering null `misses` times, then `value`; and the pauses pollUntil made. */
function scripted(misses: number, value = 'done') {
  const pauses: number[] = [];
  let calls = 0;
  return {
    pauses,
    calls: () => calls,
    attempt: async () => (++calls > misses ? value : null),
    pause: async (ms: number) => {
      pauses.push(ms);
    },
  };
}

describe('pollUntil', () => {
  it('answers at once without pausing when the first attempt succeeds', async () => {
    const s = scripted(0);
    await expect(pollUntil(s.attempt, backoff, () => new Error('gave up'), s.pause)).resolves.toBe('done');
    expect(s.pauses).toEqual([]);
  });

  it('pauses first, doubling up to the longest pause, until an attempt succeeds', async () => {
    const s = scripted(4);
    await expect(pollUntil(s.attempt, backoff, () => new Error('gave up'), s.pause)).resolves.toBe('done');
    expect(s.pauses).toEqual([10, 20, 40, 40]);
    expect(s.calls()).toBe(5);
  });

  it('gives up with its own error once the pauses add up to the total, after one last attempt', async () => {
    const s = scripted(Infinity);
    await expect(pollUntil(s.attempt, backoff, () => new Error('gave up'), s.pause)).rejects.toThrow('gave up');
    expect(s.pauses).toEqual([10, 20, 40, 40]);
    expect(s.pauses.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(backoff.totalMs);
    expect(s.calls()).toBe(5);
  });

  it('stops at once when an attempt throws', async () => {
    const s = scripted(Infinity);
    const failing = async () => {
      await s.attempt();
      throw new Error('conflict');
    };
    await expect(pollUntil(failing, backoff, () => new Error('gave up'), s.pause)).rejects.toThrow('conflict');
    expect(s.pauses).toEqual([]);
  });
});
