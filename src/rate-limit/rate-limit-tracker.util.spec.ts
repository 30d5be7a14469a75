import { describe, expect, it } from '@jest/globals';
import { rateLimitTracker, resolveRateLimitTracker } from './rate-limit-tracker.util.js';

describe('rateLimitTracker', () => {
  it('counts a verified token against the token, hashed', () => {
    const tracker = rateLimitTracker('abc.def.ghi', '10.0.0.1');
    expect(tracker).toMatch(/^token:[0-9a-f]{32}$/);
    expect(tracker).not.toContain('abc');
    expect(rateLimitTracker('abc.def.ghi', '10.0.0.2')).toBe(tracker);
    expect(rateLimitTracker('other', '10.0.0.1')).not.toBe(tracker);
  });

  it('counts a request without a verified token against its IP', () => {
    expect(rateLimitTracker(undefined, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitTracker(undefined, undefined)).toBe('ip:unknown');
  });
});


describe('resolveRateLimitTracker', () => {
  const accept = (valid: string) => (token: string) => (token === valid ? Promise.resolve({}) : Promise.reject(new Error('invalid')));

  it('gives a verified token its own budget', async () => {
    expect(await resolveRateLimitTracker('Bearer good', '10.0.0.1', accept('good'))).toBe(rateLimitTracker('good', '10.0.0.1'));
  });

  it('counts forged tokens against the IP, so a fresh one per request shares one budget', async () => {
    const trackers = await Promise.all(
      ['forged.1', 'forged.2', 'forged.3'].map((token) => resolveRateLimitTracker(`Bearer ${token}`, '10.0.0.9', accept('good'))),
    );
    expect(new Set(trackers)).toEqual(new Set(['ip:10.0.0.9']));
  });

  it('counts a request without a bearer against the IP without verifying anything', async () => {
    const verified: string[] = [];
    const verify = (token: string) => {
      verified.push(token);
      return Promise.resolve({});
    };
    expect(await resolveRateLimitTracker(undefined, '10.0.0.1', verify)).toBe('ip:10.0.0.1');
    expect(await resolveRateLimitTracker('Basic dXNlcjpwYXNz', '10.0.0.1', verify)).toBe('ip:10.0.0.1');
    expect(verified).toEqual([]);
  });
});
