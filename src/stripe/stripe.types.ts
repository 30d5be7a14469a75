/** What the rest of the service knows of Stripe objects: our own shapes, never the SDK's. */

export interface StripeSubscriptionSnapshot {
  id: string;
  customerId: string;
  status: string;
  created: Date;
  /**
   * The price that decides the plan. Stripe's mapping takes the first item; billing replaces it
   * with the item whose price is in the catalog (add-ons and extra items are ignored).
   */
  priceId: string | null;
  interval: 'monthly' | 'yearly' | null;
  /** Every item, in Stripe's order. */
  items: StripeSubscriptionItemSnapshot[];
  metadata: Record<string, string>;
  /** From the item (API 2025-03-31.basil and later keep periods on items). */
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: Date | null;
  canceledAt: Date | null;
  endedAt: Date | null;
  trialStart: Date | null;
  trialEnd: Date | null;
  raw: Record<string, unknown>;
}

export interface StripeSubscriptionItemSnapshot {
  priceId: string | null;
  interval: 'monthly' | 'yearly' | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
}

export interface StripeCheckoutSessionSnapshot {
  id: string;
  customerId: string | null;
  subscriptionId: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  status: string | null;
  paymentStatus: string;
}

export interface StripeCustomerSnapshot {
  id: string;
  email: string | null;
  metadata: Record<string, string>;
  deleted: boolean;
}

/** A webhook event whose signature was verified. */
export interface VerifiedStripeEvent {
  id: string;
  type: string;
  livemode: boolean;
  apiVersion: string | null;
  created: Date;
  /** `data.object` as Stripe sent it. */
  object: Record<string, unknown>;
  raw: Record<string, unknown>;
}
