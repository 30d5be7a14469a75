import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { CAN_USE, CREATE_CAMPAIGN, START_SEARCH, campaignCount, usageOf } from '../utils/enforcement-helpers.js';

const NUL = '\u0000';

describe('hostile input', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token({ business: 'biz_hostile', role: 'member' });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('a NUL character in any string argument is BAD_USER_INPUT, and nothing is written', () => {
    it('GraphQL input object field (campaign name), as a variable or inline', async () => {
      const asVariable = await t.gql(CREATE_CAMPAIGN, { name: `launch${NUL}` }, token);
      expect(asVariable.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(asVariable.errors?.[0]?.message).toBe('Invalid input: input.name contains a NUL character (\\u0000)');
      const inline = await t.gql('mutation { createCampaign(input: { name: "a\\u0000b" }) { id } }', undefined, token);
      expect(inline.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(await campaignCount(t, 'biz_hostile')).toBe(0);
      expect(await usageOf(t, 'biz_hostile', 'campaigns')).toBe(0);
    });

    it('GraphQL search query and a plain String argument', async () => {
      const search = await t.gql(START_SEARCH, { query: `${NUL}skincare`, n: 1 }, token);
      expect(search.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(await usageOf(t, 'biz_hostile', 'creators')).toBe(0);
      const canUse = await t.gql(CAN_USE, { metric: `campaigns${NUL}` }, token);
      expect(canUse.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(canUse.errors?.[0]?.message).toBe('Invalid input: metric contains a NUL character (\\u0000)');
    });

    it('REST JSON body, in a value or in a key', async () => {
      const value = await t.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send({ name: `x${NUL}` });
      expect(value.status).toBe(400);
      expect(value.body).toMatchObject({ statusCode: 400, code: 'BAD_USER_INPUT', errors: ['name: must not contain a NUL character'] });
      const key = await t.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send({ name: 'ok', [`n${NUL}`]: 1 });
      expect(key.status).toBe(400);
      expect(key.body.code).toBe('BAD_USER_INPUT');
      expect(await campaignCount(t, 'biz_hostile')).toBe(0);
    });

    it('REST query parameter (the routes that read one)', async () => {
      const checkoutReturn = await t.http().get('/billing/checkout/return?session_id=cs_%00x');
      expect(checkoutReturn.status).toBe(400);
      expect(checkoutReturn.body).toMatchObject({ statusCode: 400, code: 'BAD_USER_INPUT', errors: ['session_id: must not contain a NUL character'] });
      const page = await t.http().get('/billing?checkout=success%00');
      expect(page.status).toBe(400);
      // The page's own content type (text/html) does not stay on the JSON error answer.
      expect(page.headers['content-type']).toMatch(/^application\/json/);
      expect(page.body).toMatchObject({ code: 'BAD_USER_INPUT', errors: ['checkout: must not contain a NUL character'] });
    });
  });

  describe('REST bodies', () => {
    it('an unknown field is 400 BAD_USER_INPUT, and nothing is written', async () => {
      const res = await t.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send({ name: 'ok', owner: 'me' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'BAD_USER_INPUT', errors: ['owner: property owner should not exist'] });
      expect(await campaignCount(t, 'biz_hostile')).toBe(0);
      expect(await usageOf(t, 'biz_hostile', 'campaigns')).toBe(0);
    });

    it('a JSON body over 512 kB is 413 PAYLOAD_TOO_LARGE, for REST and GraphQL', async () => {
      const big = { name: 'x'.repeat(513 * 1024) };
      const rest = await t.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send(big);
      expect(rest.status).toBe(413);
      expect(rest.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
      const graphql = await t.http().post('/graphql').set('authorization', `Bearer ${token}`).send({ query: CREATE_CAMPAIGN, variables: big });
      expect(graphql.status).toBe(413);
      expect(await campaignCount(t, 'biz_hostile')).toBe(0);
      // Just under the limit is parsed (and then judged on its content).
      const under = await t.http().post('/api/campaigns').set('authorization', `Bearer ${token}`).send({ name: 'x'.repeat(500 * 1024) });
      expect(under.status).toBe(400);
      expect(under.body.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('GraphQL variables of the wrong type are HTTP 400 BAD_USER_INPUT', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['a fraction for Int!', { query: 'q', n: 1.5 }],
      ['a string for Int!', { query: 'q', n: 'abc' }],
      ['1e12 for Int! (beyond 32 bits)', { query: 'q', n: 1e12 }],
      ['a missing required variable', { query: 'q' }],
    ];
    it.each(cases)('%s', async (_name, variables) => {
      const res = await t.gql(START_SEARCH, variables, token);
      expect(res.status).toBe(400);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(res.data).toBeUndefined();
    });

    const INPUT = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`;
    it('an unknown field in an input object', async () => {
      const res = await t.gql(INPUT, { input: { name: 'a', owner: 'me' } }, token);
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/Field "owner" is not defined by type "CreateCampaignInput"/);
    });

    it('a __proto__ field in an input object', async () => {
      const body = `{"query":${JSON.stringify(INPUT)},"variables":{"input":{"name":"a","__proto__":{"admin":true}}}}`;
      const res = await t.http().post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${token}`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await campaignCount(t, 'biz_hostile')).toBe(0);
    });
  });

  it('cyclic fragments are HTTP 400, not a stack overflow', async () => {
    const res = await t.gql('query { ...A } fragment A on Query { plans { key } ...B } fragment B on Query { ...A }');
    expect(res.status).toBe(400);
    expect(res.errors?.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.map((e) => e.message)).toContain('Cannot spread fragment "A" within itself via "B".');
  });
});
