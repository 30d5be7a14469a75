import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import Stripe from 'stripe';
import { encodeForm, parseForm } from './core/form.js';
import { prorate } from './billing/proration.js';
import { addIntervals, nextPeriodEnd } from './billing/periods.js';
import { afterFailedAttempt } from './billing/dunning.js';
import { applyCustomerBalance } from './billing/balance.js';
import { previousAttributes } from './core/diff.js';
import { signatureHeader } from './core/signature.js';
import { eventMatches } from './core/delivery.js';
import { VirtualClock } from './core/clock.js';
import { simulatorStripeConfig } from './index.js';

const DAY = 86_400;
const utc = (iso: string): number => Date.parse(iso) / 1000;

describe('form decoding', () => {
  it('decodes the SDK bracket encoding into nested objects and arrays', () => {
    const body = 'items[0][id]=si_1&items[0][price]=price_2&proration_behavior=create_prorations&metadata[k]=v%20w&expand[0]=latest_invoice&empty=';
    expect(parseForm(body)).toEqual({
      items: [{ id: 'si_1', price: 'price_2' }],
      proration_behavior: 'create_prorations',
      metadata: { k: 'v w' },
      expand: ['latest_invoice'],
      empty: '',
    });
  });

  it('keeps arrays longer than 20 items as arrays and accepts unindexed []', () => {
    const many = Array.from({ length: 25 }, (_, i) => `lookup_keys[${i}]=k${i}`).join('&');
    expect((parseForm(many)['lookup_keys'] as string[]).length).toBe(25);
    expect(parseForm('expand[]=a&expand[]=b')).toEqual({ expand: ['a', 'b'] });
  });

  it('round-trips arbitrary nested parameters', () => {
    const key = fc.stringMatching(/^[a-z_]{1,8}$/);
    const leaf = fc.string({ maxLength: 12 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { minLength: 1, maxLength: 3 }), fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 4 }), (data) => {
        expect(parseForm(encodeForm(data))).toEqual(data);
      }),
    );
  });
});

describe('proration', () => {
  it('credits unused time on the old price and charges the rest on the new one', () => {
    const r = prorate({ periodStart: 0, periodEnd: 30 * DAY, prorationDate: 20 * DAY, oldUnitAmount: 1000, oldQuantity: 1, newUnitAmount: 3000, newQuantity: 1 });
    expect(r).toEqual({ credit: -333, debit: 1000, remainingFraction: 1 / 3, prorationDate: 20 * DAY });
  });

  it('is zero at the period end and clamps dates outside the period', () => {
    expect(prorate({ periodStart: 0, periodEnd: 100, prorationDate: 100, oldUnitAmount: 500, oldQuantity: 1, newUnitAmount: 900, newQuantity: 1 })).toMatchObject({ credit: 0, debit: 0 });
    expect(prorate({ periodStart: 0, periodEnd: 100, prorationDate: -50, oldUnitAmount: 500, oldQuantity: 2, newUnitAmount: 900, newQuantity: 1 })).toMatchObject({ credit: -1000, debit: 900 });
  });

  it('never credits more than was paid nor charges more than the new price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e7 }), fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 0, max: 100_000 }), fc.nat(5), fc.nat(5), (length, at, amount, q1, q2) => {
        const r = prorate({ periodStart: 1000, periodEnd: 1000 + length, prorationDate: 1000 + at, oldUnitAmount: amount, oldQuantity: q1, newUnitAmount: amount, newQuantity: q2 });
        expect(-r.credit).toBeLessThanOrEqual(amount * q1);
        expect(r.debit).toBeLessThanOrEqual(amount * q2);
        expect(r.remainingFraction).toBeGreaterThanOrEqual(0);
        expect(r.remainingFraction).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('billing periods', () => {
  it('keeps the anchor day across short months', () => {
    const jan31 = utc('2026-01-31T10:00:00Z');
    expect(addIntervals(jan31, 'month', 1, 1)).toBe(utc('2026-02-28T10:00:00Z'));
    expect(addIntervals(jan31, 'month', 1, 2)).toBe(utc('2026-03-31T10:00:00Z'));
    expect(addIntervals(utc('2028-02-29T00:00:00Z'), 'year', 1, 1)).toBe(utc('2029-02-28T00:00:00Z'));
    expect(addIntervals(0, 'week', 2, 1)).toBe(14 * DAY);
  });

  it('finds the first boundary strictly after a moment', () => {
    const anchor = utc('2026-01-15T00:00:00Z');
    expect(nextPeriodEnd(anchor, 'month', 1, anchor)).toBe(utc('2026-02-15T00:00:00Z'));
    expect(nextPeriodEnd(anchor, 'month', 1, utc('2026-02-15T00:00:00Z'))).toBe(utc('2026-03-15T00:00:00Z'));
    expect(nextPeriodEnd(anchor, 'year', 1, utc('2026-05-01T00:00:00Z'))).toBe(utc('2027-01-15T00:00:00Z'));
  });
});

describe('dunning', () => {
  it('retries on the schedule, then applies the final action', () => {
    expect(afterFailedAttempt(1, 0, [3, 5, 7], 'cancel')).toEqual({ status: 'past_due', nextAttemptAt: 3 * DAY });
    expect(afterFailedAttempt(3, 0, [3, 5, 7], 'cancel')).toEqual({ status: 'past_due', nextAttemptAt: 7 * DAY });
    expect(afterFailedAttempt(4, 0, [3, 5, 7], 'cancel')).toEqual({ status: 'canceled', nextAttemptAt: null, exhausted: true });
    expect(afterFailedAttempt(4, 0, [3, 5, 7], 'mark_unpaid')).toMatchObject({ status: 'unpaid' });
    expect(afterFailedAttempt(1, 0, [], 'leave_past_due')).toMatchObject({ status: 'past_due', nextAttemptAt: null });
  });
});

describe('customer balance', () => {
  it('uses credit first and keeps negative totals as credit', () => {
    expect(applyCustomerBalance(1000, 0)).toEqual({ amountDue: 1000, endingBalance: 0 });
    expect(applyCustomerBalance(1000, -300)).toEqual({ amountDue: 700, endingBalance: 0 });
    expect(applyCustomerBalance(200, -300)).toEqual({ amountDue: 0, endingBalance: -100 });
    expect(applyCustomerBalance(-500, 0)).toEqual({ amountDue: 0, endingBalance: -500 });
  });
});

describe('small helpers', () => {
  it('previous_attributes holds the old value of each changed field', () => {
    expect(previousAttributes({ a: 1, b: { c: 2 }, d: 'x' }, { a: 1, b: { c: 3 }, d: 'x' })).toEqual({ b: { c: 2 } });
    expect(previousAttributes({ a: 1 }, { a: 1 })).toBeUndefined();
    expect(previousAttributes<Record<string, unknown>>({}, { n: 1 })).toEqual({ n: null });
  });

  it('signs exactly like stripe.webhooks verifies (reference value from the Stripe facts)', () => {
    const payload = '{"id":"evt_1","object":"event","type":"customer.subscription.updated"}';
    expect(signatureHeader(payload, 'whsec_test', 1700000000)).toBe('t=1700000000,v1=eb03864eff8a502eb2620746551ea017dde47de0ddff61da8d48248a0e8f8813');
    const now = Math.floor(Date.now() / 1000);
    expect(Stripe.webhooks.constructEvent(payload, signatureHeader(payload, 'whsec_x', now), 'whsec_x').id).toBe('evt_1');
  });

  it('matches enabled_events with * and prefix wildcards', () => {
    expect(eventMatches(['*'], 'invoice.paid')).toBe(true);
    expect(eventMatches(['invoice.*'], 'invoice.paid')).toBe(true);
    expect(eventMatches(['invoice.*'], 'customer.created')).toBe(false);
    expect(eventMatches(['invoice.paid'], 'invoice.payment_failed')).toBe(false);
  });

  it('the virtual clock only moves forward', () => {
    let real = 1_000_000;
    const clock = new VirtualClock(() => real);
    expect(clock.now()).toBe(1000);
    clock.moveTo(5000);
    expect(clock.now()).toBe(5000);
    clock.moveTo(10);
    expect(clock.now()).toBe(5000);
    real += 2000;
    expect(clock.now()).toBe(5002);
  });

  it('simulatorStripeConfig splits a URL into SDK options', () => {
    expect(simulatorStripeConfig('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http', maxNetworkRetries: 0 });
    expect(() => simulatorStripeConfig('https://api.stripe.com')).toThrow('plain http');
  });
});
