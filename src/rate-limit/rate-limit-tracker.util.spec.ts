import { describe, expect, it } from '@jest/globals';
import { rateLimitTracker, resolveRateLimitTracker } from './rate-limit-tracker.util.js';

describe('rateLimitTracker', () => {
  it('counts a verified token against the user it names, whatever the IP', () => {
    expect(rateLimitTracker('user_1', '10.0.0.1')).toBe('user:user_1');
    expect(rateLimitTracker('user_1', '10.0.0.2')).toBe('user:user_1');
    expect(rateLimitTracker('user_2', '10.0.0.1')).not.toBe('user:user_1');
  });

  it('counts a request without a verified token against its IP', () => {
    expect(rateLimitTracker(undefined, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitTracker(undefined, undefined)).toBe('ip:unknown');
  });
});

describe('resolveRateLimitTracker', () => {
  const tokens: Record<string, string> = { 'good.1': 'user_1', 'good.2': 'user_1', 'other.1': 'user_2' };
  const verify = (token: string) =>
    token in tokens ? Promise.resolve({ userId: tokens[token] }) : Promise.reject(new Error('invalid'));

  it("gives a verified token its user's budget: a fresh token of the same user shares it", async () => {
    expect(await resolveRateLimitTracker('Bearer good.1', '10.0.0.1', verify)).toBe('user:user_1');
    expect(await resolveRateLimitTracker('Bearer good.2', '10.0.0.2', verify)).toBe('user:user_1');
    expect(await resolveRateLimitTracker('Bearer other.1', '10.0.0.1', verify)).toBe('user:user_2');
  });

  it('counts forged tokens against the IP, so a fresh one per request shares one budget', async () => {
    const trackers = await Promise.all(
      ['forged.1', 'forged.2', 'forged.3'].map((token) => resolveRateLimitTracker(`Bearer ${token}`, '10.0.0.9', verify)),
    );
    expect(new Set(trackers)).toEqual(new Set(['ip:10.0.0.9']));
  });

  it('counts a request without a bearer against the IP without verifying anything', async () => {
    const verified: string[] = [];
    const spyVerify = (token: string) => {
      verified.push(token);
      return Promise.resolve({ userId: 'user_1' });
    };
    expect(await resolveRateLimitTracker(undefined, '10.0.0.1', spyVerify)).toBe('ip:10.0.0.1');
    expect(await resolveRateLimitTracker('Basic dXNlcjpwYXNz', '10.0.0.1', spyVerify)).toBe('ip:10.0.0.1');
    expect(verified).toEqual([]);
  });
});
