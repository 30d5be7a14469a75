import { describe, expect, it } from '@jest/globals';
import { CliErrorCode } from './cli.exception.js';
import { parseIsoTime } from './parse-iso-time.util.js';

describe('parseIsoTime', () => {
  it.each([
    ['2026-12-01T00:00:00Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T01:30:00+01:00', '2026-12-01T00:30:00.000Z'],
    ['2026-12-01T00:00:00.250-05:30', '2026-12-01T05:30:00.250Z'],
    ['2026-12-01T00:00Z', '2026-12-01T00:00:00.000Z'],
  ])('reads %s', (value, iso) => {
    expect(parseIsoTime('--now', value).toISOString()).toBe(iso);
  });

  it.each(['tomorrow', '12/01/2026', '2026-13-45T00:00:00Z', '2026-02-30T00:00:00Z', '2026-12-01T25:00:00Z', '2026-12-01 00:00:00Z', '2026-12-01T00:00:00+01:60', ''])('refuses %j with BAD_ARGUMENTS naming the flag', (value) => {
    expect(() => parseIsoTime('--now', value)).toThrow(expect.objectContaining({ code: CliErrorCode.BAD_ARGUMENTS, message: expect.stringContaining('--now') }));
  });

  // The same text means another instant on another machine's zone: the CLI would expire the wrong trials.
  it.each(['2026-12-01T00:00:00', '2026-12-01', '2026-12-01T00:00', '2026-12-01T00:00:00.500'])(
    'refuses %j, which names no zone, with BAD_ARGUMENTS (exit code 2) asking for Z or an offset',
    (value) => {
      expect(() => parseIsoTime('--now', value)).toThrow(
        expect.objectContaining({ code: CliErrorCode.BAD_ARGUMENTS, httpStatus: 2, message: expect.stringMatching(/--now.*zone/) }),
      );
    },
  );
});
