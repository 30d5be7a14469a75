import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every static environment variable the service reads, with its rule. Defaults live in
 * `load-config.ts` so that production can tell "unset" from "set to the default".
 * Per-plan price ids (STRIPE_<PLAN>_<INTERVAL>_PRICE_ID) depend on the catalog and are
 * checked there.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(NODE_ENVS)
  NODE_ENV?: NodeEnv;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  EMBEDDED_PG_DIR?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_PG_PORT?: number;

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL?: LogLevel;

  @IsOptional()
  @IsString()
  @MinLength(32)
  AUTH_JWT_SECRET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTH_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  AUTH_JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  AUTH_JWT_AUDIENCE?: string;

  @IsOptional()
  @IsString()
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  STRIPE_API_BASE?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(65535)
  STRIPE_SIM_PORT?: number;

  @IsOptional()
  @IsString()
  PLAN_CATALOG_PATH?: string;

  @IsOptional()
  @IsIn(['true', 'false'])
  WEBHOOK_WORKER_ENABLED?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_MAX_ATTEMPTS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  WEBHOOK_RETRY_BASE_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(600_000)
  WEBHOOK_POLL_INTERVAL_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  WEBHOOK_TOLERANCE_SECONDS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60)
  PAST_DUE_GRACE_DAYS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(50)
  GRAPHQL_MAX_DEPTH?: number;

  /** Checked against the catalog's metrics in load-config.ts; ignored in production. */
  @IsOptional()
  @IsString()
  PLAN_VALIDATION_BYPASS?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(100000)
  GRAPHQL_MAX_COMPLEXITY?: number;

  /** Seconds, or a number with s, m, h or d; range checked in load-config.ts. */
  @IsOptional()
  @Matches(/^\d+[smhd]?$/, { message: 'must be a duration such as 86400, 90m, 24h or 7d' })
  AUTH_MAX_TOKEN_AGE?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  RATE_LIMIT_WINDOW_SECONDS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_MAX_REQUESTS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_MAX_AUTH_FAILURES?: number;
}

/** One-line hints printed beside a bad or missing variable. Keep in step with .env.example. */
export const ENVIRONMENT_HINTS: Record<keyof EnvironmentVariables, string> = {
  NODE_ENV: 'one of development, test, production (default development)',
  PORT: 'HTTP port, 1-65535 (default 3000)',
  DATABASE_URL: 'postgres://user:password@host:5432/db; unset outside production = embedded PostgreSQL',
  EMBEDDED_PG_DIR: 'data folder of the embedded PostgreSQL (default .data/postgres)',
  EMBEDDED_PG_PORT: 'first port tried for the embedded PostgreSQL (default 5432; the next free one is used)',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent (default info)',
  AUTH_JWT_SECRET: 'HS256 secret of at least 32 characters shared with your identity provider',
  AUTH_JWKS_URL: 'https URL of your identity provider JWKS (RS256/ES256); needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE',
  AUTH_JWT_ISSUER: 'expected `iss` claim (required with AUTH_JWKS_URL)',
  AUTH_JWT_AUDIENCE: 'expected `aud` claim (required with AUTH_JWKS_URL)',
  STRIPE_SECRET_KEY: 'sk_live_... or sk_test_... from the Stripe dashboard; unset outside production = local simulator',
  STRIPE_WEBHOOK_SECRET: 'whsec_... of the webhook endpoint; several comma-separated during a rotation',
  STRIPE_API_BASE: 'override of the Stripe API address, e.g. http://127.0.0.1:12111 for the simulator',
  STRIPE_SIM_PORT: 'port of the Stripe simulator (npm run stripe:sim, and npm start without STRIPE_SECRET_KEY); default 12111, the next free one if busy',
  PLAN_CATALOG_PATH: 'path of the plan catalog JSON (default catalogs/default.json)',
  WEBHOOK_WORKER_ENABLED: 'true or false: whether this instance processes the webhook inbox (default true)',
  WEBHOOK_MAX_ATTEMPTS: 'attempts before a webhook event is dead-lettered, 1-100 (default 8)',
  WEBHOOK_RETRY_BASE_MS: 'first retry delay of a failed webhook event in ms, doubled per attempt up to 1 h (default 5000)',
  WEBHOOK_POLL_INTERVAL_MS: 'how often the inbox is polled besides LISTEN/NOTIFY, in ms (default 2000)',
  WEBHOOK_TOLERANCE_SECONDS: 'largest accepted age of a Stripe-Signature timestamp in seconds (default 300)',
  PAST_DUE_GRACE_DAYS: 'days a past_due subscription keeps its plan, 0-60 (default 7)',
  GRAPHQL_MAX_DEPTH: 'deepest GraphQL selection allowed, 2-50 (default 10)',
  GRAPHQL_MAX_COMPLEXITY: 'largest GraphQL query cost allowed, as graphql-armor counts it (default 1000)',
  PLAN_VALIDATION_BYPASS:
    'development only: `all` or comma-separated catalog metrics (e.g. campaigns,creators) whose limits are not enforced; ignored in production',
  AUTH_MAX_TOKEN_AGE: 'longest token lifetime accepted (exp minus iat), 1m-30d, e.g. 86400, 90m, 24h, 7d (default 24h)',
  RATE_LIMIT_WINDOW_SECONDS: 'rate-limit window in seconds, 1-3600 (default 60)',
  RATE_LIMIT_MAX_REQUESTS: 'GraphQL and REST requests per window, per token (else per IP) (default 600)',
  RATE_LIMIT_MAX_AUTH_FAILURES: 'failed authentications per window per IP before 429 (default 20)',
};
