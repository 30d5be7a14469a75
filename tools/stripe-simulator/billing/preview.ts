import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import type { SubscriptionRecord } from '../core/store.js';
import { invalidRequest } from '../core/errors.js';
import { buildInvoice, type LineSpec } from '../objects/invoice.js';
import { planItemChange, type ItemChange, type ProrationBehavior } from './changes.js';
import { nextPeriodEnd } from './periods.js';
import { recurringOf } from './engine.js';

export interface PreviewInput {
  customer: Stripe.Customer;
  subscription: SubscriptionRecord | null;
  items?: ItemChange[];
  prorationBehavior: ProrationBehavior;
  prorationDate?: number;
  cancelAtPeriodEnd?: boolean;
}

function noUpcoming(): never {
  throw invalidRequest('No upcoming invoices for customer.', undefined, 'invoice_upcoming_none');
}

/**
 * invoices.createPreview. With item changes: `always_invoice` previews the proration invoice that
 * would be charged now; otherwise the next renewal invoice, carrying pending and new prorations.
 */
export function previewInvoice(ctx: SimContext, input: PreviewInput): Stripe.Invoice {
  const now = ctx.now();
  const engine = ctx.engine;
  const rec = input.subscription;
  let lines: LineSpec[];
  let reason: Stripe.Invoice.BillingReason = 'upcoming';
  let periodStart = now;
  let periodEnd = now;
  let subscription: { id: string; metadata: Record<string, string> } | null = null;
  let currency = 'usd';
  const prorationDate = input.prorationDate ?? now;

  if (rec) {
    const sub = rec.sub;
    if (['canceled', 'incomplete_expired'].includes(sub.status) || input.cancelAtPeriodEnd || (sub.cancel_at_period_end && input.items === undefined)) noUpcoming();
    subscription = { id: sub.id, metadata: sub.metadata };
    currency = sub.currency;
    const planned = input.items && input.items.length > 0 ? planItemChange(ctx, sub, input.items, input.prorationBehavior, prorationDate) : null;
    const working = planned?.working ?? sub;
    const prorations = input.prorationBehavior === 'none' ? [] : (planned?.prorationLines ?? []);
    if (planned?.intervalChanged) {
      lines = [...prorations, ...planned.newPeriodLines];
      reason = 'subscription_update';
    } else if (planned && input.prorationBehavior === 'always_invoice') {
      lines = prorations;
      reason = 'subscription_update';
    } else {
      const start = working.status === 'trialing' && working.trial_end ? working.trial_end : engine.periodEndOf(working);
      const r = recurringOf(working.items.data[0]!.price);
      const end = nextPeriodEnd(working.billing_cycle_anchor, r.interval, r.count, start);
      lines = [...rec.pendingLines, ...prorations, ...engine.periodLines(working, working.items.data, start, end)];
      periodStart = engine.periodStartOf(working);
      periodEnd = start;
    }
  } else {
    if (!input.items || input.items.length === 0) noUpcoming();
    const prices = input.items.map((i) => {
      if (!i.price) throw invalidRequest('Each item of a new-subscription preview needs a price.', 'subscription_details[items]');
      return { price: i.price, quantity: i.quantity ?? 1 };
    });
    const r = recurringOf(prices[0]!.price);
    const end = nextPeriodEnd(now, r.interval, r.count, now);
    currency = prices[0]!.price.currency;
    reason = 'subscription_create';
    lines = prices.map((p) => ({
      amount: (p.price.unit_amount ?? 0) * p.quantity,
      description: `${p.quantity} × ${ctx.productName(p.price)}`,
      price: p.price,
      quantity: p.quantity,
      periodStart: now,
      periodEnd: end,
      proration: false,
      subscription: null,
      subscriptionItem: null,
    }));
  }

  const invoice = buildInvoice({
    id: null,
    now,
    customer: input.customer,
    currency,
    subscription,
    lines,
    billingReason: reason,
    periodStart,
    periodEnd,
    number: null,
    baseUrl: ctx.baseUrl,
  });
  if (invoice.parent?.subscription_details && lines.some((l) => l.proration)) {
    invoice.parent.subscription_details.subscription_proration_date = prorationDate;
  }
  return invoice;
}
