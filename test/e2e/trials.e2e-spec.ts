import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ManualClock } from '../../src/clock/clock.js';
import { ADVISORY_LOCK } from '../../src/database/advisory-locks.constant.js';
import { TrialExpiryService } from '../../src/trials/trial-expiry.service.js';
import { TrialDomainEventName, type TrialDomainEvent } from '../../src/trials/trial.types.js';
import { TrialsService } from '../../src/trials/trials.service.js';
import { checkout, flushDomainEvents, settle, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import { createTestApp, type GraphqlResponse, type TestApp } from '../utils/create-test-app.js';
import { CREATE_CAMPAIGN, campaignCount, setPlan, type CampaignData } from '../utils/enforcement-helpers.js';

const DAY_MS = 86_400_000;
const NO_JOB = { TRIAL_EXPIRY_ENABLED: 'false' };

const BILLING = `{ billing { businessId planSource plan { key }
  trial { status planKey startDate endDate conversionDate daysLeft } } }`;
const START_TRIAL = `mutation($plan: String!) { startTrial(planKey: $plan) { businessId planSource plan { key }
  trial { status planKey startDate endDate daysLeft } } }`;

interface TrialData {
  status: string;
  planKey: string | null;
  startDate: string | null;
  endDate: string | null;
  conversionDate?: string | null;
  daysLeft: number | null;
}
interface BillingData {
  billing: { businessId: string; planSource: string; plan: { key: string }; trial: TrialData };
}
interface StartData {
  startTrial: { businessId: string; planSource: string; plan: { key: string }; trial: TrialData };
}


/** Every trial.* event an app emits, in order. */
function recordTrialEvents(t: TestApp): TrialDomainEvent[] {
  const seen: TrialDomainEvent[] = [];
  const emitter = t.app.get(EventEmitter2);
  for (const name of Object.values(TrialDomainEventName)) emitter.on(name, (event: TrialDomainEvent) => seen.push(event));
  return seen;
}

async function logRows(t: TestApp, businessId: string, status?: string): Promise<{ status: string; source: string }[]> {
  return t.dataSource.query(
    `SELECT status, source FROM billing_sync_log WHERE business_id = $1 AND status LIKE 'trial_%' AND ($2::text IS NULL OR status = $2) ORDER BY id`,
    [businessId, status ?? null],
  );
}

const code = (res: GraphqlResponse<unknown>) => res.errors?.[0]?.extensions?.code;

describe('card-less trials', () => {
  const clock = new ManualClock();
  let t: TestApp;
  let events: TrialDomainEvent[];

  beforeAll(async () => {
    t = await createTestApp({ clock, env: NO_JOB });
    events = recordTrialEvents(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const owner = (business: string) => t.token({ business, role: 'owner' });
  const member = (business: string) => t.token({ business, role: 'member' });
  const billing = async (business: string) => (await t.gql<BillingData>(BILLING, undefined, await member(business))).data!.billing;
  const create = async (business: string, name: string) => t.gql<CampaignData>(CREATE_CAMPAIGN, { name }, await member(business));

  it('the catalog offers 14 trial days on Glow Up and Viral Surge, none on the others', async () => {
    const res = await t.gql<{ plans: { key: string; trialDays: number }[] }>('{ plans { key trialDays } }');
    expect(res.data?.plans).toEqual([
      { key: 'free', trialDays: 0 },
      { key: 'glow_up', trialDays: 14 },
      { key: 'viral_surge', trialDays: 14 },
      { key: 'fame_flex', trialDays: 0 },
    ]);
  });

  it('billing.trial is inactive before any trial, for owners and members, with or without an account', async () => {
    expect((await billing('biz_fresh')).trial).toEqual({
      status: 'inactive',
      planKey: null,
      startDate: null,
      endDate: null,
      conversionDate: null,
      daysLeft: null,
    });
    const asOwner = await t.gql<BillingData>(BILLING, undefined, await owner('biz_fresh_owner'));
    expect(asOwner.data?.billing.trial.status).toBe('inactive');
  });

  it('starts a trial: the plan applies at once (beyond free limits), a second start is refused', async () => {
    const business = 'biz_cardless';
    expect((await create(business, 'first')).errors).toBeUndefined();
    expect(code(await create(business, 'over free'))).toBe('PLAN_LIMIT_EXCEEDED');

    const startedAt = clock.now();
    const res = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await owner(business));
    expect(res.errors).toBeUndefined();
    expect(res.data!.startTrial).toEqual({
      businessId: business,
      planSource: 'TRIAL',
      plan: { key: 'glow_up' },
      trial: {
        status: 'active',
        planKey: 'glow_up',
        startDate: startedAt.toISOString(),
        endDate: new Date(startedAt.getTime() + 14 * DAY_MS).toISOString(),
        daysLeft: 14,
      },
    });

    // glow_up allows 5 campaigns; free allowed 1.
    for (let i = 2; i <= 5; i++) expect((await create(business, `trial ${i}`)).errors).toBeUndefined();
    expect(code(await create(business, 'sixth'))).toBe('PLAN_LIMIT_EXCEEDED');
    expect(await campaignCount(t, business)).toBe(5);

    const again = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await owner(business));
    expect(code(again)).toBe('TRIAL_ALREADY_USED');
    expect(code(await t.gql<StartData>(START_TRIAL, { plan: 'viral_surge' }, await owner(business)))).toBe('TRIAL_ALREADY_USED');

    expect(await logRows(t, business)).toEqual([{ status: 'trial_started', source: 'system' }]);
    await flushDomainEvents(t);
    expect(events.filter((e) => e.businessId === business).map((e) => e.name)).toEqual([TrialDomainEventName.STARTED]);
  });

  it('gives one trial to concurrent starts', async () => {
    const token = await owner('biz_race');
    const results = await Promise.all(Array.from({ length: 8 }, () => t.gql<StartData>(START_TRIAL, { plan: 'viral_surge' }, token)));
    const codes = results.map((r) => code(r) ?? 'OK').sort();
    expect(codes).toEqual(['OK', ...Array(7).fill('TRIAL_ALREADY_USED')]);
    expect(await logRows(t, 'biz_race')).toHaveLength(1);
  });

  it('refuses a member (FORBIDDEN), plans without trial days (TRIAL_NOT_OFFERED) and subscribers (ALREADY_SUBSCRIBED)', async () => {
    const asMember = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await member('biz_refused'));
    expect(code(asMember)).toBe('FORBIDDEN');
    for (const plan of ['fame_flex', 'free', 'no_such_plan']) {
      expect(code(await t.gql<StartData>(START_TRIAL, { plan }, await owner('biz_refused')))).toBe('TRIAL_NOT_OFFERED');
    }
    await setPlan(t, 'biz_subscribed', { planKey: 'glow_up' });
    expect(code(await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await owner('biz_subscribed')))).toBe('ALREADY_SUBSCRIBED');
    // Nothing was written for any refusal.
    expect((await billing('biz_refused')).trial.status).toBe('inactive');
    expect(await logRows(t, 'biz_refused')).toEqual([]);
    expect(await logRows(t, 'biz_subscribed')).toEqual([]);
  });

  it('reminds once three days before the end, then the job as of the end date drops the account to free', async () => {
    const business = 'biz_cardless';
    const expiry = t.app.get(TrialExpiryService);
    const end = new Date((await billing(business)).trial.endDate!);

    clock.set(end.getTime() - 3 * DAY_MS - 1);
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 0, reminded: 0 });
    clock.set(end.getTime() - 3 * DAY_MS);
    // This business and biz_race, whose trial started at the same moment.
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 0, reminded: 2 });
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 0, reminded: 0 });

    // One millisecond before the end nothing expires; at the end it does.
    clock.set(end.getTime() - 1);
    expect((await expiry.run(clock.now())).expired).toBe(0);
    expect((await billing(business)).trial).toMatchObject({ status: 'active', daysLeft: 1 });
    clock.set(end);
    expect((await expiry.run(clock.now())).expired).toBe(2);

    const after = await billing(business);
    expect(after).toMatchObject({ planSource: 'DEFAULT', plan: { key: 'free' } });
    expect(after.trial).toMatchObject({ status: 'expired', planKey: 'glow_up', endDate: end.toISOString(), daysLeft: null });
    // Over the free limit now: what exists stays, nothing more can be created.
    expect(code(await create(business, 'after expiry'))).toBe('PLAN_LIMIT_EXCEEDED');
    expect(await campaignCount(t, business)).toBe(5);

    expect(await logRows(t, business)).toEqual([
      { status: 'trial_started', source: 'system' },
      { status: 'trial_expired', source: 'scheduler' },
    ]);
    const [{ billing_sync_status }] = await t.dataSource.query('SELECT billing_sync_status FROM billing_accounts WHERE business_id = $1', [business]);
    expect(billing_sync_status).toBe('trial_expired');
    await flushDomainEvents(t);
    expect(events.filter((e) => e.businessId === business).map((e) => e.name)).toEqual([
      TrialDomainEventName.STARTED,
      TrialDomainEventName.WILL_END,
      TrialDomainEventName.EXPIRED,
    ]);
    expect(code(await t.gql<StartData>(START_TRIAL, { plan: 'viral_surge' }, await owner(business)))).toBe('TRIAL_ALREADY_USED');
    // A card-less trial, even expired, rules out trial days at a Stripe checkout.
    expect(await t.app.get(TrialsService).stripeTrialDaysFor(business, 'glow_up')).toBe(0);
  });
});

describe('scheduled expiry across instances', () => {
  const clock = new ManualClock(new Date('2027-03-01T00:00:00Z'));
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ clock, env: { ...NO_JOB, TRIAL_EXPIRY_BATCH: '40' } });
    b = await createTestApp({ clock, databaseUrl: a.databaseUrl, env: { ...NO_JOB, TRIAL_EXPIRY_BATCH: '40' } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** Card-less trials as startTrial leaves them, ending `endOffsetMs` from the clock's now. */
  async function seedTrials(prefix: string, count: number, endOffsetMs: number, source: 'app' | 'stripe' = 'app'): Promise<void> {
    const now = clock.now();
    await a.dataSource.query(
      `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, trial_status, trial_source, trial_plan_key,
                                     trial_started_at, trial_ends_at)
       SELECT $1 || g, 'free', 'account_created', 'active', $5, 'glow_up', $2::timestamptz - interval '14 days',
              $2::timestamptz + ($3 || ' milliseconds')::interval
         FROM generate_series(1, $4) AS g`,
      [prefix, now, endOffsetMs, count, source],
    );
  }

  async function countBy(prefix: string): Promise<Record<string, number>> {
    const rows: { trial_status: string; n: number }[] = await a.dataSource.query(
      `SELECT trial_status, count(*)::int AS n FROM billing_accounts WHERE business_id LIKE $1 || '%' GROUP BY trial_status`,
      [prefix],
    );
    return Object.fromEntries(rows.map((r) => [r.trial_status, r.n]));
  }

  it('two instances running at once expire each due trial once: one log row and one trial.expired each', async () => {
    await seedTrials('ovl_due_', 300, -DAY_MS);
    await seedTrials('ovl_now_', 20, 0);
    await seedTrials('ovl_later_', 25, 1);
    await seedTrials('ovl_stripe_', 15, -DAY_MS, 'stripe');
    const seen = [...[a, b].map((app) => recordTrialEvents(app))];

    const now = clock.now();
    const results = await Promise.all([
      a.app.get(TrialExpiryService).run(now),
      b.app.get(TrialExpiryService).run(now),
      a.app.get(TrialExpiryService).run(now),
      b.app.get(TrialExpiryService).run(now),
    ]);
    expect(results.reduce((sum, r) => sum + r.expired, 0)).toBe(320);

    expect(await countBy('ovl_due_')).toEqual({ expired: 300 });
    expect(await countBy('ovl_now_')).toEqual({ expired: 20 });
    expect(await countBy('ovl_later_')).toEqual({ active: 25 });
    // Stripe ends its own trials (it bills them); the job never touches them.
    expect(await countBy('ovl_stripe_')).toEqual({ active: 15 });

    const perBusiness: { n: number; c: number }[] = await a.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT business_id)::int AS c FROM billing_sync_log
        WHERE status = 'trial_expired' AND business_id LIKE 'ovl_%'`,
    );
    expect(perBusiness).toEqual([{ n: 320, c: 320 }]);
    await flushDomainEvents(a, b);
    const expiredEvents = seen.flat().filter((e) => e.name === TrialDomainEventName.EXPIRED && e.businessId.startsWith('ovl_'));
    expect(expiredEvents).toHaveLength(320);
    expect(new Set(expiredEvents.map((e) => e.businessId)).size).toBe(320);

    // A later run finds nothing more to do.
    expect((await b.app.get(TrialExpiryService).run(now)).expired).toBe(0);
  });

  it('does nothing while another instance holds the expiry lock', async () => {
    await seedTrials('locked_', 3, -DAY_MS);
    const holder = a.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK.TRIAL_EXPIRY]);
      expect(await b.app.get(TrialExpiryService).run(clock.now())).toEqual({ expired: 0, reminded: 0, ran: false });
      expect(await countBy('locked_')).toEqual({ active: 3 });
      await holder.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK.TRIAL_EXPIRY]);
      expect(await b.app.get(TrialExpiryService).run(clock.now())).toMatchObject({ expired: 3, ran: true });
    } finally {
      await holder.release();
    }
  });

  it('catches up on 5,000 due trials in one run: every one expired once, every log row written', async () => {
    clock.advance(DAY_MS);
    await seedTrials('bulk_', 5000, -3 * DAY_MS);
    // Either instance's outbox relay may emit them.
    const seen = [a, b].map((app) => recordTrialEvents(app));
    const result = await a.app.get(TrialExpiryService).run(clock.now());
    // The 25 trials left running by the previous test (ending 1 ms after its run) are due now too.
    expect(result).toMatchObject({ expired: 5000 + 25, ran: true });
    expect(await countBy('bulk_')).toEqual({ expired: 5000 });
    const [{ n, c }] = await a.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT business_id)::int AS c FROM billing_sync_log
        WHERE status = 'trial_expired' AND source = 'scheduler' AND business_id LIKE 'bulk_%'`,
    );
    expect({ n, c }).toEqual({ n: 5000, c: 5000 });
    await flushDomainEvents(a, b);
    const expiredEvents = seen.flat().filter((e) => e.name === TrialDomainEventName.EXPIRED && e.businessId.startsWith('bulk_'));
    expect(expiredEvents).toHaveLength(5000);
    expect(new Set(expiredEvents.map((e) => e.businessId)).size).toBe(5000);
  });
});

describe('Stripe trials (simulator as Stripe)', () => {
  const clock = new ManualClock();
  let stripe: SimulatedStripe;
  let t: TestApp;
  let events: TrialDomainEvent[];
  let trials: TrialsService;

  beforeAll(async () => {
    stripe = await startSimulatedStripe();
    t = await createTestApp({ clock, env: { ...stripe.env, ...NO_JOB }, listenPort: stripe.webhookPort });
    events = recordTrialEvents(t);
    trials = t.app.get(TrialsService);
  });
  afterAll(async () => {
    await t?.close();
    await stripe?.close();
  });

  /** Moves Stripe's clock and puts the app's at the same time. */
  async function advanceDays(days: number): Promise<void> {
    await stripe.control('/_sim/clock/advance', { seconds: days * 86_400 });
    syncClock();
    await settle(stripe, [t]);
  }
  const syncClock = () => clock.set(stripe.sim.now() * 1000);
  const billing = async (business: string) =>
    (await t.gql<BillingData>(BILLING, undefined, await t.token({ business, role: 'member' }))).data!.billing;
  const namesFor = (business: string) => events.filter((e) => e.businessId === business).map((e) => e.name);

  it('offers trial days only to a business that never had a trial, and only for plans with trial days', async () => {
    expect(await trials.stripeTrialDaysFor('biz_never', 'glow_up')).toBe(14);
    expect(await trials.stripeTrialDaysFor('biz_never', 'viral_surge')).toBe(14);
    expect(await trials.stripeTrialDaysFor('biz_never', 'fame_flex')).toBe(0);
    await expect(trials.stripeTrialDaysFor('biz_never', 'no_such_plan')).rejects.toMatchObject({ code: 'UNKNOWN_PLAN' });
  });

  it('trialing -> active trial; past the end with a good card -> converted; no trial days at the next checkout', async () => {
    const business = 'biz_stripe_good';
    syncClock();
    const days = await trials.stripeTrialDaysFor(business, 'glow_up');
    const { subscriptionId } = await checkout(stripe, business, stripe.prices.glow_up.monthly, { trialDays: days });
    await settle(stripe, [t]);
    const subscription = await stripe.stripe.subscriptions.retrieve(subscriptionId!);
    expect(subscription.status).toBe('trialing');

    const during = await billing(business);
    expect(during).toMatchObject({ planSource: 'SUBSCRIPTION', plan: { key: 'glow_up' } });
    expect(during.trial).toMatchObject({
      status: 'active',
      planKey: 'glow_up',
      startDate: new Date(subscription.trial_start! * 1000).toISOString(),
      endDate: new Date(subscription.trial_end! * 1000).toISOString(),
      conversionDate: null,
    });
    expect(await trials.stripeTrialDaysFor(business, 'viral_surge')).toBe(0);

    // Stripe's trial_will_end (three days before the end), delivered three times: trial.will_end once.
    await stripe.control('/_sim/delivery', { enabled: true, duplicate: 2 });
    try {
      await advanceDays(12);
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true, duplicate: 0 });
    }
    await flushDomainEvents(t);
    expect(namesFor(business)).toEqual([TrialDomainEventName.STARTED, TrialDomainEventName.WILL_END]);

    await advanceDays(3);
    expect((await stripe.stripe.subscriptions.retrieve(subscriptionId!)).status).toBe('active');
    const after = await billing(business);
    expect(after).toMatchObject({ planSource: 'SUBSCRIPTION', plan: { key: 'glow_up' } });
    expect(after.trial).toMatchObject({ status: 'converted', planKey: 'glow_up', daysLeft: null });
    expect(after.trial.conversionDate).not.toBeNull();

    expect((await logRows(t, business)).map((r) => r.status)).toEqual(['trial_started', 'trial_converted']);
    await flushDomainEvents(t);
    expect(namesFor(business)).toEqual([TrialDomainEventName.STARTED, TrialDomainEventName.WILL_END, TrialDomainEventName.CONVERTED]);
    expect(await trials.stripeTrialDaysFor(business, 'glow_up')).toBe(0);
  });

  it('past the end with a failing card -> expired and free limits; no trial days at the next checkout', async () => {
    const business = 'biz_stripe_fail';
    syncClock();
    const { customerId, subscriptionId } = await checkout(stripe, business, stripe.prices.viral_surge.monthly, {
      trialDays: await trials.stripeTrialDaysFor(business, 'viral_surge'),
    });
    await settle(stripe, [t]);
    expect((await billing(business)).trial).toMatchObject({ status: 'active', planKey: 'viral_surge', daysLeft: 14 });

    await stripe.control(`/_sim/customers/${customerId}/payment_behavior`, { behavior: 'fail' });
    await advanceDays(12);
    await advanceDays(3);
    expect((await stripe.stripe.subscriptions.retrieve(subscriptionId!)).status).toBe('past_due');

    const after = await billing(business);
    expect(after).toMatchObject({ planSource: 'DEFAULT', plan: { key: 'free' } });
    expect(after.trial).toMatchObject({ status: 'expired', planKey: 'viral_surge' });
    const token = await t.token({ business, role: 'member' });
    expect((await t.gql<CampaignData>(CREATE_CAMPAIGN, { name: 'one' }, token)).errors).toBeUndefined();
    expect(code(await t.gql<CampaignData>(CREATE_CAMPAIGN, { name: 'two' }, token))).toBe('PLAN_LIMIT_EXCEEDED');

    expect((await logRows(t, business)).map((r) => r.status)).toEqual(['trial_started', 'trial_expired']);
    await flushDomainEvents(t);
    expect(namesFor(business)).toEqual([TrialDomainEventName.STARTED, TrialDomainEventName.WILL_END, TrialDomainEventName.EXPIRED]);
    expect(await trials.stripeTrialDaysFor(business, 'viral_surge')).toBe(0);
    expect(await trials.stripeTrialDaysFor(business, 'glow_up')).toBe(0);
  });

  it('a purchase converts a card-less trial', async () => {
    const business = 'biz_cardless_buys';
    syncClock();
    const started = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await t.token({ business, role: 'owner' }));
    expect(started.errors).toBeUndefined();
    expect(await trials.stripeTrialDaysFor(business, 'glow_up')).toBe(0);
    await checkout(stripe, business, stripe.prices.viral_surge.monthly);
    await settle(stripe, [t]);
    const after = await billing(business);
    expect(after).toMatchObject({ planSource: 'SUBSCRIPTION', plan: { key: 'viral_surge' } });
    expect(after.trial).toMatchObject({ status: 'converted', planKey: 'glow_up', conversionDate: clock.now().toISOString() });
    expect((await logRows(t, business)).map((r) => r.status)).toEqual(['trial_started', 'trial_converted']);
    await flushDomainEvents(t);
    expect(namesFor(business)).toEqual([TrialDomainEventName.STARTED, TrialDomainEventName.CONVERTED]);
  });
});

describe('the scheduled job', () => {
  it('runs on its cron schedule as of the Clock and expires a due card-less trial', async () => {
    const clock = new ManualClock();
    // Every second, so the test need not wait for a minute boundary.
    const t = await createTestApp({ clock, env: { TRIAL_EXPIRY_CRON: '* * * * * *' } });
    try {
      const started = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await t.token({ business: 'biz_cron', role: 'owner' }));
      expect(started.errors).toBeUndefined();
      const status = async () =>
        (await t.dataSource.query(`SELECT trial_status FROM billing_accounts WHERE business_id = 'biz_cron'`))[0].trial_status as string;
      expect(await status()).toBe('active');

      clock.advance(14 * DAY_MS);
      const deadline = Date.now() + 15_000;
      while ((await status()) !== 'expired' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await status()).toBe('expired');
      expect(await logRows(t, 'biz_cron')).toEqual([
        { status: 'trial_started', source: 'system' },
        { status: 'trial_expired', source: 'scheduler' },
      ]);
    } finally {
      await t.close();
    }
  });
});
