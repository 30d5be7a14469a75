import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createTestApp, REPO_ROOT, type TestApp } from '../utils/create-test-app.js';

describe('GraphQL API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '30' } });
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
    expect(res.errors?.map((e) => e.message)).toEqual(['Syntax Error: Query depth limit of 3 exceeded, found 4.']);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a query costlier than GRAPHQL_MAX_COMPLEXITY', async () => {
    const res = await t.gql(`{ a: plans { key name } b: plans { key name } c: plans { key name } d: plans { key name }
      e: plans { key name } f: plans { key name } g: plans { key name } h: plans { key name } }`);
    expect(res.status).toBe(400);
    expect(res.errors?.map((e) => e.message)).toEqual(['Syntax Error: Query Cost limit of 30 exceeded, found 40.']);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses more aliases, directives or tokens than allowed', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: plans { key }`).join(' ');
    const tooManyAliases = await t.gql(`{ ${aliases} }`);
    expect(tooManyAliases.status).toBe(400);
    expect(tooManyAliases.errors?.map((e) => e.message)).toContain('Syntax Error: Aliases limit of 15 exceeded, found 16.');

    const directives = Array.from({ length: 51 }, () => '@include(if: true)').join(' ');
    const tooManyDirectives = await t.gql(`{ __typename ${directives} }`);
    expect(tooManyDirectives.status).toBe(400);
    expect(tooManyDirectives.errors?.[0]?.message).toBe('Syntax Error: Directives limit of 50 exceeded, found 51.');

    const tooManyTokens = await t.gql(`{ ${'__typename '.repeat(1000)} }`);
    expect(tooManyTokens.status).toBe(400);
    expect(tooManyTokens.errors?.[0]?.message).toBe('Syntax Error: Document contains more that 1000 tokens. Parsing aborted.');
    expect(tooManyTokens.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('serves a query within every limit', async () => {
    const res = await t.gql('{ plans { key limits { metric } } }');
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });

  it('suggests field names outside production (they are masked in production, see graphql-options.factory.spec.ts)', async () => {
    const res = await t.gql('{ plans { kay } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toBe('Cannot query field "kay" on type "Plan". Did you mean "key"?');
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
