import { Injectable, Optional } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfigService } from '../config/app-config.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { StripeErrorCode, StripeException } from './stripe.exception.js';
import type {
  StripeCheckoutSessionSnapshot,
  StripeCustomerSnapshot,
  StripeInvoicePreview,
  StripeProration,
  StripeSubscriptionSnapshot,
  VerifiedStripeEvent,
} from './stripe.types.js';
import {
  toCheckoutSessionSnapshot,
  toCustomerSnapshot,
  toInvoicePreview,
  toSubscriptionSnapshot,
} from './to-stripe-snapshot.util.js';

/** Every subscription we read carries its schedule, so a scheduled plan change can be shown. */
const SUBSCRIPTION_EXPAND = ['schedule'];

export interface CreateCheckoutSessionParams {
  customerId: string;
  priceId: string;
  businessId: string;
  planKey: string;
  successUrl: string;
  cancelUrl: string;
  /** 0 = no trial. */
  trialDays: number;
}

export interface ChangeSubscriptionPriceParams {
  subscriptionId: string;
  itemId: string;
  priceId: string;
  proration: StripeProration;
  prorationDate: Date;
}

/**
 * The API version every request and every parsed object is written for. Typed as the SDK's own
 * pin, so an SDK upgrade that moves the pin fails the typecheck instead of silently changing
 * object shapes; the emergency fallback refuses event bodies of any other version.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/**
 * The only `new Stripe(...)` in the service. Every call returns our own snapshot types and every
 * failure becomes a StripeException saying whether a retry can help.
 */
@Injectable()
export class StripeClientService {
  private readonly stripe: Stripe | undefined;
  /** Signature checks need no key, so they work even where the API is not configured. */
  private readonly verifier = new Stripe('sk_test_signature_verification_only', { apiVersion: STRIPE_API_VERSION });

  constructor(
    private readonly config: AppConfigService,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const { secretKey, apiBase } = config.values.stripe;
    if (secretKey) {
      const base = apiBase ? new URL(apiBase) : undefined;
      const local = base?.protocol === 'http:';
      this.stripe = new Stripe(secretKey, {
        apiVersion: STRIPE_API_VERSION,
        ...(base
          ? {
              host: base.hostname,
              port: Number(base.port || (local ? 80 : 443)),
              protocol: local ? 'http' : 'https',
            }
          : {}),
        // The local simulator answers at once; real Stripe deserves the SDK's retries.
        maxNetworkRetries: local ? 0 : 2,
        timeout: 20_000,
        appInfo: { name: 'billing-service' },
      });
    }
  }

  get configured(): boolean {
    return this.stripe !== undefined;
  }

  /** Whether our key is a live key; events of the other mode are ignored. */
  get livemode(): boolean {
    return /^(sk|rk)_live_/.test(this.config.values.stripe.secretKey ?? '');
  }

  /**
   * Checks a webhook payload's signature against each configured secret (several during a
   * rotation). Throws INVALID_SIGNATURE for a missing, malformed, wrong or stale signature.
   * Reading the event is the caller's job: a signed body that is not an event is another error.
   */
  verifyWebhookSignature(payload: string, signature: string | undefined): void {
    const secrets = this.config.values.stripe.webhookSecrets;
    if (secrets.length === 0) {
      throw new StripeException(StripeErrorCode.WEBHOOK_NOT_CONFIGURED, 'STRIPE_WEBHOOK_SECRET is not set');
    }
    if (!signature) {
      throw new StripeException(StripeErrorCode.INVALID_SIGNATURE, 'Missing Stripe-Signature header');
    }
    let lastError = 'invalid signature';
    for (const secret of secrets) {
      try {
        // Typed nullable, but the SDK sets it when it builds `webhooks` (constructEvent uses it too).
        this.verifier.webhooks.signature!.verifyHeader(payload, signature, secret, this.config.values.webhooks.toleranceSeconds);
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    throw new StripeException(StripeErrorCode.INVALID_SIGNATURE, `Invalid Stripe-Signature: ${lastError}`);
  }

  /** The subscription an event carries (for the emergency fallback), or null for other objects. */
  subscriptionFromEvent(event: Pick<VerifiedStripeEvent, 'object'>): StripeSubscriptionSnapshot | null {
    if (event.object.object !== 'subscription') return null;
    return toSubscriptionSnapshot(event.object as unknown as Stripe.Subscription);
  }

  /** Every subscription of the customer, whatever its status. */
  async listSubscriptions(customerId: string): Promise<StripeSubscriptionSnapshot[]> {
    const stripe = this.client();
    const all = await this.call('subscriptions.list', async () => {
      const fetched: Stripe.Subscription[] = [];
      for await (const subscription of stripe.subscriptions.list({
        customer: customerId,
        status: 'all',
        limit: 100,
        expand: SUBSCRIPTION_EXPAND.map((path) => `data.${path}`),
      })) {
        fetched.push(subscription);
      }
      return fetched;
    });
    // Mapping runs outside call(): a bug in our code must not pass for Stripe being down.
    return all.map(toSubscriptionSnapshot);
  }

  /** The API version this client sends (for tests and diagnostics). */
  get apiVersion(): string | null {
    return this.stripe?.getApiField('version') ?? null;
  }

  async retrieveCheckoutSession(sessionId: string): Promise<StripeCheckoutSessionSnapshot> {
    const stripe = this.client();
    return toCheckoutSessionSnapshot(await this.call('checkout.sessions.retrieve', () => stripe.checkout.sessions.retrieve(sessionId)));
  }

  async retrieveCustomer(customerId: string): Promise<StripeCustomerSnapshot> {
    const stripe = this.client();
    return toCustomerSnapshot(await this.call('customers.retrieve', () => stripe.customers.retrieve(customerId)));
  }

  /** The owner's customer: metadata.businessId ties it to the business even before any checkout. */
  async createCustomer(
    params: { businessId: string; email: string | null },
    idempotencyKey: string,
  ): Promise<StripeCustomerSnapshot> {
    const stripe = this.client();
    return this.call('customers.create', async () =>
      toCustomerSnapshot(
        await stripe.customers.create(
          { ...(params.email ? { email: params.email } : {}), metadata: { businessId: params.businessId } },
          { idempotencyKey },
        ),
      ),
    );
  }

  /** A subscription-mode Checkout Session for one price, tied to the business both ways. */
  async createCheckoutSession(
    params: CreateCheckoutSessionParams,
    idempotencyKey: string,
  ): Promise<StripeCheckoutSessionSnapshot> {
    const stripe = this.client();
    return this.call('checkout.sessions.create', async () =>
      toCheckoutSessionSnapshot(
        await stripe.checkout.sessions.create(
          {
            mode: 'subscription',
            customer: params.customerId,
            line_items: [{ price: params.priceId, quantity: 1 }],
            client_reference_id: params.businessId,
            metadata: { businessId: params.businessId, planKey: params.planKey },
            subscription_data: {
              metadata: { businessId: params.businessId, planKey: params.planKey },
              ...(params.trialDays > 0 ? { trial_period_days: params.trialDays } : {}),
            },
            success_url: params.successUrl,
            cancel_url: params.cancelUrl,
          },
          { idempotencyKey },
        ),
      ),
    );
  }

  async expireCheckoutSession(sessionId: string, idempotencyKey: string): Promise<StripeCheckoutSessionSnapshot> {
    const stripe = this.client();
    return this.call('checkout.sessions.expire', async () =>
      toCheckoutSessionSnapshot(await stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey })),
    );
  }

  async createBillingPortalSession(
    customerId: string,
    returnUrl: string,
    idempotencyKey: string,
  ): Promise<{ id: string; url: string }> {
    const stripe = this.client();
    return this.call('billingPortal.sessions.create', async () => {
      const session = await stripe.billingPortal.sessions.create(
        { customer: customerId, return_url: returnUrl },
        { idempotencyKey },
      );
      return { id: session.id, url: session.url };
    });
  }

  async retrieveSubscription(subscriptionId: string): Promise<StripeSubscriptionSnapshot> {
    const stripe = this.client();
    return this.call('subscriptions.retrieve', async () =>
      toSubscriptionSnapshot(await stripe.subscriptions.retrieve(subscriptionId, { expand: SUBSCRIPTION_EXPAND })),
    );
  }

  /**
   * What Stripe would invoice for a price change: with `always_invoice` the proration invoice
   * charged at once, otherwise the next renewal. The same prorationDate in changeSubscriptionPrice
   * reproduces the amount exactly.
   */
  async previewPriceChange(params: ChangeSubscriptionPriceParams): Promise<StripeInvoicePreview> {
    const stripe = this.client();
    return this.call('invoices.createPreview', async () =>
      toInvoicePreview(
        await stripe.invoices.createPreview({
          subscription: params.subscriptionId,
          subscription_details: {
            items: [{ id: params.itemId, price: params.priceId, quantity: 1 }],
            proration_behavior: params.proration,
            proration_date: Math.floor(params.prorationDate.getTime() / 1000),
          },
        }),
      ),
    );
  }

  /**
   * Replaces the price of one item (items[].id given, or Stripe would add an item; other items,
   * such as add-ons, are left as they are). `error_if_incomplete`: a change whose invoice cannot
   * be paid is refused with a 402 and nothing changes. (`pending_if_incomplete` would answer 200
   * with the change parked in `pending_update` and an open invoice: the caller would have to
   * treat a 200 as "not applied".)
   */
  async changeSubscriptionPrice(
    params: ChangeSubscriptionPriceParams,
    idempotencyKey: string,
  ): Promise<StripeSubscriptionSnapshot> {
    const stripe = this.client();
    return this.call('subscriptions.update', async () =>
      toSubscriptionSnapshot(
        await stripe.subscriptions.update(
          params.subscriptionId,
          {
            items: [{ id: params.itemId, price: params.priceId, quantity: 1 }],
            proration_behavior: params.proration,
            proration_date: Math.floor(params.prorationDate.getTime() / 1000),
            payment_behavior: 'error_if_incomplete',
            expand: SUBSCRIPTION_EXPAND,
          },
          { idempotencyKey },
        ),
      ),
    );
  }

  /**
   * Switches the items when the current period ends, through a subscription schedule (created
   * from the subscription unless one is attached): phase 1 keeps `currentItems` to the period
   * end, phase 2 has `nextItems`; then the schedule releases the subscription. Phases replace all
   * items, so both lists name every item (add-ons included), not only the plan's.
   */
  async schedulePriceChange(
    params: {
      subscriptionId: string;
      scheduleId: string | null;
      currentItems: { priceId: string; quantity: number }[];
      nextItems: { priceId: string; quantity: number }[];
      periodEnd: Date;
    },
    idempotencyKey: string,
  ): Promise<void> {
    const stripe = this.client();
    const phaseItems = (items: { priceId: string; quantity: number }[]) => items.map((item) => ({ price: item.priceId, quantity: item.quantity }));
    await this.call('subscriptionSchedules.update', async () => {
      const schedule = params.scheduleId
        ? await stripe.subscriptionSchedules.retrieve(params.scheduleId)
        : await stripe.subscriptionSchedules.create(
            { from_subscription: params.subscriptionId },
            { idempotencyKey: `${idempotencyKey}:create` },
          );
      const start = schedule.current_phase?.start_date ?? schedule.phases[0]?.start_date;
      await stripe.subscriptionSchedules.update(
        schedule.id,
        {
          end_behavior: 'release',
          phases: [
            {
              items: phaseItems(params.currentItems),
              ...(start ? { start_date: start } : {}),
              end_date: Math.floor(params.periodEnd.getTime() / 1000),
            },
            { items: phaseItems(params.nextItems), proration_behavior: 'none' },
          ],
        },
        { idempotencyKey: `${idempotencyKey}:update` },
      );
    });
  }

  /** Detaches the schedule; the subscription keeps its current price and carries on. */
  async releaseSchedule(scheduleId: string, idempotencyKey: string): Promise<void> {
    const stripe = this.client();
    await this.call('subscriptionSchedules.release', () => stripe.subscriptionSchedules.release(scheduleId, {}, { idempotencyKey }));
  }

  async setCancelAtPeriodEnd(
    subscriptionId: string,
    cancelAtPeriodEnd: boolean,
    idempotencyKey: string,
  ): Promise<StripeSubscriptionSnapshot> {
    const stripe = this.client();
    return this.call('subscriptions.update', async () =>
      toSubscriptionSnapshot(
        await stripe.subscriptions.update(
          subscriptionId,
          { cancel_at_period_end: cancelAtPeriodEnd, expand: SUBSCRIPTION_EXPAND },
          { idempotencyKey },
        ),
      ),
    );
  }

  /** A cancellation on a date (the billing portal's way), or null to clear one (`cancel_at: ''`). */
  async setCancelAt(subscriptionId: string, at: Date | null, idempotencyKey: string): Promise<StripeSubscriptionSnapshot> {
    const stripe = this.client();
    return this.call('subscriptions.update', async () =>
      toSubscriptionSnapshot(
        await stripe.subscriptions.update(
          subscriptionId,
          { cancel_at: at ? Math.floor(at.getTime() / 1000) : '', expand: SUBSCRIPTION_EXPAND },
          { idempotencyKey },
        ),
      ),
    );
  }

  async cancelSubscriptionNow(subscriptionId: string, idempotencyKey: string): Promise<StripeSubscriptionSnapshot> {
    const stripe = this.client();
    return this.call('subscriptions.cancel', async () =>
      toSubscriptionSnapshot(await stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey })),
    );
  }

  /** The SDK itself, for the few callers inside src/stripe/ that need more than a snapshot. */
  sdk(): Stripe {
    return this.client();
  }

  private client(): Stripe {
    if (!this.stripe) {
      throw new StripeException(StripeErrorCode.STRIPE_NOT_CONFIGURED, 'STRIPE_SECRET_KEY is not set');
    }
    return this.stripe;
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    const guarded = async () => {
      try {
        return await request();
      } catch (error) {
        throw toStripeException(error);
      }
    };
    return this.metrics ? this.metrics.timeStripeCall(operation, guarded, (error) => (error as StripeException).code) : guarded();
  }
}

/**
 * Stripe's own failures become a StripeException: STRIPE_UNAVAILABLE only for transport errors,
 * 5xx and rate limits (worth retrying, and what the emergency fallback waits for). Anything else
 * (a TypeError in our code) is returned unchanged: it is a plain failure, never "Stripe is down".
 */
export function toStripeException(error: unknown): unknown {
  if (error instanceof Stripe.errors.StripeError) {
    const retryable =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      (error.statusCode ?? 0) >= 500;
    return new StripeException(
      retryable ? StripeErrorCode.STRIPE_UNAVAILABLE : StripeErrorCode.STRIPE_REQUEST_FAILED,
      `Stripe: ${error.message}`,
      { stripeCode: error.code ?? null, stripeStatus: error.statusCode ?? null },
    );
  }
  return error;
}
