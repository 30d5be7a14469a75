import { describe, expect, it } from '@jest/globals';
import { BillingErrorCode, BillingException } from '../billing/billing.exception.js';
import { StripeErrorCode, StripeException } from '../stripe/stripe.exception.js';
import { classifyFailure, decideRetry, FailureKind, failureRun, retryDelayMs, type RetryPolicy } from './webhook-retry.util.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const policy: RetryPolicy = {
  retryWindowMs: 72 * HOUR,
  retryBaseMs: 5_000,
  retryMaxDelayMs: HOUR,
  fallbackAfterMs: 15 * MIN,
  unownedAfterMs: HOUR,
};
const since = new Date('2026-11-01T00:00:00Z');
const at = (ms: number) => new Date(since.getTime() + ms);

describe('classifyFailure', () => {
  it('retries with the fallback only on STRIPE_UNAVAILABLE; a bug in our code (TypeError) is a plain failure', () => {
    expect(classifyFailure(new StripeException(StripeErrorCode.STRIPE_UNAVAILABLE, 'x'))).toBe(FailureKind.STRIPE_UNAVAILABLE);
    expect(classifyFailure(new StripeException(StripeErrorCode.STRIPE_REQUEST_FAILED, 'x'))).toBe(FailureKind.FAILURE);
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'data')"))).toBe(FailureKind.FAILURE);
  });

  it('parks unknown customers and sends mismatches straight to a human', () => {
    expect(classifyFailure(new BillingException(BillingErrorCode.UNKNOWN_CUSTOMER, 'x'))).toBe(FailureKind.UNOWNED);
    expect(classifyFailure(new BillingException(BillingErrorCode.CUSTOMER_MISMATCH, 'x'))).toBe(FailureKind.NEEDS_HUMAN);
    expect(classifyFailure(new StripeException(StripeErrorCode.STRIPE_UNAVAILABLE, 'x'))).toBe(FailureKind.STRIPE_UNAVAILABLE);
  });
});

describe('decideRetry', () => {
  it('backs off exponentially, capped at the maximum delay', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, HOUR))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000, HOUR)).toBe(HOUR);
    expect(retryDelayMs(5000, 1000, 2 * HOUR)).toBe(2 * HOUR);
  });

  it('keeps retrying a plain failure for the whole window (an hour later is not dead), then dead', () => {
    const hourLater = decideRetry({ kind: FailureKind.FAILURE, failingSince: since, kindSince: since, attempts: 12, now: at(HOUR) }, policy);
    expect(hourLater).toEqual({ status: 'failed', nextAttemptAt: at(2 * HOUR), tryFallback: false });
    const nearEnd = decideRetry({ kind: FailureKind.FAILURE, failingSince: since, kindSince: since, attempts: 80, now: at(71.5 * HOUR) }, policy);
    // The last attempt lands on the window's end, not past it.
    expect(nearEnd.nextAttemptAt).toEqual(at(72 * HOUR));
    expect(decideRetry({ kind: FailureKind.FAILURE, failingSince: since, kindSince: since, attempts: 81, now: at(72 * HOUR) }, policy).status).toBe('dead');
  });

  it('tries the fallback only when Stripe has been unavailable for fallbackAfter, and keeps the event queued', () => {
    const early = decideRetry({ kind: FailureKind.STRIPE_UNAVAILABLE, failingSince: since, kindSince: since, attempts: 3, now: at(14 * MIN) }, policy);
    expect(early.tryFallback).toBe(false);
    const late = decideRetry({ kind: FailureKind.STRIPE_UNAVAILABLE, failingSince: since, kindSince: since, attempts: 6, now: at(15 * MIN) }, policy);
    expect(late).toMatchObject({ status: 'failed', tryFallback: true });
    const bug = decideRetry({ kind: FailureKind.FAILURE, failingSince: since, kindSince: since, attempts: 6, now: at(20 * HOUR) }, policy);
    expect(bug.tryFallback).toBe(false);
  });

  it('parks an unowned customer after the short budget, and dead-letters a mismatch at once', () => {
    expect(decideRetry({ kind: FailureKind.UNOWNED, failingSince: since, kindSince: since, attempts: 2, now: at(10 * MIN) }, policy).status).toBe('failed');
    expect(decideRetry({ kind: FailureKind.UNOWNED, failingSince: since, kindSince: since, attempts: 9, now: at(HOUR) }, policy).status).toBe('unowned');
    expect(decideRetry({ kind: FailureKind.NEEDS_HUMAN, failingSince: since, kindSince: since, attempts: 1, now: since }, policy).status).toBe('dead');
  });

  it('times the fallback from when Stripe became unavailable, not from the first failure of any kind', () => {
    // 20 minutes of UNKNOWN_PRICE, then the first STRIPE_UNAVAILABLE: not yet.
    const first = decideRetry({ kind: FailureKind.STRIPE_UNAVAILABLE, failingSince: since, kindSince: at(20 * MIN), attempts: 9, now: at(20 * MIN) }, policy);
    expect(first).toMatchObject({ status: 'failed', tryFallback: false });
    const later = decideRetry({ kind: FailureKind.STRIPE_UNAVAILABLE, failingSince: since, kindSince: at(20 * MIN), attempts: 12, now: at(35 * MIN) }, policy);
    expect(later.tryFallback).toBe(true);
  });

  it('parks an unowned customer after unownedAfter of UNKNOWN_CUSTOMER failures, not of failures of any kind', () => {
    const young = decideRetry({ kind: FailureKind.UNOWNED, failingSince: since, kindSince: at(2 * HOUR), attempts: 30, now: at(2 * HOUR + 10 * MIN) }, policy);
    // Retried within the unowned budget, measured from its own start (the next try at most when it ends).
    expect(young).toEqual({ status: 'failed', nextAttemptAt: at(2 * HOUR + 10 * MIN + HOUR - 10 * MIN), tryFallback: false });
    const old = decideRetry({ kind: FailureKind.UNOWNED, failingSince: since, kindSince: at(2 * HOUR), attempts: 31, now: at(3 * HOUR) }, policy);
    expect(old.status).toBe('unowned');
  });
});

describe('failureRun', () => {
  const none = { failingSince: null, failureKind: null, failureKindSince: null };

  it('starts the window and the run at the first failure', () => {
    expect(failureRun(none, FailureKind.STRIPE_UNAVAILABLE, at(MIN))).toEqual({ failingSince: at(MIN), kindSince: at(MIN) });
  });

  it('keeps the run of the same kind going, and starts a new one on another kind while the window goes on', () => {
    const stored = { failingSince: since, failureKind: FailureKind.FAILURE, failureKindSince: at(5 * MIN) };
    expect(failureRun(stored, FailureKind.FAILURE, at(20 * MIN))).toEqual({ failingSince: since, kindSince: at(5 * MIN) });
    expect(failureRun(stored, FailureKind.STRIPE_UNAVAILABLE, at(20 * MIN))).toEqual({ failingSince: since, kindSince: at(20 * MIN) });
  });
});
