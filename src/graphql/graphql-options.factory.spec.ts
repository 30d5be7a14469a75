import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { loadAppConfig as loadConfig } from '../app-config.sections.js';
import { buildGraphqlOptions } from './graphql-options.factory.js';
import { productionEnv } from '../../test/factories/production-env.factory.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Real infrastructure without NODE_ENV=production: a Stripe key used against Stripe itself. */
const REAL = {
  STRIPE_SECRET_KEY: 'sk_test_real_infrastructure',
  STRIPE_WEBHOOK_SECRET: 'whsec_real_infrastructure',
  AUTH_JWT_SECRET: 'a-real-infrastructure-secret-of-32-chars',
};
const PRODUCTION = productionEnv();

function configFor(env: Record<string, string>) {
  const result = loadConfig(env, ROOT);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** Runs a GraphQL error through every plugin's didEncounterErrors, as Apollo does. */
async function messageAfterPlugins(env: Record<string, string>, message: string): Promise<string> {
  const options = buildGraphqlOptions(configFor(env));
  const error = new GraphQLError(message);
  const context = { errors: [error] } as unknown as GraphQLRequestContext<object>;
  for (const plugin of (options.plugins ?? []) as ApolloServerPlugin<object>[]) {
    const listener = (await plugin.requestDidStart?.(context)) as GraphQLRequestListener<object> | undefined;
    await listener?.didEncounterErrors?.(context as never);
  }
  return error.message;
}

describe('buildGraphqlOptions', () => {
  const suggestion = 'Cannot query field "kay" on type "Plan". Did you mean "key"?';

  it('masks field suggestions off development infrastructure, whatever NODE_ENV says', async () => {
    expect(await messageAfterPlugins(REAL, suggestion)).toBe('Cannot query field "kay" on type "Plan". [Suggestion hidden]?');
    expect(await messageAfterPlugins(PRODUCTION, suggestion)).toBe(
      'Cannot query field "kay" on type "Plan". [Suggestion hidden]?',
    );
  });

  it('keeps them on development infrastructure, where introspection is open anyway', async () => {
    expect(await messageAfterPlugins({}, suggestion)).toBe(suggestion);
  });

  it('serves introspection and GraphiQL only on development infrastructure', () => {
    expect(buildGraphqlOptions(configFor({}))).toMatchObject({ introspection: true, graphiql: true });
    expect(buildGraphqlOptions(configFor(REAL))).toMatchObject({ introspection: false, graphiql: false });
    expect(buildGraphqlOptions(configFor(PRODUCTION))).toMatchObject({ introspection: false, graphiql: false });
  });

  it('maps errors of field resolvers through the exception filter, without running guards per field', () => {
    expect(buildGraphqlOptions(configFor({})).fieldResolverEnhancers).toEqual(['filters']);
  });
});
