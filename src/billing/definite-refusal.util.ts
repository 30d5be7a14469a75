import { StripeErrorCode, StripeException } from '../stripe/stripe.exception.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';

/**
 * Whether a failed Stripe step of a change was surely NOT applied, so that the step before it may
 * be put back: a declined charge (PAYMENT_DECLINED; `error_if_incomplete` leaves the subscription
 * as it was), or a Stripe 4xx that names its reason (an error `code`). Everything else is an
 * unknown outcome, where putting the earlier step back could undo a change Stripe made: Stripe
 * unreachable or timed out, a 5xx or 429 (STRIPE_UNAVAILABLE), a 409 (a concurrent request with
 * the same key), a 4xx without a code (an idempotency error is one: the key was used before with
 * other parameters, and that first use may have gone through), or any error that is not Stripe's.
 */
export function isDefiniteRefusal(error: unknown): boolean {
  if (error instanceof BillingException) return error.code === BillingErrorCode.PAYMENT_DECLINED;
  if (!(error instanceof StripeException) || error.code !== StripeErrorCode.STRIPE_REQUEST_FAILED) return false;
  const { stripeStatus, stripeCode } = error.details;
  return (
    typeof stripeStatus === 'number' &&
    stripeStatus >= 400 &&
    stripeStatus < 500 &&
    stripeStatus !== 409 &&
    stripeStatus !== 429 &&
    typeof stripeCode === 'string' &&
    stripeCode.length > 0
  );
}
