import type { Route } from '../http/api.js';
import type { SimContext } from '../core/context.js';
import type { SubscriptionRecord } from '../core/store.js';
import { invalidRequest, resourceMissing } from '../core/errors.js';
import { mergeMetadata, type Params } from '../core/params.js';
import type { ProrationBehavior } from '../billing/changes.js';
import { itemChanges } from './item-params.js';
import { updateSubscription } from '../billing/update.js';
import { createdFilter, newestFirst, paginate } from '../http/list.js';

const PRORATION = ['create_prorations', 'always_invoice', 'none'] as const;
const PAYMENT_BEHAVIOR = ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'] as const;
const STATUSES = ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'] as const;

export function subscriptionRecord(ctx: SimContext, id: string, param = 'id'): SubscriptionRecord {
  const rec = ctx.store.subscriptions.get(id);
  if (!rec) throw resourceMissing('subscription', id, param);
  return rec;
}

function defaultPaymentMethod(ctx: SimContext, params: Params): string | null | undefined {
  if (!params.has('default_payment_method')) return undefined;
  const pm = params.str('default_payment_method') || null;
  if (pm && !ctx.store.paymentMethods.has(pm)) throw resourceMissing('PaymentMethod', pm, 'default_payment_method');
  return pm;
}

export const subscriptionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/subscriptions',
    handler: (ctx, { params }) => {
      const now = ctx.now();
      const customer = ctx.customer(params.requiredStr('customer'));
      const items = (itemChanges(ctx, params) ?? []).map((c, i) => {
        if (!c.price) throw invalidRequest(`Missing required param: items[${i}][price].`, `items[${i}][price]`, 'parameter_missing');
        return { price: c.price, quantity: c.quantity ?? 1, metadata: c.metadata };
      });
      if (items.length === 0) throw invalidRequest('Missing required param: items.', 'items', 'parameter_missing');
      const trialDays = params.int('trial_period_days');
      const trialEnd = params.timestampOrNow('trial_end', now) ?? (trialDays ? now + trialDays * 86_400 : null);
      const rec = ctx.engine.createSubscription({
        customer,
        items,
        metadata: mergeMetadata({}, params.metadata()),
        description: params.str('description') || null,
        trialEnd,
        defaultPaymentMethod: defaultPaymentMethod(ctx, params) ?? customer.invoice_settings.default_payment_method as string | null,
        paymentBehavior: params.oneOf('payment_behavior', PAYMENT_BEHAVIOR) ?? 'allow_incomplete',
      });
      if (params.bool('cancel_at_period_end')) updateSubscription(ctx, rec, { cancelAtPeriodEnd: true, prorationBehavior: 'none', paymentBehavior: 'allow_incomplete' });
      return rec.sub;
    },
  },
  { method: 'GET', path: '/subscriptions/:id', handler: (ctx, { path }) => subscriptionRecord(ctx, path['id']!).sub },
  {
    method: 'POST',
    path: '/subscriptions/:id',
    handler: (ctx, { path, params }) => {
      const rec = subscriptionRecord(ctx, path['id']!);
      const now = ctx.now();
      let cancelAt: number | null | undefined;
      if (params.has('cancel_at')) cancelAt = params.isEmpty('cancel_at') ? null : params.timestampOrNow('cancel_at', now);
      updateSubscription(ctx, rec, {
        items: itemChanges(ctx, params),
        prorationBehavior: (params.oneOf('proration_behavior', PRORATION) ?? 'create_prorations') as ProrationBehavior,
        prorationDate: params.int('proration_date'),
        paymentBehavior: params.oneOf('payment_behavior', PAYMENT_BEHAVIOR) ?? 'allow_incomplete',
        cancelAtPeriodEnd: params.bool('cancel_at_period_end'),
        cancelAt,
        metadata: params.metadata(),
        description: params.has('description') ? params.str('description') || null : undefined,
        trialEnd: params.has('trial_end') ? (params.str('trial_end') === 'now' ? 'now' : params.int('trial_end')) : undefined,
        defaultPaymentMethod: defaultPaymentMethod(ctx, params),
      });
      return rec.sub;
    },
  },
  {
    method: 'DELETE',
    path: '/subscriptions/:id',
    handler: (ctx, { path, params }) => {
      const rec = subscriptionRecord(ctx, path['id']!);
      if (rec.sub.status === 'canceled' || rec.sub.status === 'incomplete_expired') {
        throw invalidRequest(`This subscription is already \`${rec.sub.status}\`.`, undefined, 'resource_missing');
      }
      const details = params.obj('cancellation_details');
      if (details?.has('comment')) rec.sub.cancellation_details = { ...(rec.sub.cancellation_details ?? { feedback: null, feedback_option: null, reason: null, comment: null }), comment: details.str('comment') || null };
      ctx.engine.cancelNow(rec, 'cancellation_requested');
      return rec.sub;
    },
  },
  {
    method: 'POST',
    path: '/subscriptions/:id/pause',
    handler: (ctx, { path }) => {
      const rec = subscriptionRecord(ctx, path['id']!);
      if (!['active', 'trialing', 'past_due'].includes(rec.sub.status)) throw invalidRequest(`A \`${rec.sub.status}\` subscription cannot be paused.`);
      const now = ctx.now();
      ctx.engine.mutate(rec, (sub) => {
        sub.status = 'paused';
        sub.status_details = { paused: { subscription: { type: 'pause_requested' }, transitioned_at: now, type: 'subscription' } };
      });
      ctx.events.emit('customer.subscription.paused', rec.sub);
      return rec.sub;
    },
  },
  {
    method: 'POST',
    path: '/subscriptions/:id/resume',
    handler: (ctx, { path }) => {
      const rec = subscriptionRecord(ctx, path['id']!);
      if (rec.sub.status !== 'paused') throw invalidRequest('Only a `paused` subscription can be resumed.', undefined, 'subscription_not_paused');
      ctx.engine.resume(rec);
      ctx.events.emit('customer.subscription.resumed', rec.sub);
      return rec.sub;
    },
  },
  {
    method: 'GET',
    path: '/subscriptions',
    handler: (ctx, { params }) => {
      const customer = params.str('customer');
      const price = params.str('price');
      const status = params.oneOf('status', STATUSES);
      const created = createdFilter(params);
      const all = newestFirst(ctx.store.subscriptions.values())
        .map((r) => r.sub)
        .filter((s) => {
          if (customer !== undefined && s.customer !== customer) return false;
          if (price !== undefined && !s.items.data.some((i) => i.price.id === price)) return false;
          if (!created(s.created)) return false;
          if (status === 'all') return true;
          if (status === 'ended') return s.status === 'canceled' || s.status === 'incomplete_expired';
          // Without a status filter Stripe leaves out canceled subscriptions.
          if (status === undefined) return s.status !== 'canceled' && s.status !== 'incomplete_expired';
          return s.status === status;
        });
      return paginate(all, params, '/v1/subscriptions');
    },
  },
];
