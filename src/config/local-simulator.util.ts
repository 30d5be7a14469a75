import type { AppConfig } from './app-config.types.js';

/** The key the local simulator is called with: it accepts any test key, and nothing else does. */
export const LOCAL_SIMULATOR_SECRET_KEY = 'sk_test_local_simulator';

/**
 * The configuration with the local Stripe simulator as Stripe: `npm start` with no
 * STRIPE_SECRET_KEY (which also accepts the simulator's signed deliveries), and operator commands
 * run beside it. Never on real infrastructure: callers check developmentInfrastructure first.
 */
export function withLocalSimulator(config: AppConfig, apiBase: string, webhookSecret?: string): AppConfig {
  return {
    ...config,
    stripe: {
      ...config.stripe,
      secretKey: LOCAL_SIMULATOR_SECRET_KEY,
      apiBase,
      webhookSecrets: webhookSecret ? [...config.stripe.webhookSecrets, webhookSecret] : config.stripe.webhookSecrets,
    },
  };
}
