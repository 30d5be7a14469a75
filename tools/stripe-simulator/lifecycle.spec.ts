import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { SimHarness } from './testing/harness.js';
import { prorate } from './billing/proration.js';

const DAY = 86_400;

describe('subscription lifecycle over virtual time', () => {
  let h: SimHarness;
  let basic: Awaited<ReturnType<SimHarness['plan']>>;
  let pro: Awaited<ReturnType<SimHarness['plan']>>;

  beforeAll(async () => {
    h = await SimHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.control('/reset');
    basic = await h.plan('Basic', 1000);
    pro = await h.plan('Pro', 3000);
  });

  const invoicesOf = async (sub: string): Promise<Stripe.Invoice[]> => (await h.stripe.invoices.list({ subscription: sub, limit: 100 })).data;
  const periodEnd = (sub: Stripe.Subscription): number => sub.items.data[0]!.current_period_end;

  it('trial: trialing, trial_will_end three days before the end, then active with a paid invoice', async () => {
    const { session, subscription } = await h.subscribe(pro.monthly.id, { trialDays: 7 });
    expect(session.payment_status).toBe('no_payment_required');
    const sub = subscription!;
    expect(sub.status).toBe('trialing');
    expect(sub.trial_end! - sub.trial_start!).toBe(7 * DAY);
    expect(periodEnd(sub)).toBe(sub.trial_end);
    expect(await h.events('setup_intent.succeeded')).toHaveLength(1);

    await h.advance(3 * DAY);
    expect(await h.events('customer.subscription.trial_will_end')).toHaveLength(0);
    await h.advance(1 * DAY + 1);
    const willEnd = await h.events('customer.subscription.trial_will_end');
    expect(willEnd).toHaveLength(1);
    expect(willEnd[0]!.created).toBe(sub.trial_end! - 3 * DAY);

    await h.advance(3 * DAY);
    const after = await h.stripe.subscriptions.retrieve(sub.id);
    expect(after.status).toBe('active');
    expect(after.items.data[0]!.current_period_start).toBe(sub.trial_end);
    const [latest] = await invoicesOf(sub.id);
    expect(latest).toMatchObject({ status: 'paid', amount_paid: 3000, billing_reason: 'subscription_cycle' });
    const updated = (await h.events('customer.subscription.updated')).find((e) => (e.data.previous_attributes as Partial<Stripe.Subscription>)?.status === 'trialing');
    expect(updated).toBeDefined();
    expect((updated!.data.object as Stripe.Subscription).status).toBe('active');
  });

  it('trial ending with a failing card goes past_due', async () => {
    const { subscription, customer } = await h.subscribe(pro.monthly.id, { trialDays: 7 });
    await h.paymentBehavior(customer, 'fail');
    await h.advance(7 * DAY + 1);
    const after = await h.stripe.subscriptions.retrieve(subscription!.id);
    expect(after.status).toBe('past_due');
    const [latest] = await invoicesOf(after.id);
    expect(latest).toMatchObject({ status: 'open', attempt_count: 1 });
    expect(latest!.next_payment_attempt).toBe(after.items.data[0]!.current_period_start + 3 * DAY);
  });

  it('renews every period and bills each renewal', async () => {
    const { subscription } = await h.subscribe(basic.monthly.id);
    const first = subscription!;
    await h.advance(periodEnd(first) - (await h.now()) + 1);
    const renewed = await h.stripe.subscriptions.retrieve(first.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0]!.current_period_start).toBe(periodEnd(first));
    const invoices = await invoicesOf(first.id);
    expect(invoices.map((i) => [i.billing_reason, i.status, i.amount_paid])).toEqual([
      ['subscription_cycle', 'paid', 1000],
      ['subscription_create', 'paid', 1000],
    ]);
    expect(invoices[0]!.lines.data[0]!.period).toEqual({ start: periodEnd(first), end: periodEnd(renewed) });
    const periodUpdate = (await h.events('customer.subscription.updated'))[0]!;
    expect(periodUpdate.data.previous_attributes).toHaveProperty('items');
  });

  it('failed renewal: past_due, retries, then canceled when retries run out', async () => {
    const { subscription, customer } = await h.subscribe(basic.monthly.id);
    await h.paymentBehavior(customer, 'fail');
    await h.advance(periodEnd(subscription!) - (await h.now()) + 1);
    let sub = await h.stripe.subscriptions.retrieve(subscription!.id);
    expect(sub.status).toBe('past_due');
    const [renewal] = await invoicesOf(sub.id);
    expect(renewal).toMatchObject({ status: 'open', attempt_count: 1 });

    await h.advance(3 * DAY);
    expect((await h.stripe.invoices.retrieve(renewal!.id)).attempt_count).toBe(2);
    await h.advance(4 * DAY);
    expect((await h.stripe.invoices.retrieve(renewal!.id)).attempt_count).toBe(4);
    sub = await h.stripe.subscriptions.retrieve(sub.id);
    expect(sub.status).toBe('canceled');
    expect(sub.cancellation_details?.reason).toBe('payment_failed');
    expect(await h.events('invoice.payment_failed')).toHaveLength(4);
    expect(await h.events('customer.subscription.deleted')).toHaveLength(1);
  });

  it('failed renewal ends unpaid when the account is set to mark subscriptions unpaid', async () => {
    await h.control('/settings', { finalDunningAction: 'mark_unpaid' });
    const { subscription, customer } = await h.subscribe(basic.monthly.id);
    await h.paymentBehavior(customer, 'fail');
    await h.advance(periodEnd(subscription!) - (await h.now()) + 8 * DAY);
    expect((await h.stripe.subscriptions.retrieve(subscription!.id)).status).toBe('unpaid');
  });

  it('a past_due subscription recovers when a retry succeeds', async () => {
    const { subscription, customer } = await h.subscribe(basic.monthly.id);
    await h.paymentBehavior(customer, 'fail');
    await h.advance(periodEnd(subscription!) - (await h.now()) + 1);
    expect((await h.stripe.subscriptions.retrieve(subscription!.id)).status).toBe('past_due');
    await h.paymentBehavior(customer, 'succeed');
    await h.advance(3 * DAY);
    const sub = await h.stripe.subscriptions.retrieve(subscription!.id);
    expect(sub.status).toBe('active');
    expect((await h.stripe.invoices.retrieve(sub.latest_invoice as string)).status).toBe('paid');
  });

  it('upgrade with always_invoice charges the prorated difference at once, matching the preview', async () => {
    const { subscription } = await h.subscribe(basic.monthly.id);
    const sub = subscription!;
    await h.advance(10 * DAY);
    const item = sub.items.data[0]!;
    const prorationDate = (await h.now()) - 60;
    const expected = prorate({
      periodStart: item.current_period_start,
      periodEnd: item.current_period_end,
      prorationDate,
      oldUnitAmount: 1000,
      oldQuantity: 1,
      newUnitAmount: 3000,
      newQuantity: 1,
    });
    const preview = await h.stripe.invoices.createPreview({
      customer: sub.customer as string,
      subscription: sub.id,
      subscription_details: { items: [{ id: item.id, price: pro.monthly.id }], proration_behavior: 'always_invoice', proration_date: prorationDate },
    });
    expect(preview.lines.data.map((l) => l.amount)).toEqual([expected.credit, expected.debit]);
    expect(preview.lines.data.every((l) => l.parent?.subscription_item_details?.proration === true)).toBe(true);
    expect(preview.total).toBe(expected.credit + expected.debit);

    const updated = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: pro.monthly.id }],
      proration_behavior: 'always_invoice',
      proration_date: prorationDate,
    });
    expect(updated.items.data[0]!.price.id).toBe(pro.monthly.id);
    expect(updated.items.data[0]!.id).toBe(item.id);
    expect(periodEnd(updated)).toBe(item.current_period_end);
    const invoice = await h.stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', billing_reason: 'subscription_update', total: preview.total, amount_paid: preview.total });
    const event = (await h.events('customer.subscription.updated'))[0]!;
    expect((event.data.previous_attributes as Partial<Stripe.Subscription>).items?.data[0]?.price.id).toBe(basic.monthly.id);
  });

  it('create_prorations puts the proration on the next renewal invoice; none just swaps', async () => {
    const { subscription } = await h.subscribe(basic.monthly.id);
    const sub = subscription!;
    await h.advance(15 * DAY);
    const item = sub.items.data[0]!;
    await h.stripe.subscriptions.update(sub.id, { items: [{ id: item.id, price: pro.monthly.id }], proration_behavior: 'create_prorations' });
    expect(await invoicesOf(sub.id)).toHaveLength(1);
    const preview = await h.stripe.invoices.createPreview({ subscription: sub.id });
    expect(preview.lines.data.filter((l) => l.parent?.subscription_item_details?.proration)).toHaveLength(2);
    await h.advance(periodEnd(sub) - (await h.now()) + 1);
    const [renewal] = await invoicesOf(sub.id);
    expect(renewal!.lines.data).toHaveLength(3);
    expect(renewal!.total).toBe(preview.total);

    const other = (await h.subscribe(basic.monthly.id, { email: 'none@example.com' })).subscription!;
    await h.stripe.subscriptions.update(other.id, { items: [{ id: other.items.data[0]!.id, price: pro.monthly.id }], proration_behavior: 'none' });
    const next = await h.stripe.invoices.createPreview({ subscription: other.id });
    expect(next.total).toBe(3000);
  });

  it('switching from monthly to yearly bills the year now, credits the unused month and restarts the cycle', async () => {
    const { subscription } = await h.subscribe(basic.monthly.id);
    const sub = subscription!;
    await h.advance(10 * DAY);
    const now = await h.now();
    const updated = await h.stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: basic.yearly.id }], proration_behavior: 'create_prorations' });
    expect(updated.items.data[0]!.current_period_start).toBe(now);
    expect(updated.billing_cycle_anchor).toBe(now);
    const invoice = await h.stripe.invoices.retrieve(updated.latest_invoice as string);
    const [credit, charge] = invoice.lines.data.map((l) => l.amount);
    expect(credit).toBeLessThan(0);
    expect(charge).toBe(10_000);
    expect(invoice).toMatchObject({ status: 'paid', total: credit! + charge! });
  });

  it('downgrade at period end through a subscription schedule', async () => {
    const { subscription } = await h.subscribe(pro.monthly.id);
    const sub = subscription!;
    const schedule = await h.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    expect(schedule).toMatchObject({ status: 'active', end_behavior: 'release', subscription: sub.id });
    const phase = schedule.phases[0]!;
    expect(phase.end_date).toBe(periodEnd(sub));
    const updated = await h.stripe.subscriptionSchedules.update(schedule.id, {
      end_behavior: 'release',
      phases: [
        { items: [{ price: pro.monthly.id, quantity: 1 }], start_date: phase.start_date, end_date: phase.end_date },
        { items: [{ price: basic.monthly.id, quantity: 1 }], duration: { interval: 'month', interval_count: 1 } },
      ],
    });
    expect(updated.phases).toHaveLength(2);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).schedule).toBe(schedule.id);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).items.data[0]!.price.id).toBe(pro.monthly.id);

    await h.advance(periodEnd(sub) - (await h.now()) + 1);
    const after = await h.stripe.subscriptions.retrieve(sub.id);
    expect(after.items.data[0]!.price.id).toBe(basic.monthly.id);
    const [renewal] = await invoicesOf(sub.id);
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', total: 1000, status: 'paid' });

    await h.advance(periodEnd(after) - (await h.now()) + 1);
    const released = await h.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(released.status).toBe('released');
    expect((await h.stripe.subscriptions.retrieve(sub.id)).schedule).toBeNull();
  });

  it('releasing a schedule leaves the subscription as it is', async () => {
    const { subscription } = await h.subscribe(pro.monthly.id);
    const schedule = await h.stripe.subscriptionSchedules.create({ from_subscription: subscription!.id });
    const released = await h.stripe.subscriptionSchedules.release(schedule.id);
    expect(released).toMatchObject({ status: 'released', released_subscription: subscription!.id });
    const sub = await h.stripe.subscriptions.retrieve(subscription!.id);
    expect(sub.schedule).toBeNull();
    expect(sub.status).toBe('active');
  });

  it('cancel at period end, resume, cancel again, then the subscription ends', async () => {
    const { subscription } = await h.subscribe(basic.monthly.id);
    const sub = subscription!;
    const canceling = await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(canceling).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: periodEnd(sub) });
    const resumed = await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
    expect(resumed).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null });
    await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    await h.advance(periodEnd(sub) - (await h.now()) + 1);
    const ended = await h.stripe.subscriptions.retrieve(sub.id);
    expect(ended.status).toBe('canceled');
    expect(ended.ended_at).toBe(periodEnd(sub));
    expect(await invoicesOf(sub.id)).toHaveLength(1);
    const [deleted] = await h.events('customer.subscription.deleted');
    expect((deleted!.data.object as Stripe.Subscription).id).toBe(sub.id);
    expect(await h.stripe.subscriptions.list({ customer: sub.customer as string })).toMatchObject({ data: [] });
  });

  it('a date set with cancel_at survives cancel_at_period_end: false and is cleared with cancel_at: ""', async () => {
    const { subscription } = await h.subscribe(basic.monthly.id);
    const sub = subscription!;
    const at = periodEnd(sub) - 5 * DAY;
    expect(await h.stripe.subscriptions.update(sub.id, { cancel_at: at })).toMatchObject({ cancel_at: at, cancel_at_period_end: false });
    // Nothing to undo: the flag was already false, so the date stays.
    expect(await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: false })).toMatchObject({ cancel_at: at, cancel_at_period_end: false });
    expect(await h.stripe.subscriptions.update(sub.id, { cancel_at: '' })).toMatchObject({ cancel_at: null, cancel_at_period_end: false, canceled_at: null });
    await h.advance(periodEnd(sub) - (await h.now()) + 1);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  describe('a price change whose invoice is declined, by payment_behavior', () => {
    const declinedUpgrade = async (paymentBehavior: 'error_if_incomplete' | 'pending_if_incomplete') => {
      const { subscription, customer } = await h.subscribe(basic.monthly.id);
      const sub = subscription!;
      await h.advance(5 * DAY);
      await h.paymentBehavior(customer, 'fail');
      const update = h.stripe.subscriptions.update(sub.id, {
        items: [{ id: sub.items.data[0]!.id, price: pro.monthly.id }],
        proration_behavior: 'always_invoice',
        payment_behavior: paymentBehavior,
      });
      return { sub, customer, update };
    };

    it('error_if_incomplete: 402, the subscription unchanged and no invoice left', async () => {
      const { sub, update } = await declinedUpgrade('error_if_incomplete');
      await expect(update).rejects.toMatchObject({ type: 'StripeCardError', statusCode: 402, code: 'card_declined' });
      const after = await h.stripe.subscriptions.retrieve(sub.id);
      expect(after).toMatchObject({ status: 'active', pending_update: null, latest_invoice: sub.latest_invoice });
      expect(after.items.data[0]!.price.id).toBe(basic.monthly.id);
      expect(await invoicesOf(sub.id)).toHaveLength(1);
    });

    it('pending_if_incomplete: 200 with pending_update and an open invoice; paying it applies the change', async () => {
      const { sub, customer, update } = await declinedUpgrade('pending_if_incomplete');
      const answered = await update;
      const now = await h.now();
      expect(answered.status).toBe('active');
      expect(answered.items.data[0]!.price.id).toBe(basic.monthly.id);
      expect(answered.pending_update).toMatchObject({ expires_at: now + 23 * 3600, billing_cycle_anchor: null, trial_end: null });
      expect(answered.pending_update!.subscription_items!.map((i) => i.price.id)).toEqual([pro.monthly.id]);
      const invoice = await h.stripe.invoices.retrieve(answered.latest_invoice as string);
      expect(invoice).toMatchObject({ status: 'open', billing_reason: 'subscription_update', attempt_count: 1 });
      expect(invoice.amount_due).toBeGreaterThan(0);
      expect(answered).toEqual(await h.stripe.subscriptions.retrieve(sub.id));

      await h.paymentBehavior(customer, 'succeed');
      expect(await h.stripe.invoices.pay(invoice.id)).toMatchObject({ status: 'paid' });
      const applied = await h.stripe.subscriptions.retrieve(sub.id);
      expect(applied).toMatchObject({ status: 'active', pending_update: null });
      expect(applied.items.data[0]!.price.id).toBe(pro.monthly.id);
      const [event] = await h.events('customer.subscription.pending_update_applied');
      expect((event!.data.object as Stripe.Subscription).items.data[0]!.price.id).toBe(pro.monthly.id);
      // The proration was billed once, by the invoice just paid.
      await h.advance(periodEnd(applied) - (await h.now()) + 1);
      const [renewal] = await invoicesOf(sub.id);
      expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', total: 3000 });
    });

    it('pending_if_incomplete: left unpaid, the update expires and its invoice is voided', async () => {
      const { sub, update } = await declinedUpgrade('pending_if_incomplete');
      const answered = await update;
      await h.advance(23 * 3600 + 1);
      const after = await h.stripe.subscriptions.retrieve(sub.id);
      expect(after).toMatchObject({ status: 'active', pending_update: null });
      expect(after.items.data[0]!.price.id).toBe(basic.monthly.id);
      expect((await h.stripe.invoices.retrieve(answered.latest_invoice as string)).status).toBe('void');
      expect(await h.events('customer.subscription.pending_update_expired')).toHaveLength(1);
    });
  });

  it('cancels immediately, pauses and resumes', async () => {
    const a = (await h.subscribe(basic.monthly.id, { email: 'a@example.com' })).subscription!;
    const canceled = await h.stripe.subscriptions.cancel(a.id);
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'cancellation_requested' } });

    const b = (await h.subscribe(basic.monthly.id, { email: 'b@example.com' })).subscription!;
    expect((await h.stripe.subscriptions.pause(b.id)).status).toBe('paused');
    expect(await h.events('customer.subscription.paused')).toHaveLength(1);
    await h.advance(40 * DAY);
    expect(await invoicesOf(b.id)).toHaveLength(1);
    const resumed = await h.stripe.subscriptions.resume(b.id);
    expect(resumed.status).toBe('active');
    expect(resumed.items.data[0]!.current_period_start).toBe(await h.now());
    expect(await h.events('customer.subscription.resumed')).toHaveLength(1);
    expect(await invoicesOf(b.id)).toHaveLength(2);
  });

  it('an incomplete subscription expires after 23 hours and its invoice is voided', async () => {
    const { subscription } = await h.subscribe(basic.monthly.id, { outcome: 'declined' });
    await h.advance(23 * 3600 + 1);
    const sub = await h.stripe.subscriptions.retrieve(subscription!.id);
    expect(sub.status).toBe('incomplete_expired');
    expect((await h.stripe.invoices.retrieve(sub.latest_invoice as string)).status).toBe('void');
  });
});
