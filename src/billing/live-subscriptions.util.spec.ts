import { describe, expect, it } from '@jest/globals';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { liveSubscriptionIds } from './live-subscriptions.util.js';

const sub = (id: string, status: string) => ({ id, status }) as StripeSubscriptionSnapshot;

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
