import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfigService } from '../config/app-config.service.js';
import { StripeErrorCode, StripeException } from './stripe.exception.js';
import type {
  StripeCheckoutSessionSnapshot,
  StripeCustomerSnapshot,
  StripeSubscriptionSnapshot,
  VerifiedStripeEvent,
} from './stripe.types.js';
import { toCheckoutSessionSnapshot, toCustomerSnapshot, toSubscriptionSnapshot } from './to-stripe-snapshot.util.js';

/**
 * The only `new Stripe(...)` in the service. Every call returns our own snapshot types and every
 * failure becomes a StripeException saying whether a retry can help.
 */
@Injectable()
export class StripeClientService {
  private readonly stripe: Stripe | undefined;
  /** Signature checks need no key, so they work even where the API is not configured. */
  private readonly verifier = new Stripe('sk_test_signature_verification_only');

  constructor(private readonly config: AppConfigService) {
    const { secretKey, apiBase } = config.values.stripe;
    if (secretKey) {
      const base = apiBase ? new URL(apiBase) : undefined;
      const local = base?.protocol === 'http:';
      this.stripe = new Stripe(secretKey, {
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
    return this.call(async () => {
      const all: StripeSubscriptionSnapshot[] = [];
      for await (const subscription of stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 })) {
        all.push(toSubscriptionSnapshot(subscription));
      }
      return all;
    });
  }

  async retrieveCheckoutSession(sessionId: string): Promise<StripeCheckoutSessionSnapshot> {
    const stripe = this.client();
    return this.call(async () => toCheckoutSessionSnapshot(await stripe.checkout.sessions.retrieve(sessionId)));
  }

  async retrieveCustomer(customerId: string): Promise<StripeCustomerSnapshot> {
    const stripe = this.client();
    return this.call(async () => toCustomerSnapshot(await stripe.customers.retrieve(customerId)));
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

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toStripeException(error);
    }
  }
}

export function toStripeException(error: unknown): StripeException {
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
  return new StripeException(StripeErrorCode.STRIPE_UNAVAILABLE, `Stripe: ${(error as Error).message}`);
}
