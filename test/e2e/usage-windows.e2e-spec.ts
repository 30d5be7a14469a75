import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/clock/clock.js';
import { addMonthsClamped } from '../../src/enforcement/usage-window.util.js';
import { checkout, settle, startBillingApp, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { COMPLETE_SEARCH, expectPlanLimitExceeded, START_SEARCH, type SearchData } from '../utils/enforcement-helpers.js';

const DAY = 86_400;

/**
 * Usage windows with real subscriptions: the simulator's clock moves Stripe (renewals) and a
 * ManualClock moves the app, together or (for an unsynced renewal) apart.
 */
describe('usage windows', () => {
  let stripe: SimulatedStripe;
  let app: TestApp;
  const clock = new ManualClock(0);

  /** Moves the simulator to `to` (unix seconds; renewals run on the way) and the app with it. */
  async function moveTo(to: number): Promise<void> {
    const { now } = (await stripe.control('/_sim/clock/advance', { to })) as { now: number };
    clock.set(now * 1000);
    await settle(stripe, [app]);
  }
  async function simNow(): Promise<number> {
    return ((await stripe.control('/_sim/clock')) as { now: number }).now;
  }
  /** A checkout on the simulator, applied, with the app's clock brought to the simulator's. */
  async function subscribe(business: string, price: string) {
    const result = await checkout(stripe, business, price);
    await settle(stripe, [app]);
    clock.set((await simNow()) * 1000);
    return result;
  }
  async function search(business: string, n: number) {
    const token = await app.token({ business, role: 'member' });
    return app.gql<SearchData>(START_SEARCH, { query: 'q', n }, token);
  }
  async function completeSearch(business: string, id: string, found: number) {
    const token = await app.token({ business, role: 'member' });
    const res = await app.gql(COMPLETE_SEARCH, { id, found }, token);
    expect(res.errors).toBeUndefined();
  }
  /** The creators windows that count (not those carried to another window by a new anchor). */
  async function windowRows(business: string) {
    const rows: { period_start: Date; used: number }[] = await app.dataSource.query(
      `SELECT period_start, used FROM usage_counters WHERE business_id = $1 AND metric = 'creators' AND carried_to IS NULL
        ORDER BY period_start`,
      [business],
    );
    return rows;
  }
  async function account(business: string) {
    const [row]: { billing_cycle_anchor: Date; current_period_start: Date; current_period_end: Date }[] = await app.dataSource.query(
      'SELECT billing_cycle_anchor, current_period_start, current_period_end FROM billing_accounts WHERE business_id = $1',
      [business],
    );
    return row;
  }

  async function createdAtOf(business: string): Promise<Date> {
    const [row]: { created_at: Date }[] = await app.dataSource.query('SELECT created_at FROM billing_accounts WHERE business_id = $1', [
      business,
    ]);
    return row.created_at;
  }

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    // Both clocks start on the next January 31st, whatever day the suite runs: the first test's
    // anchor is on the 31st, so its next window starts on February's last day (clamped), every run.
    const today = new Date();
    const jan31 = new Date(Date.UTC(today.getUTCFullYear() + 1, 0, 31, 10));
    await stripe.control('/_sim/clock/advance', { to: Math.floor(jan31.getTime() / 1000) });
    clock.set((await simNow()) * 1000);
    app = await startBillingApp(stripe, { clock });
  });
  afterAll(async () => {
    await app?.close();
    await stripe?.close();
  });

  it("starts a business's first window at the service clock's time, not the database's", async () => {
    // The app's clock is months ahead of the database server's now(): the two cannot agree by chance.
    const createdAt = clock.now();
    const token = await app.token({ business: 'biz_clock_owner', role: 'owner', email: 'o@example.test' });
    const res = await app.gql<{ billing: { usage: { metric: string; periodStart: string | null }[] } }>(
      '{ billing { usage { metric periodStart } } }',
      {},
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.billing.usage.find((u) => u.metric === 'creators')?.periodStart).toBe(createdAt.toISOString());
    expect((await createdAtOf('biz_clock_owner')).toISOString()).toBe(createdAt.toISOString());

    // An account the webhook sync creates (our checkout for a business never seen before).
    const syncedAt = clock.now();
    await checkout(stripe, 'biz_clock_synced', stripe.prices.glow_up.monthly);
    await settle(stripe, [app]);
    expect((await createdAtOf('biz_clock_synced')).toISOString()).toBe(syncedAt.toISOString());
  });

  it('gives a yearly subscription the monthly allowance, then a fresh one a month later', async () => {
    const business = 'biz_yearly';
    await subscribe(business, stripe.prices.glow_up.yearly);
    const { billing_cycle_anchor: anchor, current_period_end: yearEnd } = await account(business);
    expect(anchor).toBeInstanceOf(Date);
    expect([anchor.getUTCMonth(), anchor.getUTCDate()]).toEqual([0, 31]);
    expect(yearEnd.getTime() - anchor.getTime()).toBeGreaterThan(360 * DAY * 1000);

    const first = (await search(business, 500)).data!.startCreatorSearch;
    expect(first.granted).toBe(500);
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 500, limit: 500, requested: 1 });

    // An hour before the month is over: still the first window.
    const nextWindow = addMonthsClamped(anchor, 1);
    // February's last day (28th or 29th), at the anchor's time of day: Stripe's clamping.
    const febLast = new Date(Date.UTC(anchor.getUTCFullYear(), 2, 0)).getUTCDate();
    expect(nextWindow.toISOString()).toBe(`${anchor.getUTCFullYear()}-02-${febLast}T${anchor.toISOString().slice(11)}`);
    await moveTo(nextWindow.getTime() / 1000 - 3600);
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 500, limit: 500 });

    await moveTo(nextWindow.getTime() / 1000 + 60);
    expect((await account(business)).current_period_end).toEqual(yearEnd); // no renewal: still the yearly period
    expect((await search(business, 500)).data?.startCreatorSearch.granted).toBe(500);
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 500, limit: 500 });

    // A search of the first window settles there: its give-back frees nothing in this one.
    await completeSearch(business, first.id, 100);
    expect(await windowRows(business)).toEqual([
      { period_start: anchor, used: 100 },
      { period_start: nextWindow, used: 500 },
    ]);
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 500, limit: 500 });
  });

  it('keeps counting in the same window when a renewal reaches the app late (no double allowance)', async () => {
    const business = 'biz_late_renewal';
    await subscribe(business, stripe.prices.glow_up.monthly);
    const first = await account(business);
    expect((await search(business, 300)).data?.startCreatorSearch.granted).toBe(300);

    // The app's clock passes the period end; Stripe's renewal has not been synced yet.
    const renewedAt = first.current_period_end.getTime() / 1000;
    clock.set((renewedAt + 3600) * 1000);
    expect((await account(business)).current_period_end).toEqual(first.current_period_end);
    expect((await search(business, 400)).data?.startCreatorSearch.granted).toBe(400);

    // Now the renewal arrives: the same window goes on, only 100 are left.
    await moveTo(renewedAt + 3600);
    expect((await account(business)).current_period_start).toEqual(first.current_period_end);
    const after = await search(business, 400);
    expect(after.data?.startCreatorSearch).toMatchObject({ granted: 100, partial: true });
  });

  it('keeps the window usage through a plan change mid-window (no reset by downgrading and upgrading)', async () => {
    const business = 'biz_plan_change';
    const { subscriptionId } = await subscribe(business, stripe.prices.viral_surge.monthly);
    expect((await search(business, 600)).data?.startCreatorSearch.granted).toBe(600);

    const change = async (price: string) => {
      const subscription = await stripe.stripe.subscriptions.retrieve(subscriptionId!);
      await stripe.stripe.subscriptions.update(subscriptionId!, { items: [{ id: subscription.items.data[0].id, price }] });
      await settle(stripe, [app]);
    };
    await change(stripe.prices.glow_up.monthly);
    // Glow Up allows 500 a month: 600 are used already in this window.
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 600, limit: 500, plan: 'glow_up' });
    await change(stripe.prices.viral_surge.monthly);
    const back = await search(business, 2000);
    expect(back.data?.startCreatorSearch).toMatchObject({ granted: 1900, partial: true });
  });

  it('gives no fresh allowance for switching yearly -> monthly -> yearly mid-window (each switch moves the anchor)', async () => {
    const business = 'biz_interval_switch';
    const { subscriptionId } = await subscribe(business, stripe.prices.glow_up.yearly);
    const before = (await account(business)).billing_cycle_anchor;
    const early = (await search(business, 300)).data!.startCreatorSearch;
    expect(early.granted).toBe(300);

    const switchTo = async (price: string) => {
      await moveTo((await simNow()) + DAY);
      const subscription = await stripe.stripe.subscriptions.retrieve(subscriptionId!);
      await stripe.stripe.subscriptions.update(subscriptionId!, { items: [{ id: subscription.items.data[0].id, price }] });
      await settle(stripe, [app]);
      clock.set((await simNow()) * 1000);
      return (await account(business)).billing_cycle_anchor;
    };
    const monthlyAnchor = await switchTo(stripe.prices.glow_up.monthly);
    expect(monthlyAnchor.getTime()).toBeGreaterThan(before.getTime()); // Stripe reset the anchor
    // The window containing now keeps the 300 already used: only 200 of Glow Up's 500 are left.
    expect((await search(business, 500)).data?.startCreatorSearch).toMatchObject({ granted: 200, partial: true });

    const yearlyAnchor = await switchTo(stripe.prices.glow_up.yearly);
    expect(yearlyAnchor.getTime()).toBeGreaterThan(monthlyAnchor.getTime());
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 500, limit: 500, requested: 1 });

    // A search reserved before the switches gives back to the window that counts now.
    await completeSearch(business, early.id, 100);
    expect((await search(business, 300)).data?.startCreatorSearch).toMatchObject({ granted: 200, partial: true });
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 500, limit: 500 });

    // The fresh allowance comes a month after the last anchor, never earlier.
    const next = addMonthsClamped(yearlyAnchor, 1);
    await moveTo(next.getTime() / 1000 - 3600);
    expectPlanLimitExceeded(await search(business, 1), { metric: 'creators', used: 500, limit: 500 });
    await moveTo(next.getTime() / 1000 + 60);
    expect((await search(business, 500)).data?.startCreatorSearch.granted).toBe(500);
  });
});
