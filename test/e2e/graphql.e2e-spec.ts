import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createTestApp, REPO_ROOT, type TestApp } from '../utils/create-test-app.js';

describe('GraphQL API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { GRAPHQL_MAX_DEPTH: '2', GRAPHQL_MAX_COMPLEXITY: '10' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('matches the committed schema.gql (run `npm run schema:print` after an API change)', () => {
    const live = `${printSchema(lexicographicSortSchema(t.app.get(GraphQLSchemaHost).schema))}\n`;
    expect(live).toBe(readFileSync(join(REPO_ROOT, 'schema.gql'), 'utf8'));
  });

  it('refuses a query deeper than GRAPHQL_MAX_DEPTH', async () => {
    const res = await t.gql('{ billing { plan { limits { metric } } } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/exceeds maximum operation depth/);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a query costlier than GRAPHQL_MAX_COMPLEXITY', async () => {
    const res = await t.gql(`{ a: plans { key name } b: plans { key name } c: plans { key name } d: plans { key name }
      e: plans { key name } f: plans { key name } g: plans { key name } h: plans { key name } }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('serves a query within both limits', async () => {
    const res = await t.gql('{ plans { key limits { metric } } }');
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });

  it('answers an unknown field with a validation code, not a 500', async () => {
    const res = await t.gql('{ plans { nope } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.http().post('/graphql').set('content-type', 'application/json').send('{"query":');
    expect(res.status).toBe(400);
  });
});
