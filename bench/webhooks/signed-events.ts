import Stripe from 'stripe';

const signer = new Stripe('sk_test_bench_signer');

export interface SignedDelivery {
  id: string;
  body: string;
  signature: string;
}

/**
 * A `customer.subscription.updated` event shaped as Stripe sends it at API 2026-10-28.endive
 * (about 2 kB), signed with `secret` the way Stripe signs deliveries. Every call gets a fresh id.
 */
export function makeSubscriptionUpdated(secret: string, id: string, customerId: string): SignedDelivery {
  const created = Math.floor(Date.now() / 1000);
  const subscriptionId = `sub_${customerId.slice(4)}`;
  const body = JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.subscription.updated',
    data: {
      object: {
        id: subscriptionId,
        object: 'subscription',
        customer: customerId,
        status: 'active',
        created: created - 86_400,
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        ended_at: null,
        trial_start: null,
        trial_end: null,
        collection_method: 'charge_automatically',
        currency: 'usd',
        livemode: false,
        metadata: { businessId: `biz_${customerId.slice(4)}` },
        items: {
          object: 'list',
          data: [
            {
              id: `si_${customerId.slice(4)}`,
              object: 'subscription_item',
              created: created - 86_400,
              current_period_start: created - 86_400,
              current_period_end: created + 29 * 86_400,
              quantity: 1,
              subscription: subscriptionId,
              price: {
                id: 'price_bench_glow_up_monthly',
                object: 'price',
                active: true,
                currency: 'usd',
                product: 'prod_bench_glow_up',
                recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
                type: 'recurring',
                unit_amount: 2900,
              },
            },
          ],
          has_more: false,
          url: `/v1/subscription_items?subscription=${subscriptionId}`,
        },
      },
      previous_attributes: { metadata: {} },
    },
  });
  return { id, body, signature: signer.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: created }) };
}
