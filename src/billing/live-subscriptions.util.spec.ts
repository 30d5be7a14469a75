import { describe, expect, it } from '@jest/globals';
import { subscriptionSnapshot } from '../../test/factories/stripe-subscription-snapshot.factory.js';
import { liveSubscriptionIds } from './live-subscriptions.util.js';

const sub = (id: string, status: string) => subscriptionSnapshot({ id, status });

describe('liveSubscriptionIds', () => {
  it('counts every subscription Stripe may still bill, and no ended one', () => {
    expect(
      liveSubscriptionIds([
        sub('sub_c', 'past_due'),
        sub('sub_a', 'active'),
        sub('sub_x', 'canceled'),
        sub('sub_y', 'incomplete_expired'),
        sub('sub_z', 'incomplete'),
        sub('sub_b', 'trialing'),
      ]),
    ).toEqual(['sub_a', 'sub_b', 'sub_c']);
  });
});
