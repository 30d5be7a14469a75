import { describe, expect, it } from '@jest/globals';
import { BillingErrorCode, BillingException } from '../billing/billing.exception.js';
import { StripeErrorCode, StripeException } from '../stripe/stripe.exception.js';
import {
  attemptOutcome,
  decideIdempotency,
  IDEMPOTENCY_TTL_MS,
  isValidIdempotencyKey,
  markNothingChanged,
  requestHash,
  reviveAnswer,
  stripeIdempotencyKey,
  type StoredAnswer,
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
  const stored = (over: Partial<StoredAnswer> = {}): StoredAnswer => ({
    requestHash: hash,
    createdAt: NOW,
    attemptStartedAt: over.createdAt ?? NOW,
    state: 'done',
    attempt: 0,
    leaseExpired: false,
    ...over,
  });

  it('runs a new key as attempt 0', () => {
    expect(decideIdempotency(null, hash, NOW)).toEqual({ kind: 'run', attempt: 0, resumed: false });
  });

  it('replays the same answered request within 24 hours and runs it again, as a new attempt, after', () => {
    const justBefore = new Date(NOW.getTime() - IDEMPOTENCY_TTL_MS + 1);
    expect(decideIdempotency(stored({ createdAt: justBefore }), hash, NOW)).toEqual({ kind: 'replay' });
    const expired = new Date(NOW.getTime() - IDEMPOTENCY_TTL_MS);
    expect(decideIdempotency(stored({ createdAt: expired, attempt: 2 }), hash, NOW)).toEqual({ kind: 'run', attempt: 3, resumed: false });
  });

  it('refuses another request under a live key, whatever its state', () => {
    for (const state of ['done', 'running', 'refused', 'interrupted'] as const) {
      expect(decideIdempotency(stored({ state, requestHash: 'other' }), hash, NOW)).toEqual({ kind: 'conflict' });
    }
  });

  it('waits while the same request runs under its lease, and resumes its attempt once the lease passed', () => {
    expect(decideIdempotency(stored({ state: 'running', attempt: 1 }), hash, NOW)).toEqual({ kind: 'wait' });
    expect(decideIdempotency(stored({ state: 'running', attempt: 1, leaseExpired: true }), hash, NOW)).toEqual({
      kind: 'run',
      attempt: 1,
      resumed: true,
    });
  });

  it('runs a new attempt after a refusal, and the same attempt after an interruption', () => {
    expect(decideIdempotency(stored({ state: 'refused', attempt: 0 }), hash, NOW)).toEqual({ kind: 'run', attempt: 1, resumed: false });
    expect(decideIdempotency(stored({ state: 'interrupted', attempt: 1 }), hash, NOW)).toEqual({ kind: 'run', attempt: 1, resumed: true });
  });

  it('does not resume an attempt that first ran 24 hours ago, however recently it was resumed', () => {
    const longAgo = new Date(NOW.getTime() - IDEMPOTENCY_TTL_MS);
    const recently = new Date(NOW.getTime() - 60_000);
    for (const over of [{ state: 'interrupted' as const }, { state: 'running' as const, leaseExpired: true }]) {
      expect(decideIdempotency(stored({ ...over, createdAt: recently, attemptStartedAt: longAgo, attempt: 2 }), hash, NOW)).toEqual({
        kind: 'run',
        attempt: 3,
        resumed: false,
      });
      expect(
        decideIdempotency(stored({ ...over, createdAt: recently, attemptStartedAt: new Date(longAgo.getTime() + 1), attempt: 2 }), hash, NOW),
      ).toEqual({ kind: 'run', attempt: 2, resumed: true });
    }
  });

  it('never reuses an attempt past 24 hours: Stripe forgot its keys, and the request may differ', () => {
    const expired = new Date(NOW.getTime() - IDEMPOTENCY_TTL_MS);
    for (const over of [{ state: 'interrupted' as const }, { state: 'running' as const, leaseExpired: true }, { state: 'refused' as const }]) {
      expect(decideIdempotency(stored({ ...over, createdAt: expired, attempt: 4 }), hash, NOW)).toEqual({ kind: 'run', attempt: 5, resumed: false });
      expect(decideIdempotency(stored({ ...over, createdAt: expired, attempt: 4, requestHash: 'other' }), hash, NOW)).toEqual({
        kind: 'run',
        attempt: 5,
        resumed: false,
      });
    }
  });
});

describe('attemptOutcome', () => {
  // As the services throw them: PAYMENT_DECLINED carries only Stripe's code (owner-billing.service.ts).
  const declined = () => new BillingException(BillingErrorCode.PAYMENT_DECLINED, 'declined', { stripeCode: 'card_declined' });
  const failures = [
    declined(),
    new BillingException(BillingErrorCode.SAME_PLAN, 'same'),
    new BillingException(BillingErrorCode.CUSTOMER_MISMATCH, 'mismatch'),
    new BillingException(BillingErrorCode.CHECKOUT_IN_PROGRESS, 'in progress'),
    new StripeException(StripeErrorCode.STRIPE_REQUEST_FAILED, 'bad', { stripeCode: 'parameter_invalid_empty', stripeStatus: 400 }),
    new StripeException(StripeErrorCode.STRIPE_UNAVAILABLE, 'down', { stripeCode: null, stripeStatus: null }),
    new Error('Connection terminated unexpectedly'),
  ];

  it('is refused, whatever the error, when no call that could change anything was sent to Stripe under the attempt', () => {
    for (const error of failures) expect(attemptOutcome(error, { resumed: false, sentChanges: false })).toBe('refused');
  });

  it('is interrupted, whatever the error (a 4xx too), once such a call may have been sent', () => {
    for (const error of failures) expect(attemptOutcome(error, { resumed: false, sentChanges: true })).toBe('interrupted');
  });

  it('is refused when the service tagged the error: Stripe holds nothing of the attempt a new one could make twice', () => {
    expect(attemptOutcome(markNothingChanged(declined()), { resumed: false, sentChanges: true })).toBe('refused');
    expect(attemptOutcome(markNothingChanged(new BillingException(BillingErrorCode.CHECKOUT_IN_PROGRESS, 'expired again')), { resumed: false, sentChanges: true })).toBe('refused');
  });

  it('is interrupted when the attempt resumed an interrupted one: what that run sent cannot be put back from here', () => {
    for (const error of [...failures, markNothingChanged(declined())]) {
      expect(attemptOutcome(error, { resumed: true, sentChanges: false })).toBe('interrupted');
      expect(attemptOutcome(error, { resumed: true, sentChanges: true })).toBe('interrupted');
    }
  });

  it('keeps the tag out of what the caller sees', () => {
    const tagged = markNothingChanged(declined());
    expect(tagged.details).toEqual({ stripeCode: 'card_declined' });
    expect(Object.keys(tagged)).toEqual(Object.keys(declined()));
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
  it('is stable for one business, request, step and attempt, and differs otherwise', () => {
    const key = stripeIdempotencyKey('biz', 'k1', 'checkout', 'session');
    expect(stripeIdempotencyKey('biz', 'k1', 'checkout', 'session')).toBe(key);
    expect(stripeIdempotencyKey('biz', 'k1', 'checkout', 'session', 0)).toBe(key);
    expect(stripeIdempotencyKey('biz', 'k1', 'checkout', 'session', 1)).not.toBe(key);
    expect(stripeIdempotencyKey('biz', 'k1', 'checkout', 'session', 1)).not.toBe(stripeIdempotencyKey('biz', 'k1', 'checkout', 'session', 2));
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
