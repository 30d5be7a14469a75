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
  /** The hosted page; null once the session is complete or expired. */
  url: string | null;
  expiresAt: Date | null;
}

/** What a subscription's raw object says beyond the snapshot: the item to change and any schedule. */
export interface StripeSubscriptionDetails {
  itemId: string | null;
  scheduleId: string | null;
  /** The next phase of an attached schedule that switches price (a downgrade at period end). */
  scheduledChange: { priceId: string; effectiveAt: Date } | null;
}

/** An invoice preview (invoices.createPreview), in the currency's minor unit. */
export interface StripeInvoicePreview {
  amountDue: number;
  total: number;
  currency: string;
  periodEnd: Date | null;
}

/** How a price change is billed: now (an invoice charged at once) or on the next invoice. */
export type StripeProration = 'always_invoice' | 'create_prorations' | 'none';

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
