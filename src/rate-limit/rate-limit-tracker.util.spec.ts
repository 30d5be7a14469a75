import { describe, expect, it } from '@jest/globals';
import { rateLimitTracker } from './rate-limit-tracker.util.js';

describe('rateLimitTracker', () => {
  it('counts a request with a bearer token against the token, hashed', () => {
    const tracker = rateLimitTracker('Bearer abc.def.ghi', '10.0.0.1');
    expect(tracker).toMatch(/^token:[0-9a-f]{32}$/);
    expect(tracker).not.toContain('abc');
    expect(rateLimitTracker('bearer abc.def.ghi', '10.0.0.2')).toBe(tracker);
    expect(rateLimitTracker('Bearer other', '10.0.0.1')).not.toBe(tracker);
  });

  it('counts a request without a token against its IP', () => {
    expect(rateLimitTracker(undefined, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitTracker('Basic dXNlcjpwYXNz', '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitTracker(undefined, undefined)).toBe('ip:unknown');
  });
});
