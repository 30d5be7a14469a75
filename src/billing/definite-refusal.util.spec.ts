import { describe, expect, it } from '@jest/globals';
import { StripeErrorCode, StripeException } from '../stripe/stripe.exception.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';
import { isDefiniteRefusal } from './definite-refusal.util.js';

const stripeError = (code: StripeErrorCode, stripeStatus: number | null, stripeCode: string | null) =>
  new StripeException(code, 'Stripe: ...', { stripeCode, stripeStatus });

describe('isDefiniteRefusal (whether a failed step of a change was surely not applied, so the step before it may be put back)', () => {
  it('is true for a declined charge and for a Stripe 4xx with an error code', () => {
    expect(isDefiniteRefusal(new BillingException(BillingErrorCode.PAYMENT_DECLINED, 'declined', { stripeCode: 'card_declined' }))).toBe(true);
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_REQUEST_FAILED, 400, 'resource_missing'))).toBe(true);
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_REQUEST_FAILED, 402, 'card_declined'))).toBe(true);
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_REQUEST_FAILED, 404, 'resource_missing'))).toBe(true);
  });

  it('is false when the step may have gone through: Stripe unreachable, a timeout, a 5xx or 429', () => {
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_UNAVAILABLE, null, null))).toBe(false);
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_UNAVAILABLE, 500, null))).toBe(false);
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_UNAVAILABLE, 429, 'rate_limit'))).toBe(false);
  });

  it('is false for a 409 (a concurrent request with the key) and a 4xx without a code (a key reused with other parameters: the first use may have applied)', () => {
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_REQUEST_FAILED, 409, 'lock_timeout'))).toBe(false);
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_REQUEST_FAILED, 400, null))).toBe(false);
  });

  it('is false for anything else: our own errors, the database, a bug', () => {
    expect(isDefiniteRefusal(new BillingException(BillingErrorCode.CUSTOMER_MISMATCH, 'mismatch'))).toBe(false);
    expect(isDefiniteRefusal(stripeError(StripeErrorCode.STRIPE_NOT_CONFIGURED, null, null))).toBe(false);
    expect(isDefiniteRefusal(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isDefiniteRefusal(new TypeError('x is undefined'))).toBe(false);
  });
});
