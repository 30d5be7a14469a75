import Stripe from 'stripe';
import { startStripeSimulator, type StripeSimulator, type StripeSimulatorOptions } from '../server.js';
import { simulatorStripeConfig } from '../index.js';
import { WebhookReceiver } from './webhook-receiver.js';

export const TEST_WEBHOOK_SECRET = 'whsec_test_harness';

/**
 * A simulator, an SDK client pointed at it and a webhook receiver registered as its default
 * endpoint: what the simulator's own specs (and anyone testing against it) need.
 */
export class SimHarness {
  sim!: StripeSimulator;
  stripe!: Stripe;
  receiver!: WebhookReceiver;

  static async start(options: StripeSimulatorOptions = {}): Promise<SimHarness> {
    const h = new SimHarness();
    h.receiver = await new WebhookReceiver().start();
    h.sim = await startStripeSimulator({ webhookUrl: h.receiver.url, webhookSecret: TEST_WEBHOOK_SECRET, delivery: { retryBaseMs: 20 }, ...options });
    h.stripe = new Stripe('sk_test_simulator', simulatorStripeConfig(h.sim.url));
    return h;
  }

  async close(): Promise<void> {
    await this.sim.close();
    await this.receiver.close();
  }

  /** POST to a control route; throws with the body on a non-2xx answer. */
  async control<T = Record<string, unknown>>(path: string, body: unknown = {}, method = 'POST'): Promise<T> {
    const res = await fetch(`${this.sim.url}/_sim${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} /_sim${path} -> ${res.status}: ${JSON.stringify(json)}`);
    return json;
  }

  advance(seconds: number): Promise<{ now: number }> {
    return this.control('/clock/advance', { seconds });
  }

  async now(): Promise<number> {
    return (await this.control<{ now: number }>('/clock', undefined, 'GET')).now;
  }

  paymentBehavior(customer: string, behavior: 'succeed' | 'fail'): Promise<unknown> {
    return this.control(`/customers/${customer}/payment_behavior`, { behavior });
  }

  /** Product with a monthly and a yearly price, found again by lookup key. */
  async plan(name: string, monthly: number, yearly = monthly * 10): Promise<{ product: Stripe.Product; monthly: Stripe.Price; yearly: Stripe.Price }> {
    const product = await this.stripe.products.create({ name });
    const key = name.toLowerCase().replace(/\W+/g, '_');
    const m = await this.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: monthly, recurring: { interval: 'month' }, lookup_key: `${key}_monthly` });
    const y = await this.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: yearly, recurring: { interval: 'year' }, lookup_key: `${key}_yearly` });
    return { product, monthly: m, yearly: y };
  }

  /** Checkout for `price`, completed through the control route; returns the subscription. */
  async subscribe(
    price: string,
    opts: { email?: string; trialDays?: number; outcome?: 'paid' | 'declined'; metadata?: Record<string, string>; customer?: string } = {},
  ): Promise<{ session: Stripe.Checkout.Session; subscription: Stripe.Subscription | null; customer: string }> {
    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price, quantity: 1 }],
      ...(opts.customer ? { customer: opts.customer } : { customer_email: opts.email ?? 'buyer@example.com' }),
      client_reference_id: 'user_1',
      metadata: { origin: 'test' },
      subscription_data: { metadata: opts.metadata ?? { userId: 'user_1' }, ...(opts.trialDays ? { trial_period_days: opts.trialDays } : {}) },
      success_url: 'https://app.example/billing/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.example/billing/cancel',
    });
    const result = await this.control<{ simulator: { subscription: string | null; customer: string } }>(`/checkout_sessions/${session.id}/complete`, {
      outcome: opts.outcome ?? 'paid',
    });
    const subscription = result.simulator.subscription ? await this.stripe.subscriptions.retrieve(result.simulator.subscription) : null;
    return { session: await this.stripe.checkout.sessions.retrieve(session.id), subscription, customer: result.simulator.customer };
  }

  /** Events of `type` recorded so far (newest first, as Stripe lists them). */
  async events(type: string): Promise<Stripe.Event[]> {
    const list = await this.stripe.events.list({ type, limit: 100 });
    return list.data;
  }
}
