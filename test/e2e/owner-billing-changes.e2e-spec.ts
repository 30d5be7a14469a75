import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ManualClock } from '../../src/clock/clock.js';
import { settle, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { CREATE_CAMPAIGN } from '../utils/enforcement-helpers.js';
import {
  billingOf,
  CANCEL,
  CANCEL_SCHEDULED,
  CHANGE_PLAN,
  errorCode,
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

  /** Moves Stripe's clock and the app's together. */
  const advance = (seconds: number) => {
    stripe.sim.advanceClock(seconds);
    clock.set(stripe.sim.now() * 1000);
  };
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
    expect(errorCode(res)).toBe('STRIPE_REQUEST_FAILED');
    expect(res.errors![0].extensions).toMatchObject({ stripeCode: 'card_declined' });
    expect(await billingOf(t, 'biz_upgrade_declined')).toMatchObject({ plan: { key: 'glow_up' }, subscription: { planKey: 'glow_up' } });
    const price = (await stripe.stripe.subscriptions.retrieve(start.subscription!.id)).items.data[0].price.id;
    expect(price).toBe(stripe.prices.glow_up.monthly);
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
    expect(errorCode(await t.gql(CREATE_CAMPAIGN, { name: 'd' }, token))).toBe('PLAN_LIMIT_EXCEEDED');
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
