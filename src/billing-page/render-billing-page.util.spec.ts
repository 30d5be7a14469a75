import { describe, expect, it } from '@jest/globals';
import { BillingIntervalModel, MetricKindModel, type PlanModel } from '../plans/plan.model.js';
import {
  formatMinorAmount,
  isPurchasableMonthly,
  parseCheckoutOutcome,
  renderBillingPage,
} from './render-billing-page.util.js';

function plan(overrides: Partial<PlanModel> & { key: string; monthlyPriceId?: string | null }): PlanModel {
  const { monthlyPriceId = 'price_monthly', ...rest } = overrides;
  return {
    name: overrides.key,
    description: null,
    sortOrder: 0,
    isFree: false,
    trialDays: 0,
    prices: [
      { interval: BillingIntervalModel.MONTHLY, amountCents: 2900, currency: 'usd', stripePriceId: monthlyPriceId },
      { interval: BillingIntervalModel.YEARLY, amountCents: 29000, currency: 'usd', stripePriceId: 'price_yearly' },
    ],
    limits: [{ metric: 'campaigns', name: 'Active campaigns', limit: 5, unlimited: false, kind: MetricKindModel.COUNT, period: null }],
    features: [],
    ...rest,
  };
}

const METRICS = [{ key: 'campaigns', name: 'Active campaigns', kind: 'count' as const, window: null }];

describe('parseCheckoutOutcome', () => {
  it('accepts the outcomes the return route sends and nothing else', () => {
    expect(['success', 'pending', 'cancel', 'error'].map(parseCheckoutOutcome)).toEqual(['success', 'pending', 'cancel', 'error']);
    expect(parseCheckoutOutcome('<script>')).toBeNull();
    expect(parseCheckoutOutcome(['success', 'error'])).toBeNull();
    expect(parseCheckoutOutcome(undefined)).toBeNull();
  });
});

describe('formatMinorAmount', () => {
  it('writes minor units in the currency, zero-decimal currencies included', () => {
    expect(formatMinorAmount(2900, 'usd')).toBe('$29.00');
    expect(formatMinorAmount(500, 'jpy')).toBe('¥500');
  });
});

describe('isPurchasableMonthly', () => {
  it('needs a paid plan with a monthly Stripe price', () => {
    expect(isPurchasableMonthly(plan({ key: 'glow_up' }))).toBe(true);
    expect(isPurchasableMonthly(plan({ key: 'glow_up', monthlyPriceId: null }))).toBe(false);
    expect(isPurchasableMonthly(plan({ key: 'free', isFree: true }))).toBe(false);
  });
});

describe('renderBillingPage', () => {
  it('renders one Upgrade button per purchasable plan and none for free or unpriced plans', () => {
    const html = renderBillingPage({
      plans: [plan({ key: 'free', name: 'Free', isFree: true }), plan({ key: 'glow_up', name: 'Glow Up' }), plan({ key: 'odd', monthlyPriceId: null })],
      metrics: METRICS,
      checkout: undefined,
    });
    expect(html.match(/class="upgrade"/g)).toHaveLength(1);
    expect(html).toContain('<button type="button" class="upgrade" data-plan-key="glow_up">Upgrade to Glow Up</button>');
    expect(html).toContain('Not on sale');
    expect(html).toContain('<li data-metric="campaigns">');
    expect(html).not.toContain('id="checkout-banner"');
  });

  it('escapes plan names, descriptions, keys and metric names', () => {
    const evil = `"><img src=x onerror=alert(1)>`;
    const html = renderBillingPage({
      plans: [plan({ key: evil, name: evil, description: evil })],
      metrics: [{ key: evil, name: evil, kind: 'count', window: null }],
      checkout: undefined,
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows a fixed banner for a known checkout outcome and never echoes the query', () => {
    expect(renderBillingPage({ plans: [], metrics: [], checkout: 'success' })).toContain('data-outcome="success"');
    const html = renderBillingPage({ plans: [], metrics: [], checkout: '<script>alert(1)</script>' });
    expect(html).not.toContain('alert(1)');
    expect(html).not.toContain('id="checkout-banner"');
  });

  it('loads its script and style from its own origin, with no inline script', () => {
    const html = renderBillingPage({ plans: [], metrics: [], checkout: undefined });
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/billing/assets/billing-page.js" defer>']);
    expect(html).not.toMatch(/ style=|<style/);
  });
});
