import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
// The whole boot configuration, with the plans and enforcement sections.
import { loadAppConfig as loadConfig } from '../app-config.sections.js';
import { type ConfigResult, DEVELOPMENT_JWT_SECRET, parseDuration } from './load-config.js';
import { PRODUCTION_PRICE_IDS, productionEnv } from '../../test/factories/production-env.factory.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PRODUCTION = productionEnv();

/** Fails the test unless the configuration was accepted (and narrows the result's type). */
function assertValid(result: ConfigResult): asserts result is Extract<ConfigResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a valid configuration, got: ${result.errors.join('; ')}`);
}

/** Fails the test unless the configuration was refused (and narrows the result's type). */
function assertRefused(result: ConfigResult): asserts result is Extract<ConfigResult, { ok: false }> {
  if (result.ok) throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('starts with nothing configured outside production, with documented defaults', () => {
    const result = loadConfig({}, ROOT);
    assertValid(result);
    expect(result.config).toMatchObject({
      nodeEnv: 'development',
      developmentInfrastructure: true,
      port: 3000,
      databaseUrl: undefined,
      logLevel: 'info',
      auth: { jwtSecret: DEVELOPMENT_JWT_SECRET, usingDevelopmentSecret: true, maxTokenAgeSeconds: 86_400 },
      stripe: { secretKey: undefined, webhookSecrets: [] },
      graphql: { maxDepth: 10, maxComplexity: 1000 },
      rateLimit: { windowSeconds: 60, maxRequests: 600, maxAuthFailures: 20 },
    });
    expect(result.config.catalog.plans.map((p) => p.key)).toEqual(['free', 'glow_up', 'viral_surge', 'fame_flex']);
  });

  it('builds the billing return URLs from APP_URL, PUBLIC_URL and BILLING_RETURN_PATH', () => {
    const local = loadConfig({ PORT: '4010' }, ROOT);
    expect(local.ok && local.config.billing).toEqual({
      appUrl: 'http://localhost:4010',
      publicUrl: 'http://localhost:4010',
      returnPath: '/billing',
    });
    const production = loadConfig(PRODUCTION, ROOT);
    expect(production.ok && production.config.billing).toEqual({
      appUrl: 'https://app.example.com',
      publicUrl: 'https://app.example.com',
      returnPath: '/settings/billing',
    });
    const custom = loadConfig(
      { ...PRODUCTION, APP_URL: 'https://app.example.com/', PUBLIC_URL: 'https://api.example.com', BILLING_RETURN_PATH: '/account/plan' },
      ROOT,
    );
    expect(custom.ok && custom.config.billing).toEqual({
      appUrl: 'https://app.example.com',
      publicUrl: 'https://api.example.com',
      returnPath: '/account/plan',
    });
    const bad = loadConfig({ BILLING_RETURN_PATH: 'settings', APP_URL: 'ftp://x' }, ROOT);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.split(':')[0]).sort()).toEqual(['APP_URL', 'BILLING_RETURN_PATH']);
  });

  it('in production with nothing configured, names every missing variable at once', () => {
    const result = loadConfig({ NODE_ENV: 'production' }, ROOT);
    assertRefused(result);
    const names = result.errors.map((e) => e.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'STRIPE_SECRET_KEY',
        'STRIPE_WEBHOOK_SECRET',
        'AUTH_JWT_SECRET',
        'APP_URL',
        ...Object.keys(PRODUCTION_PRICE_IDS),
      ]),
    );
    expect(result.errors).toHaveLength(5 + Object.keys(PRODUCTION_PRICE_IDS).length);
    expect(result.errors.every((e) => /Hint: /.test(e))).toBe(true);
  });

  it('accepts a complete production configuration', () => {
    const result = loadConfig(PRODUCTION, ROOT);
    assertValid(result);
    expect(result.config.isProduction).toBe(true);
    expect(result.config.priceIds.glow_up).toEqual({ monthly: 'price_gm', yearly: 'price_gy' });
    expect(result.config.auth.usingDevelopmentSecret).toBe(false);
  });

  it('refuses the public development secret and an http Stripe base in production', () => {
    const result = loadConfig(
      { ...PRODUCTION, AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET, STRIPE_API_BASE: 'http://127.0.0.1:12111' },
      ROOT,
    );
    assertRefused(result);
    expect(result.errors.map((e) => e.split(':')[0]).sort()).toEqual(['AUTH_JWT_SECRET', 'STRIPE_API_BASE']);
  });

  it('accepts JWKS instead of a secret in production, but then needs issuer and audience', () => {
    const result = loadConfig(productionEnv({ AUTH_JWT_SECRET: undefined, AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json' }), ROOT);
    assertRefused(result);
    expect(result.errors.map((e) => e.split(':')[0]).sort()).toEqual(['AUTH_JWT_AUDIENCE', 'AUTH_JWT_ISSUER']);
  });

  it('lists every malformed value, with a hint each', () => {
    const result = loadConfig(
      {
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        STRIPE_SECRET_KEY: 'pk_test_123',
        STRIPE_WEBHOOK_SECRET: 'whsec_ok, nope',
        STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'prod_123',
        AUTH_JWT_SECRET: 'short',
      },
      ROOT,
    );
    assertRefused(result);
    expect(result.errors.map((e) => e.split(':')[0]).sort()).toEqual([
      'AUTH_JWT_SECRET',
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'STRIPE_GLOW_UP_MONTHLY_PRICE_ID',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ]);
  });

  it('splits comma-separated webhook secrets for rotation and treats empty values as unset', () => {
    const result = loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_new, whsec_old', DATABASE_URL: '' }, ROOT);
    assertValid(result);
    expect(result.config.stripe.webhookSecrets).toEqual(['whsec_new', 'whsec_old']);
    expect(result.config.databaseUrl).toBeUndefined();
  });

  it('refuses one price id mapped to two plans', () => {
    const result = loadConfig(
      { STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'price_same', STRIPE_FAME_FLEX_MONTHLY_PRICE_ID: 'price_same' },
      ROOT,
    );
    expect(result.ok).toBe(false);
  });

  it('warns about a price id variable for a plan the catalog lacks', () => {
    const result = loadConfig({ STRIPE_GOLD_MONTHLY_PRICE_ID: 'price_x' }, ROOT);
    assertValid(result);
    expect(result.warnings).toEqual([expect.stringContaining('STRIPE_GOLD_MONTHLY_PRICE_ID')]);
  });

  it('reads reconciliation and metrics settings, closed and daily by default', () => {
    const defaults = loadConfig({}, ROOT);
    expect(defaults.ok && defaults.config.reconcile).toEqual({ cron: '0 3 * * *', maxRps: 20 });
    expect(defaults.ok && defaults.config.metrics).toEqual({ port: undefined, host: undefined, token: undefined });
    const off = loadConfig({ RECONCILE_CRON: 'off', METRICS_PORT: '9464', METRICS_HOST: '127.0.0.1', WEBHOOK_BACKLOG_ALERT_S: '60' }, ROOT);
    expect(off.ok && off.config.reconcile.cron).toBeNull();
    expect(off.ok && off.config.metrics).toEqual({ port: 9464, host: '127.0.0.1', token: undefined });
    expect(off.ok && off.config.webhookBacklogAlertSeconds).toBe(60);
  });

  it('refuses a bad cron, a short metrics token and metrics on the public port', () => {
    const result = loadConfig(
      { RECONCILE_CRON: 'every day', METRICS_TOKEN: 'short', PORT: '3000', METRICS_PORT: '3000', METRICS_HOST: 'scraper.internal' },
      ROOT,
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.some((e) => e.startsWith('RECONCILE_CRON: invalid cron expression'))).toBe(true);
    expect(errors.some((e) => e.startsWith('METRICS_TOKEN:'))).toBe(true);
    expect(errors.some((e) => e.startsWith('METRICS_PORT: must differ from PORT'))).toBe(true);
    expect(errors.some((e) => e.startsWith('METRICS_HOST:'))).toBe(true);
  });

  it('reports an unreadable or invalid catalog file', () => {
    const missing = loadConfig({ PLAN_CATALOG_PATH: 'catalogs/nope.json' }, ROOT);
    assertRefused(missing);
    expect(missing.errors[0]).toMatch(/^PLAN_CATALOG_PATH: cannot read/);

    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ currency: 'usd', plans: [] }));
    const invalid = loadConfig({ PLAN_CATALOG_PATH: join(dir, 'bad.json') }, ROOT);
    expect(invalid.ok).toBe(false);
  });

  it('selects the Free/Pro example catalog', () => {
    const result = loadConfig({ PLAN_CATALOG_PATH: 'catalogs/free-pro.example.json' }, ROOT);
    assertValid(result);
    expect(result.config.catalog.metrics.map((m) => m.key)).toEqual(['aiChatMessages', 'smsMessages', 'storedProducts', 'users']);
  });
});

describe('loadConfig: PLAN_VALIDATION_BYPASS', () => {
  it('is off by default', () => {
    const result = loadConfig({}, ROOT);
    expect(result.ok && result.config.enforcement.bypass).toEqual([]);
  });

  it('takes `all` or catalog metrics outside production, and warns that limits are off', () => {
    const all = loadConfig({ PLAN_VALIDATION_BYPASS: 'all' }, ROOT);
    expect(all.ok && all.config.enforcement.bypass).toBe('all');
    const some = loadConfig({ PLAN_VALIDATION_BYPASS: 'campaigns, creators' }, ROOT);
    expect(some.ok && some.config.enforcement.bypass).toEqual(['campaigns', 'creators']);
    expect(some.ok && some.warnings).toEqual([expect.stringContaining('NOT enforced for campaigns, creators')]);
  });

  it('refuses a metric the catalog does not have', () => {
    const result = loadConfig({ PLAN_VALIDATION_BYPASS: 'campaigns,seats' }, ROOT);
    assertRefused(result);
    expect(result.errors).toEqual([expect.stringMatching(/^PLAN_VALIDATION_BYPASS: unknown metric seats .*Hint: /)]);
  });

  it('is refused at boot in production', () => {
    const result = loadConfig({ ...PRODUCTION, PLAN_VALIDATION_BYPASS: 'all' }, ROOT);
    assertRefused(result);
    expect(result.errors).toEqual([
      'PLAN_VALIDATION_BYPASS: refused because DATABASE_URL and STRIPE_SECRET_KEY point at real infrastructure; unset it (it is for the embedded PostgreSQL and the simulator only)',
    ]);
  });

  it('is refused at boot on a real DATABASE_URL even when NODE_ENV=production was forgotten', () => {
    const result = loadConfig({ ...REAL_WITHOUT_NODE_ENV, PLAN_VALIDATION_BYPASS: 'campaigns' }, ROOT);
    assertRefused(result);
    expect(result.errors).toEqual([
      'PLAN_VALIDATION_BYPASS: refused because DATABASE_URL points at real infrastructure; unset it (it is for the embedded PostgreSQL and the simulator only)',
    ]);
  });
});

/** Real infrastructure, with NODE_ENV forgotten (development by default). */
const REAL_WITHOUT_NODE_ENV = {
  DATABASE_URL: 'postgres://u:p@db.internal:5432/billing',
  STRIPE_SECRET_KEY: 'sk_test_abc',
  STRIPE_API_BASE: 'http://127.0.0.1:12111',
  AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
};

function errorsOf(env: Record<string, string>): string[] {
  const result = loadConfig(env, ROOT);
  return result.ok ? [] : result.errors;
}

describe('loadConfig: development conveniences need development infrastructure, whatever NODE_ENV says', () => {
  it('allows the public JWT secret and the simulator with nothing configured, or with a key used against the simulator', () => {
    expect(errorsOf({})).toEqual([]);
    const simulator = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_BASE: 'http://127.0.0.1:12111' }, ROOT);
    expect(simulator.ok && simulator.config.developmentInfrastructure).toBe(true);
    expect(simulator.ok && simulator.config.auth.usingDevelopmentSecret).toBe(true);
  });

  it('refuses the public JWT secret (unset or set explicitly) on a real DATABASE_URL, naming the variable to set', () => {
    const { AUTH_JWT_SECRET: _secret, ...withoutSecret } = REAL_WITHOUT_NODE_ENV;
    expect(errorsOf(withoutSecret)).toEqual([
      'AUTH_JWT_SECRET: missing; DATABASE_URL points at real infrastructure, where the public development secret is refused: set AUTH_JWT_SECRET or AUTH_JWKS_URL. Hint: HS256 secret of at least 32 characters shared with your identity provider',
    ]);
    expect(errorsOf({ ...REAL_WITHOUT_NODE_ENV, AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET: is the public development secret, refused because DATABASE_URL points at real infrastructure/),
    ]);
    expect(errorsOf({ AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toEqual([]);
  });

  it('refuses the public JWT secret with a Stripe key used against Stripe', () => {
    expect(errorsOf({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET: missing; STRIPE_SECRET_KEY points at real infrastructure/),
    ]);
  });

  it('refuses the in-process simulator on a real DATABASE_URL', () => {
    const { STRIPE_SECRET_KEY: _key, STRIPE_API_BASE: _base, ...withoutStripe } = REAL_WITHOUT_NODE_ENV;
    expect(errorsOf(withoutStripe)).toEqual([expect.stringMatching(/^STRIPE_SECRET_KEY: missing; DATABASE_URL points at a real database/)]);
    expect(errorsOf(REAL_WITHOUT_NODE_ENV)).toEqual([]);
    const real = loadConfig(REAL_WITHOUT_NODE_ENV, ROOT);
    expect(real.ok && real.config.developmentInfrastructure).toBe(false);
  });

  it('refuses a live Stripe key outside production and accepts it in production', () => {
    for (const key of ['sk_live_abc', 'rk_live_abc']) {
      for (const nodeEnv of ['development', 'test']) {
        expect(errorsOf({ ...REAL_WITHOUT_NODE_ENV, NODE_ENV: nodeEnv, STRIPE_SECRET_KEY: key })).toEqual([
          `STRIPE_SECRET_KEY: is a live key but NODE_ENV is ${nodeEnv}: set NODE_ENV=production, or use a test key (sk_test_ or rk_test_). Hint: sk_live_... or sk_test_... from the Stripe dashboard (a live key only with NODE_ENV=production); unset = the in-process simulator, on development infrastructure only (refused with DATABASE_URL set, and in production)`,
        ]);
      }
      expect(errorsOf({ ...PRODUCTION, STRIPE_SECRET_KEY: key })).toEqual([]);
    }
  });

  it('refuses a test key in production unless the deployment says it runs on Stripe test mode', () => {
    for (const key of ['sk_test_abc', 'rk_test_abc']) {
      expect(errorsOf({ ...PRODUCTION, STRIPE_SECRET_KEY: key })).toEqual([
        expect.stringMatching(/^STRIPE_SECRET_KEY: is a test key in production, where owners would never be charged/),
      ]);
      expect(errorsOf({ ...PRODUCTION, STRIPE_SECRET_KEY: key, STRIPE_TEST_MODE_IN_PRODUCTION: 'true' })).toEqual([]);
      // Outside production a test key is what is expected.
      expect(errorsOf({ ...REAL_WITHOUT_NODE_ENV, STRIPE_SECRET_KEY: key })).toEqual([]);
    }
    expect(errorsOf({ ...PRODUCTION, STRIPE_TEST_MODE_IN_PRODUCTION: 'yes' })).toEqual([
      expect.stringMatching(/^STRIPE_TEST_MODE_IN_PRODUCTION: invalid value/),
    ]);
  });
});

describe('loadConfig: AUTH_MAX_TOKEN_AGE', () => {
  it.each([
    ['86400', 86_400],
    ['90m', 5_400],
    ['24h', 86_400],
    ['7d', 604_800],
  ])('%s is %d seconds', (value, seconds) => {
    const result = loadConfig({ AUTH_MAX_TOKEN_AGE: value }, ROOT);
    expect(result.ok && result.config.auth.maxTokenAgeSeconds).toBe(seconds);
  });

  it.each(['31d', '30s', 'a day', '-1h'])('refuses %j', (value) => {
    expect(errorsOf({ AUTH_MAX_TOKEN_AGE: value })).toEqual([expect.stringMatching(/^AUTH_MAX_TOKEN_AGE: /)]);
  });
});

describe('webhook retry durations', () => {
  it('default to Stripe\'s 72 h horizon, a 1 h backoff cap, a 15 min fallback and a 1 h unowned budget', () => {
    const result = loadConfig({}, ROOT);
    expect(result.ok && result.config.webhooks).toMatchObject({
      retryWindowMs: 72 * 3_600_000,
      retryMaxDelayMs: 3_600_000,
      fallbackAfterMs: 15 * 60_000,
      unownedAfterMs: 3_600_000,
    });
  });

  it('read a duration with its unit and refuse one without', () => {
    const result = loadConfig({ WEBHOOK_RETRY_WINDOW: '3d', WEBHOOK_FALLBACK_AFTER: '500ms' }, ROOT);
    expect(result.ok && [result.config.webhooks.retryWindowMs, result.config.webhooks.fallbackAfterMs]).toEqual([3 * 86_400_000, 500]);
    expect(parseDuration('90s')).toBe(90_000);
    const bad = loadConfig({ WEBHOOK_RETRY_WINDOW: '72' }, ROOT);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors).toEqual([expect.stringMatching(/^WEBHOOK_RETRY_WINDOW: invalid value .*Hint: /)]);
  });
});

describe('trial expiry settings', () => {
  it('default to every minute, enabled, batches of 1,000', () => {
    const result = loadConfig({}, ROOT);
    assertValid(result);
    expect(result.config.trials).toEqual({ expiryCron: '* * * * *', expiryEnabled: true, expiryBatch: 1000 });
  });

  it('take a cron expression, the switch and the batch size', () => {
    const result = loadConfig({ TRIAL_EXPIRY_CRON: '*/5 * * * *', TRIAL_EXPIRY_ENABLED: 'false', TRIAL_EXPIRY_BATCH: '250' }, ROOT);
    assertValid(result);
    expect(result.config.trials).toEqual({ expiryCron: '*/5 * * * *', expiryEnabled: false, expiryBatch: 250 });
  });

  it('refuse a bad cron expression, switch or batch size, naming each', () => {
    const result = loadConfig({ TRIAL_EXPIRY_CRON: 'every minute', TRIAL_EXPIRY_ENABLED: 'yes', TRIAL_EXPIRY_BATCH: '0' }, ROOT);
    assertRefused(result);
    expect(result.errors.map((e) => e.split(':')[0]).sort()).toEqual(['TRIAL_EXPIRY_BATCH', 'TRIAL_EXPIRY_CRON', 'TRIAL_EXPIRY_ENABLED']);
  });
});
