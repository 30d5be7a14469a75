import type Stripe from 'stripe';
import type { SimContext } from '../core/context.js';
import type { SubscriptionRecord } from '../core/store.js';
import { invalidRequest } from '../core/errors.js';
import { snapshot } from '../core/diff.js';
import { buildSchedule, buildSchedulePhase } from '../objects/misc.js';
import { planItemChange, type ItemChange, type ProrationBehavior } from './changes.js';
import { addIntervals, type Interval } from './periods.js';
import { recurringOf } from './engine.js';

export interface PhaseInput {
  items: Array<{ price: Stripe.Price; quantity: number }>;
  startDate?: number;
  endDate?: number;
  duration?: { interval: Interval; count: number };
  prorationBehavior?: ProrationBehavior;
  metadata?: Record<string, string>;
}

function subscriptionOf(ctx: SimContext, schedule: Stripe.SubscriptionSchedule): SubscriptionRecord | undefined {
  const id = typeof schedule.subscription === 'string' ? schedule.subscription : schedule.subscription?.id;
  return id ? ctx.store.subscriptions.get(id) : undefined;
}

/** subscriptionSchedules.create({ from_subscription }): one phase mirroring the current period and items. */
export function scheduleFromSubscription(ctx: SimContext, rec: SubscriptionRecord, metadata: Record<string, string>): Stripe.SubscriptionSchedule {
  const sub = rec.sub;
  if (sub.schedule) throw invalidRequest(`The subscription \`${sub.id}\` is already attached to a schedule.`, 'from_subscription');
  if (['canceled', 'incomplete', 'incomplete_expired'].includes(sub.status)) {
    throw invalidRequest(`A schedule cannot be created from a subscription that is \`${sub.status}\`.`, 'from_subscription');
  }
  const phase = buildSchedulePhase(
    {
      startDate: ctx.engine.periodStartOf(sub),
      endDate: ctx.engine.periodEndOf(sub),
      items: sub.items.data.map((i) => ({ price: i.price, quantity: i.quantity ?? 1 })),
      prorationBehavior: 'create_prorations',
      metadata: {},
    },
    sub.currency,
  );
  const schedule = buildSchedule({ now: ctx.now(), customer: sub.customer as string, subscription: sub.id, phases: [phase], endBehavior: 'release', metadata });
  ctx.store.schedules.set(schedule.id, schedule);
  ctx.events.emit('subscription_schedule.created', schedule);
  ctx.engine.mutate(rec, (s) => void (s.schedule = schedule.id));
  return schedule;
}

function itemChangesFor(sub: Stripe.Subscription, items: Array<{ price: Stripe.Price; quantity: number }>): ItemChange[] {
  const changes: ItemChange[] = [];
  sub.items.data.forEach((existing, i) => {
    const target = items[i];
    changes.push(target ? { id: existing.id, price: target.price, quantity: target.quantity } : { id: existing.id, deleted: true });
  });
  for (const extra of items.slice(sub.items.data.length)) changes.push({ price: extra.price, quantity: extra.quantity });
  return changes;
}

function sameItems(sub: Stripe.Subscription, phase: Stripe.SubscriptionSchedule.Phase): boolean {
  return (
    sub.items.data.length === phase.items.length &&
    sub.items.data.every((item, i) => {
      const p = phase.items[i];
      return p !== undefined && p.price === item.price.id && (p.quantity ?? 1) === (item.quantity ?? 1);
    })
  );
}

/** subscriptionSchedules.update({ phases }): phases are contiguous; each start defaults to the previous end. */
export function updateSchedule(
  ctx: SimContext,
  schedule: Stripe.SubscriptionSchedule,
  input: { phases?: PhaseInput[]; endBehavior?: Stripe.SubscriptionSchedule.EndBehavior; metadata?: Record<string, string>; prorationBehavior?: ProrationBehavior },
): void {
  if (schedule.status !== 'active' && schedule.status !== 'not_started') {
    throw invalidRequest(`You cannot update a subscription schedule that is \`${schedule.status}\`.`);
  }
  const before = snapshot(schedule);
  const rec = subscriptionOf(ctx, schedule);
  if (input.phases) {
    if (input.phases.length === 0) throw invalidRequest('A schedule needs at least one phase.', 'phases');
    const now = ctx.now();
    const phases: Stripe.SubscriptionSchedule.Phase[] = [];
    let start = input.phases[0]!.startDate ?? schedule.current_phase?.start_date ?? now;
    input.phases.forEach((p, i) => {
      if (p.items.length === 0) throw invalidRequest(`Missing required param: phases[${i}][items].`, `phases[${i}][items]`, 'parameter_missing');
      if (p.startDate !== undefined && p.startDate !== start && i > 0) {
        throw invalidRequest(`phases[${i}][start_date] must equal the end of the previous phase.`, `phases[${i}][start_date]`);
      }
      const r = recurringOf(p.items[0]!.price);
      const next = input.phases?.[i + 1];
      const end =
        p.endDate ?? (p.duration ? addIntervals(start, p.duration.interval, p.duration.count, 1) : next?.startDate ?? addIntervals(start, r.interval, r.count, 1));
      if (end <= start) throw invalidRequest(`phases[${i}][end_date] must be after its start_date.`, `phases[${i}][end_date]`);
      phases.push(
        buildSchedulePhase(
          { startDate: start, endDate: end, items: p.items, prorationBehavior: p.prorationBehavior ?? 'create_prorations', metadata: p.metadata ?? {} },
          p.items[0]!.price.currency,
        ),
      );
      start = end;
    });
    schedule.phases = phases;
    const current = phases.find((p) => p.start_date <= now && now < p.end_date) ?? phases[0]!;
    schedule.current_phase = { start_date: current.start_date, end_date: current.end_date };
    // A current phase with other items takes effect now, prorated like a direct update.
    if (rec && !sameItems(rec.sub, current)) {
      const items = current.items.map((i) => ({ price: ctx.price(i.price as string), quantity: i.quantity ?? 1 }));
      const planned = planItemChange(ctx, rec.sub, itemChangesFor(rec.sub, items), input.prorationBehavior ?? 'create_prorations', now);
      const prev = rec.sub;
      rec.sub = planned.working;
      if ((input.prorationBehavior ?? 'create_prorations') === 'create_prorations') rec.pendingLines.push(...planned.prorationLines);
      ctx.events.emitUpdated('customer.subscription.updated', prev, rec.sub);
    }
  }
  if (input.endBehavior) schedule.end_behavior = input.endBehavior;
  if (input.metadata) schedule.metadata = input.metadata;
  ctx.events.emitUpdated('subscription_schedule.updated', before, schedule);
}

export function releaseSchedule(ctx: SimContext, schedule: Stripe.SubscriptionSchedule): void {
  if (schedule.status !== 'active' && schedule.status !== 'not_started') {
    throw invalidRequest(`You cannot release a subscription schedule that is \`${schedule.status}\`.`);
  }
  const rec = subscriptionOf(ctx, schedule);
  schedule.status = 'released';
  schedule.released_at = ctx.now();
  schedule.released_subscription = rec?.sub.id ?? null;
  schedule.current_phase = null;
  if (rec) ctx.engine.mutate(rec, (s) => void (s.schedule = null));
  ctx.events.emit('subscription_schedule.released', schedule);
}

/** Clock hook: the next phase starts (new items, billed by the renewal at the same instant) or the schedule ends. */
export function scheduleTransition(ctx: SimContext, rec: SubscriptionRecord): void {
  const id = typeof rec.sub.schedule === 'string' ? rec.sub.schedule : null;
  const schedule = id ? ctx.store.schedules.get(id) : undefined;
  if (!schedule || !schedule.current_phase) return;
  const now = ctx.now();
  const currentStart = schedule.current_phase.start_date;
  const next = schedule.phases.find((p) => p.start_date > currentStart);
  if (!next) {
    if (schedule.end_behavior === 'cancel') {
      schedule.status = 'completed';
      schedule.completed_at = now;
      ctx.events.emit('subscription_schedule.completed', schedule);
      ctx.engine.cancelNow(rec, 'cancellation_requested');
    } else {
      releaseSchedule(ctx, schedule);
    }
    return;
  }
  const before = snapshot(schedule);
  schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
  if (!sameItems(rec.sub, next)) {
    const items = next.items.map((i) => ({ price: ctx.price(i.price as string), quantity: i.quantity ?? 1 }));
    const planned = planItemChange(ctx, rec.sub, itemChangesFor(rec.sub, items), next.proration_behavior as ProrationBehavior, now);
    if (planned.intervalChanged) {
      const end = Math.min(...planned.working.items.data.map((i) => i.current_period_end));
      ctx.engine.billNewPeriod(rec, planned.working, [...planned.prorationLines, ...planned.newPeriodLines], now, end, 'subscription_update');
    } else {
      const prev = rec.sub;
      rec.sub = planned.working;
      if (next.proration_behavior !== 'none') rec.pendingLines.push(...planned.prorationLines);
      ctx.events.emitUpdated('customer.subscription.updated', prev, rec.sub);
    }
  }
  ctx.events.emitUpdated('subscription_schedule.updated', before, schedule);
}
