/** Where the checkout return route sends the browser: `?checkout=<outcome>`. */
export type CheckoutOutcome = 'success' | 'pending' | 'cancel' | 'error';

/** Subscription statuses that count as "already subscribed": change the plan instead of buying. */
export const LIVE_SUBSCRIPTION_STATUSES: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due', 'unpaid', 'paused']);

/**
 * The outcome of a Checkout Session as Stripe reports it. Complete and paid (or nothing to pay,
 * a trial) is success; complete with the payment still processing is pending; an open session
 * (a declined card keeps it open) or an expired one is cancel.
 */
export function checkoutOutcome(session: { status: string | null; paymentStatus: string }): CheckoutOutcome {
  if (session.status === 'complete') {
    return session.paymentStatus === 'paid' || session.paymentStatus === 'no_payment_required' ? 'success' : 'pending';
  }
  return 'cancel';
}

/** APP_URL + BILLING_RETURN_PATH with `checkout=<outcome>` added to any query it has. */
export function billingReturnUrl(appUrl: string, returnPath: string, outcome?: CheckoutOutcome): string {
  const url = new URL(`${appUrl}${returnPath}`);
  if (outcome) url.searchParams.set('checkout', outcome);
  return url.toString();
}
