import { describe, expect, it } from '@jest/globals';
import { parseDurationSeconds } from './parse-duration.util.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['86400', 86_400],
    ['90s', 90],
    ['90m', 5_400],
    [' 24h ', 86_400],
    ['7d', 604_800],
  ])('%j is %d s', (value, seconds) => {
    expect(parseDurationSeconds(value)).toBe(seconds);
  });

  it.each(['', '1.5h', '-1h', '2w', 'a day'])('refuses %j', (value) => {
    expect(parseDurationSeconds(value)).toBeUndefined();
  });
});
