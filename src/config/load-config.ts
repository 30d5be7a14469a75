import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validateCronExpression } from 'cron';
import { parseDurationSeconds } from '../common/utils/parse-duration.util.js';
import type { AppConfig, ConfigSection } from './app-config.types.js';
import { describeRealInfrastructure, realInfrastructureVariables } from './development-infrastructure.util.js';
import { ENVIRONMENT_HINTS, EnvironmentVariables } from './environment-variables.js';

export type RawEnvironment = Record<string, string | undefined>;

export type ConfigResult =
  | { ok: true; config: AppConfig; warnings: string[] }
  | { ok: false; errors: string[] };

/** Public so tests and the CLI mint tokens the app accepts; refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production';

/**
 * Validates the whole environment at once and returns every problem, so an operator fixes
 * them in one pass: the plain variables here, then each feature module's own `sections` (see
 * src/app-config.sections.ts, which lists them; config/ imports no feature module).
 */
export function loadConfig(rawEnv: RawEnvironment, cwd: string, sections: readonly ConfigSection[]): ConfigResult {
  // An empty value is treated as unset: `FOO=` in a .env file should not count as configured.
  const env: RawEnvironment = Object.fromEntries(
    Object.entries(rawEnv).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const errors: string[] = [];
  const warnings: string[] = [];
  const problem = (name: keyof EnvironmentVariables, what: string) =>
    errors.push(`${name}: ${what}. Hint: ${ENVIRONMENT_HINTS[name]}`);

  const vars = plainToInstance(EnvironmentVariables, env, { excludeExtraneousValues: false });
  for (const error of validateSync(vars, { skipMissingProperties: false })) {
    const name = error.property as keyof EnvironmentVariables;
    const messages = Object.values(error.constraints ?? {}).join('; ');
    problem(name, `invalid value (${messages})`);
  }

  const nodeEnv = vars.NODE_ENV ?? 'development';
  const isProduction = nodeEnv === 'production';

  // Development conveniences need development infrastructure, whatever NODE_ENV says.
  const real = realInfrastructureVariables(env);
  const developmentInfrastructure = !isProduction && real.length === 0;
  const why = describeRealInfrastructure(real, isProduction);

  if (isProduction) {
    if (!env.DATABASE_URL) problem('DATABASE_URL', 'missing; required in production');
    if (!env.STRIPE_SECRET_KEY) problem('STRIPE_SECRET_KEY', 'missing; required in production');
    if (!env.STRIPE_WEBHOOK_SECRET) problem('STRIPE_WEBHOOK_SECRET', 'missing; required in production');
    if (!env.APP_URL) problem('APP_URL', 'missing; required in production (where owners return after Checkout)');
    if (env.STRIPE_API_BASE && !env.STRIPE_API_BASE.startsWith('https://')) {
      problem('STRIPE_API_BASE', 'must be https in production (the local simulator is never used in production)');
    }
  } else if (env.DATABASE_URL && !env.STRIPE_SECRET_KEY) {
    problem('STRIPE_SECRET_KEY', 'missing; DATABASE_URL points at a real database, where the in-process Stripe simulator is not started (set a Stripe key, or unset DATABASE_URL for the embedded PostgreSQL)');
  }
  if (!developmentInfrastructure && !env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) {
    problem('AUTH_JWT_SECRET', `missing; ${why}, where the public development secret is refused: set AUTH_JWT_SECRET or AUTH_JWKS_URL`);
  }
  if (!developmentInfrastructure && env.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    problem('AUTH_JWT_SECRET', `is the public development secret, refused because ${why}; use your own`);
  }
  if (env.STRIPE_SECRET_KEY && /^(sk|rk)_live_/.test(env.STRIPE_SECRET_KEY) && !isProduction) {
    problem('STRIPE_SECRET_KEY', `is a live key but NODE_ENV is ${nodeEnv}: set NODE_ENV=production, or use a test key (sk_test_ or rk_test_)`);
  }
  if (
    isProduction &&
    env.STRIPE_SECRET_KEY &&
    /^(sk|rk)_test_/.test(env.STRIPE_SECRET_KEY) &&
    env.STRIPE_TEST_MODE_IN_PRODUCTION !== 'true'
  ) {
    problem('STRIPE_SECRET_KEY', 'is a test key in production, where owners would never be charged: use a live key, or set STRIPE_TEST_MODE_IN_PRODUCTION=true on a staging deployment');
  }
  if (env.AUTH_JWKS_URL) {
    if (!env.AUTH_JWT_ISSUER) problem('AUTH_JWT_ISSUER', 'missing; required with AUTH_JWKS_URL');
    if (!env.AUTH_JWT_AUDIENCE) problem('AUTH_JWT_AUDIENCE', 'missing; required with AUTH_JWKS_URL');
  }
  if (env.STRIPE_SECRET_KEY && !/^(sk|rk)_(test|live)_/.test(env.STRIPE_SECRET_KEY)) {
    problem('STRIPE_SECRET_KEY', 'must start with sk_test_, sk_live_, rk_test_ or rk_live_');
  }
  const webhookSecrets = (env.STRIPE_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (webhookSecrets.some((s) => !s.startsWith('whsec_'))) {
    problem('STRIPE_WEBHOOK_SECRET', 'every secret must start with whsec_');
  }

  const maxTokenAgeSeconds = readMaxTokenAge(env.AUTH_MAX_TOKEN_AGE, errors);
  const trialExpiryCron = env.TRIAL_EXPIRY_CRON ?? '* * * * *';
  if (!validateCronExpression(trialExpiryCron).valid) problem('TRIAL_EXPIRY_CRON', `"${trialExpiryCron}" is not a cron expression`);
  const reconcileCron = readReconcileCron(env.RECONCILE_CRON, errors);
  if (env.METRICS_PORT && vars.METRICS_PORT === vars.PORT) {
    problem('METRICS_PORT', 'must differ from PORT (metrics are never served on the public port without a token)');
  }

  const context = { cwd, isProduction, developmentInfrastructure, refusedBecause: developmentInfrastructure ? undefined : why };
  let sectionValues: Partial<AppConfig> = {};
  for (const section of sections) {
    const result = section(env, context, sectionValues);
    sectionValues = { ...sectionValues, ...result.values };
    errors.push(...result.errors);
    warnings.push(...result.warnings);
  }

  if (errors.length > 0) {
    return { ok: false, errors };
  }

  const usingDevelopmentSecret = !env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL;
  const port = vars.PORT ?? 3000;
  const localUrl = `http://localhost:${port}`;
  const appUrl = (env.APP_URL ?? localUrl).replace(/\/+$/, '');
  return {
    ok: true,
    warnings,
    // The sections complete what AppConfig's feature fields (declaration merging) promise.
    config: {
      ...(sectionValues as AppConfig),
      nodeEnv,
      isProduction,
      developmentInfrastructure,
      port,
      databaseUrl: env.DATABASE_URL,
      embeddedPostgres: {
        dir: resolve(cwd, env.EMBEDDED_PG_DIR ?? '.data/postgres'),
        port: vars.EMBEDDED_PG_PORT ?? 5432,
      },
      logLevel: vars.LOG_LEVEL ?? 'info',
      auth: {
        jwtSecret: env.AUTH_JWT_SECRET ?? (usingDevelopmentSecret ? DEVELOPMENT_JWT_SECRET : undefined),
        jwksUrl: env.AUTH_JWKS_URL,
        issuer: env.AUTH_JWT_ISSUER,
        audience: env.AUTH_JWT_AUDIENCE,
        usingDevelopmentSecret,
        maxTokenAgeSeconds,
      },
      stripe: {
        secretKey: env.STRIPE_SECRET_KEY,
        webhookSecrets,
        apiBase: env.STRIPE_API_BASE,
        simulatorPort: vars.STRIPE_SIM_PORT ?? 12111,
      },
      webhooks: {
        workerEnabled: env.WEBHOOK_WORKER_ENABLED !== 'false',
        retryWindowMs: parseDuration(vars.WEBHOOK_RETRY_WINDOW ?? '72h'),
        retryMaxDelayMs: parseDuration(vars.WEBHOOK_RETRY_MAX_DELAY ?? '1h'),
        fallbackAfterMs: parseDuration(vars.WEBHOOK_FALLBACK_AFTER ?? '15m'),
        unownedAfterMs: parseDuration(vars.WEBHOOK_UNOWNED_AFTER ?? '1h'),
        retryBaseMs: vars.WEBHOOK_RETRY_BASE_MS ?? 5000,
        pollIntervalMs: vars.WEBHOOK_POLL_INTERVAL_MS ?? 2000,
        workerConcurrency: vars.WEBHOOK_WORKER_CONCURRENCY ?? 4,
        toleranceSeconds: vars.WEBHOOK_TOLERANCE_SECONDS ?? 300,
      },
      pastDueGraceDays: vars.PAST_DUE_GRACE_DAYS ?? 7,
      cache: {
        entitlementsTtlMs: vars.ENTITLEMENTS_CACHE_TTL_MS ?? 60_000,
        listenerHeartbeatMs: vars.LISTENER_HEARTBEAT_MS ?? 10_000,
      },
      billing: {
        appUrl,
        publicUrl: (env.PUBLIC_URL ?? (isProduction ? appUrl : localUrl)).replace(/\/+$/, ''),
        // Outside production the service's own page (GET /billing) is the billing settings page.
        returnPath: env.BILLING_RETURN_PATH ?? (isProduction ? '/settings/billing' : '/billing'),
      },
      trials: {
        expiryCron: trialExpiryCron,
        expiryEnabled: env.TRIAL_EXPIRY_ENABLED !== 'false',
        expiryBatch: vars.TRIAL_EXPIRY_BATCH ?? 1000,
      },
      billingPage: { enabled: env.BILLING_PAGE_ENABLED ? env.BILLING_PAGE_ENABLED === 'true' : !isProduction },
      reconcile: { cron: reconcileCron, maxRps: vars.RECONCILE_MAX_RPS ?? 20 },
      metrics: { port: vars.METRICS_PORT, host: vars.METRICS_HOST, token: env.METRICS_TOKEN },
      webhookBacklogAlertSeconds: vars.WEBHOOK_BACKLOG_ALERT_S ?? 300,
      graphql: {
        maxDepth: vars.GRAPHQL_MAX_DEPTH ?? 10,
        maxComplexity: vars.GRAPHQL_MAX_COMPLEXITY ?? 1000,
      },
      rateLimit: {
        windowSeconds: vars.RATE_LIMIT_WINDOW_SECONDS ?? 60,
        maxRequests: vars.RATE_LIMIT_MAX_REQUESTS ?? 600,
        maxAuthFailures: vars.RATE_LIMIT_MAX_AUTH_FAILURES ?? 20,
      },
    },
  };
}

/** AUTH_MAX_TOKEN_AGE in seconds (default 24 h); between one minute and 30 days. */
function readMaxTokenAge(value: string | undefined, errors: string[]): number {
  const seconds = value === undefined ? 86_400 : parseDurationSeconds(value);
  // A malformed value is already reported by the class-validator pass.
  if (seconds === undefined) return 86_400;
  if (seconds < 60 || seconds > 30 * 86_400) {
    errors.push(`AUTH_MAX_TOKEN_AGE: must be between 1m and 30d. Hint: ${ENVIRONMENT_HINTS.AUTH_MAX_TOKEN_AGE}`);
  }
  return seconds;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration already checked against DURATION_PATTERN (e.g. `72h`). */
export function parseDuration(value: string): number {
  const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(value)!;
  return Number(amount) * DURATION_UNITS_MS[unit];
}

/** RECONCILE_CRON: a cron expression the scheduler accepts, or `off`. */
function readReconcileCron(value: string | undefined, errors: string[]): string | null {
  if (value === 'off') return null;
  const cron = value ?? '0 3 * * *';
  const checked = validateCronExpression(cron);
  if (!checked.valid) {
    errors.push(`RECONCILE_CRON: invalid cron expression (${checked.error?.message ?? cron}). Hint: ${ENVIRONMENT_HINTS.RECONCILE_CRON}`);
  }
  return cron;
}
