/** What the rest of the service knows of Stripe objects: our own shapes, never the SDK's. */

export interface StripeSubscriptionSnapshot {
  id: string;
  customerId: string;
  status: string;
  created: Date;
  /** The first item's price: this service sells one price per subscription. */
  priceId: string | null;
  interval: 'monthly' | 'yearly' | null;
  metadata: Record<string, string>;
  /** From the item (API 2025-03-31.basil and later keep periods on items). */
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  /** Where Stripe steps billing periods from (and so our monthly usage windows). */
  billingCycleAnchor: Date | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: Date | null;
  canceledAt: Date | null;
  endedAt: Date | null;
  trialStart: Date | null;
  trialEnd: Date | null;
  raw: Record<string, unknown>;
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
