import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import { invalidRequest, resourceMissing } from '../core/errors.js';
import { snapshot } from '../core/diff.js';
import type { LineSpec } from '../objects/invoice.js';
import { buildSubscriptionItem } from '../objects/subscription.js';
import { planFromPrice } from '../objects/catalog.js';
import { prorate } from './proration.js';
import { nextPeriodEnd } from './periods.js';
import { recurringOf } from './engine.js';
import { formatDate } from './format.js';

export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none';

export interface ItemChange {
  id?: string;
  price?: Stripe.Price;
  quantity?: number;
  deleted?: boolean;
  metadata?: Record<string, string>;
}

export interface PlannedChange {
  /** The subscription with the new items (and, after an interval change, the new period and anchor). */
  working: Stripe.Subscription;
  prorationLines: LineSpec[];
  /** Stripe bills at once and restarts the cycle when the billing interval changes. */
  intervalChanged: boolean;
  /** Lines for the new period when `intervalChanged`. */
  newPeriodLines: LineSpec[];
}

function prorationLine(
  ctx: SimContext,
  sub: Stripe.Subscription,
  item: Stripe.SubscriptionItem,
  price: Stripe.Price,
  quantity: number,
  amount: number,
  at: number,
  kind: 'unused' | 'remaining',
): LineSpec {
  const name = ctx.productName(price);
  return {
    amount,
    description: kind === 'unused' ? `Unused time on ${quantity} × ${name} after ${formatDate(at)}` : `Remaining time on ${quantity} × ${name} after ${formatDate(at)}`,
    price,
    quantity,
    periodStart: at,
    periodEnd: item.current_period_end,
    proration: true,
    subscription: sub.id,
    subscriptionItem: item.id,
  };
}

/**
 * Works out an item change without committing it: the new item list, the proration lines
 * (credit for unused time on the old price, charge for the remaining time on the new one) and
 * whether the billing interval changed. Shared by subscriptions.update, createPreview and schedules.
 */
export function planItemChange(
  ctx: SimContext,
  sub: Stripe.Subscription,
  changes: ItemChange[],
  behavior: ProrationBehavior,
  prorationDate: number,
): PlannedChange {
  const now = ctx.now();
  const working = snapshot(sub);
  const items = working.items.data;
  const oldRecurring = recurringOf(items[0]!.price);
  const periodStart = Math.max(...items.map((i) => i.current_period_start));
  const periodEnd = Math.min(...items.map((i) => i.current_period_end));
  const prorate_ = behavior !== 'none' && sub.status !== 'trialing';
  const lines: LineSpec[] = [];
  const credit = (item: Stripe.SubscriptionItem): void => {
    const r = prorate({
      periodStart: item.current_period_start,
      periodEnd: item.current_period_end,
      prorationDate,
      oldUnitAmount: item.price.unit_amount ?? 0,
      oldQuantity: item.quantity ?? 1,
      newUnitAmount: 0,
      newQuantity: 0,
    });
    if (r.credit !== 0) lines.push(prorationLine(ctx, working, item, item.price, item.quantity ?? 1, r.credit, r.prorationDate, 'unused'));
  };
  const debit = (item: Stripe.SubscriptionItem): void => {
    const r = prorate({
      periodStart: item.current_period_start,
      periodEnd: item.current_period_end,
      prorationDate,
      oldUnitAmount: 0,
      oldQuantity: 0,
      newUnitAmount: item.price.unit_amount ?? 0,
      newQuantity: item.quantity ?? 1,
    });
    if (r.debit !== 0) lines.push(prorationLine(ctx, working, item, item.price, item.quantity ?? 1, r.debit, r.prorationDate, 'remaining'));
  };

  for (const change of changes) {
    const index = change.id ? items.findIndex((i) => i.id === change.id) : -1;
    if (change.id && index === -1) throw resourceMissing('subscription item', change.id, 'items');
    if (change.deleted) {
      if (index === -1) throw invalidRequest('To delete an item, pass its `id` with `deleted: true`.', 'items');
      const [removed] = items.splice(index, 1);
      if (prorate_ && removed) credit(removed);
      continue;
    }
    if (index === -1) {
      if (!change.price) throw invalidRequest('Missing required param: items[price].', 'items', 'parameter_missing');
      const added = buildSubscriptionItem({
        subscription: working.id,
        price: change.price,
        quantity: change.quantity ?? 1,
        now,
        periodStart,
        periodEnd,
        metadata: change.metadata,
      });
      items.push(added);
      if (prorate_) debit(added);
      continue;
    }
    const item = items[index]!;
    const before = snapshot(item);
    const priceChanged = change.price !== undefined && change.price.id !== item.price.id;
    if (change.price) {
      item.price = change.price;
      item.plan = planFromPrice(change.price);
    }
    // Stripe resets the quantity to 1 on a price change unless the request sets it.
    if (change.quantity !== undefined) item.quantity = change.quantity;
    else if (priceChanged) item.quantity = 1;
    if (change.metadata) item.metadata = change.metadata;
    const changedBilling = before.price.id !== item.price.id || (before.quantity ?? 1) !== (item.quantity ?? 1);
    if (prorate_ && changedBilling) {
      credit(before);
      debit(item);
    }
  }
  if (items.length === 0) throw invalidRequest('A subscription must keep at least one item; cancel it instead.', 'items');
  const first = items[0]!.price;
  for (const item of items) {
    const r = recurringOf(item.price);
    const r0 = recurringOf(first);
    if (r.interval !== r0.interval || r.count !== r0.count || item.price.currency !== first.currency) {
      throw invalidRequest('The simulator needs every price of a subscription to share currency and billing interval.', 'items');
    }
  }
  const newRecurring = recurringOf(first);
  const intervalChanged = sub.status !== 'trialing' && (newRecurring.interval !== oldRecurring.interval || newRecurring.count !== oldRecurring.count);
  let newPeriodLines: LineSpec[] = [];
  if (intervalChanged) {
    // The debit lines above assumed the old period; on an interval change the new price is billed in full from now.
    const credits = lines.filter((l) => l.amount < 0);
    lines.length = 0;
    lines.push(...credits);
    const end = nextPeriodEnd(now, newRecurring.interval, newRecurring.count, now);
    for (const item of items) {
      item.current_period_start = now;
      item.current_period_end = end;
    }
    working.billing_cycle_anchor = now;
    newPeriodLines = items.map((item) => ({
      amount: (item.price.unit_amount ?? 0) * (item.quantity ?? 1),
      description: `${item.quantity ?? 1} × ${ctx.productName(item.price)}`,
      price: item.price,
      quantity: item.quantity ?? 1,
      periodStart: now,
      periodEnd: end,
      proration: false,
      subscription: working.id,
      subscriptionItem: item.id,
    }));
  }
  return { working, prorationLines: lines, intervalChanged, newPeriodLines };
}
