import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AuthService } from '../../src/auth/auth.service.js';
import { SignJWT } from 'jose';
import { signedEvent } from '../factories/stripe-event.factory.js';
import { productionEnv } from '../factories/production-env.factory.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';

const BILLING = '{ billing { businessId } }';
const WEBHOOK_SECRET = 'whsec_secure_defaults_test';

describe('secure defaults', () => {
  describe('tokens must carry exp and live at most AUTH_MAX_TOKEN_AGE', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { AUTH_MAX_TOKEN_AGE: '24h' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    const sign = (lifetime: number | undefined, withIat = true) => {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ business_id: 'biz_tokens', role: 'owner' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u1');
      if (withIat) jwt.setIssuedAt(now);
      if (lifetime !== undefined) jwt.setExpirationTime(now + lifetime);
      return jwt.sign(new TextEncoder().encode(t.config.auth.jwtSecret!));
    };

    it('accepts a token living 24 h', async () => {
      const res = await t.gql(BILLING, undefined, await sign(86_400));
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ billing: { businessId: 'biz_tokens' } });
    });

    it('refuses a token without exp', async () => {
      const res = await t.gql(BILLING, undefined, await sign(undefined));
      expect(res.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        ['UNAUTHENTICATED', 'Invalid token: missing required "exp" claim'],
      ]);
    });

    it('refuses to mint (npm run cli -- token) a token living longer than AUTH_MAX_TOKEN_AGE', async () => {
      await expect(t.token({ business: 'biz_tokens', role: 'owner', expiresIn: '7d' })).rejects.toThrow(/at most 86400 s \(AUTH_MAX_TOKEN_AGE\)/);
      await expect(t.token({ business: 'biz_tokens', role: 'owner', expiresIn: '24h' })).resolves.toMatch(/^ey/);
    });

    it('refuses a token living longer, with or without iat', async () => {
      const long = await t.gql(BILLING, undefined, await sign(7 * 86_400));
      expect(long.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        ['UNAUTHENTICATED', 'Invalid token: token lifetime of 604800 s exceeds the 86400 s allowed (AUTH_MAX_TOKEN_AGE)'],
      ]);
      const noIat = await t.gql(BILLING, undefined, await sign(7 * 86_400, false));
      expect(noIat.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('verifies a token once per request, however many root fields the guard runs for', async () => {
      const auth = t.app.get(AuthService);
      const spy = jest.spyOn(auth, 'verify');
      try {
        const res = await t.gql('{ a: billing { businessId } b: billing { businessId } c: billing { businessId } }', undefined, await sign(3_600));
        expect(res.errors).toBeUndefined();
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('rate limits', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: {
          RATE_LIMIT_WINDOW_SECONDS: '60',
          RATE_LIMIT_MAX_REQUESTS: '3',
          RATE_LIMIT_MAX_AUTH_FAILURES: '2',
          STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          WEBHOOK_WORKER_ENABLED: 'false',
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers GraphQL 429 TOO_MANY_REQUESTS with Retry-After past the limit, per token', async () => {
      const token = await t.token({ business: 'biz_rate', role: 'owner' });
      const post = (bearer: string) => t.http().post('/graphql').set('authorization', `Bearer ${bearer}`).send({ query: BILLING });
      for (let i = 0; i < 3; i++) expect((await post(token)).status).toBe(200);
      const limited = await post(token);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['TOO_MANY_REQUESTS']);
      // Another user has a budget of their own.
      const other = await t.token({ business: 'biz_rate_other', role: 'owner' });
      expect((await post(other)).status).toBe(200);
    });

    it('limits REST the same way, and callers without a token per IP', async () => {
      const token = await t.token({ business: 'biz_rate_rest', role: 'owner' });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await t.http().get('/api/campaigns/can-create').set('authorization', `Bearer ${token}`)).status);
      expect(codes).toEqual([200, 200, 200, 429]);
      const limited = await t.http().get('/api/campaigns/can-create').set('authorization', `Bearer ${token}`);
      expect(limited.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS', retryable: true });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

      const anonymous: number[] = [];
      for (let i = 0; i < 4; i++) anonymous.push((await t.gql('{ plans { key } }')).status);
      expect(anonymous).toEqual([200, 200, 200, 429]);
    });

    it('does not limit the Stripe webhook route', async () => {
      for (let i = 0; i < 6; i++) {
        const event = signedEvent({ secret: WEBHOOK_SECRET });
        const res = await t.http().post('/api/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', event.signature).send(event.body);
        expect(res.status).toBe(200);
      }
    });
  });

  describe('rate limits count HTTP requests, per verified token', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { RATE_LIMIT_WINDOW_SECONDS: '60', RATE_LIMIT_MAX_REQUESTS: '3' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    const post = (body: unknown, bearer?: string) => {
      const req = t.http().post('/graphql').set('content-type', 'application/json');
      if (bearer) req.set('authorization', `Bearer ${bearer}`);
      return req.send(body as object);
    };
    const codes = (res: { body: { errors?: { extensions?: { code?: string } }[] } }) => res.body.errors?.map((e) => e.extensions?.code);

    it('counts a forged bearer on a public field against the IP: a fresh one per request does not escape the limit', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post({ query: '{ plans { key } }' }, `forged.${i}.${Math.random()}`)).status);
      expect(statuses).toEqual([200, 200, 200]);
      const limited = await post({ query: '{ plans { key } }' }, `forged.last.${Math.random()}`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(codes(limited)).toEqual(['TOO_MANY_REQUESTS']);
      // Without a bearer the same IP is over its budget too: the forged ones were counted there.
      expect((await post({ query: '{ plans { key } }' })).status).toBe(429);
      // @SkipRateLimit() routes stay open to the same IP.
      expect((await t.http().get('/health')).status).toBe(200);
    });

    it('counts requests that fail parsing or validation, and __typename-only queries, and answers them 429 once over', async () => {
      const token = await t.token({ business: 'biz_rate_invalid', role: 'owner' });
      expect((await post({ query: '{ __typename }' }, token)).status).toBe(200);
      expect(codes(await post({ query: '{ nope }' }, token))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(codes(await post({ query: '{' }, token))).toEqual(['GRAPHQL_PARSE_FAILED']);
      const valid = await post({ query: BILLING }, token);
      expect(valid.status).toBe(429);
      expect(Number(valid.headers['retry-after'])).toBeGreaterThan(0);
      const invalid = await post({ query: '{' }, token);
      expect(invalid.status).toBe(429);
      expect(codes(invalid)).toEqual(['TOO_MANY_REQUESTS']);
    });

    it('counts the GraphQL path however Express matches it (case, trailing slash)', async () => {
      const token = await t.token({ business: 'biz_rate_case', role: 'owner' });
      const statuses: number[] = [];
      for (const path of ['/GRAPHQL', '/graphql/', '/Graphql']) {
        statuses.push((await t.http().post(path).set('authorization', `Bearer ${token}`).send({ query: BILLING })).status);
      }
      expect(statuses).toEqual([200, 200, 200]);
      expect((await t.http().post('/graphql').set('authorization', `Bearer ${token}`).send({ query: BILLING })).status).toBe(429);
    });

    it("gives a user one budget, however many of the user's tokens it spreads requests over", async () => {
      const claims = { business: 'biz_rate_user', role: 'owner' as const, user: 'user_rate_one' };
      const tokens = await Promise.all(['1h', '2h', '3h', '4h'].map((expiresIn) => t.token({ ...claims, expiresIn })));
      expect(new Set(tokens).size).toBe(4);
      const statuses: number[] = [];
      for (const token of tokens) statuses.push((await post({ query: BILLING }, token)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    });

    it('counts one HTTP request once, whatever its number of root fields', async () => {
      const token = await t.token({ business: 'biz_rate_fields', role: 'owner' });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post({ query: '{ plans { key } billing { businessId } }' }, token)).status);
      expect(statuses).toEqual([200, 200, 200]);
      expect((await post({ query: BILLING }, token)).status).toBe(429);
    });
  });

  describe('failed authentications', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { RATE_LIMIT_MAX_AUTH_FAILURES: '3' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 429 instead of 401 once an IP failed too often, even with a fresh forged token each time', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.http().get('/api/campaigns/can-create').set('authorization', `Bearer forged.${i}.token`);
        codes.push(res.status);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      // A valid token still works: only failures are limited.
      const token = await t.token({ business: 'biz_auth_ok', role: 'owner' });
      expect((await t.http().get('/api/campaigns/can-create').set('authorization', `Bearer ${token}`)).status).toBe(200);
    });
  });

  it('starts with NODE_ENV=production and everything set, closed to development conveniences', async () => {
    const prod = await createTestApp({
      env: productionEnv(),
    });
    try {
      expect(prod.config).toMatchObject({ isProduction: true, developmentInfrastructure: false, auth: { usingDevelopmentSecret: false } });
      expect((await prod.http().get('/health')).status).toBe(200);
      const token = await prod.token({ business: 'biz_prod_boot', role: 'owner' });
      const res = await prod.gql(BILLING, undefined, token);
      expect(res.data).toEqual({ billing: { businessId: 'biz_prod_boot' } });
      // Introspection is off in production.
      expect((await prod.gql('{ __schema { types { name } } }')).status).toBe(400);
    } finally {
      await prod.close();
    }
  });
});
