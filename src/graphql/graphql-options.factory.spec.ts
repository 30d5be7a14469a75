import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { loadAppConfig as loadConfig } from '../app-config.sections.js';
import { buildGraphqlOptions } from './graphql-options.factory.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a GraphQL error through every plugin's didEncounterErrors, as Apollo does. */
async function messageAfterPlugins(isProduction: boolean, message: string): Promise<string> {
  const result = loadConfig({}, ROOT);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const options = buildGraphqlOptions({ ...result.config, isProduction });
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

  it('masks field suggestions in production', async () => {
    expect(await messageAfterPlugins(true, suggestion)).toBe('Cannot query field "kay" on type "Plan". [Suggestion hidden]?');
  });

  it('keeps them outside production, where introspection is open anyway', async () => {
    expect(await messageAfterPlugins(false, suggestion)).toBe(suggestion);
  });
});
