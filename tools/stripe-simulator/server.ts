import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_BILLING, SimContext, type BillingSettings } from './core/context.js';
import { DEFAULT_WEBHOOK_SECRET } from './core/constants.js';
import type { ChaosOptions, DeliveryAttempt, DeliveryOptions } from './core/delivery.js';
import type { PaymentBehavior } from './core/store.js';
import { apiRouter, type Route } from './http/api.js';
import { controlRouter } from './http/control.js';
import { IdempotencyCache } from './http/idempotency.js';
import { pagesRouter } from './web/pages.js';
import { scheduleTransition } from './billing/schedules.js';
import { completeCheckout, type CheckoutOutcome } from './billing/checkout.js';
import { customerRoutes } from './resources/customers.js';
import { catalogRoutes } from './resources/catalog.js';
import { checkoutRoutes } from './resources/checkout.js';
import { subscriptionRoutes } from './resources/subscriptions.js';
import { scheduleRoutes } from './resources/schedules.js';
import { invoiceRoutes } from './resources/invoices.js';
import { eventRoutes, registerEndpoint } from './resources/events.js';
import { invalidRequest } from './core/errors.js';

export interface StripeSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Registers an endpoint at boot that receives every event. */
  webhookUrl?: string;
  /** Signing secret of that endpoint (default `whsec_simulator`). */
  webhookSecret?: string;
  log?: (msg: string) => void;
  /** Webhook retry timing; defaults suit tests (200 ms doubling, 6 attempts, 5 s timeout). */
  delivery?: Partial<Omit<DeliveryOptions, 'log'>>;
  /** Dunning behaviour (what happens after failed renewals). */
  billing?: Partial<BillingSettings>;
}

export interface StripeSimulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`; point the SDK at it with `simulatorStripeConfig(url)`. */
  readonly url: string;
  readonly port: number;
  /** The endpoint registered from `webhookUrl`, if any. */
  readonly defaultWebhookEndpointId: string | null;
  close(): Promise<void>;
  /** Forgets every object, event, delivery and clock offset (the default endpoint is registered again). */
  reset(): void;
  /** Moves the virtual clock forward, running trials, renewals, retries and cancellations on the way. */
  advanceClock(seconds: number): number;
  /** Virtual time, unix seconds. */
  now(): number;
  /** Resolves once every webhook delivery so far has succeeded, been dropped or given up. */
  idle(): Promise<void>;
  deliveries(): DeliveryAttempt[];
  setChaos(options: Partial<ChaosOptions>): ChaosOptions;
  setPaymentBehavior(customerId: string, behavior: PaymentBehavior): void;
  /** Same as `POST /_sim/checkout_sessions/:id/complete`. */
  completeCheckout(sessionId: string, outcome: CheckoutOutcome): void;
  /** Escape hatch for tests of the simulator itself. */
  readonly context: SimContext;
}

const ROUTES: Route[] = [
  ...customerRoutes,
  ...catalogRoutes,
  ...checkoutRoutes,
  ...subscriptionRoutes,
  ...scheduleRoutes,
  ...invoiceRoutes,
  ...eventRoutes,
];

const DEFAULT_ENDPOINT_ID = 'we_simulator_default';

export async function startStripeSimulator(options: StripeSimulatorOptions = {}): Promise<StripeSimulator> {
  const log = options.log ?? (() => undefined);
  const deliveryOptions: DeliveryOptions = {
    retryBaseMs: options.delivery?.retryBaseMs ?? 200,
    maxAttempts: options.delivery?.maxAttempts ?? 6,
    timeoutMs: options.delivery?.timeoutMs ?? 5_000,
    log,
  };
  const ctx = new SimContext(deliveryOptions, options.billing ?? {}, log);
  ctx.engine.onScheduleTransition = (rec) => scheduleTransition(ctx, rec);
  const idempotency = new IdempotencyCache();

  const registerDefault = (): void => {
    if (!options.webhookUrl) return;
    registerEndpoint(ctx, {
      id: DEFAULT_ENDPOINT_ID,
      url: options.webhookUrl,
      enabledEvents: ['*'],
      secret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET,
      description: 'Registered by the simulator at boot (webhookUrl / STRIPE_SIM_WEBHOOK_URL)',
    });
  };
  const reset = (): void => {
    ctx.store.clear();
    ctx.clock.reset();
    ctx.delivery.reset();
    ctx.billing = { ...DEFAULT_BILLING, ...options.billing };
    idempotency.clear();
    registerDefault();
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use('/v1', apiRouter(ctx, ROUTES, idempotency));
  app.use('/_sim', controlRouter(ctx, { reset }));
  app.use(pagesRouter(ctx));
  app.get('/', (_req, res) => {
    res.json({ simulator: 'stripe', api: '/v1', control: '/_sim', now: ctx.now() });
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  ctx.baseUrl = url;
  registerDefault();

  let closed = false;
  return {
    url,
    port: address.port,
    defaultWebhookEndpointId: options.webhookUrl ? DEFAULT_ENDPOINT_ID : null,
    context: ctx,
    close: async () => {
      if (closed) return;
      closed = true;
      ctx.delivery.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from the SDK would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
    reset,
    advanceClock: (seconds: number) => {
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error('advanceClock needs a non-negative number of seconds');
      ctx.engine.advanceTo(ctx.now() + Math.floor(seconds));
      return ctx.now();
    },
    now: () => ctx.now(),
    idle: () => ctx.delivery.idle(),
    deliveries: () => [...ctx.delivery.attempts],
    setChaos: (chaos: Partial<ChaosOptions>) => {
      ctx.delivery.chaos = { ...ctx.delivery.chaos, ...chaos };
      return ctx.delivery.chaos;
    },
    setPaymentBehavior: (customerId: string, behavior: PaymentBehavior) => {
      ctx.customer(customerId);
      ctx.store.paymentBehavior.set(customerId, behavior);
    },
    completeCheckout: (sessionId: string, outcome: CheckoutOutcome) => {
      const record = ctx.store.checkoutSessions.get(sessionId);
      if (!record) throw invalidRequest(`No such checkout.session: '${sessionId}'`, 'id', 'resource_missing');
      ctx.engine.catchUp();
      completeCheckout(ctx, record, outcome);
    },
  };
}
