import type Stripe from 'stripe';
import type { Route } from '../http/api.js';
import type { SimContext } from '../core/context.js';
import { invalidRequest, resourceMissing } from '../core/errors.js';
import { mergeMetadata, type Params } from '../core/params.js';
import { releaseSchedule, scheduleFromSubscription, updateSchedule, type PhaseInput } from '../billing/schedules.js';
import type { ProrationBehavior } from '../billing/changes.js';
import type { Interval } from '../billing/periods.js';
import { newestFirst, paginate } from '../http/list.js';
import { subscriptionRecord } from './subscriptions.js';

const PRORATION = ['create_prorations', 'always_invoice', 'none'] as const;
const END_BEHAVIOR = ['release', 'cancel', 'none', 'renew'] as const;
const INTERVALS = ['day', 'week', 'month', 'year'] as const;

function schedule(ctx: SimContext, id: string): Stripe.SubscriptionSchedule {
  const s = ctx.store.schedules.get(id);
  if (!s) throw resourceMissing('subscription_schedule', id);
  return s;
}

function phases(ctx: SimContext, params: Params): PhaseInput[] | undefined {
  if (!params.has('phases')) return undefined;
  const now = ctx.now();
  return params.list('phases').map((p, i) => {
    const items = p.list('items').map((item, j) => ({
      price: ctx.price(item.requiredStr('price'), `phases[${i}][items][${j}][price]`),
      quantity: item.int('quantity') ?? 1,
    }));
    const duration = p.obj('duration');
    const phase: PhaseInput = { items };
    const start = p.timestampOrNow('start_date', now);
    if (start !== undefined) phase.startDate = start;
    const end = p.timestampOrNow('end_date', now);
    if (end !== undefined) phase.endDate = end;
    if (duration) {
      const interval = duration.oneOf('interval', INTERVALS);
      if (!interval) throw invalidRequest(`Missing required param: phases[${i}][duration][interval].`, `phases[${i}][duration][interval]`, 'parameter_missing');
      phase.duration = { interval: interval as Interval, count: duration.int('interval_count') ?? 1 };
    }
    const proration = p.oneOf('proration_behavior', PRORATION);
    if (proration) phase.prorationBehavior = proration as ProrationBehavior;
    const metadata = p.metadata();
    if (metadata) phase.metadata = mergeMetadata({}, metadata);
    return phase;
  });
}

export const scheduleRoutes: Route[] = [
  {
    method: 'POST',
    path: '/subscription_schedules',
    handler: (ctx, { params }) => {
      const from = params.str('from_subscription');
      if (!from) {
        throw invalidRequest('The simulator only creates schedules with `from_subscription` (schedules that start new subscriptions are not simulated).', 'from_subscription');
      }
      const rec = subscriptionRecord(ctx, from, 'from_subscription');
      return scheduleFromSubscription(ctx, rec, mergeMetadata({}, params.metadata()));
    },
  },
  { method: 'GET', path: '/subscription_schedules/:id', handler: (ctx, { path }) => schedule(ctx, path['id']!) },
  {
    method: 'POST',
    path: '/subscription_schedules/:id',
    handler: (ctx, { path, params }) => {
      const s = schedule(ctx, path['id']!);
      const metadata = params.metadata();
      updateSchedule(ctx, s, {
        phases: phases(ctx, params),
        endBehavior: params.oneOf('end_behavior', END_BEHAVIOR),
        metadata: metadata ? mergeMetadata(s.metadata ?? {}, metadata) : undefined,
        prorationBehavior: params.oneOf('proration_behavior', PRORATION) as ProrationBehavior | undefined,
      });
      return s;
    },
  },
  {
    method: 'POST',
    path: '/subscription_schedules/:id/release',
    handler: (ctx, { path }) => {
      const s = schedule(ctx, path['id']!);
      releaseSchedule(ctx, s);
      return s;
    },
  },
  {
    method: 'POST',
    path: '/subscription_schedules/:id/cancel',
    handler: (ctx, { path }) => {
      const s = schedule(ctx, path['id']!);
      if (s.status !== 'active' && s.status !== 'not_started') throw invalidRequest(`You cannot cancel a subscription schedule that is \`${s.status}\`.`);
      const subId = typeof s.subscription === 'string' ? s.subscription : null;
      const rec = subId ? ctx.store.subscriptions.get(subId) : undefined;
      // Canceling a schedule cancels its subscription too; cancelNow marks the schedule canceled.
      if (rec && rec.sub.status !== 'canceled') ctx.engine.cancelNow(rec, 'cancellation_requested');
      else {
        s.status = 'canceled';
        s.canceled_at = ctx.now();
        ctx.events.emit('subscription_schedule.canceled', s);
      }
      return s;
    },
  },
  {
    method: 'GET',
    path: '/subscription_schedules',
    handler: (ctx, { params }) => {
      const customer = params.str('customer');
      const all = newestFirst(ctx.store.schedules.values()).filter((s) => customer === undefined || s.customer === customer);
      return paginate(all, params, '/v1/subscription_schedules');
    },
  },
];
