import { describe, expect, it } from '@jest/globals';
import { checkTokenLifetime } from './token-lifetime.util.js';

const NOW = 1_800_000_000;
const DAY = 86_400;

describe('checkTokenLifetime', () => {
  it('accepts a token living up to the maximum', () => {
    expect(checkTokenLifetime({ iat: NOW, exp: NOW + DAY }, NOW, DAY)).toBeUndefined();
    expect(checkTokenLifetime({ iat: NOW - 3600, exp: NOW + 60 }, NOW, DAY)).toBeUndefined();
  });

  it('refuses a token without exp', () => {
    expect(checkTokenLifetime({ iat: NOW }, NOW, DAY)).toBe('token has no exp claim');
  });

  it('refuses a longer-lived token, measured from iat', () => {
    expect(checkTokenLifetime({ iat: NOW, exp: NOW + DAY + 1 }, NOW, DAY)).toBe(
      'token lifetime of 86401 s exceeds the 86400 s allowed (AUTH_MAX_TOKEN_AGE)',
    );
  });

  it('measures from now when iat is missing or in the future', () => {
    expect(checkTokenLifetime({ exp: NOW + 2 * DAY }, NOW, DAY)).toMatch(/exceeds/);
    expect(checkTokenLifetime({ iat: NOW + DAY, exp: NOW + 2 * DAY }, NOW, DAY)).toMatch(/exceeds/);
    expect(checkTokenLifetime({ exp: NOW + DAY }, NOW, DAY)).toBeUndefined();
  });
});
