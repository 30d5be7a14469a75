import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { Request, Response } from 'express';
import depthLimit from 'graphql-depth-limit';
import type { AppConfig } from '../config/app-config.types.js';
import { queryComplexityPlugin } from './query-complexity.plugin.js';

/**
 * Code-first schema, built in memory at boot; `npm run schema:print` writes schema.gql and a
 * test fails when the committed file differs from what the code builds.
 */
export function buildGraphqlOptions(config: AppConfig): Omit<ApolloDriverConfig, 'driver'> {
  return {
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    introspection: !config.isProduction,
    graphiql: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    // Our AppExceptionFilter already turns every error into a GraphQLError with a code.
    autoTransformHttpErrors: false,
    validationRules: [depthLimit(config.graphql.maxDepth)],
    plugins: [queryComplexityPlugin(config.graphql.maxComplexity)],
    context: ({ req, res }: { req: Request; res: Response }) => ({ req, res }),
  };
}
