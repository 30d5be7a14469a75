import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import type { SubscriptionRecord } from '../core/store.js';
import { cardDeclined, invalidRequest } from '../core/errors.js';
import { snapshot } from '../core/diff.js';
import { mergeMetadata } from '../core/params.js';
import { afterFailedAttempt } from './dunning.js';
import { planItemChange, type ItemChange, type ProrationBehavior } from './changes.js';
import type { PaymentBehaviorParam } from './engine.js';

export interface SubscriptionUpdate {
  items?: ItemChange[];
  prorationBehavior: ProrationBehavior;
  prorationDate?: number;
  paymentBehavior: PaymentBehaviorParam;
  cancelAtPeriodEnd?: boolean;
  /** A timestamp, or null to clear. */
  cancelAt?: number | null;
  metadata?: Record<string, string | null>;
  description?: string | null;
  trialEnd?: number | 'now';
  defaultPaymentMethod?: string | null;
}

const FROZEN: ReadonlySet<string> = new Set(['canceled', 'incomplete_expired']);

/** subscriptions.update: everything is worked out on a copy and committed only if it can be. */
export function updateSubscription(ctx: SimContext, rec: SubscriptionRecord, update: SubscriptionUpdate): void {
  const engine = ctx.engine;
  const now = ctx.now();
  const sub = rec.sub;
  const onlyMetadata = update.items === undefined && update.cancelAtPeriodEnd === undefined && update.cancelAt === undefined && update.trialEnd === undefined;
  if (FROZEN.has(sub.status) && !onlyMetadata) {
    throw invalidRequest(`A subscription that is \`${sub.status}\` can only update its metadata and cancellation_details.`);
  }
  if (sub.status === 'incomplete' && (update.items !== undefined || update.trialEnd !== undefined || update.cancelAt !== undefined)) {
    throw invalidRequest('An `incomplete` subscription can only update its metadata, default_payment_method and cancellation settings until its first invoice is paid.');
  }

  let working = snapshot(sub);
  let immediateLines: Parameters<typeof engine.createInvoice>[1] = [];
  let deferredLines: typeof immediateLines = [];
  if (update.items && update.items.length > 0) {
    const planned = planItemChange(ctx, working, update.items, update.prorationBehavior, update.prorationDate ?? now);
    working = planned.working;
    if (planned.intervalChanged) {
      immediateLines = [...planned.prorationLines, ...planned.newPeriodLines];
    } else if (update.prorationBehavior === 'always_invoice') {
      immediateLines = planned.prorationLines;
    } else if (update.prorationBehavior === 'create_prorations') {
      deferredLines = planned.prorationLines;
    }
  }

  working.metadata = mergeMetadata(working.metadata, update.metadata);
  if (update.description !== undefined) working.description = update.description;
  if (update.defaultPaymentMethod !== undefined) working.default_payment_method = update.defaultPaymentMethod;
  if (update.cancelAtPeriodEnd === true) {
    working.cancel_at_period_end = true;
    working.cancel_at = working.status === 'trialing' && working.trial_end ? working.trial_end : engine.periodEndOf(working);
    working.canceled_at = now;
    working.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' };
  } else if ((update.cancelAtPeriodEnd === false && working.cancel_at_period_end) || update.cancelAt === null) {
    // Clearing the flag undoes a cancellation it set; a date set with cancel_at (the portal's
    // way) stays until cancel_at is cleared itself.
    working.cancel_at_period_end = false;
    working.cancel_at = null;
    working.canceled_at = null;
    working.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
  }
  if (typeof update.cancelAt === 'number') {
    if (update.cancelAt <= now) throw invalidRequest('cancel_at must be in the future; use subscriptions.cancel to cancel now.', 'cancel_at');
    working.cancel_at = update.cancelAt;
    working.cancel_at_period_end = false;
    working.canceled_at = now;
    working.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' };
  }
  let endTrialNow = false;
  if (update.trialEnd !== undefined) {
    if (working.status !== 'trialing') throw invalidRequest('The simulator only changes trial_end while the subscription is trialing.', 'trial_end');
    if (update.trialEnd === 'now' || update.trialEnd <= now) {
      endTrialNow = true;
    } else {
      working.trial_end = update.trialEnd;
      working.billing_cycle_anchor = update.trialEnd;
      for (const item of working.items.data) item.current_period_end = update.trialEnd;
      if (working.cancel_at_period_end) working.cancel_at = update.trialEnd;
    }
  }

  if (update.paymentBehavior === 'pending_if_incomplete') {
    const unsupported = (['cancelAtPeriodEnd', 'cancelAt', 'description', 'defaultPaymentMethod'] as const).find((k) => update[k] !== undefined);
    if (unsupported) {
      throw invalidRequest(`\`${unsupported}\` cannot be combined with payment_behavior=pending_if_incomplete (pending updates take items, prorations, trial_end and metadata only).`, 'payment_behavior');
    }
  }

  let invoice: Stripe.Invoice | null = null;
  let ok = true;
  if (immediateLines.length > 0) {
    invoice = engine.createInvoice(working, immediateLines, 'subscription_update', now, now);
    ok = invoice.amount_due === 0 || engine.chargeSucceeds(invoice.customer as string);
    if (!ok && update.paymentBehavior === 'error_if_incomplete') {
      ctx.store.invoices.delete(invoice.id);
      throw cardDeclined();
    }
    if (!ok && update.paymentBehavior === 'pending_if_incomplete') {
      holdPendingUpdate(ctx, rec, working, invoice);
      return;
    }
    working.latest_invoice = invoice.id;
    if (!ok) working.status = 'past_due';
  }

  const before = rec.sub;
  rec.sub = working;
  rec.pendingLines.push(...deferredLines);
  ctx.events.emitUpdated('customer.subscription.updated', before, working);
  if (invoice) {
    engine.issueInvoice(invoice);
    if (ok) {
      engine.collect(invoice, true);
    } else {
      const decision = afterFailedAttempt(1, now, ctx.billing.retryDays, ctx.billing.finalDunningAction);
      rec.dunning = { invoiceId: invoice.id, firstFailureAt: now, failedAttempts: 1, nextAttemptAt: decision.nextAttemptAt };
      engine.collect(invoice, false, decision.nextAttemptAt);
    }
  }
  if (endTrialNow) {
    ctx.events.emit('customer.subscription.trial_will_end', rec.sub);
    rec.trialWillEndSentFor = rec.sub.trial_end;
    engine.endTrial(rec);
  }
}

/** How long Stripe keeps a pending update at most (then its invoice is voided). */
const PENDING_UPDATE_LIFETIME_SECONDS = 23 * 3600;

/**
 * payment_behavior=pending_if_incomplete and the charge failed: Stripe answers 200, keeps the
 * subscription as it was (it keeps cycling unchanged) and shows the change in `pending_update`;
 * `latest_invoice` is the open invoice that applies the change once paid. The update expires at
 * the trial or period end, and at the latest 23 hours later.
 */
function holdPendingUpdate(ctx: SimContext, rec: SubscriptionRecord, working: Stripe.Subscription, invoice: Stripe.Invoice): void {
  const now = ctx.now();
  const sub = rec.sub;
  const ends = [now + PENDING_UPDATE_LIFETIME_SECONDS, ctx.engine.periodEndOf(sub), ...(sub.status === 'trialing' && sub.trial_end ? [sub.trial_end] : [])];
  const before = snapshot(sub);
  rec.pendingUpdate = { invoiceId: invoice.id, items: working.items.data, billingCycleAnchor: working.billing_cycle_anchor };
  sub.metadata = working.metadata;
  sub.latest_invoice = invoice.id;
  sub.pending_update = {
    billing_cycle_anchor: working.billing_cycle_anchor !== sub.billing_cycle_anchor ? working.billing_cycle_anchor : null,
    cancel_at_period_end: null,
    discount: null,
    discounts: null,
    expires_at: Math.min(...ends),
    metadata: null,
    subscription_items: snapshot(working.items.data),
    trial_end: null,
    trial_from_plan: null,
  };
  ctx.events.emitUpdated('customer.subscription.updated', before, sub);
  ctx.engine.issueInvoice(invoice);
  // One failed attempt; no dunning: the subscription itself is not behind on payments.
  ctx.engine.collect(invoice, false, null);
}
