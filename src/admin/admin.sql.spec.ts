import { describe, expect, it } from '@jest/globals';
import { GRACE_STATUSES, PAYING_STATUSES } from '../entitlements/subscription-status.constant.js';
import { UNOWNED_EVENT_SQL } from '../webhooks/webhooks.sql.js';
import { billingAccountPage, deadLettersToReplay, webhookEventPage } from './admin.sql.js';

const NOW = new Date('2026-03-01T00:00:00Z');

describe('webhookEventPage', () => {
  it('lists owned events only, one row more than the page, when nothing is filtered', () => {
    const { text, params } = webhookEventPage({ first: 20, after: null });
    expect(text).toContain(`WHERE NOT ${UNOWNED_EVENT_SQL}\n`);
    expect(text).toMatch(/LIMIT \$1$/);
    expect(params).toEqual([21]);
  });

  it('numbers each filter and the cursor in the order they are added', () => {
    const { text, params } = webhookEventPage({
      status: 'dead',
      type: 'invoice.paid',
      unowned: true,
      first: 5,
      after: ['2026-03-01 00:00:00+00', 'evt_1'],
    });
    expect(text).toContain(
      `WHERE e.status = $1 AND e.type = $2 AND ${UNOWNED_EVENT_SQL} AND (e.received_at, e.id) < ($3::timestamptz, $4)\n`,
    );
    expect(text).toMatch(/LIMIT \$5$/);
    expect(params).toEqual(['dead', 'invoice.paid', '2026-03-01 00:00:00+00', 'evt_1', 6]);
  });
});

describe('billingAccountPage', () => {
  const context = { now: NOW, defaultPlanKey: 'free' };

  it('has no WHERE without filters', () => {
    const { text, params } = billingAccountPage({}, 20, null, context);
    expect(text).toBe('SELECT a.business_id FROM billing_accounts a \n        ORDER BY a.business_id LIMIT $1');
    expect(params).toEqual([21]);
  });

  it('gives each effective-plan condition its own parameters, now used thrice in each', () => {
    const { text, params } = billingAccountPage({ planKey: 'pro', overLimit: true }, 10, ['biz_9'], context);
    expect(params).toEqual([NOW, [...PAYING_STATUSES], [...GRACE_STATUSES], 'free', 'pro', NOW, [...PAYING_STATUSES], [...GRACE_STATUSES], 'free', 'biz_9', 11]);
    expect(text.match(/\$1::timestamptz/g)).toHaveLength(3);
    expect(text.match(/\$6::timestamptz/g)).toHaveLength(3);
    expect(text).toContain('ELSE $4 END) = $5 AND EXISTS (SELECT 1 FROM usage_counters u JOIN plans p ON p.key = (CASE');
    expect(text).toContain('ELSE $9 END)');
    expect(text).toContain('AND a.business_id > $10\n');
    expect(text).toMatch(/LIMIT \$11$/);
  });

  it('matches the email as a substring, its LIKE wildcards escaped', () => {
    const { text, params } = billingAccountPage({ email: 'a_b%c\\' }, 1, null, context);
    expect(text).toContain('WHERE a.billing_email ILIKE $1\n');
    expect(params[0]).toBe('%a\\_b\\%c\\\\%');
  });

  it('negates the dead-letter and over-limit conditions when asked for accounts without them', () => {
    const { text } = billingAccountPage({ hasDeadLetters: false, overLimit: false }, 1, null, context);
    expect(text).toContain('WHERE NOT EXISTS (SELECT 1 FROM stripe_events e');
    expect(text).toContain(' AND NOT EXISTS (SELECT 1 FROM usage_counters u');
  });
});

describe('deadLettersToReplay', () => {
  it("takes one business's dead letters by business or by its customer", () => {
    const { text, params } = deadLettersToReplay({ businessId: 'biz_1', unowned: false });
    expect(text).toContain('AND (e.business_id = $1 OR e.customer_id = (SELECT a.stripe_customer_id');
    expect(params).toEqual(['biz_1']);
  });

  it('takes the owned or the unowned ones, never both', () => {
    expect(deadLettersToReplay({ businessId: null, unowned: false })).toEqual({
      text: expect.stringContaining(`AND NOT ${UNOWNED_EVENT_SQL} ORDER BY`),
      params: [],
    });
    expect(deadLettersToReplay({ businessId: null, unowned: true }).text).toContain(`'unowned') AND ${UNOWNED_EVENT_SQL} ORDER BY`);
  });
});
