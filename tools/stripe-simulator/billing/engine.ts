import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import type { SubscriptionRecord } from '../core/store.js';
import { cardDeclined, invalidRequest } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { snapshot } from '../core/diff.js';
import { buildInvoice, type LineSpec } from '../objects/invoice.js';
import { buildSubscription, buildSubscriptionItem } from '../objects/subscription.js';
import { buildCardPaymentMethod } from '../objects/catalog.js';
import { afterFailedAttempt } from './dunning.js';
import { daysBefore, nextPeriodEnd, type Interval } from './periods.js';
import { formatMoney } from './format.js';

export type PaymentBehaviorParam = 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';

export interface NewSubscriptionInput {
  customer: Stripe.Customer;
  items: Array<{ price: Stripe.Price; quantity: number; metadata?: Record<string, string> }>;
  metadata: Record<string, string>;
  description: string | null;
  /** Absolute trial end; null or past = no trial. */
  trialEnd: number | null;
  defaultPaymentMethod: string | null;
  paymentBehavior: PaymentBehaviorParam;
  /** Overrides the customer's payment behaviour (the Pay / Decline buttons of Checkout). */
  forcedOutcome?: boolean;
  /** The creation time, when the caller already read the clock (a trial end computed from it must stay exact). */
  at?: number;
}

type DueKind =
  | 'pending_update_expiry'
  | 'schedule_phase'
  | 'cancel_at'
  | 'trial_will_end'
  | 'trial_end'
  | 'period_end'
  | 'retry'
  | 'incomplete_expiry';
/**
 * When several things fall due at the same second, this is the order Stripe's outcome implies (a
 * phase change is billed by the renewal that follows it; a pending update expires at the latest
 * when its period ends, so before the renewal).
 */
const PRIORITY: Record<DueKind, number> = {
  pending_update_expiry: 0,
  schedule_phase: 1,
  cancel_at: 2,
  trial_will_end: 3,
  trial_end: 4,
  period_end: 5,
  retry: 6,
  incomplete_expiry: 7,
};

export interface Due {
  at: number;
  kind: DueKind;
}

const ENDED: ReadonlySet<string> = new Set(['canceled', 'incomplete_expired']);

export function recurringOf(price: Stripe.Price): { interval: Interval; count: number } {
  if (!price.recurring) throw invalidRequest(`The price \`${price.id}\` is not recurring; subscriptions need recurring prices.`, 'price');
  return { interval: price.recurring.interval as Interval, count: price.recurring.interval_count };
}

/** Stripe-side behaviour of subscriptions and invoices over (virtual) time. */
export class BillingEngine {
  constructor(private readonly ctx: SimContext) {}

  private now(): number {
    return this.ctx.now();
  }

  chargeSucceeds(customerId: string): boolean {
    return this.ctx.store.paymentBehavior.get(customerId) !== 'fail';
  }

  // ---- invoices -------------------------------------------------------------------------

  periodLines(sub: { id: string }, items: Stripe.SubscriptionItem[], start: number, end: number): LineSpec[] {
    return items.map((item) => {
      const qty = item.quantity ?? 1;
      const unit = item.price.unit_amount ?? 0;
      const interval = item.price.recurring?.interval ?? 'month';
      return {
        amount: unit * qty,
        description: `${qty} × ${this.ctx.productName(item.price)} (at ${formatMoney(unit, item.price.currency)} / ${interval})`,
        price: item.price,
        quantity: qty,
        periodStart: start,
        periodEnd: end,
        proration: false,
        subscription: sub.id,
        subscriptionItem: item.id,
      };
    });
  }

  /** Builds and stores a draft invoice; `issueInvoice` finalizes it. */
  createInvoice(sub: Stripe.Subscription, lines: LineSpec[], reason: Stripe.Invoice.BillingReason, periodStart: number, periodEnd: number): Stripe.Invoice {
    const customer = this.ctx.customer(sub.customer as string);
    const invoice = buildInvoice({
      id: newId('in'),
      now: this.now(),
      customer,
      currency: sub.currency,
      subscription: { id: sub.id, metadata: sub.metadata },
      lines,
      billingReason: reason,
      periodStart,
      periodEnd,
      number: null,
      baseUrl: this.ctx.baseUrl,
    });
    invoice.default_payment_method = typeof sub.default_payment_method === 'string' ? sub.default_payment_method : null;
    this.ctx.store.invoices.set(invoice.id, invoice);
    return invoice;
  }

  /** Stripe finalizes a subscription invoice before charging it; the customer's balance is consumed here. */
  issueInvoice(invoice: Stripe.Invoice): void {
    this.ctx.events.emit('invoice.created', invoice);
    const customer = this.ctx.customer(invoice.customer as string);
    const seq = customer.next_invoice_sequence ?? 1;
    customer.next_invoice_sequence = seq + 1;
    invoice.number = `${customer.invoice_prefix ?? 'SIM'}-${String(seq).padStart(4, '0')}`;
    invoice.status = 'open';
    invoice.status_transitions.finalized_at = this.now();
    invoice.effective_at = this.now();
    if (invoice.ending_balance !== null && invoice.ending_balance !== customer.balance) customer.balance = invoice.ending_balance;
    this.ctx.events.emit('invoice.finalized', invoice);
  }

  /**
   * One payment attempt. `outcome` forces the result (Checkout's buttons); otherwise the
   * customer's payment behaviour decides. `nextAttemptAt` is what a failure reports as the retry time.
   */
  collect(invoice: Stripe.Invoice, outcome?: boolean, nextAttemptAt: number | null = null): boolean {
    const customerId = invoice.customer as string;
    const ok = invoice.amount_due === 0 || (outcome ?? this.chargeSucceeds(customerId));
    invoice.attempted = true;
    if (invoice.amount_due > 0) invoice.attempt_count += 1;
    if (ok) {
      invoice.status = 'paid';
      invoice.amount_paid = invoice.amount_due;
      invoice.amount_remaining = 0;
      invoice.next_payment_attempt = null;
      invoice.status_transitions.paid_at = this.now();
      this.ctx.events.emit('invoice.paid', invoice);
      this.ctx.events.emit('invoice.payment_succeeded', invoice);
      this.afterInvoicePaid(invoice);
    } else {
      invoice.next_payment_attempt = nextAttemptAt;
      this.ctx.events.emit('invoice.payment_failed', invoice);
    }
    return ok;
  }

  /** A subscription held back by an unpaid invoice becomes active once it is paid (e.g. via invoices.pay or a retry). */
  private afterInvoicePaid(invoice: Stripe.Invoice): void {
    const subId = invoice.parent?.subscription_details?.subscription;
    const rec = typeof subId === 'string' ? this.ctx.store.subscriptions.get(subId) : undefined;
    if (!rec) return;
    if (rec.pendingUpdate?.invoiceId === invoice.id) {
      this.applyPendingUpdate(rec);
      return;
    }
    if (rec.dunning?.invoiceId === invoice.id) rec.dunning = null;
    if (!['incomplete', 'past_due', 'unpaid'].includes(rec.sub.status) || rec.dunning) return;
    const stillOpen = [...this.ctx.store.invoices.values()].some(
      (i) => i.status === 'open' && i.amount_due > 0 && i.parent?.subscription_details?.subscription === rec.sub.id,
    );
    if (stillOpen) return;
    this.mutate(rec, (sub) => {
      sub.status = 'active';
    });
  }

  /** The invoice of a pending update was paid: its items (and anchor) apply now, as Stripe does. */
  private applyPendingUpdate(rec: SubscriptionRecord): void {
    const pending = rec.pendingUpdate!;
    rec.pendingUpdate = null;
    const before = snapshot(rec.sub);
    rec.sub.items.data = pending.items;
    rec.sub.billing_cycle_anchor = pending.billingCycleAnchor;
    rec.sub.pending_update = null;
    this.ctx.events.emit('customer.subscription.pending_update_applied', rec.sub, before);
    this.ctx.events.emitUpdated('customer.subscription.updated', before, rec.sub);
  }

  /** A pending update left unpaid past its expires_at: its invoice is voided and the update dropped. */
  private expirePendingUpdate(rec: SubscriptionRecord): void {
    const pending = rec.pendingUpdate!;
    rec.pendingUpdate = null;
    const invoice = this.ctx.store.invoices.get(pending.invoiceId);
    if (invoice && invoice.status === 'open') this.voidInvoice(invoice);
    const before = snapshot(rec.sub);
    rec.sub.pending_update = null;
    this.ctx.events.emit('customer.subscription.pending_update_expired', rec.sub, before);
    this.ctx.events.emitUpdated('customer.subscription.updated', before, rec.sub);
  }

  private voidInvoice(invoice: Stripe.Invoice): void {
    invoice.status = 'void';
    invoice.status_transitions.voided_at = this.now();
    invoice.next_payment_attempt = null;
    this.ctx.events.emit('invoice.voided', invoice);
  }

  mutate(rec: SubscriptionRecord, change: (sub: Stripe.Subscription) => void): void {
    const before = snapshot(rec.sub);
    change(rec.sub);
    this.ctx.events.emitUpdated('customer.subscription.updated', before, rec.sub);
  }

  // ---- payment methods --------------------------------------------------------------------

  /** What Checkout does with the card it collected: attach it and make it the customer's default. */
  attachCard(customer: Stripe.Customer): Stripe.PaymentMethod {
    const pm = buildCardPaymentMethod({ now: this.now(), customer: customer.id, email: customer.email, last4: '4242' });
    this.ctx.store.paymentMethods.set(pm.id, pm);
    this.ctx.events.emit('payment_method.attached', pm);
    const before = snapshot(customer);
    customer.invoice_settings.default_payment_method = pm.id;
    this.ctx.events.emitUpdated('customer.updated', before, customer);
    return pm;
  }

  // ---- subscriptions ----------------------------------------------------------------------

  createSubscription(input: NewSubscriptionInput): SubscriptionRecord {
    const now = input.at ?? this.now();
    if (input.items.length === 0) throw invalidRequest('Missing required param: items.', 'items', 'parameter_missing');
    const first = input.items[0]!.price;
    const rec0 = recurringOf(first);
    for (const item of input.items) {
      const r = recurringOf(item.price);
      if (r.interval !== rec0.interval || r.count !== rec0.count || item.price.currency !== first.currency) {
        throw invalidRequest('The simulator needs every price of a subscription to share currency and billing interval.', 'items');
      }
    }
    const trial = input.trialEnd !== null && input.trialEnd > now;
    const periodEnd = trial ? (input.trialEnd as number) : nextPeriodEnd(now, rec0.interval, rec0.count, now);
    const id = newId('sub');
    const items = input.items.map((i) =>
      buildSubscriptionItem({ subscription: id, price: i.price, quantity: i.quantity, now, periodStart: now, periodEnd, metadata: i.metadata }),
    );
    const sub = buildSubscription({
      id,
      now,
      customer: input.customer.id,
      currency: first.currency,
      items,
      status: 'incomplete',
      billingCycleAnchor: trial ? periodEnd : now,
      trialStart: trial ? now : null,
      trialEnd: trial ? periodEnd : null,
      metadata: input.metadata,
      description: input.description,
      defaultPaymentMethod: input.defaultPaymentMethod,
      missingPaymentMethod: 'create_invoice',
    });
    const lines = trial
      ? items.map((item) => ({
          ...this.periodLines(sub, [item], now, periodEnd)[0]!,
          amount: 0,
          description: `Trial period for ${this.ctx.productName(item.price)}`,
        }))
      : this.periodLines(sub, items, now, periodEnd);
    const invoice = this.createInvoice(sub, lines, 'subscription_create', now, now);
    const attempt = !(input.paymentBehavior === 'default_incomplete' && invoice.amount_due > 0);
    const ok = invoice.amount_due === 0 || (attempt && (input.forcedOutcome ?? this.chargeSucceeds(input.customer.id)));
    if (!ok && input.paymentBehavior === 'error_if_incomplete') {
      this.ctx.store.invoices.delete(invoice.id);
      throw cardDeclined();
    }
    sub.status = trial ? 'trialing' : ok ? 'active' : 'incomplete';
    sub.latest_invoice = invoice.id;
    const rec: SubscriptionRecord = { sub, pendingLines: [], trialWillEndSentFor: null, dunning: null, pendingUpdate: null };
    this.ctx.store.subscriptions.set(id, rec);
    this.ctx.events.emit('customer.subscription.created', sub);
    this.issueInvoice(invoice);
    if (attempt) this.collect(invoice, ok);
    return rec;
  }

  periodEndOf(sub: Stripe.Subscription): number {
    return Math.min(...sub.items.data.map((i) => i.current_period_end));
  }

  periodStartOf(sub: Stripe.Subscription): number {
    return Math.max(...sub.items.data.map((i) => i.current_period_start));
  }

  /** Moves every item to the period starting at `start` and returns the new period end. */
  private startPeriod(sub: Stripe.Subscription, start: number, anchor: number): number {
    const r = recurringOf(sub.items.data[0]!.price);
    const end = nextPeriodEnd(anchor, r.interval, r.count, start);
    for (const item of sub.items.data) {
      item.current_period_start = start;
      item.current_period_end = end;
    }
    return end;
  }

  cancelNow(rec: SubscriptionRecord, reason: Stripe.Subscription.CancellationDetails.Reason): void {
    const now = this.now();
    const sub = rec.sub;
    sub.status = 'canceled';
    sub.canceled_at = sub.canceled_at ?? now;
    sub.ended_at = now;
    sub.cancellation_details = { comment: sub.cancellation_details?.comment ?? null, feedback: sub.cancellation_details?.feedback ?? null, feedback_option: null, reason };
    rec.dunning = null;
    rec.pendingLines = [];
    rec.pendingUpdate = null;
    sub.pending_update = null;
    const scheduleId = typeof sub.schedule === 'string' ? sub.schedule : null;
    const schedule = scheduleId ? this.ctx.store.schedules.get(scheduleId) : undefined;
    if (schedule && schedule.status === 'active') {
      schedule.status = 'canceled';
      schedule.canceled_at = now;
      this.ctx.events.emit('subscription_schedule.canceled', schedule);
    }
    this.ctx.events.emit('customer.subscription.deleted', sub);
  }

  /** Trial over: bill the first real period, from the trial end. */
  endTrial(rec: SubscriptionRecord): void {
    const at = this.now();
    const working = snapshot(rec.sub);
    working.trial_end = Math.min(working.trial_end ?? at, at);
    working.billing_cycle_anchor = at;
    const end = this.startPeriod(working, at, at);
    const lines = [...rec.pendingLines, ...this.periodLines(working, working.items.data, at, end)];
    rec.pendingLines = [];
    this.billNewPeriod(rec, working, lines, at, end, 'subscription_cycle');
  }

  /** Period boundary: renew (or, for an unpaid subscription, just move on without charging). */
  renew(rec: SubscriptionRecord): void {
    const at = this.periodEndOf(rec.sub);
    const working = snapshot(rec.sub);
    const end = this.startPeriod(working, at, working.billing_cycle_anchor);
    if (working.status === 'unpaid') {
      // Stripe keeps cycling an unpaid subscription but stops attempting payment.
      this.replace(rec, working);
      return;
    }
    const lines = [...rec.pendingLines, ...this.periodLines(working, working.items.data, at, end)];
    rec.pendingLines = [];
    this.billNewPeriod(rec, working, lines, at, end, 'subscription_cycle');
  }

  /** subscriptions.resume: billing restarts now with a fresh period (Stripe's default `billing_cycle_anchor=now`). */
  resume(rec: SubscriptionRecord): void {
    const at = this.now();
    const working = snapshot(rec.sub);
    delete working.status_details;
    working.status = 'active';
    working.billing_cycle_anchor = at;
    const end = this.startPeriod(working, at, at);
    const lines = this.periodLines(working, working.items.data, at, end);
    this.billNewPeriod(rec, working, lines, at, end, 'subscription_update');
  }

  private replace(rec: SubscriptionRecord, working: Stripe.Subscription): void {
    const before = rec.sub;
    rec.sub = working;
    this.ctx.events.emitUpdated('customer.subscription.updated', before, working);
  }

  /** Commits `working` (already moved to its new period), invoices `lines` and starts dunning on failure. */
  billNewPeriod(rec: SubscriptionRecord, working: Stripe.Subscription, lines: LineSpec[], start: number, end: number, reason: Stripe.Invoice.BillingReason): void {
    const invoice = this.createInvoice(working, lines, reason, start, end);
    const ok = invoice.amount_due === 0 || this.chargeSucceeds(invoice.customer as string);
    const inDunning = rec.dunning !== null;
    working.latest_invoice = invoice.id;
    if (!ok) working.status = 'past_due';
    else if (!inDunning) working.status = 'active';
    this.replace(rec, working);
    this.issueInvoice(invoice);
    if (ok) {
      this.collect(invoice, true);
      return;
    }
    if (inDunning) {
      this.collect(invoice, false, null);
      return;
    }
    const decision = afterFailedAttempt(1, this.now(), this.ctx.billing.retryDays, this.ctx.billing.finalDunningAction);
    rec.dunning = { invoiceId: invoice.id, firstFailureAt: this.now(), failedAttempts: 1, nextAttemptAt: decision.nextAttemptAt };
    this.collect(invoice, false, decision.nextAttemptAt);
    if (decision.nextAttemptAt === null) this.exhaustDunning(rec, decision.status);
  }

  /** Smart-retry attempt on the invoice in dunning. */
  retry(rec: SubscriptionRecord): void {
    const dunning = rec.dunning;
    if (!dunning) return;
    const invoice = this.ctx.store.invoices.get(dunning.invoiceId);
    if (!invoice || invoice.status !== 'open') {
      rec.dunning = null;
      return;
    }
    const ok = this.chargeSucceeds(invoice.customer as string);
    if (ok) {
      this.collect(invoice, true);
      return;
    }
    dunning.failedAttempts += 1;
    const decision = afterFailedAttempt(dunning.failedAttempts, dunning.firstFailureAt, this.ctx.billing.retryDays, this.ctx.billing.finalDunningAction);
    dunning.nextAttemptAt = decision.nextAttemptAt;
    this.collect(invoice, false, decision.nextAttemptAt);
    if (decision.nextAttemptAt === null) this.exhaustDunning(rec, decision.status);
  }

  private exhaustDunning(rec: SubscriptionRecord, status: Stripe.Subscription.Status): void {
    rec.dunning = null;
    if (status === 'canceled') this.cancelNow(rec, 'payment_failed');
    else if (status === 'unpaid') this.mutate(rec, (sub) => void (sub.status = 'unpaid'));
  }

  private expireIncomplete(rec: SubscriptionRecord): void {
    for (const invoice of this.ctx.store.invoices.values()) {
      if (invoice.status === 'open' && invoice.parent?.subscription_details?.subscription === rec.sub.id) this.voidInvoice(invoice);
    }
    this.mutate(rec, (sub) => {
      sub.status = 'incomplete_expired';
      sub.ended_at = this.now();
    });
  }

  // ---- time --------------------------------------------------------------------------------

  nextDue(rec: SubscriptionRecord): Due | null {
    const sub = rec.sub;
    if (ENDED.has(sub.status) || sub.status === 'paused') return null;
    const dues: Due[] = [];
    if (sub.status === 'incomplete') {
      dues.push({ at: sub.created + this.ctx.billing.incompleteExpirySeconds, kind: 'incomplete_expiry' });
      return dues[0]!;
    }
    if (rec.pendingUpdate && sub.pending_update) dues.push({ at: sub.pending_update.expires_at, kind: 'pending_update_expiry' });
    if (sub.cancel_at !== null) dues.push({ at: sub.cancel_at, kind: 'cancel_at' });
    const schedulePhase = this.nextScheduleTransition(sub);
    if (schedulePhase !== null) dues.push({ at: schedulePhase, kind: 'schedule_phase' });
    if (sub.status === 'trialing' && sub.trial_end !== null) {
      if (rec.trialWillEndSentFor !== sub.trial_end) dues.push({ at: daysBefore(sub.trial_end, 3), kind: 'trial_will_end' });
      dues.push({ at: sub.trial_end, kind: 'trial_end' });
    } else {
      dues.push({ at: this.periodEndOf(sub), kind: 'period_end' });
    }
    if (rec.dunning?.nextAttemptAt != null) dues.push({ at: rec.dunning.nextAttemptAt, kind: 'retry' });
    dues.sort((a, b) => a.at - b.at || PRIORITY[a.kind] - PRIORITY[b.kind]);
    return dues[0] ?? null;
  }

  private nextScheduleTransition(sub: Stripe.Subscription): number | null {
    const id = typeof sub.schedule === 'string' ? sub.schedule : null;
    const schedule = id ? this.ctx.store.schedules.get(id) : undefined;
    if (!schedule || schedule.status !== 'active' || !schedule.current_phase) return null;
    const currentStart = schedule.current_phase.start_date;
    const next = schedule.phases.find((p) => p.start_date > currentStart);
    if (next) return next.start_date;
    const last = schedule.phases[schedule.phases.length - 1];
    return last ? last.end_date : null;
  }

  /** Hook set by the schedule module; kept as a field to avoid a module cycle. */
  onScheduleTransition: (rec: SubscriptionRecord) => void = () => undefined;

  private run(rec: SubscriptionRecord, due: Due): void {
    switch (due.kind) {
      case 'trial_will_end':
        rec.trialWillEndSentFor = rec.sub.trial_end;
        this.ctx.events.emit('customer.subscription.trial_will_end', rec.sub);
        return;
      case 'trial_end':
        this.endTrial(rec);
        return;
      case 'cancel_at':
        this.cancelNow(rec, 'cancellation_requested');
        return;
      case 'period_end':
        this.renew(rec);
        return;
      case 'retry':
        this.retry(rec);
        return;
      case 'incomplete_expiry':
        this.expireIncomplete(rec);
        return;
      case 'pending_update_expiry':
        this.expirePendingUpdate(rec);
        return;
      case 'schedule_phase':
        this.onScheduleTransition(rec);
        return;
    }
  }

  /**
   * Processes everything due up to `target`, one step at a time in chronological order, with the
   * virtual clock set to each step's time so events and periods carry the right timestamps.
   */
  advanceTo(target: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      let best: { at: number; priority: number; run: () => void } | null = null;
      for (const rec of this.ctx.store.subscriptions.values()) {
        const due = this.nextDue(rec);
        if (!due || due.at > target) continue;
        if (!best || due.at < best.at || (due.at === best.at && PRIORITY[due.kind] < best.priority)) {
          best = { at: due.at, priority: PRIORITY[due.kind], run: () => this.run(rec, due) };
        }
      }
      for (const record of this.ctx.store.checkoutSessions.values()) {
        const s = record.session;
        if (s.status !== 'open' || s.expires_at > target) continue;
        if (!best || s.expires_at < best.at) {
          best = {
            at: s.expires_at,
            priority: 99,
            run: () => {
              s.status = 'expired';
              s.url = null;
              this.ctx.events.emit('checkout.session.expired', s);
            },
          };
        }
      }
      if (!best) break;
      this.ctx.clock.moveTo(best.at);
      best.run();
    }
    this.ctx.clock.moveTo(target);
  }

  /** Anything already due at the current time (e.g. `trial_will_end` of a trial shorter than three days). */
  catchUp(): void {
    this.advanceTo(this.now());
  }
}
