import { describe, expect, it } from '@jest/globals';
import { CliErrorCode } from './cli.exception.js';
import { parseIsoTime } from './parse-iso-time.util.js';

describe('parseIsoTime', () => {
  it.each([
    ['2026-12-01T00:00:00Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T01:30:00+01:00', '2026-12-01T00:30:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
  ])('reads %s', (value, iso) => {
    expect(parseIsoTime('--now', value).toISOString()).toBe(iso);
  });

  it.each(['tomorrow', '12/01/2026', '2026-13-45T00:00:00Z', ''])('refuses %j with BAD_ARGUMENTS naming the flag', (value) => {
    expect(() => parseIsoTime('--now', value)).toThrow(expect.objectContaining({ code: CliErrorCode.BAD_ARGUMENTS, message: expect.stringContaining('--now') }));
  });
});
