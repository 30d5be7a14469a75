import { describe, expect, it } from '@jest/globals';
import { planPriceSelector, withPlanPrice } from './plan-change-items.util.js';

const CATALOG = new Set(['price_glow', 'price_viral']);
const isCatalogPrice = (priceId: string) => CATALOG.has(priceId);

describe('planPriceSelector', () => {
  const select = planPriceSelector(isCatalogPrice);

  it('takes the only price, whatever it is', () => {
    expect(select(['price_unknown'])).toBe('price_unknown');
  });

  it('takes the one catalog price among several, wherever it is', () => {
    expect(select(['price_addon', 'price_viral'])).toBe('price_viral');
    expect(select(['price_glow', 'price_addon'])).toBe('price_glow');
  });

  it('takes none when several prices leave the plan ambiguous', () => {
    expect(select(['price_glow', 'price_viral'])).toBeNull();
    expect(select(['price_addon', 'price_other'])).toBeNull();
    expect(select([])).toBeNull();
  });
});

describe('withPlanPrice', () => {
  it('swaps the plan price and keeps the other items, their quantities and order', () => {
    const items = [
      { id: 'si_addon', priceId: 'price_addon', quantity: 3 },
      { id: 'si_plan', priceId: 'price_viral', quantity: 1 },
    ];
    expect(withPlanPrice(items, 'price_viral', 'price_glow')).toEqual([
      { id: 'si_addon', priceId: 'price_addon', quantity: 3 },
      { id: 'si_plan', priceId: 'price_glow', quantity: 1 },
    ]);
  });
});
