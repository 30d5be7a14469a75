/** Where the checkout return route sends the browser: `?checkout=<outcome>`. */
export type CheckoutOutcome = 'success' | 'pending' | 'cancel' | 'error';

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

/**
 * The business a Checkout Session that came back to the return route belongs to, or null when
 * it is none of ours. Only what our server wrote counts: the checkout_sessions row of the
 * business that opened it, and the session's metadata.businessId, which must agree; the
 * business's account must exist and be linked to no other Stripe customer than the session's.
 * client_reference_id is not an input: a Payment Link buyer can put any business there.
 */
export function returningSessionBusiness(session: {
  openedBy: string | null;
  metadataBusinessId: string | null;
  account: { stripeCustomerId: string | null } | null;
  customerId: string | null;
}): string | null {
  const { openedBy, metadataBusinessId, account, customerId } = session;
  if (!openedBy || metadataBusinessId !== openedBy || !account) return null;
  if (account.stripeCustomerId && customerId && account.stripeCustomerId !== customerId) return null;
  return openedBy;
}
