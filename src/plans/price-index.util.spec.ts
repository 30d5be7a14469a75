import { describe, expect, it } from '@jest/globals';
import { buildPriceIndex, resolvePlanByPriceId } from './price-index.util.js';
import { PlansErrorCode, PlansException } from './plans.exception.js';

describe('resolvePlanByPriceId', () => {
  const index = buildPriceIndex({
    glow_up: { monthly: 'price_glow_m', yearly: 'price_glow_y' },
    fame_flex: { monthly: 'price_fame_m' },
  });

  it('maps each configured price to its plan and interval', () => {
    expect(resolvePlanByPriceId(index, 'price_glow_m')).toEqual({ planKey: 'glow_up', interval: 'monthly' });
    expect(resolvePlanByPriceId(index, 'price_glow_y')).toEqual({ planKey: 'glow_up', interval: 'yearly' });
    expect(resolvePlanByPriceId(index, 'price_fame_m')).toEqual({ planKey: 'fame_flex', interval: 'monthly' });
  });

  it('throws UNKNOWN_PRICE_ID for an unknown price instead of falling back to a plan', () => {
    let thrown: unknown;
    try {
      resolvePlanByPriceId(index, 'price_nobody_knows');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PlansException);
    expect((thrown as PlansException).code).toBe(PlansErrorCode.UNKNOWN_PRICE_ID);
    expect((thrown as PlansException).details).toEqual({ priceId: 'price_nobody_knows' });
  });

  it('knows nothing when no price ids are configured', () => {
    expect(() => resolvePlanByPriceId(buildPriceIndex({}), 'price_glow_m')).toThrow(PlansException);
  });
});
