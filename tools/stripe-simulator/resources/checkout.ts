import type Stripe from 'stripe';
import type { Route } from '../http/api.js';
import type { SimContext } from '../core/context.js';
import type { CheckoutRecord } from '../core/store.js';
import { invalidRequest, resourceMissing } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { mergeMetadata } from '../core/params.js';
import { buildCheckoutLineItem, buildCheckoutSession } from '../objects/checkout.js';
import { buildPortalSession } from '../objects/misc.js';
import { newestFirst, paginate } from '../http/list.js';

const DAY = 86_400;

export function checkoutRecord(ctx: SimContext, id: string): CheckoutRecord {
  const record = ctx.store.checkoutSessions.get(id);
  if (!record) throw resourceMissing('checkout.session', id);
  return record;
}

export const checkoutRoutes: Route[] = [
  {
    method: 'POST',
    path: '/checkout/sessions',
    handler: (ctx, { params }) => {
      const now = ctx.now();
      const mode = params.requiredStr('mode');
      if (mode !== 'subscription') {
        throw invalidRequest(`The simulator only supports mode=subscription (got ${mode}).`, 'mode');
      }
      const customerId = params.str('customer') || null;
      const customerEmail = params.str('customer_email') || null;
      if (customerId && customerEmail) throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
      if (customerId) ctx.customer(customerId);
      const lineParams = params.list('line_items');
      if (lineParams.length === 0) throw invalidRequest('`line_items` is required in `subscription` mode.', 'line_items', 'parameter_missing');
      const lineItems = lineParams.map((li, i) => {
        if (li.has('price_data')) throw invalidRequest('The simulator needs line_items[][price]; price_data is not supported.', `line_items[${i}][price_data]`);
        const price = ctx.price(li.requiredStr('price'), `line_items[${i}][price]`);
        if (!price.active) throw invalidRequest(`The price \`${price.id}\` is not active.`, `line_items[${i}][price]`);
        if (!price.recurring) throw invalidRequest('You must provide at least one recurring price in `subscription` mode.', `line_items[${i}][price]`);
        const quantity = li.int('quantity') ?? 1;
        if (quantity < 1) throw invalidRequest('Quantity must be at least 1.', `line_items[${i}][quantity]`);
        return buildCheckoutLineItem(price, quantity, ctx.productName(price));
      });
      const currency = lineItems[0]!.currency;
      if (lineItems.some((li) => li.currency !== currency)) throw invalidRequest('All line items must share one currency.', 'line_items');
      const sd = params.obj('subscription_data');
      const trialPeriodDays = sd?.int('trial_period_days') ?? null;
      if (trialPeriodDays !== null && trialPeriodDays < 1) throw invalidRequest('trial_period_days must be at least 1.', 'subscription_data[trial_period_days]');
      const trialEnd = sd?.int('trial_end') ?? null;
      if (trialEnd !== null && trialEnd < now + 2 * DAY) {
        throw invalidRequest('subscription_data[trial_end] must be at least 48 hours in the future.', 'subscription_data[trial_end]');
      }
      const expiresAt = params.int('expires_at') ?? now + DAY;
      if (expiresAt < now + 30 * 60 || expiresAt > now + DAY) throw invalidRequest('expires_at must be between 30 minutes and 24 hours from now.', 'expires_at');
      const id = newId('cs_test', 58);
      const pmc = params.oneOf('payment_method_collection', ['always', 'if_required'] as const) ?? 'always';
      const session = buildCheckoutSession({
        id,
        now,
        url: `${ctx.baseUrl}/checkout/${id}`,
        currency,
        amountTotal: lineItems.reduce((sum, li) => sum + li.amount_total, 0),
        customer: customerId,
        customerEmail,
        clientReferenceId: params.str('client_reference_id') || null,
        metadata: mergeMetadata({}, params.metadata()),
        successUrl: params.str('success_url') || null,
        cancelUrl: params.str('cancel_url') || null,
        expiresAt,
        allowPromotionCodes: params.bool('allow_promotion_codes') ?? null,
        paymentMethodCollection: pmc,
        locale: (params.str('locale') as Stripe.Checkout.Session.Locale | undefined) ?? null,
      });
      ctx.store.checkoutSessions.set(id, {
        session,
        lineItems,
        subscriptionData: {
          metadata: mergeMetadata({}, sd?.metadata()),
          trialPeriodDays,
          trialEnd,
          description: sd?.str('description') || null,
        },
        attempt: null,
      });
      return session;
    },
  },
  { method: 'GET', path: '/checkout/sessions/:id', handler: (ctx, { path }) => checkoutRecord(ctx, path['id']!).session },
  {
    method: 'GET',
    path: '/checkout/sessions/:id/line_items',
    handler: (ctx, { path, params }) => {
      const record = checkoutRecord(ctx, path['id']!);
      return paginate(record.lineItems, params, `/v1/checkout/sessions/${record.session.id}/line_items`);
    },
  },
  {
    method: 'POST',
    path: '/checkout/sessions/:id/expire',
    handler: (ctx, { path }) => {
      const session = checkoutRecord(ctx, path['id']!).session;
      if (session.status !== 'open') throw invalidRequest(`Only open Checkout Sessions can be expired (this one is ${session.status ?? 'unknown'}).`);
      session.status = 'expired';
      session.url = null;
      ctx.events.emit('checkout.session.expired', session);
      return session;
    },
  },
  {
    method: 'GET',
    path: '/checkout/sessions',
    handler: (ctx, { params }) => {
      const customer = params.str('customer');
      const subscription = params.str('subscription');
      const status = params.str('status');
      const all = newestFirst(ctx.store.checkoutSessions.values())
        .map((r) => r.session)
        .filter((s) => (customer === undefined || s.customer === customer) && (subscription === undefined || s.subscription === subscription) && (status === undefined || s.status === status));
      return paginate(all, params, '/v1/checkout/sessions');
    },
  },
  {
    method: 'POST',
    path: '/billing_portal/sessions',
    handler: (ctx, { params }) => {
      const customer = ctx.customer(params.requiredStr('customer'));
      const flowData = params.obj('flow_data');
      const flowType = flowData?.str('type');
      const session = buildPortalSession({
        now: ctx.now(),
        customer: customer.id,
        returnUrl: params.str('return_url') || null,
        baseUrl: ctx.baseUrl,
        flow: null,
      });
      if (flowType) session.url = `${session.url}?flow=${encodeURIComponent(flowType)}`;
      ctx.store.portalSessions.set(session.id, session);
      ctx.events.emit('billing_portal.session.created', session);
      return session;
    },
  },
];
