import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ManualClock } from '../../src/clock/clock.js';
import { ADVISORY_LOCK } from '../../src/database/advisory-locks.constant.js';
import { TrialExpiryService } from '../../src/trials/trial-expiry.service.js';
import { TrialDomainEventName, type TrialDomainEvent } from '../../src/trials/trial.types.js';
import { TrialsService } from '../../src/trials/trials.service.js';
import { signedEvent } from '../factories/stripe-event.factory.js';
import { checkout, flushDomainEvents, settle, SIM_WEBHOOK_SECRET, startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import { createTestApp, errorCode, type TestApp } from '../utils/create-test-app.js';
import { CREATE_CAMPAIGN, campaignCount, expectPlanLimitExceeded, setPlan, type CampaignData } from '../utils/enforcement-helpers.js';

const DAY_MS = 86_400_000;
const NO_JOB = { TRIAL_EXPIRY_ENABLED: 'false' };
const METRICS_TOKEN = 'metrics-token-for-trials-e2e-0123456789';

const BILLING = `{ billing { businessId planSource plan { key }
  trial { status planKey startDate endDate conversionDate daysLeft } } }`;
const CHECKOUT = `mutation($plan: String!, $interval: BillingInterval!) {
  createCheckoutSession(input: { planKey: $plan, interval: $interval }) { id url } }`;
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
interface CheckoutData {
  createCheckoutSession: { id: string; url: string };
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

/** The value of an unlabelled counter in the app's /metrics (Prometheus text). */
async function metric(t: TestApp, name: string): Promise<number> {
  const response = await t.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
  expect(response.status).toBe(200);
  const line = response.text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.split(' ').at(-1));
}

async function willEndSentAt(t: TestApp, businessId: string): Promise<Date | null> {
  const [row] = await t.dataSource.query('SELECT trial_will_end_sent_at FROM billing_accounts WHERE business_id = $1', [businessId]);
  return row.trial_will_end_sent_at;
}

/** The outbox rows of one business, oldest first. */
async function outbox(t: TestApp, businessId: string, name: string): Promise<{ key: string }[]> {
  return t.dataSource.query('SELECT key FROM domain_events WHERE business_id = $1 AND name = $2 ORDER BY id', [businessId, name]);
}

describe('card-less trials', () => {
  const clock = new ManualClock();
  let t: TestApp;
  let events: TrialDomainEvent[];

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { ...NO_JOB, METRICS_TOKEN } });
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
    expectPlanLimitExceeded(await create(business, 'over free'), { metric: 'campaigns', used: 1, limit: 1, plan: 'free' });

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
    expectPlanLimitExceeded(await create(business, 'sixth'), { metric: 'campaigns', used: 5, limit: 5, plan: 'glow_up' });
    expect(await campaignCount(t, business)).toBe(5);

    const again = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await owner(business));
    expect(errorCode(again)).toBe('TRIAL_ALREADY_USED');
    expect(errorCode(await t.gql<StartData>(START_TRIAL, { plan: 'viral_surge' }, await owner(business)))).toBe('TRIAL_ALREADY_USED');

    expect(await logRows(t, business)).toEqual([{ status: 'trial_started', source: 'system' }]);
    await flushDomainEvents(t);
    expect(events.filter((e) => e.businessId === business).map((e) => e.name)).toEqual([TrialDomainEventName.STARTED]);
  });

  it('gives one trial to concurrent starts', async () => {
    const token = await owner('biz_race');
    const results = await Promise.all(Array.from({ length: 8 }, () => t.gql<StartData>(START_TRIAL, { plan: 'viral_surge' }, token)));
    const codes = results.map((r) => errorCode(r) ?? 'OK').sort();
    expect(codes).toEqual(['OK', ...Array(7).fill('TRIAL_ALREADY_USED')]);
    expect(await logRows(t, 'biz_race')).toHaveLength(1);
  });

  it('refuses a subscriber in any live status, unpaid and paused too, as checkout does (ALREADY_SUBSCRIBED)', async () => {
    for (const status of ['unpaid', 'paused', 'past_due', 'trialing']) {
      const business = `biz_sub_${status}`;
      await t.dataSource.query(
        `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, subscription_status) VALUES ($1, 'free', 'account_created', $2)`,
        [business, status],
      );
      const res = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await owner(business));
      expect({ status, code: errorCode(res) }).toEqual({ status, code: 'ALREADY_SUBSCRIBED' });
      expect(await logRows(t, business)).toEqual([]);
      expect((await billing(business)).trial.status).toBe('inactive');
    }
  });

  it('refuses a member (FORBIDDEN), plans without trial days (TRIAL_NOT_OFFERED) and subscribers (ALREADY_SUBSCRIBED)', async () => {
    const asMember = await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await member('biz_refused'));
    expect(errorCode(asMember)).toBe('FORBIDDEN');
    for (const plan of ['fame_flex', 'free', 'no_such_plan']) {
      expect(errorCode(await t.gql<StartData>(START_TRIAL, { plan }, await owner('biz_refused')))).toBe('TRIAL_NOT_OFFERED');
    }
    await setPlan(t, 'biz_subscribed', { planKey: 'glow_up' });
    expect(errorCode(await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await owner('biz_subscribed')))).toBe('ALREADY_SUBSCRIBED');
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
    expect(await willEndSentAt(t, business)).toBeNull();
    clock.set(end.getTime() - 3 * DAY_MS);
    // This business and biz_race, whose trial started at the same moment.
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 0, reminded: 2 });
    expect(await willEndSentAt(t, business)).toEqual(clock.now());
    clock.advance(DAY_MS);
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 0, reminded: 0 });
    expect(await outbox(t, business, TrialDomainEventName.WILL_END)).toHaveLength(1);

    // One millisecond before the end nothing expires; at the end it does.
    clock.set(end.getTime() - 1);
    expect((await expiry.run(clock.now())).expired).toBe(0);
    expect((await billing(business)).trial).toMatchObject({ status: 'active', daysLeft: 1 });
    clock.set(end);
    const expiredBefore = await metric(t, 'billing_trials_expired_total');
    expect((await expiry.run(clock.now())).expired).toBe(2);
    expect(await metric(t, 'billing_trials_expired_total')).toBe(expiredBefore + 2);

    const after = await billing(business);
    expect(after).toMatchObject({ planSource: 'DEFAULT', plan: { key: 'free' } });
    expect(after.trial).toMatchObject({ status: 'expired', planKey: 'glow_up', endDate: end.toISOString(), daysLeft: null });
    // Over the free limit now: what exists stays, nothing more can be created.
    expectPlanLimitExceeded(await create(business, 'after expiry'), { metric: 'campaigns', used: 5, limit: 1, plan: 'free' });
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
    expect(errorCode(await t.gql<StartData>(START_TRIAL, { plan: 'viral_surge' }, await owner(business)))).toBe('TRIAL_ALREADY_USED');
    // A card-less trial, even expired, rules out trial days at a Stripe checkout.
    expect(await t.app.get(TrialsService).stripeTrialDaysFor(business, 'glow_up')).toBe(0);
  });
});

describe('an admin extends a card-less trial (through the state machine)', () => {
  const clock = new ManualClock(new Date('2027-05-01T00:00:00Z'));
  let t: TestApp;
  let events: TrialDomainEvent[];

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { ...NO_JOB, METRICS_TOKEN } });
    events = recordTrialEvents(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const EXTEND = `mutation($b: String!, $until: DateTime!) { adminExtendTrial(businessId: $b, until: $until, reason: "sales call") {
    trialStatus trialEndsAt billingSyncStatus effectivePlanKey } }`;
  interface ExtendData {
    adminExtendTrial: { trialStatus: string; trialEndsAt: string; billingSyncStatus: string; effectivePlanKey: string };
  }
  // Signed as of the (moving) clock, so it never expired.
  const extend = async (business: string, until: Date) =>
    t.gql<ExtendData>(EXTEND, { b: business, until: until.toISOString() }, await t.token({ admin: true, user: 'ops_carol' }));
  const billing = async (business: string) =>
    (await t.gql<BillingData>(BILLING, undefined, await t.token({ business, role: 'member' }))).data!.billing;
  const namesFor = (business: string) => events.filter((e) => e.businessId === business).map((e) => e.name);

  it('expire, extend, expire again: the reopened trial is reminded and expires again, each step logged', async () => {
    const business = 'biz_extended';
    const expiry = t.app.get(TrialExpiryService);
    expect((await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await t.token({ business, role: 'owner' }))).errors).toBeUndefined();
    const end = new Date((await billing(business)).trial.endDate!);

    clock.set(end.getTime() - 3 * DAY_MS);
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 0, reminded: 1 });
    clock.set(end);
    const metricBefore = await metric(t, 'billing_trials_expired_total');
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 1, reminded: 0 });
    expect(await billing(business)).toMatchObject({ plan: { key: 'free' }, trial: { status: 'expired' } });

    clock.advance(DAY_MS);
    const until = new Date(clock.now().getTime() + 7 * DAY_MS);
    const extended = await extend(business, until);
    expect(extended.errors).toBeUndefined();
    expect(extended.data!.adminExtendTrial).toEqual({
      trialStatus: 'active',
      trialEndsAt: until.toISOString(),
      billingSyncStatus: 'trial_extended',
      effectivePlanKey: 'glow_up',
    });
    // The reopened period gets its own reminder.
    expect(await willEndSentAt(t, business)).toBeNull();
    expect(await billing(business)).toMatchObject({ planSource: 'TRIAL', plan: { key: 'glow_up' }, trial: { status: 'active', daysLeft: 7 } });
    const [audit] = await t.dataSource.query(`SELECT admin_sub, reason FROM admin_audit_log WHERE action = 'extend_trial' AND business_id = $1`, [business]);
    expect(audit).toEqual({ admin_sub: 'ops_carol', reason: 'sales call' });

    clock.set(until.getTime() - 3 * DAY_MS);
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 0, reminded: 1 });
    clock.set(until);
    expect(await expiry.run(clock.now())).toMatchObject({ expired: 1, reminded: 0 });
    expect(await metric(t, 'billing_trials_expired_total')).toBe(metricBefore + 2);
    expect(await billing(business)).toMatchObject({ plan: { key: 'free' }, trial: { status: 'expired', endDate: until.toISOString() } });

    expect(await logRows(t, business)).toEqual([
      { status: 'trial_started', source: 'system' },
      { status: 'trial_expired', source: 'scheduler' },
      { status: 'trial_extended', source: 'admin' },
      { status: 'trial_expired', source: 'scheduler' },
    ]);
    expect(await outbox(t, business, TrialDomainEventName.EXPIRED)).toHaveLength(2);
    await flushDomainEvents(t);
    expect(namesFor(business)).toEqual([
      TrialDomainEventName.STARTED,
      TrialDomainEventName.WILL_END,
      TrialDomainEventName.EXPIRED,
      TrialDomainEventName.WILL_END,
      TrialDomainEventName.EXPIRED,
    ]);
  });

  it('refuses a Stripe-run, converted or absent trial (NOT_APPLICABLE) and an end not later (BAD_USER_INPUT), writing nothing', async () => {
    const seed = (business: string, status: string, source: string, endsAt: Date | null) =>
      t.dataSource.query(
        `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, trial_status, trial_source, trial_plan_key, trial_started_at, trial_ends_at)
         VALUES ($1, 'free', 'account_created', $2, $3, $4, $5, $6)`,
        [business, status, source, status === 'inactive' ? null : 'glow_up', endsAt ? new Date(endsAt.getTime() - 14 * DAY_MS) : null, endsAt],
      );
    const now = clock.now();
    const soon = new Date(now.getTime() + 2 * DAY_MS);
    await seed('biz_noext_stripe_active', 'active', 'stripe', soon);
    await seed('biz_noext_stripe_expired', 'expired', 'stripe', new Date(now.getTime() - DAY_MS));
    await seed('biz_noext_converted', 'converted', 'app', new Date(now.getTime() - DAY_MS));
    await seed('biz_noext_none', 'inactive', 'app', null);
    await seed('biz_noext_app', 'active', 'app', soon);
    const later = new Date(now.getTime() + 10 * DAY_MS);

    for (const business of ['biz_noext_stripe_active', 'biz_noext_stripe_expired', 'biz_noext_converted', 'biz_noext_none']) {
      const res = await extend(business, later);
      expect({ business, code: errorCode(res) }).toEqual({ business, code: 'NOT_APPLICABLE' });
    }
    expect((await extend('biz_noext_stripe_active', later)).errors?.[0]?.message).toMatch(/Stripe/);
    // Shortening a running trial is no extension; a past end is bad input too.
    expect(errorCode(await extend('biz_noext_app', new Date(now.getTime() + DAY_MS)))).toBe('BAD_USER_INPUT');
    expect(errorCode(await extend('biz_noext_app', new Date(now.getTime() - DAY_MS)))).toBe('BAD_USER_INPUT');

    const written = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM billing_sync_log WHERE business_id LIKE 'biz\\_noext\\_%') AS logs,
              (SELECT count(*)::int FROM admin_audit_log WHERE business_id LIKE 'biz\\_noext\\_%') AS audits`,
    );
    expect(written).toEqual([{ logs: 0, audits: 0 }]);
    const [stripeTrial] = await t.dataSource.query(`SELECT trial_status, trial_ends_at FROM billing_accounts WHERE business_id = 'biz_noext_stripe_active'`);
    expect(stripeTrial).toEqual({ trial_status: 'active', trial_ends_at: soon });
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

    // Stripe's trial_will_end (three days before the end), delivered three times (the same event
    // id: the inbox keeps one), then a second, distinct trial_will_end of the same trial (Stripe
    // may send another, e.g. after a retry on its side): trial.will_end once.
    await stripe.control('/_sim/delivery', { enabled: true, duplicate: 2 });
    try {
      await advanceDays(12);
    } finally {
      await stripe.control('/_sim/delivery', { enabled: true, duplicate: 0 });
    }
    const sentAt = await willEndSentAt(t, business);
    expect(sentAt).not.toBeNull();
    // The second one arrives later: a reminder sent again would move the marker.
    clock.advance(60_000);
    const second = signedEvent({
      secret: SIM_WEBHOOK_SECRET,
      type: 'customer.subscription.trial_will_end',
      object: (await stripe.stripe.subscriptions.retrieve(subscriptionId!)) as unknown as Record<string, unknown>,
    });
    const delivered = await t.http().post('/api/webhooks/stripe').set('stripe-signature', second.signature).set('content-type', 'application/json').send(second.body);
    expect(delivered.status).toBe(200);
    await settle(stripe, [t]);
    const willEndEvents: { id: string; status: string }[] = await t.dataSource.query(
      `SELECT id, status FROM stripe_events WHERE type = 'customer.subscription.trial_will_end' AND customer_id = $1 ORDER BY id`,
      [subscription.customer],
    );
    expect(willEndEvents).toHaveLength(2);
    expect(willEndEvents.map((e) => e.status)).toEqual(['processed', 'processed']);
    expect(willEndEvents.map((e) => e.id)).toContain(second.id);
    expect(await willEndSentAt(t, business)).toEqual(sentAt);
    expect(await outbox(t, business, TrialDomainEventName.WILL_END)).toHaveLength(1);
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
    expectPlanLimitExceeded(await t.gql<CampaignData>(CREATE_CAMPAIGN, { name: 'two' }, token), { metric: 'campaigns', used: 1, limit: 1, plan: 'free' });

    expect((await logRows(t, business)).map((r) => r.status)).toEqual(['trial_started', 'trial_expired']);
    await flushDomainEvents(t);
    expect(namesFor(business)).toEqual([TrialDomainEventName.STARTED, TrialDomainEventName.WILL_END, TrialDomainEventName.EXPIRED]);
    expect(await trials.stripeTrialDaysFor(business, 'viral_surge')).toBe(0);
    expect(await trials.stripeTrialDaysFor(business, 'glow_up')).toBe(0);
  });

  it('startTrial withdraws the open Checkout Session that offered trial days (no second trial through Stripe)', async () => {
    const business = 'biz_stale_offer';
    const owner = await t.token({ business, role: 'owner', email: `${business}@example.test` });
    syncClock();
    expect(await trials.stripeTrialDaysFor(business, 'glow_up')).toBe(14);
    const opened = await t.gql<CheckoutData>(CHECKOUT, { plan: 'glow_up', interval: 'MONTHLY' }, owner);
    expect(opened.errors).toBeUndefined();
    const sessionId = opened.data!.createCheckoutSession.id;
    expect((await stripe.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('open');

    expect((await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, owner)).errors).toBeUndefined();
    expect((await stripe.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('expired');
    const [row] = await t.dataSource.query('SELECT status FROM checkout_sessions WHERE id = $1', [sessionId]);
    expect(row).toEqual({ status: 'expired' });
    // Paying it now is refused by Stripe: the card-less trial stays the only one.
    await expect(stripe.control(`/_sim/checkout_sessions/${sessionId}/complete`, { outcome: 'paid' })).rejects.toThrow();
    await settle(stripe, [t]);
    expect((await billing(business)).trial).toMatchObject({ status: 'active', planKey: 'glow_up' });
    expect(await trials.stripeTrialDaysFor(business, 'glow_up')).toBe(0);
  });

  it('startTrial leaves an open Checkout Session of a plan without trial days alone (paying it converts the trial)', async () => {
    const business = 'biz_offer_no_trial';
    const owner = await t.token({ business, role: 'owner', email: `${business}@example.test` });
    const opened = await t.gql<CheckoutData>(CHECKOUT, { plan: 'fame_flex', interval: 'MONTHLY' }, owner);
    expect(opened.errors).toBeUndefined();
    expect((await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, owner)).errors).toBeUndefined();
    expect((await stripe.stripe.checkout.sessions.retrieve(opened.data!.createCheckoutSession.id)).status).toBe('open');
  });

  it('a purchase after the job expired a card-less trial converts it', async () => {
    const business = 'biz_expired_buys';
    syncClock();
    expect((await t.gql<StartData>(START_TRIAL, { plan: 'glow_up' }, await t.token({ business, role: 'owner' }))).errors).toBeUndefined();
    const end = new Date((await billing(business)).trial.endDate!);
    await advanceDays(15);
    expect(clock.now() >= end).toBe(true);
    expect(await t.app.get(TrialExpiryService).run(clock.now())).toMatchObject({ ran: true });
    expect((await billing(business)).trial).toMatchObject({ status: 'expired', planKey: 'glow_up' });

    await checkout(stripe, business, stripe.prices.viral_surge.monthly, { trialDays: await trials.stripeTrialDaysFor(business, 'viral_surge') });
    await settle(stripe, [t]);
    const after = await billing(business);
    expect(after).toMatchObject({ planSource: 'SUBSCRIPTION', plan: { key: 'viral_surge' } });
    expect(after.trial).toMatchObject({ status: 'converted', planKey: 'glow_up', endDate: end.toISOString(), conversionDate: clock.now().toISOString() });
    expect((await logRows(t, business)).map((r) => r.status)).toEqual(['trial_started', 'trial_expired', 'trial_converted']);
    await flushDomainEvents(t);
    expect(namesFor(business)).toEqual([TrialDomainEventName.STARTED, TrialDomainEventName.EXPIRED, TrialDomainEventName.CONVERTED]);
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
