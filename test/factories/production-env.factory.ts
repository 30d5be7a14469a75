import type { RawEnvironment } from '../../src/config/load-config.js';

/** A price id for every paid plan and interval of the default catalog: production requires them all. */
export const PRODUCTION_PRICE_IDS = {
  STRIPE_GLOW_UP_MONTHLY_PRICE_ID: 'price_gm',
  STRIPE_GLOW_UP_YEARLY_PRICE_ID: 'price_gy',
  STRIPE_VIRAL_SURGE_MONTHLY_PRICE_ID: 'price_vm',
  STRIPE_VIRAL_SURGE_YEARLY_PRICE_ID: 'price_vy',
  STRIPE_FAME_FLEX_MONTHLY_PRICE_ID: 'price_fm',
  STRIPE_FAME_FLEX_YEARLY_PRICE_ID: 'price_fy',
} as const;

/**
 * A complete production environment that passes validation (NODE_ENV=production, real
 * infrastructure, a live Stripe key and every price id), so that a test spells out only what it
 * is about. An override replaces or adds a variable; an `undefined` one removes it.
 *
 * The DATABASE_URL is only validated by createTestApp, which connects to its own test database;
 * a test that starts the service itself overrides it.
 */
export function productionEnv(overrides: RawEnvironment = {}): Record<string, string> {
  const env: RawEnvironment = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://u:p@db.internal:5432/billing',
    STRIPE_SECRET_KEY: 'sk_live_production_fixture',
    STRIPE_WEBHOOK_SECRET: 'whsec_production_fixture',
    AUTH_JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
    APP_URL: 'https://app.example.com',
    ...PRODUCTION_PRICE_IDS,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
