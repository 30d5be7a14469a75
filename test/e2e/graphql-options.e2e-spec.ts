import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

/** Errors thrown in @ResolveField methods go through the app's exception mapping, as root fields' do. */
describe('GraphQL field resolver errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Few requests allowed: a rate limit counted per field instead of per root field would show.
    t = await createTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '4' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers bad field arguments with BAD_USER_INPUT, not INTERNAL_SERVER_ERROR', async () => {
    await t.gql('{ billing { plan { key } } }', {}, await t.token({ business: 'biz_field', role: 'owner', email: 'o@example.test' }));
    const admin = await t.token({ admin: true, user: 'admin_field' });
    const res = await t.gql('{ adminBillingAccount(businessId: "biz_field") { businessId syncHistory(first: 0) { status } } }', {}, admin);
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]).toMatchObject({ path: ['adminBillingAccount', 'syncHistory'], extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('counts a query with many field resolvers once against the rate limit (guards run on root fields only)', async () => {
    const admin = await t.token({ admin: true, user: 'admin_rate' });
    const res = await t.gql(
      `{ adminBillingAccount(businessId: "biz_field") {
           billing { trial { status } } usage { metric } syncHistory { status } webhookEvents { id } deadLetters { id } auditLog { action } } }`,
      {},
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toBeDefined();
  });
});

/**
 * Introspection, GraphiQL and field suggestions follow the same "development infrastructure"
 * rule as every development convenience: a deployment on real infrastructure that forgets
 * NODE_ENV=production is closed too.
 */
describe('GraphQL exposure', () => {
  const suggestion = '{ plans { kay } }';

  it('is open on development infrastructure (no DATABASE_URL, no real Stripe key)', async () => {
    const dev = await createTestApp();
    try {
      expect(dev.config).toMatchObject({ isProduction: false, developmentInfrastructure: true });
      const schema = await dev.gql<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
      expect(schema.data?.__schema.queryType.name).toBe('Query');
      expect((await dev.gql(suggestion)).errors?.[0].message).toMatch(/Did you mean "key"\?/);
      const page = await dev.http().get('/graphql').set('accept', 'text/html');
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/graphiql/i);
    } finally {
      await dev.close();
    }
  });

  it('is closed on real infrastructure even without NODE_ENV=production', async () => {
    const real = await createTestApp({
      env: {
        // A real Stripe key (no simulator API base): not development infrastructure.
        STRIPE_SECRET_KEY: 'sk_test_real_infrastructure',
        STRIPE_WEBHOOK_SECRET: 'whsec_real_infrastructure',
        AUTH_JWT_SECRET: 'a-real-infrastructure-secret-of-32-chars',
      },
    });
    try {
      expect(real.config).toMatchObject({ isProduction: false, developmentInfrastructure: false });
      expect((await real.gql('{ __schema { queryType { name } } }')).status).toBe(400);
      expect((await real.gql(suggestion)).errors?.[0].message).not.toMatch(/Did you mean/);
      const page = await real.http().get('/graphql').set('accept', 'text/html');
      expect(page.text ?? '').not.toMatch(/graphiql/i);
    } finally {
      await real.close();
    }
  });
});
