import type { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.types.js';

/** Fixed armor limits: generous for this API's queries, far below what hurts the server. */
export const GRAPHQL_ARMOR_LIMITS = { maxAliases: 15, maxDirectives: 50, maxTokens: 1000 } as const;

/**
 * Code-first schema, built in memory at boot; `npm run schema:print` writes schema.gql and a
 * test fails when the committed file differs from what the code builds.
 */
export function buildGraphqlOptions(config: AppConfig): Omit<ApolloDriverConfig, 'driver'> {
  // graphql-armor answers every refusal with BAD_USER_INPUT and HTTP 400, before execution.
  const armor = new ApolloArmor({
    maxDepth: { n: config.graphql.maxDepth, flattenFragments: true },
    costLimit: { maxCost: config.graphql.maxComplexity },
    maxAliases: { n: GRAPHQL_ARMOR_LIMITS.maxAliases },
    maxDirectives: { n: GRAPHQL_ARMOR_LIMITS.maxDirectives },
    // Armor's token plugin throws outside Apollo's parse step (HTTP 500); graphql-js counts
    // tokens itself in `parseOptions` below, answered 400 GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    // "Did you mean ...?" maps the schema for an attacker once introspection is off.
    blockFieldSuggestion: { enabled: !config.developmentInfrastructure },
  }).protect();
  return {
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    // Development conveniences follow the one rule config uses for all of them: open only on
    // development infrastructure (no DATABASE_URL, no real Stripe key, not production), so a
    // deployment that forgets NODE_ENV=production does not serve its schema.
    introspection: config.developmentInfrastructure,
    graphiql: config.developmentInfrastructure,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: armor.allowBatchedHttpRequests,
    // Let AppExceptionFilter's 503/429 reach the HTTP status (Nest would reset it to 200).
    preserveHttpStatusForExecutionErrors: false,
    // Our AppExceptionFilter already turns every error into a GraphQLError with a code.
    autoTransformHttpErrors: false,
    parseOptions: { maxTokens: GRAPHQL_ARMOR_LIMITS.maxTokens },
    validationRules: armor.validationRules,
    // graphql-armor is CommonJS and types its plugins against Apollo's CJS build; same runtime objects.
    plugins: armor.plugins as NonNullable<ApolloDriverConfig['plugins']>,
    context: ({ req, res }: { req: Request; res: Response }) => ({ req, res }),
    // Errors thrown in @ResolveField methods go through AppExceptionFilter too (else Apollo shows
    // INTERNAL_SERVER_ERROR). Not 'guards': the global guards (rate limit, auth) would then run once
    // per resolved field, counting one query many times against the rate limit.
    fieldResolverEnhancers: ['filters'],
  };
}
