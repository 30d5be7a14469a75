import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import type { AccountRole } from '../../src/auth/auth-account.types.js';
import { AuthService } from '../../src/auth/auth.service.js';
import { Clock } from '../../src/clock/clock.js';
import type { AppConfig } from '../../src/config/app-config.types.js';
import { configureApp } from '../../src/configure-app.js';
import { loadAppConfig } from '../../src/app-config.sections.js';
import type { RawEnvironment } from '../../src/config/load-config.js';
import { createTestDatabase, dropTestDatabase } from './test-database.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[];
}

/** The code of a GraphQL answer's first error; undefined when it has none. */
export function errorCode(res: GraphqlResponse<unknown>): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  databaseUrl: string;
  dataSource: DataSource;
  http: () => ReturnType<typeof request>;
  token(claims: { business?: string; role?: AccountRole; admin?: boolean; email?: string; user?: string; expiresIn?: string }): Promise<string>;
  /** POST /graphql, as `token`'s bearer when given, with extra `headers` (e.g. an Idempotency-Key). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphqlResponse<T>>;
  /** Stops the app; drops its database unless it was given one or `keepDatabase` is set. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export function testConfig(env: RawEnvironment = {}): AppConfig {
  // Rate limits high enough for the concurrency tests; rate-limit.e2e-spec.ts sets its own.
  const result = loadAppConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_MAX_REQUESTS: '1000000', ...env }, REPO_ROOT);
  if (!result.ok) throw new Error(`test config invalid:\n${result.errors.join('\n')}`);
  return result.config;
}

/**
 * Boots the real AppModule on a real PostgreSQL database. Pass `databaseUrl` to start a
 * second instance on the same database (scale-out tests); otherwise a fresh one is made.
 */
export async function createTestApp(
  options: { env?: RawEnvironment; databaseUrl?: string; listenPort?: number; clock?: Clock } = {},
): Promise<TestApp> {
  const ownsDatabase = !options.databaseUrl;
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  // As main.ts does with the embedded PostgreSQL: the URL is filled in after validation, so the
  // tests run on development infrastructure. Production always has a DATABASE_URL, so it is
  // validated as one there (tests of the other secure-default rules pass it themselves).
  const env = options.env?.NODE_ENV === 'production' ? { DATABASE_URL: databaseUrl, ...options.env } : options.env;
  const config = { ...testConfig(env), databaseUrl };
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  // A ManualClock moves the whole app's notion of now (see src/clock/clock.ts).
  if (options.clock) builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ rawBody: true, logger: false });
  configureApp(app);
  if (options.listenPort !== undefined) {
    // Real deliveries (the Stripe simulator) need a listening socket, not just supertest.
    await app.listen(options.listenPort, '127.0.0.1');
  } else {
    await app.init();
  }
  const http = () => request(app.getHttpServer());
  const auth = app.get(AuthService);

  return {
    app,
    config,
    databaseUrl,
    dataSource: app.get(DataSource),
    http,
    token: (claims) =>
      auth.sign({
        userId: claims.user ?? `user_${claims.business ?? 'admin'}_${claims.role ?? 'admin'}`,
        businessId: claims.business,
        role: claims.role,
        admin: claims.admin,
        email: claims.email,
        expiresIn: claims.expiresIn,
      }),
    async gql(query, variables, token, headers = {}) {
      const req = http().post('/graphql').set('content-type', 'application/json').set(headers);
      if (token) req.set('authorization', `Bearer ${token}`);
      const res = await req.send({ query, variables });
      return { status: res.status, data: res.body.data, errors: res.body.errors };
    },
    async close(closeOptions) {
      await app.close();
      if (ownsDatabase && !closeOptions?.keepDatabase) await dropTestDatabase(databaseUrl);
    },
  };
}
