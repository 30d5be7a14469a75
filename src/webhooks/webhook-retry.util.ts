import { AppException } from '../common/exceptions/app.exception.js';
import { BillingErrorCode } from '../billing/billing.exception.js';
import { StripeErrorCode } from '../stripe/stripe.exception.js';

/** What kind of failure an attempt ended with; decides retry, fallback, parking and dead letters. */
export enum FailureKind {
  /** Stripe transport error, 5xx or rate limit: retried, and the emergency fallback may apply. */
  STRIPE_UNAVAILABLE = 'stripe_unavailable',
  /** No business owns the Stripe customer (yet): retried briefly, then parked as unowned. */
  UNOWNED = 'unowned',
  /** Needs a human (CUSTOMER_MISMATCH): a dead letter at once. */
  NEEDS_HUMAN = 'needs_human',
  /** Anything else, including bugs in our code: retried over the window, never the fallback. */
  FAILURE = 'failure',
}

export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof AppException)) return FailureKind.FAILURE;
  switch (error.code) {
    case StripeErrorCode.STRIPE_UNAVAILABLE:
      return FailureKind.STRIPE_UNAVAILABLE;
    case BillingErrorCode.UNKNOWN_CUSTOMER:
      return FailureKind.UNOWNED;
    case BillingErrorCode.CUSTOMER_MISMATCH:
      return FailureKind.NEEDS_HUMAN;
    default:
      return FailureKind.FAILURE;
  }
}

export interface RetryPolicy {
  retryWindowMs: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  fallbackAfterMs: number;
  unownedAfterMs: number;
}

export interface RetryDecision {
  status: 'failed' | 'dead' | 'unowned';
  /** When to try again (failed only; otherwise `now`). */
  nextAttemptAt: Date;
  /** Stripe has been unreachable long enough: apply the event's own subscription object now. */
  tryFallback: boolean;
}

/**
 * Where the retry window and the current failure run start for this attempt, from what the
 * event stored after its previous attempts: the window at the first failure of any kind, the run
 * at the first failure of this kind since one of another kind. decideRetry's `failingSince` and
 * `kindSince`; the worker stores them as they are.
 */
export function failureRun(
  stored: { failingSince: Date | null; failureKind: string | null; failureKindSince: Date | null },
  kind: FailureKind,
  now: Date,
): { failingSince: Date; kindSince: Date } {
  return {
    failingSince: stored.failingSince ?? now,
    kindSince: stored.failureKind === kind ? (stored.failureKindSince ?? now) : now,
  };
}

/**
 * What happens to an event after a failed attempt. `failingSince` is the first failure of any
 * kind since it was stored or replayed (the start of its retry window); `kindSince` is when the
 * current run of failures of this attempt's kind began (this one included: a failure of another
 * kind starts a new run). `attempts` counts this one.
 *
 * Retries back off exponentially (base, 2x, 4x, ... capped at retryMaxDelay) over retryWindow
 * (Stripe's own 72 h by default: our 200 told Stripe to stop), with one last attempt at the
 * window's end; then the event is dead. The emergency fallback waits for fallbackAfter of Stripe
 * being unavailable, and unowned customers are parked after unownedAfter of being unowned, both
 * timed from `kindSince`: twenty minutes of UNKNOWN_PRICE followed by one STRIPE_UNAVAILABLE is
 * not twenty minutes of outage.
 */
export function decideRetry(
  input: { kind: FailureKind; failingSince: Date; kindSince: Date; attempts: number; now: Date },
  policy: RetryPolicy,
): RetryDecision {
  const { kind, failingSince, kindSince, attempts, now } = input;
  const elapsed = now.getTime() - failingSince.getTime();
  const ofKind = now.getTime() - kindSince.getTime();
  const stop = (status: 'dead' | 'unowned'): RetryDecision => ({ status, nextAttemptAt: now, tryFallback: false });
  if (kind === FailureKind.NEEDS_HUMAN) return stop('dead');
  if (kind === FailureKind.UNOWNED && ofKind >= policy.unownedAfterMs) return stop('unowned');
  if (elapsed >= policy.retryWindowMs) return stop('dead');
  // Never past the window's end, nor past the unowned budget's for an unowned customer.
  const left = policy.retryWindowMs - elapsed;
  const budget = kind === FailureKind.UNOWNED ? Math.min(left, policy.unownedAfterMs - ofKind) : left;
  const delay = Math.min(retryDelayMs(attempts, policy.retryBaseMs, policy.retryMaxDelayMs), budget);
  return {
    status: 'failed',
    nextAttemptAt: new Date(now.getTime() + delay),
    tryFallback: kind === FailureKind.STRIPE_UNAVAILABLE && ofKind >= policy.fallbackAfterMs,
  };
}

/** Exponential backoff: base, 2x base, 4x base, ... capped at maxMs. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40), maxMs);
}
