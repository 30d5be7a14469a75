/**
 * Stripe simulator: a local server that speaks the part of Stripe's API this service uses, so the
 * official SDK can be pointed at it in tests and in local development without a Stripe account.
 * See README.md next to this file.
 */
export { startStripeSimulator } from './server.js';
export type { StripeSimulator, StripeSimulatorOptions } from './server.js';
export type { ChaosOptions, DeliveryAttempt } from './core/delivery.js';
export type { PaymentBehavior } from './core/store.js';
export type { CheckoutOutcome } from './billing/checkout.js';
export type { BillingSettings } from './core/context.js';
export type { FinalDunningAction } from './billing/dunning.js';
export { API_VERSION, DEFAULT_PORT, DEFAULT_WEBHOOK_SECRET } from './core/constants.js';
export { WebhookReceiver, type ReceivedWebhook } from './testing/webhook-receiver.js';

export interface SimulatorStripeConfig {
  host: string;
  port: number;
  protocol: 'http';
  maxNetworkRetries: number;
}

/**
 * SDK options pointing `new Stripe(key, options)` at a simulator URL such as
 * `http://127.0.0.1:12111`. Retries are off: the simulator never fails transiently, and retries
 * would only slow a failing test down.
 */
export function simulatorStripeConfig(url: string): SimulatorStripeConfig {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`The Stripe simulator speaks plain http, got ${url}`);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port: u.port ? Number(u.port) : 80, protocol: 'http', maxNetworkRetries: 0 };
}
