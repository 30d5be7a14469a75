import { describe, expect, it } from '@jest/globals';
import { subscriptionSnapshot } from '../../test/factories/stripe-subscription-snapshot.factory.js';
import { pickCurrentSubscription } from './pick-current-subscription.util.js';

const sub = (id: string, status: string, createdDay: number) =>
  subscriptionSnapshot({ id, status, created: new Date(Date.UTC(2026, 0, createdDay)) });

describe('pickCurrentSubscription', () => {
  it('returns null for a customer without subscriptions', () => {
    expect(pickCurrentSubscription([])).toBeNull();
  });

  it('prefers a live subscription over a newer canceled one', () => {
    expect(pickCurrentSubscription([sub('old_active', 'active', 1), sub('new_canceled', 'canceled', 9)])?.id).toBe('old_active');
  });

  it('ranks active > trialing > past_due > unpaid > incomplete > canceled', () => {
    const all = [
      sub('c', 'canceled', 6),
      sub('i', 'incomplete', 5),
      sub('u', 'unpaid', 4),
      sub('p', 'past_due', 3),
      sub('t', 'trialing', 2),
      sub('a', 'active', 1),
    ];
    const order: string[] = [];
    let rest = all;
    while (rest.length > 0) {
      const best = pickCurrentSubscription(rest)!;
      order.push(best.id);
      rest = rest.filter((s) => s !== best);
    }
    expect(order).toEqual(['a', 't', 'p', 'u', 'i', 'c']);
  });

  it('breaks ties by the newest creation', () => {
    expect(pickCurrentSubscription([sub('older', 'canceled', 1), sub('newer', 'canceled', 2)])?.id).toBe('newer');
  });
});
