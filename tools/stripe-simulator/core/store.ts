import type Stripe from 'stripe';
import type { LineSpec } from '../objects/invoice.js';

export interface SubscriptionRecord {
  sub: Stripe.Subscription;
  /** Proration lines from `create_prorations` changes, billed on the next invoice. */
  pendingLines: LineSpec[];
  /** The trial_end for which `trial_will_end` was already sent (a new trial_end re-arms it). */
  trialWillEndSentFor: number | null;
  /** Renewal payment being retried; null when the subscription is not in dunning. */
  dunning: { invoiceId: string; firstFailureAt: number; failedAttempts: number; nextAttemptAt: number | null } | null;
  /**
   * A change held back by `payment_behavior: pending_if_incomplete` because its invoice was not
   * paid (`sub.pending_update` shows it): applied when that invoice is paid, dropped at expiry.
   */
  pendingUpdate: { invoiceId: string; items: Stripe.SubscriptionItem[]; billingCycleAnchor: number } | null;
}

export interface CheckoutRecord {
  session: Stripe.Checkout.Session;
  lineItems: Stripe.LineItem[];
  subscriptionData: {
    metadata: Record<string, string>;
    trialPeriodDays: number | null;
    trialEnd: number | null;
    description: string | null;
  };
  /** Customer (and subscription) left by a declined attempt, reused when the customer pays later. */
  attempt: { customer: string; subscription: string | null } | null;
}

export type PaymentBehavior = 'succeed' | 'fail';

/** All simulated Stripe state of one simulator instance. Maps keep insertion order, which lists rely on. */
export class Store {
  customers = new Map<string, Stripe.Customer>();
  deletedCustomers = new Set<string>();
  products = new Map<string, Stripe.Product>();
  prices = new Map<string, Stripe.Price>();
  checkoutSessions = new Map<string, CheckoutRecord>();
  portalSessions = new Map<string, Stripe.BillingPortal.Session>();
  subscriptions = new Map<string, SubscriptionRecord>();
  invoices = new Map<string, Stripe.Invoice>();
  schedules = new Map<string, Stripe.SubscriptionSchedule>();
  paymentMethods = new Map<string, Stripe.PaymentMethod>();
  setupIntents = new Map<string, Stripe.SetupIntent>();
  webhookEndpoints = new Map<string, Stripe.WebhookEndpoint>();
  events = new Map<string, Stripe.Event>();
  paymentBehavior = new Map<string, PaymentBehavior>();

  clear(): void {
    for (const value of Object.values(this)) {
      if (value instanceof Map || value instanceof Set) value.clear();
    }
  }

  /** Finds any stored object by id, for `expand`. */
  lookup(id: string): object | undefined {
    return (
      this.customers.get(id) ??
      this.products.get(id) ??
      this.prices.get(id) ??
      this.checkoutSessions.get(id)?.session ??
      this.subscriptions.get(id)?.sub ??
      this.invoices.get(id) ??
      this.schedules.get(id) ??
      this.paymentMethods.get(id) ??
      this.setupIntents.get(id) ??
      this.events.get(id)
    );
  }
}
