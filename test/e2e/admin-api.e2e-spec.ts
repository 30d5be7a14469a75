import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { CREATE_CAMPAIGN, usageOf } from '../utils/enforcement-helpers.js';

const BIZ = 'biz_admin_a';
const ACCOUNT_FIELDS = `businessId billingEmail stripeCustomerId effectivePlanKey planSource billingSyncStatus lastSyncedAt
  onboardingCompleted trialStatus trialEndsAt override { planKey until reason grantedBy }`;

interface Operation {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Mutations leave an audit row with this action and reason. */
  audit?: { action: string; reason: string | null };
}

const future = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

const OPERATIONS: Operation[] = [
  { name: 'adminBillingAccounts', query: `{ adminBillingAccounts(first: 5) { nodes { businessId } pageInfo { hasNextPage endCursor } } }` },
  {
    name: 'adminBillingAccount',
    query: `query($b: String) { adminBillingAccount(businessId: $b) { ${ACCOUNT_FIELDS} billing { plan { key } planSource }
      usage { metric used limit overLimit } syncHistory(first: 5) { status source createdAt }
      webhookEvents(first: 5) { id status attempts nextAttemptAt lastError } deadLetters(first: 5) { id } } }`,
    variables: { b: BIZ },
  },
  { name: 'adminWebhookEvents', query: `{ adminWebhookEvents(first: 5) { nodes { id status unowned } pageInfo { hasNextPage } } }` },
  { name: 'adminWebhookStats', query: `{ adminWebhookStats { pending failed processed ignored dead deadUnowned oldestPendingAgeSeconds } }` },
  {
    name: 'adminSyncFromStripe',
    query: `mutation($b: String!) { adminSyncFromStripe(businessId: $b, reason: "customer asked") { ${ACCOUNT_FIELDS} } }`,
    variables: { b: BIZ },
    audit: { action: 'sync_from_stripe', reason: 'customer asked' },
  },
  {
    name: 'adminReplayWebhookEvent',
    query: `mutation { adminReplayWebhookEvent(eventId: "evt_admin_dead_1", reason: "retry after fix") { businessId } }`,
    audit: { action: 'replay_webhook_event', reason: 'retry after fix' },
  },
  {
    name: 'adminReplayDeadLetters',
    query: `mutation($b: String) { adminReplayDeadLetters(businessId: $b, reason: "bulk replay") { replayed eventIds } }`,
    variables: { b: BIZ },
    audit: { action: 'replay_dead_letters', reason: 'bulk replay' },
  },
  {
    name: 'adminGrantPlan',
    query: `mutation($b: String!, $until: DateTime) { adminGrantPlan(businessId: $b, planKey: "fame_flex", until: $until, reason: "partner deal") { ${ACCOUNT_FIELDS} } }`,
    variables: { b: BIZ, until: future() },
    audit: { action: 'grant_plan', reason: 'partner deal' },
  },
  {
    name: 'adminRevokePlanGrant',
    query: `mutation($b: String!) { adminRevokePlanGrant(businessId: $b, reason: "deal ended") { ${ACCOUNT_FIELDS} } }`,
    variables: { b: BIZ },
    audit: { action: 'revoke_plan_grant', reason: 'deal ended' },
  },
  {
    name: 'adminExtendTrial',
    query: `mutation($b: String!, $until: DateTime!) { adminExtendTrial(businessId: $b, until: $until, reason: "sales call") { ${ACCOUNT_FIELDS} } }`,
    variables: { b: BIZ, until: future() },
    audit: { action: 'extend_trial', reason: 'sales call' },
  },
  {
    name: 'adminRecountUsage',
    query: `mutation($b: String!) { adminRecountUsage(businessId: $b, reason: "counter drift") { usage { metric used } } }`,
    variables: { b: BIZ },
    audit: { action: 'recount_usage', reason: 'counter drift' },
  },
  {
    name: 'adminCompleteOnboarding',
    query: `mutation($b: String!) { adminCompleteOnboarding(businessId: $b, planKey: "glow_up", reason: "white-glove onboarding") { ${ACCOUNT_FIELDS} } }`,
    variables: { b: BIZ },
    audit: { action: 'complete_onboarding', reason: 'white-glove onboarding' },
  },
];

describe('admin API (real PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let owner: string;
  let member: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { WEBHOOK_WORKER_ENABLED: 'false' } });
    admin = await t.token({ admin: true, user: 'ops_alice' });
    owner = await t.token({ business: BIZ, role: 'owner', email: 'owner@admin-a.test' });
    member = await t.token({ business: BIZ, role: 'member' });
    // The owner's first request creates the account, with the billing email from the token.
    const created = await t.gql(`{ billing { businessId } }`, {}, owner);
    if (created.errors) throw new Error(`account not created: ${JSON.stringify(created.errors)}`);
    await t.dataSource.query(
      `UPDATE billing_accounts SET trial_status = 'active', trial_plan_key = 'glow_up', trial_started_at = now(),
         trial_ends_at = now() + interval '1 day' WHERE business_id = $1`,
      [BIZ],
    );
    await insertDeadEvent(t, 'evt_admin_dead_1', BIZ);
    await insertDeadEvent(t, 'evt_admin_dead_2', BIZ);
  });
  afterAll(async () => {
    await t.close();
  });

  const auditRows = async () =>
    (await t.dataSource.query(`SELECT admin_sub, action, reason, before, after FROM admin_audit_log ORDER BY id`)) as {
      admin_sub: string;
      action: string;
      reason: string | null;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }[];

  it.each(OPERATIONS.map((op) => [op.name, op] as const))('%s refuses owner and member tokens (FORBIDDEN) and no token (UNAUTHENTICATED)', async (_name, op) => {
    for (const [token, code] of [[owner, 'FORBIDDEN'], [member, 'FORBIDDEN'], [undefined, 'UNAUTHENTICATED']] as const) {
      const response = await t.gql(op.query, op.variables, token);
      expect(response.errors?.[0]?.extensions?.code).toBe(code);
      expect(response.data?.[op.name] ?? null).toBeNull();
    }
    expect(await auditRows()).toEqual([]);
  });

  const queries = OPERATIONS.filter((op) => !op.audit);
  const mutations = OPERATIONS.filter((op) => op.audit);

  it.each(queries.map((op) => [op.name, op] as const))('%s works for an admin and writes no audit row', async (_name, op) => {
    const before = (await auditRows()).length;
    const response = await t.gql(op.query, op.variables, admin);
    expect(response.errors).toBeUndefined();
    expect(response.data?.[op.name]).toBeDefined();
    expect(await auditRows()).toHaveLength(before);
  });

  it.each(mutations.map((op) => [op.name, op] as const))('%s works for an admin and writes its audit row', async (_name, op) => {
    const before = (await auditRows()).length;
    const response = await t.gql(op.query, op.variables, admin);
    expect(response.errors).toBeUndefined();
    expect(response.data?.[op.name]).toBeDefined();
    const rows = await auditRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ admin_sub: 'ops_alice', action: op.audit!.action, reason: op.audit!.reason });
    expect(rows.at(-1)!.after).not.toBeNull();
  });

  it('shows the account the owner sees, plus what only admins see', async () => {
    const { data } = await t.gql<{ adminBillingAccount: Record<string, unknown> & { billing: { plan: { key: string } } } }>(
      `query($e: String) { adminBillingAccount(email: $e) { businessId billingEmail effectivePlanKey onboardingCompleted
        override { planKey reason grantedBy } billing { plan { key } } syncHistory(first: 3) { status source } } }`,
      { e: 'OWNER@admin-a.test' },
      admin,
    );
    expect(data?.adminBillingAccount).toMatchObject({
      businessId: BIZ,
      billingEmail: 'owner@admin-a.test',
      effectivePlanKey: 'glow_up',
      onboardingCompleted: true,
      override: { planKey: 'glow_up', reason: 'white-glove onboarding', grantedBy: 'ops_alice' },
      billing: { plan: { key: 'glow_up' } },
    });
    const ownerView = await t.gql<{ billing: { plan: { key: string } } }>(`{ billing { plan { key } } }`, {}, owner);
    expect(ownerView.data?.billing.plan.key).toBe('glow_up');
    expect((data?.adminBillingAccount.syncHistory as { status: string }[])[0]).toEqual({ status: 'admin_repair', source: 'admin' });
  });

  it('grants and revokes a plan that the enforcement sees at once, audited before and after', async () => {
    const grant = await t.gql<{ adminGrantPlan: { effectivePlanKey: string; planSource: string } }>(
      `mutation { adminGrantPlan(businessId: "${BIZ}", planKey: "viral_surge", reason: "comped") { effectivePlanKey planSource } }`,
      {},
      admin,
    );
    expect(grant.data?.adminGrantPlan).toEqual({ effectivePlanKey: 'viral_surge', planSource: 'ADMIN_OVERRIDE' });
    const canUse = await t.gql<{ canUse: { plan: string } }>(`{ canUse(metric: "campaigns") { plan } }`, {}, owner);
    expect(canUse.data?.canUse.plan).toBe('viral_surge');
    const [row] = (await auditRows()).slice(-1);
    expect((row.before as { override: { planKey: string } }).override.planKey).toBe('glow_up');
    expect((row.after as { override: { planKey: string } }).override.planKey).toBe('viral_surge');

    await t.gql(`mutation { adminRevokePlanGrant(businessId: "${BIZ}", reason: "comp over") { businessId } }`, {}, admin);
    const after = await t.gql<{ canUse: { plan: string } }>(`{ canUse(metric: "campaigns") { plan } }`, {}, owner);
    // The trial extended above now decides the plan again.
    expect(after.data?.canUse.plan).toBe('glow_up');
  });

  it('repairs a usage counter set wrong on purpose with adminRecountUsage', async () => {
    for (const name of ['one', 'two']) {
      expect((await t.gql(CREATE_CAMPAIGN, { name }, owner)).errors).toBeUndefined();
    }
    expect(await usageOf(t, BIZ, 'campaigns')).toBe(2);
    // The "reserved, then the process died" window: counted, never created.
    await t.dataSource.query(`UPDATE usage_counters SET used = 5 WHERE business_id = $1 AND metric = 'campaigns'`, [BIZ]);
    const response = await t.gql<{ adminRecountUsage: { usage: { metric: string; used: number }[] } }>(
      `mutation { adminRecountUsage(businessId: "${BIZ}") { usage { metric used } } }`,
      {},
      admin,
    );
    expect(response.data?.adminRecountUsage.usage.find((u) => u.metric === 'campaigns')?.used).toBe(2);
    expect(await usageOf(t, BIZ, 'campaigns')).toBe(2);
    const [row] = (await auditRows()).slice(-1);
    expect(row).toMatchObject({ action: 'recount_usage', after: expect.objectContaining({ usage: { campaigns: { before: 5, after: 2 } } }) });
  });

  it('pages accounts by keyset and filters them', async () => {
    for (const id of ['biz_admin_b', 'biz_admin_c', 'biz_admin_d']) {
      await t.gql(`{ billing { businessId } }`, {}, await t.token({ business: id, role: 'owner', email: `${id}@x.test` }));
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const response: { data?: { adminBillingAccounts: { nodes: { businessId: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null } =
        await t.gql(
          `query($after: String) { adminBillingAccounts(first: 2, after: $after) { nodes { businessId } pageInfo { hasNextPage endCursor } } }`,
          { after },
          admin,
        );
      const { nodes, pageInfo } = response.data!.adminBillingAccounts;
      seen.push(...nodes.map((node) => node.businessId));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(['biz_admin_a', 'biz_admin_b', 'biz_admin_c', 'biz_admin_d']);

    const filtered = await t.gql<{ adminBillingAccounts: { nodes: { businessId: string }[] } }>(
      `{ adminBillingAccounts(filter: { email: "admin_c", trialStatus: "inactive" }) { nodes { businessId } } }`,
      {},
      admin,
    );
    expect(filtered.data?.adminBillingAccounts.nodes).toEqual([{ businessId: 'biz_admin_c' }]);
    const trial = await t.gql<{ adminBillingAccounts: { nodes: { businessId: string }[] } }>(
      `{ adminBillingAccounts(filter: { planKey: "glow_up", billingSyncStatus: "admin_repair" }) { nodes { businessId } } }`,
      {},
      admin,
    );
    expect(trial.data?.adminBillingAccounts.nodes).toEqual([{ businessId: BIZ }]);

    await insertDeadEvent(t, 'evt_admin_dead_d', 'biz_admin_d');
    // Left over its free plan's 1 campaign (e.g. after a downgrade).
    await t.dataSource.query(
      `INSERT INTO usage_counters (business_id, metric, period_start, used) VALUES ('biz_admin_b', 'campaigns', '1970-01-01T00:00:00Z', 3)`,
    );
    const byFilter = async (filter: string) =>
      (await t.gql<{ adminBillingAccounts: { nodes: { businessId: string }[] } }>(`{ adminBillingAccounts(filter: { ${filter} }) { nodes { businessId } } }`, {}, admin))
        .data?.adminBillingAccounts.nodes.map((node) => node.businessId);
    expect(await byFilter('hasDeadLetters: true')).toEqual(['biz_admin_d']);
    expect(await byFilter('overLimit: true')).toEqual(['biz_admin_b']);
    expect(await byFilter('syncedBefore: "2000-01-01T00:00:00Z", planKey: "free"')).toEqual(['biz_admin_b', 'biz_admin_c', 'biz_admin_d']);

    await t.dataSource.query(
      `UPDATE billing_accounts SET subscription_status = CASE business_id WHEN 'biz_admin_b' THEN 'canceled' ELSE 'past_due' END
        WHERE business_id IN ('biz_admin_b', 'biz_admin_c', 'biz_admin_d')`,
    );
    expect(await byFilter('subscriptionStatus: "past_due"')).toEqual(['biz_admin_c', 'biz_admin_d']);
    expect(await byFilter('subscriptionStatus: "canceled"')).toEqual(['biz_admin_b']);
    // Filters and the cursor together: the page after the first past_due account.
    const page = async (filter: string, cursor: string | null) =>
      (
        await t.gql<{ adminBillingAccounts: { nodes: { businessId: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
          `query($after: String) { adminBillingAccounts(first: 1, after: $after, filter: { ${filter} }) { nodes { businessId } pageInfo { hasNextPage endCursor } } }`,
          { after: cursor },
          admin,
        )
      ).data!.adminBillingAccounts;
    const first = await page('subscriptionStatus: "past_due", planKey: "free"', null);
    expect(first).toMatchObject({ nodes: [{ businessId: 'biz_admin_c' }], pageInfo: { hasNextPage: true } });
    const second = await page('subscriptionStatus: "past_due", planKey: "free"', first.pageInfo.endCursor);
    expect(second).toMatchObject({ nodes: [{ businessId: 'biz_admin_d' }], pageInfo: { hasNextPage: false } });
    // A cursor from before biz_admin_b still skips it for the filter, and the filter still narrows.
    const afterA = await page('subscriptionStatus: "canceled"', first.pageInfo.endCursor);
    expect(afterA.nodes).toEqual([]);
    const fromStart = await page('hasDeadLetters: true', (await page('subscriptionStatus: "canceled"', null)).pageInfo.endCursor);
    expect(fromStart.nodes).toEqual([{ businessId: 'biz_admin_d' }]);
  });

  it('adminSyncFromStripe on an account without a Stripe customer returns it unchanged', async () => {
    const view = `businessId stripeCustomerId effectivePlanKey planSource subscribedPlanKey subscriptionStatus billingSyncStatus lastSyncedAt
      trialStatus trialEndsAt onboardingCompleted override { planKey until reason grantedBy }`;
    const before = await t.gql<{ adminBillingAccount: Record<string, unknown> }>(`{ adminBillingAccount(businessId: "biz_admin_c") { ${view} } }`, {}, admin);
    const logs = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM billing_sync_log WHERE business_id = 'biz_admin_c'`))[0].n as number;
    const logsBefore = await logs();
    const synced = await t.gql<{ adminSyncFromStripe: Record<string, unknown> }>(
      `mutation { adminSyncFromStripe(businessId: "biz_admin_c", reason: "check") { ${view} } }`,
      {},
      admin,
    );
    expect(synced.errors).toBeUndefined();
    expect(before.data?.adminBillingAccount.stripeCustomerId).toBeNull();
    expect(synced.data?.adminSyncFromStripe).toEqual(before.data?.adminBillingAccount);
    expect(await logs()).toBe(logsBefore);
    const [row] = (await auditRows()).slice(-1);
    expect(row).toMatchObject({ action: 'sync_from_stripe', reason: 'check', after: expect.objectContaining({ noStripeCustomer: true }) });
  });

  it('keeps dead letters of customers no business owns out of lists and replays unless asked for', async () => {
    await t.dataSource.query(
      `INSERT INTO stripe_events (id, type, livemode, api_version, stripe_created_at, payload, status, attempts, next_attempt_at,
         last_error, customer_id, business_id, received_at)
       VALUES ('evt_admin_unowned', 'customer.subscription.updated', false, '2026-10-28.endive', now(), '{}'::jsonb, 'dead', 1, now(),
         'UNKNOWN_CUSTOMER', 'cus_nobody_owns', NULL, now())`,
    );
    const dead = async (args: string) =>
      (await t.gql<{ adminWebhookEvents: { nodes: { id: string }[] } }>(`{ adminWebhookEvents(status: "dead"${args}, first: 100) { nodes { id } } }`, {}, admin))
        .data?.adminWebhookEvents.nodes.map((node) => node.id);
    expect(await dead('')).not.toContain('evt_admin_unowned');
    expect(await dead('')).toContain('evt_admin_dead_d');
    expect(await dead(', unowned: true')).toEqual(['evt_admin_unowned']);

    const replay = async (args: string) =>
      t.gql<{ adminReplayDeadLetters: { eventIds: string[] } }>(`mutation { adminReplayDeadLetters(${args}) { eventIds } }`, {}, admin);
    const owned = await replay('reason: "owned ones"');
    expect(owned.errors).toBeUndefined();
    expect(owned.data?.adminReplayDeadLetters.eventIds).toContain('evt_admin_dead_d');
    expect(owned.data?.adminReplayDeadLetters.eventIds).not.toContain('evt_admin_unowned');
    const unowned = await replay('unowned: true, reason: "customer linked now"');
    expect(unowned.data?.adminReplayDeadLetters.eventIds).toEqual(['evt_admin_unowned']);
    const both = await replay(`businessId: "${BIZ}", unowned: true`);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers bad input with a code, not a 500', async () => {
    const cases: [string, string][] = [
      [`{ adminBillingAccount(businessId: "a", email: "a@b.c") { businessId } }`, 'BAD_USER_INPUT'],
      [`{ adminBillingAccount(businessId: "nobody") { businessId } }`, 'ACCOUNT_NOT_FOUND'],
      [`{ adminBillingAccounts(after: "garbage") { nodes { businessId } } }`, 'BAD_USER_INPUT'],
      // Refused before it runs: graphql-armor's cost limit counts the page size (400).
      [`{ adminBillingAccounts(first: 1000) { nodes { businessId } } }`, 'GRAPHQL_VALIDATION_FAILED'],
      [`{ adminBillingAccounts(first: 0) { nodes { businessId } } }`, 'BAD_USER_INPUT'],
      [`{ adminBillingAccounts(first: 101) { nodes { businessId } } }`, 'BAD_USER_INPUT'],
      [`mutation { adminGrantPlan(businessId: "${BIZ}", planKey: "platinum", reason: "x") { businessId } }`, 'UNKNOWN_PLAN'],
      [`mutation { adminExtendTrial(businessId: "biz_admin_b", until: "2099-01-01T00:00:00Z", reason: "x") { businessId } }`, 'NOT_APPLICABLE'],
      [`mutation { adminReplayWebhookEvent(eventId: "evt_missing") { businessId } }`, 'EVENT_NOT_FOUND'],
    ];
    for (const [query, code] of cases) {
      const response = await t.gql(query, {}, admin);
      expect({ query, code: response.errors?.[0]?.extensions?.code }).toEqual({ query, code });
    }
  });

  it('POST /api/billing/sync-stripe: owner their own business, admin any, member and strangers refused', async () => {
    const ownerSync = await t.http().post('/api/billing/sync-stripe').set('authorization', `Bearer ${owner}`).send({});
    expect(ownerSync.status).toBe(200);
    expect(ownerSync.body.businessId).toBe(BIZ);
    const other = await t.http().post('/api/billing/sync-stripe').set('authorization', `Bearer ${owner}`).send({ businessId: 'biz_admin_b' });
    expect(other.status).toBe(403);
    const memberSync = await t.http().post('/api/billing/sync-stripe').set('authorization', `Bearer ${member}`).send({});
    expect(memberSync.status).toBe(403);
    expect((await t.http().post('/api/billing/sync-stripe').send({})).status).toBe(401);
    const adminSync = await t.http().post('/api/billing/sync-stripe').set('authorization', `Bearer ${admin}`).send({ businessId: 'biz_admin_b' });
    expect(adminSync.status).toBe(200);
    expect(adminSync.body.businessId).toBe('biz_admin_b');
    expect((await t.http().post('/api/billing/sync-stripe').set('authorization', `Bearer ${admin}`).send({})).status).toBe(400);
  });

  it('keeps /metrics closed when neither METRICS_TOKEN nor METRICS_PORT is set', async () => {
    expect((await t.http().get('/metrics')).status).toBe(404);
    expect((await t.http().get('/metrics').set('authorization', `Bearer ${admin}`)).status).toBe(404);
  });
});

async function insertDeadEvent(t: TestApp, id: string, businessId: string): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO stripe_events (id, type, livemode, api_version, stripe_created_at, payload, status, attempts, next_attempt_at,
       last_error, customer_id, business_id, received_at)
     VALUES ($1, 'invoice.payment_succeeded', false, '2026-10-28.endive', now(), '{}'::jsonb, 'dead', 8, now(), 'Stripe: boom', NULL, $2, now())`,
    [id, businessId],
  );
}
