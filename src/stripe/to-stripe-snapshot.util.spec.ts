import { describe, expect, it } from '@jest/globals';
import { toSubscriptionDetails } from './to-stripe-snapshot.util.js';

const subscription = (schedule: unknown) => ({
  id: 'sub_1',
  object: 'subscription',
  items: { data: [{ id: 'si_1', price: { id: 'price_viral' } }] },
  schedule,
});
const phase = (start: number, end: number, price: string) => ({ start_date: start, end_date: end, items: [{ price }] });
// One-item subscriptions: the only price is the plan's.
const only = (priceIds: string[]) => priceIds[0] ?? null;

describe('toSubscriptionDetails', () => {
  it('gives the item and no change without a schedule', () => {
    expect(toSubscriptionDetails(subscription(null), only)).toEqual({
      itemId: 'si_1',
      scheduleId: null,
      scheduledChange: null,
      items: [{ id: 'si_1', priceId: 'price_viral', quantity: 1 }],
    });
  });

  it('knows only the id of a schedule that was not expanded', () => {
    expect(toSubscriptionDetails(subscription('sub_sched_1'), only)).toMatchObject({
      itemId: 'si_1',
      scheduleId: 'sub_sched_1',
      scheduledChange: null,
    });
  });

  it('reads the next phase that switches price as the scheduled change', () => {
    const schedule = {
      id: 'sub_sched_1',
      status: 'active',
      current_phase: { start_date: 100, end_date: 200 },
      phases: [phase(100, 200, 'price_viral'), phase(200, 300, 'price_glow')],
    };
    expect(toSubscriptionDetails(subscription(schedule), only)).toMatchObject({
      itemId: 'si_1',
      scheduleId: 'sub_sched_1',
      scheduledChange: { priceId: 'price_glow', effectiveAt: new Date(200_000) },
    });
  });

  it('takes the plan item and the phase plan price the selector names, not the first item (an add-on)', () => {
    const withAddon = {
      id: 'sub_1',
      object: 'subscription',
      items: { data: [{ id: 'si_addon', price: { id: 'price_addon' }, quantity: 3 }, { id: 'si_plan', price: { id: 'price_viral' } }] },
      schedule: {
        id: 'sub_sched_1',
        status: 'active',
        current_phase: { start_date: 100, end_date: 200 },
        phases: [
          { start_date: 100, end_date: 200, items: [{ price: 'price_addon' }, { price: 'price_viral' }] },
          { start_date: 200, end_date: 300, items: [{ price: 'price_addon' }, { price: 'price_glow' }] },
        ],
      },
    };
    const plan = (ids: string[]) => ids.find((id) => id !== 'price_addon') ?? null;
    expect(toSubscriptionDetails(withAddon, plan)).toEqual({
      itemId: 'si_plan',
      scheduleId: 'sub_sched_1',
      scheduledChange: { priceId: 'price_glow', effectiveAt: new Date(200_000) },
      items: [
        { id: 'si_addon', priceId: 'price_addon', quantity: 3 },
        { id: 'si_plan', priceId: 'price_viral', quantity: 1 },
      ],
    });
    // Stripe's order alone would take the add-on for the plan.
    expect(toSubscriptionDetails(withAddon, only).itemId).toBe('si_addon');
  });

  it('sees no change once the new phase is current, or when the schedule is over or keeps the price', () => {
    const base = { id: 'sub_sched_1', phases: [phase(100, 200, 'price_glow'), phase(200, 300, 'price_viral')] };
    expect(toSubscriptionDetails(subscription({ ...base, status: 'active', current_phase: { start_date: 200, end_date: 300 } }), only).scheduledChange).toBeNull();
    expect(toSubscriptionDetails(subscription({ ...base, status: 'released', current_phase: null }), only).scheduledChange).toBeNull();
    const same = { id: 'sub_sched_1', status: 'active', current_phase: { start_date: 100, end_date: 200 }, phases: [phase(100, 200, 'price_viral'), phase(200, 300, 'price_viral')] };
    expect(toSubscriptionDetails(subscription(same), only).scheduledChange).toBeNull();
  });
});
