import { describe, expect, it } from '@jest/globals';
import { createPacer } from './rate-limit.util.js';

describe('createPacer', () => {
  it('spaces calls evenly at the given rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const pace = createPacer(20, async (ms) => {
      waits.push(ms);
      now += ms;
    }, () => now);
    for (let i = 0; i < 4; i++) await pace();
    expect(waits).toEqual([50, 50, 50]);
  });

  it('does not wait when calls are already slower than the rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const pace = createPacer(10, async (ms) => {
      waits.push(ms);
    }, () => now);
    await pace();
    now += 500;
    await pace();
    expect(waits).toEqual([]);
  });
});
