import { describe, expect, it } from '@jest/globals';
import { assessBillingHealth } from './billing-health.util.js';

const calm = { backlog: 0, oldestPendingAgeSeconds: 0, dead: 0, deadUnowned: 0, multipleLiveSubscriptions: 0 };

describe('assessBillingHealth', () => {
  it('is ok with an empty inbox', () => {
    expect(assessBillingHealth(calm, 300)).toEqual({ status: 'ok', reasons: [], inbox: calm });
  });

  it('is ok with a young backlog', () => {
    expect(assessBillingHealth({ ...calm, backlog: 5, oldestPendingAgeSeconds: 300 }, 300).status).toBe('ok');
  });

  it('is degraded by an old backlog, saying how old', () => {
    const health = assessBillingHealth({ ...calm, backlog: 1, oldestPendingAgeSeconds: 301 }, 300);
    expect(health.status).toBe('degraded');
    expect(health.reasons).toEqual(['oldest pending webhook event is 301 s old (alert above 300 s)']);
  });

  it('is degraded by dead letters, owned and unowned told apart', () => {
    const health = assessBillingHealth({ ...calm, dead: 2, deadUnowned: 1 }, 300);
    expect(health.status).toBe('degraded');
    expect(health.reasons).toEqual([
      '2 dead webhook event(s) need a replay',
      '1 dead webhook event(s) of Stripe customers no business owns',
    ]);
  });

  it('is degraded by accounts with several live subscriptions', () => {
    const health = assessBillingHealth({ ...calm, multipleLiveSubscriptions: 1 }, 300);
    expect(health.status).toBe('degraded');
    expect(health.reasons).toEqual(['1 account(s) with several live Stripe subscriptions (may be billed twice)']);
  });
});
