import { describe, expect, it } from '@jest/globals';
import { CliErrorCode } from './cli.exception.js';
import { expiryAsOf } from './expiry-as-of.util.js';

const NOW = new Date('2026-12-01T12:00:00Z');

describe('expiryAsOf', () => {
  it('runs as of now without --now, with or without --force', () => {
    expect(expiryAsOf(undefined, NOW, false)).toBe(NOW);
    expect(expiryAsOf(undefined, NOW, true)).toBe(NOW);
  });

  it('takes a --now in the past or exactly now', () => {
    const past = new Date('2026-11-01T00:00:00Z');
    expect(expiryAsOf(past, NOW, false)).toBe(past);
    expect(expiryAsOf(new Date(NOW), NOW, false)).toEqual(NOW);
  });

  it('refuses a --now in the future with BAD_ARGUMENTS (exit code 2) unless --force', () => {
    const future = new Date(NOW.getTime() + 1);
    expect(() => expiryAsOf(future, NOW, false)).toThrow(
      expect.objectContaining({ code: CliErrorCode.BAD_ARGUMENTS, httpStatus: 2, message: expect.stringContaining('--force') }),
    );
    expect(expiryAsOf(future, NOW, true)).toBe(future);
  });
});
