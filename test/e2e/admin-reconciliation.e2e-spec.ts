import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReconciliationJobService } from '../../src/admin/reconciliation-job.service.js';
import { ReconciliationService } from '../../src/admin/reconciliation.service.js';
import { createPacer } from '../../src/admin/rate-limit.util.js';
import { AdminAccountsService } from '../../src/admin/admin-accounts.service.js';
import { AdminRepairService } from '../../src/admin/admin-repair.service.js';
import { Clock } from '../../src/clock/clock.js';
import { AppConfigService } from '../../src/config/app-config.service.js';
import { ADVISORY_LOCK } from '../../src/database/advisory-locks.constant.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { PlansService } from '../../src/plans/plans.service.js';
import { StripeClientService } from '../../src/stripe/stripe-client.service.js';
import { DataSource } from 'typeorm';
import { MetricsServerService } from '../../src/metrics/metrics-server.service.js';
import { findFreePort } from '../../src/database/embedded-postgres.starter.js';
import { signedEvent } from '../factories/stripe-event.factory.js';
import {
  checkout,
  createAddOnPrice,
  settle,
  SIM_WEBHOOK_SECRET,
  startBillingApp,
  startSimulatedStripe,
  type SimulatedStripe,
} from '../utils/billing-with-simulator.js';
import type { TestApp } from '../utils/create-test-app.js';
import { CREATE_CAMPAIGN, expectPlanLimitExceeded } from '../utils/enforcement-helpers.js';
import { buildCli, runCli, type CliResult } from '../utils/run-cli.js';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config/load-config.js';
import { jwtVerify } from 'jose';

const BIZ = 'biz_recon';
const EMAIL = 'owner@recon.test';
// Each CLI run boots the service's modules in a fresh process: seconds on a busy machine.
const CLI_TIMEOUT = 240_000;
const METRICS_TOKEN = 'metrics-token-for-e2e-0123456789';

interface Drift {
  field: string;
  ours: string | null;
  stripe: string | null;
}
interface Summary {
  checked: number;
  inSync: number;
  drifted: number;
  fixed: number;
  errors: number;
  usageRecounted: number;
  usageErrors: number;
  accounts: {
    businessId: string;
    drifts: Drift[];
    usageDrifts: { metric: string; counter: number; actual: number }[];
    fixed: boolean;
    error: string | null;
    usageError: string | null;
  }[];
}

/** Sums the samples of a metric whose labels include `labels`. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) total += Number(line.split(' ').at(-1));
  }
  return total;
}

describe('reconciliation, CLI, dead letters and metrics (simulator as Stripe, CLI as a real process)', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;
  let cliEnv: Record<string, string | undefined>;
  let admin: string;
  let subscriptionId: string;
  let metricsPort: number;

  const cli = (...args: string[]): Promise<CliResult> => runCli(args, cliEnv);
  const scrape = async () => {
    const response = await t.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    return response.text;
  };
  const swapPrice = async (price: string) => {
    const subscription = await stripe.stripe.subscriptions.retrieve(subscriptionId);
    await stripe.stripe.subscriptions.update(subscriptionId, {
      items: [{ id: subscription.items.data[0].id, price }],
      proration_behavior: 'none',
    });
  };
  const account = async () =>
    (await t.dataSource.query('SELECT plan_key, billing_sync_status, cancel_at_period_end FROM billing_accounts WHERE business_id = $1', [BIZ]))[0];

  beforeAll(async () => {
    const built = buildCli();
    stripe = await startSimulatedStripe();
    metricsPort = await findFreePort(30_000 + Math.floor(Math.random() * 10_000));
    t = await startBillingApp(stripe, {
      env: { WEBHOOK_RETRY_WINDOW: '2s', METRICS_TOKEN, METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1', RECONCILE_MAX_RPS: '100' },
    });
    // DATABASE_URL counts as real infrastructure: the public development JWT secret is refused there.
    cliEnv = { ...stripe.env, DATABASE_URL: t.databaseUrl, AUTH_JWT_SECRET: 'cli-test-secret-of-at-least-32-characters', RECONCILE_MAX_RPS: '100' };
    admin = await t.token({ admin: true, user: 'ops_bob' });
    await built;
  }, 240_000);
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  it("prints a development token with nothing configured (the README's tour)", async () => {
    const result = await runCli(['token', '--business', 'acme', '--role', 'owner', '--email', 'owner@acme.test'], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { payload } = await jwtVerify(result.stdout.trim(), new TextEncoder().encode(DEVELOPMENT_JWT_SECRET));
    expect(payload).toMatchObject({ business_id: 'acme', role: 'owner', email: 'owner@acme.test' });
  });

  it('counts webhook outcomes, Stripe calls and denials in /metrics as a scenario runs', async () => {
    const before = await scrape();
    const owner = await t.token({ business: BIZ, role: 'owner', email: EMAIL });
    expect((await t.gql(`{ billing { businessId } }`, {}, owner)).errors).toBeUndefined();
    const paid = await checkout(stripe, BIZ, stripe.prices.glow_up.monthly);
    subscriptionId = paid.subscriptionId!;
    await settle(stripe, [t]);
    expect((await account()).plan_key).toBe('glow_up');

    const freeOwner = await t.token({ business: 'biz_recon_free', role: 'owner' });
    expect((await t.gql(`{ billing { businessId } }`, {}, freeOwner)).errors).toBeUndefined();
    expect((await t.gql(CREATE_CAMPAIGN, { name: 'first' }, freeOwner)).errors).toBeUndefined();
    expectPlanLimitExceeded(await t.gql(CREATE_CAMPAIGN, { name: 'second' }, freeOwner), { metric: 'campaigns', plan: 'free' });

    const after = await scrape();
    const processed = { outcome: 'processed' };
    expect(metricValue(after, 'billing_webhook_events_total', processed)).toBeGreaterThan(
      metricValue(before, 'billing_webhook_events_total', processed),
    );
    expect(metricValue(after, 'billing_webhook_event_to_effect_seconds_count')).toBeGreaterThan(0);
    expect(metricValue(after, 'billing_plan_denials_total', { metric: 'campaigns', plan: 'free' })).toBe(
      metricValue(before, 'billing_plan_denials_total', { metric: 'campaigns', plan: 'free' }) + 1,
    );
    expect(metricValue(after, 'billing_plan_reservations_total', { metric: 'campaigns' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(after, 'billing_stripe_request_duration_seconds_count', { operation: 'subscriptions.list' })).toBeGreaterThan(0);
    // Registered here; the trials job increments it.
    expect(after).toMatch(/^billing_trials_expired_total 0$/m);
    expect(after).toMatch(/^billing_webhook_inbox_backlog 0$/m);
    expect(after).toContain('process_cpu_user_seconds_total');
  });

  it('serves /metrics only to the token on the main port, and openly on METRICS_PORT', async () => {
    expect((await t.http().get('/metrics')).status).toBe(401);
    expect((await t.http().get('/metrics').set('authorization', 'Bearer wrong-token-wrong-token!!')).status).toBe(401);
    expect(t.app.get(MetricsServerService).boundAddress).toEqual({ address: '127.0.0.1', port: metricsPort });
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('billing_webhook_events_total');
  });

  it('finds nothing to report while we match Stripe', async () => {
    const result = await cli('verify-entitlements', '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({ checked: 1, inSync: 1, drifted: 0, errors: 0 });
  }, CLI_TIMEOUT);

  it('reports a drift made with delivery off, field by field, and heals it with --fix', async () => {
    await stripe.control('/_sim/delivery', { enabled: false });
    await swapPrice(stripe.prices.fame_flex.monthly);
    await stripe.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await stripe.sim.idle();

    const text = await cli('verify-entitlements');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('planKey: glow_up -> fame_flex');
    expect(text.stdout).toContain('cancelAtPeriodEnd: false -> true');

    const report = JSON.parse((await cli('verify-entitlements', '--json')).stdout) as Summary;
    expect(report).toMatchObject({ checked: 1, drifted: 1, fixed: 0 });
    expect(report.accounts[0].drifts).toEqual(
      expect.arrayContaining([
        { field: 'planKey', ours: 'glow_up', stripe: 'fame_flex' },
        { field: 'cancelAtPeriodEnd', ours: 'false', stripe: 'true' },
      ]),
    );
    expect((await account()).plan_key).toBe('glow_up');

    const fix = await cli('verify-entitlements', '--fix', '--json');
    expect(fix.code).toBe(0);
    expect(JSON.parse(fix.stdout)).toMatchObject({ drifted: 1, fixed: 1 });
    expect(await account()).toEqual({ plan_key: 'fame_flex', billing_sync_status: 'reconciliation', cancel_at_period_end: true });

    const again = await cli('verify-entitlements', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ checked: 1, inSync: 1, drifted: 0 });
    const [audit] = await t.dataSource.query(
      `SELECT admin_sub, action, reason FROM admin_audit_log WHERE business_id = $1 ORDER BY id DESC LIMIT 1`,
      [BIZ],
    );
    expect(audit.admin_sub).toMatch(/^cli:/);
    expect(audit).toMatchObject({ action: 'sync_from_stripe', reason: expect.stringContaining('planKey') });
  }, CLI_TIMEOUT);

  it('heals a drift in the scheduled run, leaving zero drift', async () => {
    await swapPrice(stripe.prices.viral_surge.monthly);
    await stripe.sim.idle();
    // Another instance holds the lock: this one skips the round and touches nothing.
    const other = t.dataSource.createQueryRunner();
    await other.connect();
    const auditCount = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM admin_audit_log`))[0].n as number;
    try {
      await other.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK.RECONCILIATION]);
      const audits = await auditCount();
      expect(await t.app.get(ReconciliationJobService).run()).toBeNull();
      expect((await account()).plan_key).toBe('fame_flex');
      expect(await auditCount()).toBe(audits);
    } finally {
      await other.query('SELECT pg_advisory_unlock_all()');
      await other.release();
    }
    const summary = await t.app.get(ReconciliationJobService).run();
    expect(summary).toMatchObject({ checked: 1, drifted: 1, fixed: 1, errors: 0 });
    expect(summary!.accounts[0].drifts).toContainEqual({ field: 'planKey', ours: 'fame_flex', stripe: 'viral_surge' });
    expect(await account()).toMatchObject({ plan_key: 'viral_surge', billing_sync_status: 'reconciliation' });
    const check = await t.app.get(ReconciliationService).run({ fix: false, operator: { sub: 'test' }, source: 'admin' });
    expect(check).toMatchObject({ checked: 1, inSync: 1, drifted: 0 });
    const [audit] = await t.dataSource.query(`SELECT admin_sub FROM admin_audit_log WHERE business_id = $1 ORDER BY id DESC LIMIT 1`, [BIZ]);
    expect(audit.admin_sub).toBe('system:reconciliation');
    // The CLI runs counted in their own processes; this instance ran the job once.
    const metrics = await scrape();
    expect(metricValue(metrics, 'billing_reconcile_drift_found_total')).toBe(1);
    expect(metricValue(metrics, 'billing_reconcile_drift_fixed_total')).toBe(1);
    await stripe.control('/_sim/delivery', { enabled: true });
  });

  it('inspect-user-state --email prints the billingSyncStatus and its history; --json parses', async () => {
    const text = await cli('inspect-user-state', '--email', EMAIL);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/billingSyncStatus:\s+reconciliation/);
    expect(text.stdout).toContain('billingSyncStatus history (last 10, newest first)');
    expect(text.stdout).toMatch(/reconciliation\s+scheduler/);
    expect(text.stdout).toMatch(/plan:\s+viral_surge/);
    // Each warning as `code: message (until ...)`, never [object Object].
    expect(text.stdout).not.toContain('[object Object]');
    expect(text.stdout).toMatch(/warnings:\s+CANCELS_AT_PERIOD_END: .+ \(until \d{4}-\d\d-\d\dT[\d:.]+Z\)/);
    expect(text.stdout).toMatch(/liveSubscriptions:\s+1\n/);

    const json = JSON.parse((await cli('inspect-user-state', '--email', EMAIL, '--json')).stdout) as {
      account: { businessId: string; billingSyncStatus: string };
      plan: { key: string; source: string };
      history: { status: string; source: string }[];
      usage: { metric: string }[];
    };
    expect(json.account).toMatchObject({ businessId: BIZ, billingSyncStatus: 'reconciliation' });
    // The drift healed above set cancel-at-period-end, which the owner's view warns about.
    expect(json.plan).toEqual({
      key: 'viral_surge',
      source: 'subscription',
      warnings: [expect.objectContaining({ code: 'CANCELS_AT_PERIOD_END' })],
    });
    expect(json.history[0]).toEqual(expect.objectContaining({ status: 'reconciliation', source: 'scheduler' }));
    expect(json.history.length).toBeGreaterThan(1);
    expect(json.usage.map((u) => u.metric)).toEqual(['campaigns', 'creators']);

    const unknown = await cli('inspect-user-state', '--email', 'nobody@nowhere.test');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No billing account');
    expect((await cli('inspect-user-state')).code).toBe(2);
  }, CLI_TIMEOUT);

  it('inspect-user-state lists old pending and dead events behind many newer ones', async () => {
    const insert = (id: string, status: string, ageHours: number) =>
      t.dataSource.query(
        `INSERT INTO stripe_events (id, type, livemode, api_version, stripe_created_at, payload, status, attempts, next_attempt_at,
           last_error, customer_id, business_id, received_at)
         VALUES ($1, 'invoice.paid', false, '2026-10-28.endive', now() - make_interval(hours => $3), '{}'::jsonb, $2, 2,
           now() + interval '1 day', 'boom', NULL, 'biz_recon_free', now() - make_interval(hours => $3))`,
        [id, status, ageHours],
      );
    try {
      // Not due for a day: the worker leaves it alone while the test looks.
      await insert('evt_inspect_old_failed', 'failed', 48);
      await insert('evt_inspect_old_dead', 'dead', 47);
      for (let i = 0; i < 60; i++) await insert(`evt_inspect_new_${i}`, 'processed', 1);
      const result = await cli('inspect-user-state', '--business', 'biz_recon_free', '--json');
      expect(result.code).toBe(0);
      const state = JSON.parse(result.stdout) as { pending: { id: string }[]; dead: { id: string }[] };
      expect(state.pending.map((event) => event.id)).toEqual(['evt_inspect_old_failed']);
      expect(state.dead.map((event) => event.id)).toEqual(['evt_inspect_old_dead']);
    } finally {
      await t.dataSource.query(`DELETE FROM stripe_events WHERE id LIKE 'evt_inspect_%'`);
    }
  }, CLI_TIMEOUT);

  it('shows a dead letter, replays it, and it is gone', async () => {
    const [event] = await t.dataSource.query(
      `UPDATE stripe_events SET status = 'dead', attempts = 3, last_error = 'StripeException: Stripe: timeout'
        WHERE id = (SELECT id FROM stripe_events WHERE business_id = $1 ORDER BY stripe_created_at DESC LIMIT 1) RETURNING id`,
      [BIZ],
    );
    const eventId = (event as { id: string }[])[0].id;
    const view = `query { adminBillingAccount(businessId: "${BIZ}") { deadLetters(first: 10) { id status attempts lastError } } adminWebhookStats { dead deadUnowned } }`;
    const dead = await t.gql<{ adminBillingAccount: { deadLetters: { id: string; lastError: string }[] }; adminWebhookStats: { dead: number } }>(view, {}, admin);
    expect(dead.data?.adminBillingAccount.deadLetters).toEqual([{ id: eventId, status: 'dead', attempts: 3, lastError: 'StripeException: Stripe: timeout' }]);
    expect(dead.data?.adminWebhookStats.dead).toBe(1);
    const degraded = await t.http().get('/health/billing');
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: 'degraded', reasons: ['1 dead webhook event(s) need a replay'] });
    expect(metricValue(await scrape(), 'billing_webhook_dead_letters', { unowned: 'false' })).toBe(1);

    const replay = await t.gql(`mutation { adminReplayWebhookEvent(eventId: "${eventId}", reason: "Stripe is back") { businessId } }`, {}, admin);
    expect(replay.errors).toBeUndefined();
    await settle(stripe, [t]);
    const gone = await t.gql<{ adminBillingAccount: { deadLetters: unknown[] }; adminWebhookStats: { dead: number } }>(view, {}, admin);
    expect(gone.data?.adminBillingAccount.deadLetters).toEqual([]);
    expect(gone.data?.adminWebhookStats.dead).toBe(0);
    const [row] = await t.dataSource.query('SELECT status FROM stripe_events WHERE id = $1', [eventId]);
    expect(row.status).toBe('processed');
    expect((await t.http().get('/health/billing')).body).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('lists dead events of customers no business owns apart, as unowned', async () => {
    const event = signedEvent({
      secret: SIM_WEBHOOK_SECRET,
      type: 'customer.subscription.updated',
      object: { id: 'sub_orphan', object: 'subscription', customer: 'cus_orphan_nobody', status: 'active' },
    });
    const delivered = await t.http().post('/api/webhooks/stripe').set('stripe-signature', event.signature).set('content-type', 'application/json').send(event.body);
    expect(delivered.status).toBe(200);
    await settle(stripe, [t]);
    const stats = await t.gql<{ adminWebhookStats: { dead: number; deadUnowned: number } }>(`{ adminWebhookStats { dead deadUnowned } }`, {}, admin);
    expect(stats.data?.adminWebhookStats).toEqual({ dead: 0, deadUnowned: 1 });
    const listed = await t.gql<{ adminWebhookEvents: { nodes: { id: string; status: string; unowned: boolean }[] } }>(
      `{ adminWebhookEvents(status: "dead", unowned: true) { nodes { id status unowned } } }`,
      {},
      admin,
    );
    expect(listed.data?.adminWebhookEvents.nodes).toEqual([{ id: event.id, status: 'dead', unowned: true }]);
    const owned = await t.gql<{ adminWebhookEvents: { nodes: unknown[] } }>(`{ adminWebhookEvents(status: "dead", unowned: false) { nodes { id } } }`, {}, admin);
    expect(owned.data?.adminWebhookEvents.nodes).toEqual([]);
    // Unowned ones only when asked for.
    const byDefault = await t.gql<{ adminWebhookEvents: { nodes: unknown[] } }>(`{ adminWebhookEvents(status: "dead") { nodes { id } } }`, {}, admin);
    expect(byDefault.data?.adminWebhookEvents.nodes).toEqual([]);
    expect((await t.http().get('/health/billing')).body.reasons).toEqual(['1 dead webhook event(s) of Stripe customers no business owns']);

    const replayOwned = await cli('replay-event', '--dead', '--json');
    expect(replayOwned.code).toBe(0);
    expect(JSON.parse(replayOwned.stdout)).toEqual({ replayed: [] });
    expect((await cli('replay-event', '--dead', '--unowned', '--business', BIZ)).code).toBe(2);
    const replay = await cli('replay-event', '--dead', '--unowned', '--json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({ replayed: [event.id] });
  }, CLI_TIMEOUT);

  it('runs the repair commands for operators', async () => {
    const activated = await cli('activate-plan', 'biz_recon_free', 'fame_flex', '--until', '2099-01-01', '--reason', 'trade show', '--json');
    expect(activated.code).toBe(0);
    expect(JSON.parse(activated.stdout)).toMatchObject({
      effectivePlanKey: 'fame_flex',
      override: { planKey: 'fame_flex', until: '2099-01-01T00:00:00.000Z', reason: 'trade show' },
    });
    const audits = async () =>
      (await t.dataSource.query(`SELECT action, before, after FROM admin_audit_log WHERE business_id = $1 ORDER BY id`, [BIZ])) as {
        action: string;
        before: { onboardingCompletedAt: string | null };
        after: { onboardingCompletedAt: string | null; billingSyncStatus: string };
      }[];
    const auditsBefore = (await audits()).length;
    const onboarded = await cli('complete-onboarding-and-activate-plan', BIZ, '--json');
    expect(JSON.parse(onboarded.stdout)).toMatchObject({ onboardingCompleted: true, effectivePlanKey: 'viral_surge', billingSyncStatus: 'admin_repair' });
    // Onboarding and the sync from Stripe in one transaction: one audit row with both.
    const onboardingAudits = (await audits()).slice(auditsBefore);
    expect(onboardingAudits).toHaveLength(1);
    expect(onboardingAudits[0]).toMatchObject({
      action: 'complete_onboarding',
      before: { onboardingCompletedAt: null },
      after: { onboardingCompletedAt: expect.any(String), billingSyncStatus: 'admin_repair' },
    });
    const all = await cli('sync-stripe', '--all', '--json');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual([{ businessId: BIZ, planKey: 'viral_surge', subscriptionStatus: 'active', error: null }]);
    expect(all.stderr).toContain(`[1/1] ${BIZ}: viral_surge`);
    const fixed = await cli('fix-user-billing-state', 'biz_recon_free', '--json');
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ recount: [{ metric: 'campaigns', before: 1, after: 1 }], replayed: [] });
    expect((await cli('activate-plan', 'biz_recon_free', 'platinum')).code).toBe(1);
  }, CLI_TIMEOUT);

  const counter = async (businessId: string) =>
    (await t.dataSource.query(`SELECT used FROM usage_counters WHERE business_id = $1 AND metric = 'campaigns'`, [businessId]))[0]?.used as
      | number
      | undefined;

  it('recounts usage of accounts without a Stripe customer too (verify-entitlements and the job)', async () => {
    // Reservations whose requests died an hour ago: older than the grace the job gives a counter above its rows.
    await t.dataSource.query(
      `UPDATE usage_counters SET used = 4, updated_at = now() - interval '1 hour' WHERE business_id = 'biz_recon_free' AND metric = 'campaigns'`,
    );
    const report = await cli('verify-entitlements', '--json');
    expect(report.code).toBe(1);
    const summary = JSON.parse(report.stdout) as Summary;
    expect(summary).toMatchObject({ checked: 1, errors: 0 });
    expect(summary.accounts.find((a) => a.businessId === 'biz_recon_free')?.usageDrifts).toEqual([{ metric: 'campaigns', counter: 4, actual: 1 }]);
    expect(await counter('biz_recon_free')).toBe(4);

    const job = await t.app.get(ReconciliationJobService).run();
    expect(job).toMatchObject({ errors: 0, usageRecounted: 1, usageErrors: 0 });
    expect(await counter('biz_recon_free')).toBe(1);
  }, CLI_TIMEOUT);

  it('counts a recount that failed as a failure, not as recounted', async () => {
    await t.dataSource.query(
      `INSERT INTO usage_counters (business_id, metric, period_start, used, updated_at)
       VALUES ($1, 'campaigns', '1970-01-01T00:00:00Z', 3, now() - interval '1 hour')
       ON CONFLICT (business_id, metric, period_start) DO UPDATE SET used = 3, updated_at = EXCLUDED.updated_at`,
      [BIZ],
    );
    // A real failure inside PostgreSQL, in the recount's own statement.
    await t.dataSource.query(`CREATE FUNCTION refuse_recount() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.business_id = '${BIZ}' THEN RAISE EXCEPTION 'recount refused for the test'; END IF; RETURN NEW; END $$`);
    await t.dataSource.query(`CREATE TRIGGER refuse_recount BEFORE UPDATE ON usage_counters FOR EACH ROW EXECUTE FUNCTION refuse_recount()`);
    try {
      const summary = await t.app.get(ReconciliationService).run({ fix: true, operator: { sub: 'test' }, source: 'admin' });
      expect(summary).toMatchObject({ usageRecounted: 0, usageErrors: 1, errors: 0 });
      expect(summary.accounts.find((a) => a.businessId === BIZ)).toMatchObject({
        usageDrifts: [{ metric: 'campaigns', counter: 3, actual: 0 }],
        usageError: expect.stringContaining('recount refused for the test'),
      });
    } finally {
      await t.dataSource.query(`DROP TRIGGER refuse_recount ON usage_counters`);
      await t.dataSource.query(`DROP FUNCTION refuse_recount()`);
    }
    const healed = await t.app.get(ReconciliationService).run({ fix: true, operator: { sub: 'test' }, source: 'admin' });
    expect(healed).toMatchObject({ usageRecounted: 1, usageErrors: 0 });
    expect(await counter(BIZ)).toBe(0);
  });

  it('verifies and syncs one business whose subscription carries an add-on before the plan item', async () => {
    const addOn = await createAddOnPrice(stripe);
    await checkout(stripe, 'biz_recon_addon', stripe.prices.glow_up.monthly, {
      itemsBefore: [{ price: addOn, quantity: 2 }],
      email: 'addon@recon.test',
    });
    await settle(stripe, [t]);
    const [row] = await t.dataSource.query(`SELECT plan_key FROM billing_accounts WHERE business_id = 'biz_recon_addon'`);
    expect(row).toEqual({ plan_key: 'glow_up' });

    const verify = await cli('verify-entitlements', '--business', 'biz_recon_addon', '--json');
    const summary = JSON.parse(verify.stdout) as Summary;
    expect(summary).toMatchObject({ checked: 1, inSync: 1, drifted: 0, errors: 0 });
    expect(summary.accounts).toEqual([]);
    expect(verify.code).toBe(0);

    const synced = await cli('sync-stripe', '--business', 'biz_recon_addon', '--json');
    expect(synced.code).toBe(0);
    expect(JSON.parse(synced.stdout)).toEqual([
      { businessId: 'biz_recon_addon', planKey: 'glow_up', subscriptionStatus: 'active', billingSyncStatus: 'admin_repair', error: null },
    ]);
    const [audit] = await t.dataSource.query(
      `SELECT admin_sub, action FROM admin_audit_log WHERE business_id = 'biz_recon_addon' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual({ admin_sub: expect.stringMatching(/^cli:/), action: 'sync_from_stripe' });
  }, CLI_TIMEOUT);

  it('adminSyncFromStripe re-reads a real customer: admin_repair, a history row and an audit row', async () => {
    const logs = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM billing_sync_log WHERE business_id = $1`, [BIZ]))[0].n as number;
    const before = await logs();
    const response = await t.gql<{ adminSyncFromStripe: { billingSyncStatus: string; effectivePlanKey: string } }>(
      `mutation { adminSyncFromStripe(businessId: "${BIZ}", reason: "ticket 42") { billingSyncStatus effectivePlanKey } }`,
      {},
      admin,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.adminSyncFromStripe).toEqual({ billingSyncStatus: 'admin_repair', effectivePlanKey: 'viral_surge' });
    expect(await logs()).toBe(before + 1);
    const [log] = await t.dataSource.query(`SELECT status, source FROM billing_sync_log WHERE business_id = $1 ORDER BY id DESC LIMIT 1`, [BIZ]);
    expect(log).toEqual({ status: 'admin_repair', source: 'admin' });
    const [audit] = await t.dataSource.query(
      `SELECT admin_sub, action, reason, after FROM admin_audit_log WHERE business_id = $1 ORDER BY id DESC LIMIT 1`,
      [BIZ],
    );
    expect(audit).toMatchObject({ admin_sub: 'ops_bob', action: 'sync_from_stripe', reason: 'ticket 42', after: { billingSyncStatus: 'admin_repair' } });
  });

  it('POST /api/billing/sync-stripe by the owner re-reads their Stripe customer (manual_sync)', async () => {
    const owner = await t.token({ business: BIZ, role: 'owner', email: EMAIL });
    const response = await t.http().post('/api/billing/sync-stripe').set('authorization', `Bearer ${owner}`).send({});
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ businessId: BIZ, plan: { key: 'viral_surge' } });
    expect((await account()).billing_sync_status).toBe('manual_sync');
    const [log] = await t.dataSource.query(`SELECT status, source FROM billing_sync_log WHERE business_id = $1 ORDER BY id DESC LIMIT 1`, [BIZ]);
    expect(log).toEqual({ status: 'manual_sync', source: 'manual' });
    const [audit] = await t.dataSource.query(`SELECT admin_sub, action FROM admin_audit_log WHERE business_id = $1 ORDER BY id DESC LIMIT 1`, [BIZ]);
    expect(audit).toEqual({ admin_sub: `owner:user_${BIZ}_owner`, action: 'sync_from_stripe' });
  });

  it('replay-event <id> queues one event again', async () => {
    const [[event]] = await t.dataSource.query(
      `UPDATE stripe_events SET status = 'dead', attempts = 5, last_error = 'boom'
        WHERE id = (SELECT id FROM stripe_events WHERE business_id = $1 ORDER BY stripe_created_at DESC LIMIT 1) RETURNING id`,
      [BIZ],
    );
    const result = await cli('replay-event', event.id, '--reason', 'after the fix', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ replayed: [event.id] });
    const [audit] = await t.dataSource.query(`SELECT action, target, reason FROM admin_audit_log ORDER BY id DESC LIMIT 1`);
    expect(audit).toEqual({ action: 'replay_webhook_event', target: event.id, reason: 'after the fix' });
    await settle(stripe, [t]);
    const [row] = await t.dataSource.query(`SELECT status FROM stripe_events WHERE id = $1`, [event.id]);
    expect(row.status).toBe('processed');
    expect((await cli('replay-event', 'evt_does_not_exist')).code).toBe(1);
  }, CLI_TIMEOUT);

  it('paces every Stripe call of a run at RECONCILE_MAX_RPS', async () => {
    const listCalls = async () =>
      metricValue((await t.app.get(MetricsService).render()).body, 'billing_stripe_request_duration_seconds_count', { operation: 'subscriptions.list' });
    // Real collaborators; only the pacer's time is virtual, so nothing here waits or measures time.
    let virtualMs = 0;
    const sleeps: number[] = [];
    const rates: number[] = [];
    let paced = 0;
    const service = new ReconciliationService(
      t.app.get(DataSource),
      t.app.get(StripeClientService),
      t.app.get(PlansService),
      t.app.get(AdminRepairService),
      t.app.get(AdminAccountsService),
      t.app.get(MetricsService),
      t.app.get(AppConfigService),
      t.app.get(Clock),
      (perSecond) => {
        rates.push(perSecond);
        const pace = createPacer(
          perSecond,
          async (ms) => {
            sleeps.push(ms);
            virtualMs += ms;
          },
          () => virtualMs,
        );
        return async () => {
          paced++;
          await pace();
        };
      },
    );
    const callsBefore = await listCalls();
    const summary = await service.run({ fix: false, operator: { sub: 'test' }, source: 'admin' });
    const calls = (await listCalls()) - callsBefore;
    expect(summary.checked).toBe(2);
    expect(calls).toBe(2);
    expect(rates).toEqual([100]);
    expect(paced).toBe(calls);
    expect(sleeps).toEqual([10]);
  });
});
