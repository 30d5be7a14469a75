import { describe, expect, it } from '@jest/globals';
import {
  GRACE_STATUSES,
  isGraceStatus,
  isLiveStatus,
  isOpenSubscriptionStatus,
  isPayingStatus,
  LIVE_STATUSES,
  OPEN_SUBSCRIPTION_STATUSES,
  PAYING_STATUSES,
  SUBSCRIPTION_STATUS_RANK,
  subscriptionStatusRank,
} from './subscription-status.constant.js';

describe('subscription statuses', () => {
  it('covers every Stripe status once', () => {
    expect([...SUBSCRIPTION_STATUS_RANK].sort()).toEqual(
      ['active', 'canceled', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'],
    );
  });

  it('gives the plan on active and trialing, keeps it in grace on past_due, and nothing on the rest', () => {
    expect([...PAYING_STATUSES]).toEqual(['active', 'trialing']);
    expect([...GRACE_STATUSES]).toEqual(['past_due']);
    expect([...LIVE_STATUSES]).toEqual(['active', 'trialing', 'past_due']);
    for (const ended of ['canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused', 'some_future_status', null]) {
      expect([isPayingStatus(ended), isGraceStatus(ended), isLiveStatus(ended)]).toEqual([false, false, false]);
    }
    expect(isLiveStatus('past_due') && !isPayingStatus('past_due')).toBe(true);
  });

  it('counts a subscription Stripe may still bill as open: the live ones, unpaid and paused', () => {
    expect([...OPEN_SUBSCRIPTION_STATUSES].sort()).toEqual(['active', 'past_due', 'paused', 'trialing', 'unpaid']);
    for (const ended of ['canceled', 'incomplete', 'incomplete_expired', 'some_future_status', null]) {
      expect(isOpenSubscriptionStatus(ended)).toBe(false);
    }
    expect([...LIVE_STATUSES].every(isOpenSubscriptionStatus)).toBe(true);
  });

  it('ranks every live status above every ended one, and unknown statuses last', () => {
    const worstLive = Math.max(...[...LIVE_STATUSES].map(subscriptionStatusRank));
    const ended = SUBSCRIPTION_STATUS_RANK.filter((s) => !LIVE_STATUSES.has(s));
    expect(ended.every((s) => subscriptionStatusRank(s) > worstLive)).toBe(true);
    expect(subscriptionStatusRank('active')).toBe(0);
    expect(subscriptionStatusRank('some_future_status')).toBe(SUBSCRIPTION_STATUS_RANK.length);
  });
});
