import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import type { ManualClock } from '../../src/clock/clock.js';
import { settle, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import { errorCode, type TestApp } from '../utils/create-test-app.js';
import { CREATE_CAMPAIGN, expectPlanLimitExceeded } from '../utils/enforcement-helpers.js';
import {
  advanceClocks,
  billingOf,
  CANCEL,
  CANCEL_SCHEDULED,
  CHANGE_PLAN,
  CHECKOUT,
  ok,
  ownerToken,
  PREVIEW,
  RESUME,
  startClockedBillingApp,
  subscribe,
  type BillingView,
} from '../utils/owner-billing-helpers.js';

interface Preview {
  amountDueNow: number;
  currency: string;
  nextInvoiceAmount: number;
  effectiveAt: string;
  overLimit: { metric: string; used: number; limit: number }[];
}
interface SubscriptionView {
  id: string;
  status: string;
  planKey: string | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: string | null;
  currentPeriodEnd: string | null;
  scheduledChange: { planKey: string } | null;
}

describe('owner plan changes against the simulator (preview, upgrade now, downgrade at period end, cancel, resume)', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;
  let clock: ManualClock;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    ({ t, clock } = await startClockedBillingApp(stripe));
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const advance = (seconds: number) => advanceClocks(stripe, clock, seconds);
  const withDeliveryOff = async (work: () => Promise<void>) => {
    await stripe.control('/_sim/delivery', { enabled: false });
    try {
      await work();
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true });
    }
  };
  const gql = async <T>(business: string, query: string, variables: Record<string, unknown> = {}) =>
    t.gql<T>(query, variables, await ownerToken(t, business));

  it('upgrades now: the preview amount is exactly what Stripe charges, and billing answers the new plan (delivery off)', async () => {
    await withDeliveryOff(async () => {
      await subscribe(t, stripe, 'biz_upgrade', 'glow_up');
      advance(10 * 86_400);
      const { previewPlanChange: preview } = await ok(
        gql<{ previewPlanChange: Preview }>('biz_upgrade', PREVIEW, { plan: 'viral_surge', interval: 'MONTHLY' }),
      );
      expect(preview.currency).toBe('usd');
      // Prorated: more than nothing, less than a full month of the new plan.
      expect(preview.amountDueNow).toBeGreaterThan(0);
      expect(preview.amountDueNow).toBeLessThan(7900 - 2900);
      expect(preview.nextInvoiceAmount).toBe(7900);
      expect(new Date(preview.effectiveAt).getTime()).toBe(clock.now().getTime());
      expect(preview.overLimit).toEqual([]);

      const { changePlan: after } = await ok(
        gql<{ changePlan: BillingView }>('biz_upgrade', CHANGE_PLAN, {
          plan: 'viral_surge',
          interval: 'MONTHLY',
          prorationDate: preview.effectiveAt,
        }),
      );
      expect(after).toMatchObject({
        plan: { key: 'viral_surge' },
        billingSyncStatus: 'owner_plan_change',
        subscription: { planKey: 'viral_surge', status: 'active', scheduledChange: null },
      });
      const invoices = await stripe.stripe.invoices.list({ subscription: after.subscription!.id, limit: 1 });
      expect(invoices.data[0]).toMatchObject({ status: 'paid', billing_reason: 'subscription_update' });
      expect(invoices.data[0].amount_paid).toBe(preview.amountDueNow);
      // The change was made with our own idempotency key, not only the SDK's retry key.
      const updates = (await stripe.stripe.events.list({ type: 'customer.subscription.updated', limit: 100 })).data.filter(
        (e) => (e.data.object as { id: string }).id === after.subscription!.id,
      );
      expect(updates[0].request?.idempotency_key).toMatch(/^billing:[0-9a-f]{32}:changePlan:change-price$/);
    });
  });

  it('does not apply an upgrade whose charge is declined', async () => {
    const start = await subscribe(t, stripe, 'biz_upgrade_declined', 'glow_up');
    const customer = (await stripe.stripe.subscriptions.retrieve(start.subscription!.id)).customer as string;
    await stripe.control(`/_sim/customers/${customer}/payment_behavior`, { behavior: 'fail' });
    const res = await gql('biz_upgrade_declined', CHANGE_PLAN, { plan: 'fame_flex', interval: 'MONTHLY' });
    expect(res.errors![0].extensions).toMatchObject({ code: 'PAYMENT_DECLINED', stripeCode: 'card_declined' });
    expect(await billingOf(t, 'biz_upgrade_declined')).toMatchObject({ plan: { key: 'glow_up' }, subscription: { planKey: 'glow_up' } });
    const after = await stripe.stripe.subscriptions.retrieve(start.subscription!.id);
    expect(after.items.data[0].price.id).toBe(stripe.prices.glow_up.monthly);
    expect(after.pending_update).toBeNull();
    // Nothing is left open for the owner to pay by accident later.
    const open = await stripe.stripe.invoices.list({ subscription: after.id, status: 'open' });
    expect(open.data).toEqual([]);
  });

  it('keeps a scheduled downgrade when the upgrade that would replace it is declined', async () => {
    const start = await subscribe(t, stripe, 'biz_declined_keeps_schedule', 'viral_surge');
    const periodEnd = start.subscription!.currentPeriodEnd!;
    await ok(gql('biz_declined_keeps_schedule', CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY' }));
    const customer = (await stripe.stripe.subscriptions.retrieve(start.subscription!.id)).customer as string;
    await stripe.control(`/_sim/customers/${customer}/payment_behavior`, { behavior: 'fail' });

    const res = await gql('biz_declined_keeps_schedule', CHANGE_PLAN, { plan: 'fame_flex', interval: 'MONTHLY' });
    expect(errorCode(res)).toBe('PAYMENT_DECLINED');
    const after = await billingOf(t, 'biz_declined_keeps_schedule');
    expect(after).toMatchObject({ plan: { key: 'viral_surge' }, subscription: { planKey: 'viral_surge' } });
    expect(after.subscription!.scheduledChange).toEqual({ planKey: 'glow_up', interval: 'MONTHLY', effectiveAt: periodEnd });
    const sub = await stripe.stripe.subscriptions.retrieve(start.subscription!.id, { expand: ['schedule'] });
    const schedule = sub.schedule as Stripe.SubscriptionSchedule;
    expect(schedule.phases.map((p) => p.items.map((i) => i.price))).toEqual([[stripe.prices.viral_surge.monthly], [stripe.prices.glow_up.monthly]]);
  });

  it('downgrades at the period end: scheduled, visible, cancellable, then applied when the clock passes the period end', async () => {
    const start = await subscribe(t, stripe, 'biz_downgrade', 'viral_surge');
    const periodEnd = start.subscription!.currentPeriodEnd!;

    const { previewPlanChange: preview } = await ok(
      gql<{ previewPlanChange: Preview }>('biz_downgrade', PREVIEW, { plan: 'glow_up', interval: 'MONTHLY' }),
    );
    expect(preview).toMatchObject({ amountDueNow: 0, nextInvoiceAmount: 2900, effectiveAt: periodEnd });

    const { changePlan: scheduled } = await ok(
      gql<{ changePlan: BillingView }>('biz_downgrade', CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY' }),
    );
    expect(scheduled.plan.key).toBe('viral_surge');
    expect(scheduled.subscription!.scheduledChange).toEqual({ planKey: 'glow_up', interval: 'MONTHLY', effectiveAt: periodEnd });

    const { cancelScheduledPlanChange: undone } = await ok(
      gql<{ cancelScheduledPlanChange: BillingView }>('biz_downgrade', CANCEL_SCHEDULED),
    );
    expect(undone.subscription!.scheduledChange).toBeNull();
    expect((await stripe.stripe.subscriptions.retrieve(undone.subscription!.id)).schedule).toBeNull();

    await ok(gql('biz_downgrade', CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY', when: 'PERIOD_END' }));
    await settle(stripe, [t]);
    expect((await billingOf(t, 'biz_downgrade')).subscription!.scheduledChange).toMatchObject({ planKey: 'glow_up' });

    advance(Math.ceil((new Date(periodEnd).getTime() - clock.now().getTime()) / 1000) + 60);
    await settle(stripe, [t]);
    const after = await billingOf(t, 'biz_downgrade');
    expect(after).toMatchObject({ plan: { key: 'glow_up' }, subscription: { planKey: 'glow_up', status: 'active', scheduledChange: null } });
    const renewal = await stripe.stripe.invoices.list({ subscription: after.subscription!.id, limit: 1 });
    expect(renewal.data[0]).toMatchObject({ amount_paid: 2900, billing_reason: 'subscription_cycle' });
  });

  it('cancels at the period end, then resumes (delivery off: each answer is synced from Stripe)', async () => {
    await withDeliveryOff(async () => {
      const start = await subscribe(t, stripe, 'biz_cancel_resume', 'glow_up');
      const { cancelSubscription: canceled } = await ok(
        gql<{ cancelSubscription: SubscriptionView }>('biz_cancel_resume', CANCEL, {}),
      );
      expect(canceled).toMatchObject({ status: 'active', cancelAtPeriodEnd: true, planKey: 'glow_up' });
      const during = await billingOf(t, 'biz_cancel_resume');
      expect(during.plan.key).toBe('glow_up');
      expect(during.warnings).toEqual([
        { code: 'CANCELS_AT_PERIOD_END', message: expect.any(String), until: start.subscription!.currentPeriodEnd },
      ]);

      const { resumeSubscription: resumed } = await ok(gql<{ resumeSubscription: SubscriptionView }>('biz_cancel_resume', RESUME));
      expect(resumed).toMatchObject({ status: 'active', cancelAtPeriodEnd: false });
      expect((await billingOf(t, 'biz_cancel_resume')).warnings).toEqual([]);
      expect((await stripe.stripe.subscriptions.retrieve(resumed.id)).cancel_at_period_end).toBe(false);
    });
  });

  it('resumes a subscription cancelled for a date (as the billing portal does), not only at the period end', async () => {
    await withDeliveryOff(async () => {
      const start = await subscribe(t, stripe, 'biz_resume_cancel_at', 'glow_up');
      const cancelAt = Math.floor(new Date(start.subscription!.currentPeriodEnd!).getTime() / 1000) - 5 * 86_400;
      await stripe.stripe.subscriptions.update(start.subscription!.id, { cancel_at: cancelAt });
      const { resumeSubscription: resumed } = await ok(gql<{ resumeSubscription: SubscriptionView }>('biz_resume_cancel_at', RESUME));
      expect(resumed).toMatchObject({ status: 'active', cancelAtPeriodEnd: false, cancelAt: null });
      expect((await stripe.stripe.subscriptions.retrieve(resumed.id)).cancel_at).toBeNull();
      expect((await billingOf(t, 'biz_resume_cancel_at')).warnings).toEqual([]);
    });
  });

  it('previews a move to free as the cancellation at the period end it is, with what would be over the free limits', async () => {
    const start = await subscribe(t, stripe, 'biz_preview_free', 'glow_up');
    const token = await ownerToken(t, 'biz_preview_free');
    for (const name of ['a', 'b', 'c']) await ok(t.gql(CREATE_CAMPAIGN, { name }, token));
    const { previewPlanChange: preview } = await ok(
      gql<{ previewPlanChange: Preview }>('biz_preview_free', PREVIEW, { plan: 'free', interval: 'MONTHLY' }),
    );
    expect(preview).toEqual({
      amountDueNow: 0,
      currency: 'usd',
      nextInvoiceAmount: 0,
      effectiveAt: start.subscription!.currentPeriodEnd,
      overLimit: [{ metric: 'campaigns', used: 3, limit: 1 }],
    });
    // A preview changes nothing.
    expect((await billingOf(t, 'biz_preview_free')).subscription).toMatchObject({ cancelAtPeriodEnd: false, cancelAt: null });
  });

  it('changes the plan item of a subscription with an add-on, whichever comes first, and keeps the add-on in a schedule', async () => {
    const addonProduct = await stripe.stripe.products.create({ name: 'extra seats' });
    const addon = await stripe.stripe.prices.create({ product: addonProduct.id, currency: 'usd', unit_amount: 500, recurring: { interval: 'month' } });
    const token = await ownerToken(t, 'biz_addon_first');
    // The add-on listed first: a subscription made outside our checkout on the business's customer.
    const { createCheckoutSession } = await ok(
      t.gql<{ createCheckoutSession: { id: string } }>(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, token),
    );
    const customer = (await stripe.stripe.checkout.sessions.retrieve(createCheckoutSession.id)).customer as string;
    const first = await stripe.stripe.subscriptions.create({
      customer,
      items: [{ price: addon.id }, { price: stripe.prices.glow_up.monthly }],
      metadata: { businessId: 'biz_addon_first' },
    });
    await settle(stripe, [t]);
    expect((await billingOf(t, 'biz_addon_first')).plan.key).toBe('glow_up');
    const { changePlan: upgraded } = await ok(
      gql<{ changePlan: BillingView }>('biz_addon_first', CHANGE_PLAN, { plan: 'viral_surge', interval: 'MONTHLY' }),
    );
    expect(upgraded).toMatchObject({ plan: { key: 'viral_surge' }, subscription: { planKey: 'viral_surge' } });
    const items = (await stripe.stripe.subscriptions.retrieve(first.id)).items.data.map((i) => i.price.id);
    expect(items).toEqual([addon.id, stripe.prices.viral_surge.monthly]);

    // The add-on second: bought through our checkout, the add-on added afterwards; then a downgrade.
    const start = await subscribe(t, stripe, 'biz_addon_second', 'viral_surge');
    await stripe.stripe.subscriptions.update(start.subscription!.id, { items: [{ price: addon.id }], proration_behavior: 'none' });
    await settle(stripe, [t]);
    const { changePlan: scheduled } = await ok(
      gql<{ changePlan: BillingView }>('biz_addon_second', CHANGE_PLAN, { plan: 'glow_up', interval: 'MONTHLY' }),
    );
    expect(scheduled.subscription!.scheduledChange).toMatchObject({ planKey: 'glow_up' });
    const sub = await stripe.stripe.subscriptions.retrieve(start.subscription!.id, { expand: ['schedule'] });
    const phases = (sub.schedule as Stripe.SubscriptionSchedule).phases.map((p) => p.items.map((i) => i.price));
    expect(phases).toEqual([
      [stripe.prices.viral_surge.monthly, addon.id],
      [stripe.prices.glow_up.monthly, addon.id],
    ]);
  });

  it('cancels now: free at once, and what exceeds the free plan is kept but flagged OVER_LIMIT', async () => {
    await subscribe(t, stripe, 'biz_cancel_now', 'glow_up');
    const token = await ownerToken(t, 'biz_cancel_now');
    for (const name of ['a', 'b', 'c']) await ok(t.gql(CREATE_CAMPAIGN, { name }, token));

    const { cancelSubscription: canceled } = await ok(
      gql<{ cancelSubscription: SubscriptionView }>('biz_cancel_now', CANCEL, { atPeriodEnd: false }),
    );
    expect(canceled.status).toBe('canceled');
    const after = await billingOf(t, 'biz_cancel_now');
    expect(after).toMatchObject({ plan: { key: 'free' }, planSource: 'DEFAULT', subscription: null });
    expect(after.overLimit).toEqual([{ metric: 'campaigns', used: 3, limit: 1 }]);
    expect(after.warnings).toEqual([{ code: 'OVER_LIMIT', message: expect.stringContaining('campaigns'), until: null }]);
    expect(after.usage.find((u) => u.metric === 'campaigns')).toEqual({
      metric: 'campaigns',
      kind: 'COUNT',
      used: 3,
      limit: 1,
      remaining: 0,
      periodStart: null,
      periodEnd: null,
    });
    expectPlanLimitExceeded(await t.gql(CREATE_CAMPAIGN, { name: 'd' }, token), { metric: 'campaigns', used: 3, limit: 1, plan: 'free' });
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM campaigns WHERE business_id = $1', ['biz_cancel_now']);
    expect(n).toBe(3);
    // Nothing left to cancel or resume.
    expect(errorCode(await gql('biz_cancel_now', CANCEL, {}))).toBe('NO_SUBSCRIPTION');
    expect(errorCode(await gql('biz_cancel_now', RESUME))).toBe('NO_SUBSCRIPTION');
  });

  it('treats a change to the free plan as cancelSubscription, and refuses the same plan', async () => {
    await subscribe(t, stripe, 'biz_to_free', 'glow_up', 'YEARLY');
    expect(errorCode(await gql('biz_to_free', CHANGE_PLAN, { plan: 'glow_up', interval: 'YEARLY' }))).toBe('SAME_PLAN');
    expect(errorCode(await gql('biz_to_free', PREVIEW, { plan: 'glow_up', interval: 'YEARLY' }))).toBe('SAME_PLAN');
    const { changePlan: after } = await ok(gql<{ changePlan: BillingView }>('biz_to_free', CHANGE_PLAN, { plan: 'free', interval: 'MONTHLY' }));
    expect(after.plan.key).toBe('glow_up');
    expect(after.subscription).toMatchObject({ cancelAtPeriodEnd: true });
    expect(after.warnings.map((w) => w.code)).toEqual(['CANCELS_AT_PERIOD_END']);
  });

  it('shows usage for every catalog metric, period metrics with their billing period', async () => {
    await subscribe(t, stripe, 'biz_usage', 'viral_surge');
    advance(60);
    const view = await billingOf(t, 'biz_usage');
    expect(view.usage.map((u) => u.metric)).toEqual(['campaigns', 'creators']);
    expect(view.usage[1]).toEqual({
      metric: 'creators',
      kind: 'PERIOD',
      used: 0,
      limit: 2500,
      remaining: 2500,
      periodStart: view.subscription!.currentPeriodStart,
      periodEnd: view.subscription!.currentPeriodEnd,
    });
  });
});
