import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

const signer = new Stripe('sk_test_factory');

export interface SignedEvent {
  id: string;
  body: string;
  signature: string;
}

/** The Stripe-Signature header Stripe would send for this exact body. */
export function signPayload(body: string, secret: string, timestamp?: number): string {
  return signer.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
}

/** A Stripe event body as Stripe sends it, with the real Stripe-Signature header for `secret`. */
export function signedEvent(options: {
  secret: string;
  type?: string;
  object?: Record<string, unknown>;
  livemode?: boolean;
  id?: string;
  timestamp?: number;
}): SignedEvent {
  const id = options.id ?? `evt_test_${randomBytes(8).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: options.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: options.type ?? 'customer.subscription.updated',
    data: { object: options.object ?? { id: 'sub_test', object: 'subscription', customer: 'cus_test', status: 'active' } },
  });
  const signature = signer.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.secret,
    timestamp: options.timestamp ?? created,
  });
  return { id, body, signature };
}
