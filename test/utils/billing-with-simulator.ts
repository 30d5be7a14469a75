import Stripe from 'stripe';
import { startStripeSimulator, type StripeSimulator } from '../../tools/stripe-simulator/index.js';
import { findFreePort } from '../../src/database/embedded-postgres.starter.js';
import type { Clock } from '../../src/clock/clock.js';
import type { RawEnvironment } from '../../src/config/load-config.js';
import { DomainEventsRelayService } from '../../src/domain-events/domain-events-relay.service.js';
import { WebhookWorkerService } from '../../src/webhooks/webhook-worker.service.js';
import { createTestApp, type TestApp } from './create-test-app.js';

export const SIM_WEBHOOK_SECRET = 'whsec_e2e_simulator_secret';

export interface SimulatedStripe {
  sim: StripeSimulator;
  stripe: Stripe;
  /** Price ids created in the simulator, by plan and interval. */
  prices: Record<'glow_up' | 'viral_surge' | 'fame_flex', { monthly: string; yearly: string }>;
  /** The env an app instance needs to use this simulator with these prices. */
  env: RawEnvironment;
  webhookPort: number;
  control(path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The Stripe simulator with the default catalog's prices, delivering webhooks to a port an
 * app instance will listen on. Stripe is the official SDK pointed at it, never a stub.
 */
export async function startSimulatedStripe(options: { deliveryRetryBaseMs?: number } = {}): Promise<SimulatedStripe> {
  const webhookPort = await findFreePort(20_000 + Math.floor(Math.random() * 20_000));
  const sim = await startStripeSimulator({
    port: 0,
    webhookUrl: `http://127.0.0.1:${webhookPort}/api/webhooks/stripe`,
    webhookSecret: SIM_WEBHOOK_SECRET,
    ...(options.deliveryRetryBaseMs ? { delivery: { retryBaseMs: options.deliveryRetryBaseMs } } : {}),
  });
  const url = new URL(sim.url);
  const stripe = new Stripe('sk_test_e2e', {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  const catalog = { glow_up: [2900, 29000], viral_surge: [7900, 79000], fame_flex: [19900, 199000] } as const;
  const prices = {} as SimulatedStripe['prices'];
  for (const [plan, [monthly, yearly]] of Object.entries(catalog) as [keyof typeof catalog, readonly [number, number]][]) {
    const product = await stripe.products.create({ name: plan });
    const price = (amount: number, interval: 'month' | 'year') =>
      stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: amount, recurring: { interval } });
    prices[plan] = { monthly: (await price(monthly, 'month')).id, yearly: (await price(yearly, 'year')).id };
  }
  const env: RawEnvironment = {
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_API_BASE: sim.url,
    STRIPE_WEBHOOK_SECRET: SIM_WEBHOOK_SECRET,
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_POLL_INTERVAL_MS: '100',
  };
  for (const [plan, byInterval] of Object.entries(prices)) {
    env[`STRIPE_${plan.toUpperCase()}_MONTHLY_PRICE_ID`] = byInterval.monthly;
    env[`STRIPE_${plan.toUpperCase()}_YEARLY_PRICE_ID`] = byInterval.yearly;
  }
  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { sim, stripe, prices, env, webhookPort, control, close: () => sim.close() };
}

/** An app instance listening where the simulator delivers. */
export async function startBillingApp(
  stripe: SimulatedStripe,
  options: { env?: RawEnvironment; databaseUrl?: string; listen?: boolean; clock?: Clock } = {},
): Promise<TestApp> {
  return createTestApp({
    clock: options.clock,
    databaseUrl: options.databaseUrl,
    env: { ...stripe.env, ...options.env },
    listenPort: options.listen === false ? undefined : stripe.webhookPort,
  });
}

/**
 * Waits until the simulator has delivered everything and every instance's worker has drained
 * the inbox (nothing pending or due for retry).
 */
export async function settle(stripe: SimulatedStripe, apps: TestApp[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await stripe.sim.idle();
    await Promise.all(apps.map((app) => app.app.get(WebhookWorkerService).drain()));
    const [{ open }] = await apps[0].dataSource.query(
      `SELECT count(*)::int AS open FROM stripe_events WHERE status IN ('pending', 'failed')`,
    );
    if (open === 0) {
      await stripe.sim.idle();
      const [{ again }] = await apps[0].dataSource.query(
        `SELECT count(*)::int AS again FROM stripe_events WHERE status IN ('pending', 'failed')`,
      );
      if (again === 0) {
        // Domain events of what was just applied reach the in-process listeners.
        await flushDomainEvents(...apps);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const open = await apps[0].dataSource.query(
    `SELECT id, type, status, attempts, last_error FROM stripe_events WHERE status IN ('pending', 'failed')`,
  );
  throw new Error(`webhooks did not settle in time: ${JSON.stringify(open)}`);
}

/**
 * Waits until every fresh outbox row was emitted: drains each instance's relay (which waits for
 * its own background dispatch) and then checks the table, since a batch another instance's relay
 * claimed is hidden from this one until it commits. A row whose listener failed waits its
 * backoff and is not waited for.
 */
export async function flushDomainEvents(...apps: TestApp[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await Promise.all(apps.map((app) => app.app.get(DomainEventsRelayService).drain()));
    const [{ open }]: { open: number }[] = await apps[0].dataSource.query(
      'SELECT count(*)::int AS open FROM domain_events WHERE dispatched_at IS NULL AND attempts = 0',
    );
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`${open} domain events still undispatched`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A monthly add-on price outside the catalog (an extra seat), as a second subscription item. */
export async function createAddOnPrice(stripe: SimulatedStripe): Promise<string> {
  const product = await stripe.stripe.products.create({ name: 'Extra seat' });
  const price = await stripe.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 500, recurring: { interval: 'month' } });
  return price.id;
}

/**
 * Opens a subscription checkout for a business and completes it on the simulator's hosted page.
 * `itemsBefore` (add-ons) come before the plan's item, so Stripe's first item is not the plan.
 */
export async function checkout(
  stripe: SimulatedStripe,
  businessId: string,
  priceId: string,
  options: {
    trialDays?: number;
    outcome?: 'paid' | 'declined';
    email?: string;
    itemsBefore?: { price: string; quantity: number }[];
  } = {},
): Promise<CheckoutResult> {
  const session = await stripe.stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [...(options.itemsBefore ?? []), { price: priceId, quantity: 1 }],
    client_reference_id: businessId,
    customer_email: options.email ?? `${businessId}@example.test`,
    metadata: { businessId },
    subscription_data: {
      metadata: { businessId, planKey: 'informational' },
      ...(options.trialDays ? { trial_period_days: options.trialDays } : {}),
    },
    success_url: 'http://localhost/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://localhost/cancel',
  });
  const completed = (await stripe.control(`/_sim/checkout_sessions/${session.id}/complete`, {
    outcome: options.outcome ?? 'paid',
  })) as { simulator: { customer: string; subscription: string | null } };
  return {
    session: await stripe.stripe.checkout.sessions.retrieve(session.id),
    // A declined session stays open, so the customer and subscription come from the simulator.
    customerId: completed.simulator.customer,
    subscriptionId: completed.simulator.subscription,
  };
}

export interface CheckoutResult {
  session: Stripe.Checkout.Session;
  customerId: string;
  subscriptionId: string | null;
}
