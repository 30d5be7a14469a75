import { describe, expect, it } from '@jest/globals';
import {
  decideIdempotency,
  IDEMPOTENCY_TTL_MS,
  isValidIdempotencyKey,
  requestHash,
  reviveAnswer,
  stripeIdempotencyKey,
} from './idempotency.util.js';

const NOW = new Date('2026-06-10T12:00:00Z');

describe('requestHash', () => {
  it('is the same for the same operation and input, whatever the key order', () => {
    expect(requestHash('checkout', { planKey: 'glow_up', interval: 'monthly' })).toBe(
      requestHash('checkout', { interval: 'monthly', planKey: 'glow_up' }),
    );
  });

  it('differs for another input or operation', () => {
    const base = requestHash('checkout', { planKey: 'glow_up', interval: 'monthly' });
    expect(requestHash('checkout', { planKey: 'glow_up', interval: 'yearly' })).not.toBe(base);
    expect(requestHash('changePlan', { planKey: 'glow_up', interval: 'monthly' })).not.toBe(base);
  });
});

describe('decideIdempotency', () => {
  const hash = requestHash('checkout', { planKey: 'glow_up' });

  it('runs a new key', () => {
    expect(decideIdempotency(null, hash, NOW)).toBe('run');
  });

  it('replays the same request within 24 hours and runs it again after', () => {
    const justBefore = new Date(NOW.getTime() - IDEMPOTENCY_TTL_MS + 1);
    expect(decideIdempotency({ requestHash: hash, createdAt: justBefore }, hash, NOW)).toBe('replay');
    const expired = new Date(NOW.getTime() - IDEMPOTENCY_TTL_MS);
    expect(decideIdempotency({ requestHash: hash, createdAt: expired }, hash, NOW)).toBe('run');
  });

  it('refuses another request under a live key', () => {
    expect(decideIdempotency({ requestHash: 'other', createdAt: NOW }, hash, NOW)).toBe('conflict');
  });
});

describe('isValidIdempotencyKey', () => {
  it('accepts printable keys up to 255 characters', () => {
    expect(isValidIdempotencyKey('3f2c9a1e-checkout')).toBe(true);
    expect(isValidIdempotencyKey('x'.repeat(255))).toBe(true);
  });

  it('refuses empty, long, spaced or non-ASCII keys', () => {
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('x'.repeat(256))).toBe(false);
    expect(isValidIdempotencyKey('a b')).toBe(false);
    expect(isValidIdempotencyKey('clé')).toBe(false);
  });
});

describe('stripeIdempotencyKey', () => {
  it('is stable for one business, request and step, and differs otherwise', () => {
    const key = stripeIdempotencyKey('biz', 'k1', 'checkout', 'session');
    expect(stripeIdempotencyKey('biz', 'k1', 'checkout', 'session')).toBe(key);
    expect(stripeIdempotencyKey('other', 'k1', 'checkout', 'session')).not.toBe(key);
    expect(stripeIdempotencyKey('biz', 'k2', 'checkout', 'session')).not.toBe(key);
    expect(stripeIdempotencyKey('biz', 'k1', 'checkout', 'customer')).not.toBe(key);
    expect(key.length).toBeLessThanOrEqual(255);
  });
});

describe('reviveAnswer', () => {
  it('gives Dates back and leaves other strings alone', () => {
    const at = new Date('2026-06-10T12:00:00.000Z');
    expect(reviveAnswer({ at, name: '2026', nested: [{ at }] })).toEqual({ at, name: '2026', nested: [{ at }] });
  });
});
