import { Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

/** A duration with its unit: 500ms, 30s, 15m, 72h, 3d. */
export const DURATION_PATTERN = /^\d+(ms|s|m|h|d)$/;

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every static environment variable the service reads, with its rule. Defaults live in
 * `load-config.ts` so that production can tell "unset" from "set to the default".
 * Per-plan price ids (STRIPE_<PLAN>_<INTERVAL>_PRICE_ID) depend on the catalog and are
 * checked by the plans module's config section (src/plans/plan-config.util.ts).
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
  @IsIn(['true', 'false'])
  STRIPE_TEST_MODE_IN_PRODUCTION?: string;

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
  @Matches(DURATION_PATTERN)
  WEBHOOK_RETRY_WINDOW?: string;

  @IsOptional()
  @Matches(DURATION_PATTERN)
  WEBHOOK_RETRY_MAX_DELAY?: string;

  @IsOptional()
  @Matches(DURATION_PATTERN)
  WEBHOOK_FALLBACK_AFTER?: string;

  @IsOptional()
  @Matches(DURATION_PATTERN)
  WEBHOOK_UNOWNED_AFTER?: string;

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
  @Max(32)
  WEBHOOK_WORKER_CONCURRENCY?: number;

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
  @Min(100)
  @Max(3_600_000)
  ENTITLEMENTS_CACHE_TTL_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(600_000)
  LISTENER_HEARTBEAT_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(50)
  GRAPHQL_MAX_DEPTH?: number;

  /**
   * Checked against the catalog's metrics, and refused off development infrastructure, by the
   * enforcement module's config section (src/enforcement/enforcement-config.util.ts).
   */
  @IsOptional()
  @IsString()
  PLAN_VALIDATION_BYPASS?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(100000)
  GRAPHQL_MAX_COMPLEXITY?: number;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  APP_URL?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PUBLIC_URL?: string;

  @IsOptional()
  @Matches(/^\/[^?#\s]*$/)
  BILLING_RETURN_PATH?: string;

  @IsOptional()
  @IsIn(['true', 'false'])
  BILLING_PAGE_ENABLED?: string;

  /** Checked as a cron expression in load-config.ts. */
  @IsOptional()
  @IsString()
  TRIAL_EXPIRY_CRON?: string;

  @IsOptional()
  @IsIn(['true', 'false'])
  TRIAL_EXPIRY_ENABLED?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  TRIAL_EXPIRY_BATCH?: number;

  /** Checked as a cron expression in load-config.ts; `off` disables the job. */
  @IsOptional()
  @IsString()
  RECONCILE_CRON?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  RECONCILE_MAX_RPS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(65535)
  METRICS_PORT?: number;

  /** An IP address (v4 or v6), not a host name: what it binds to must not depend on DNS. */
  @IsOptional()
  @IsIP()
  METRICS_HOST?: string;

  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(604_800)
  WEBHOOK_BACKLOG_ALERT_S?: number;

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
  STRIPE_SECRET_KEY:
    'sk_live_... or sk_test_... from the Stripe dashboard (a live key only with NODE_ENV=production); unset = the in-process simulator, on development infrastructure only (refused with DATABASE_URL set, and in production)',
  STRIPE_WEBHOOK_SECRET: 'whsec_... of the webhook endpoint; several comma-separated during a rotation',
  STRIPE_API_BASE: 'override of the Stripe API address, e.g. http://127.0.0.1:12111 for the simulator',
  STRIPE_SIM_PORT: 'port of the Stripe simulator (npm run stripe:sim, and npm start without STRIPE_SECRET_KEY); default 12111, the next free one if busy',
  PLAN_CATALOG_PATH: 'path of the plan catalog JSON (default catalogs/default.json)',
  STRIPE_TEST_MODE_IN_PRODUCTION: 'true on a staging deployment that runs NODE_ENV=production against Stripe test mode; otherwise a test key is refused in production (default false)',
  WEBHOOK_WORKER_ENABLED: 'true or false: whether this instance processes the webhook inbox (default true)',
  WEBHOOK_RETRY_WINDOW: 'how long a failing webhook event is retried before it is dead, e.g. 72h (default 72h, Stripe\'s own horizon)',
  WEBHOOK_RETRY_MAX_DELAY: 'longest wait between two retries of a webhook event, e.g. 1h (default 1h)',
  WEBHOOK_FALLBACK_AFTER: 'how long Stripe must stay unreachable before the emergency fallback applies event bodies, e.g. 15m (default 15m)',
  WEBHOOK_UNOWNED_AFTER: 'how long events of a Stripe customer no business owns are retried before they are parked as unowned, e.g. 1h (default 1h)',
  WEBHOOK_RETRY_BASE_MS: 'first retry delay of a failed webhook event in ms, doubled per attempt up to WEBHOOK_RETRY_MAX_DELAY (default 5000)',
  WEBHOOK_POLL_INTERVAL_MS: 'how often the inbox is polled besides LISTEN/NOTIFY, in ms (default 2000)',
  WEBHOOK_WORKER_CONCURRENCY: 'how many customers this instance\'s webhook worker processes at once, 1-32 (default 4)',
  WEBHOOK_TOLERANCE_SECONDS: 'largest accepted age of a Stripe-Signature timestamp in seconds (default 300)',
  PAST_DUE_GRACE_DAYS: 'days a past_due subscription keeps its plan, 0-60 (default 7)',
  ENTITLEMENTS_CACHE_TTL_MS:
    'longest an instance serves a cached plan without re-reading it, in ms, 100-3600000 (default 60000); invalidations usually evict much sooner',
  LISTENER_HEARTBEAT_MS:
    'the entitlements cache\'s LISTEN connection sends itself a NOTIFY this often, in ms, and reconnects (dropping the cache) when one is not heard within two intervals (default 10000)',
  GRAPHQL_MAX_DEPTH: 'deepest GraphQL selection allowed, 2-50 (default 10)',
  GRAPHQL_MAX_COMPLEXITY: 'largest GraphQL query cost allowed, as graphql-armor counts it (default 1000)',
  APP_URL:
    'base URL of the front-end app owners are sent back to after Checkout and the billing portal; production: required; default http://localhost:<PORT>',
  PUBLIC_URL:
    "this service's public base URL, where Stripe sends the browser back (GET /billing/checkout/return); default APP_URL in production, http://localhost:<PORT> elsewhere",
  BILLING_RETURN_PATH:
    'path of the billing settings page under APP_URL, starting with / (default /settings/billing in production, /billing elsewhere)',
  TRIAL_EXPIRY_CRON: 'when the trial expiry job runs, a cron expression with optional seconds (default `* * * * *`, every minute)',
  TRIAL_EXPIRY_ENABLED: 'true or false: whether this instance schedules the trial expiry job (default true; instances share it through an advisory lock)',
  TRIAL_EXPIRY_BATCH: 'trials expired per transaction by the expiry job, 1-100000 (default 1000)',
  PLAN_VALIDATION_BYPASS:
    'development only: `all` or comma-separated catalog metrics (e.g. campaigns,creators) whose limits are not enforced; refused at boot in production or with DATABASE_URL or a real Stripe key set',
  BILLING_PAGE_ENABLED: 'true or false: serve the tour billing page at GET /billing (default true outside production, false in production)',
  RECONCILE_CRON: 'cron expression of the scheduled Stripe reconciliation (default `0 3 * * *`), or `off`',
  RECONCILE_MAX_RPS: 'largest number of Stripe calls per second the reconciliation makes, 1-100 (default 20)',
  METRICS_PORT: 'separate port serving GET /metrics without authentication (default unset: no separate port)',
  METRICS_HOST:
    'IP address the METRICS_PORT server listens on (default unset: every interface, like PORT, so a scraper in another container or pod reaches it; 127.0.0.1 when the scraper runs on the same host or in the same pod)',
  METRICS_TOKEN: 'bearer token of at least 16 characters that opens GET /metrics on the main port (default unset: closed)',
  WEBHOOK_BACKLOG_ALERT_S: 'age in seconds of the oldest pending webhook event that makes /health/billing degraded (default 300)',
  AUTH_MAX_TOKEN_AGE: 'longest token lifetime accepted (exp minus iat), 1m-30d, e.g. 86400, 90m, 24h, 7d (default 24h)',
  RATE_LIMIT_WINDOW_SECONDS: 'rate-limit window in seconds, 1-3600 (default 60)',
  RATE_LIMIT_MAX_REQUESTS: 'GraphQL and REST requests per window, per token (else per IP) (default 600)',
  RATE_LIMIT_MAX_AUTH_FAILURES: 'failed authentications per window per IP before 429 (default 20)',
};
