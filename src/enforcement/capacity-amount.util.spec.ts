import { describe, expect, it } from '@jest/globals';
import { MAX_CAPACITY_AMOUNT, resolveCapacityAmount } from './capacity-amount.util.js';

describe('resolveCapacityAmount', () => {
  it('defaults to 1 and accepts a fixed amount', () => {
    expect(resolveCapacityAmount(undefined, {})).toEqual({ amount: 1 });
    expect(resolveCapacityAmount(3, {})).toEqual({ amount: 3 });
  });

  it('reads a dotted path from the arguments', () => {
    expect(resolveCapacityAmount('input.expectedCreators', { input: { expectedCreators: 500 } })).toEqual({ amount: 500 });
  });

  it.each([
    [{ input: {} }],
    [{ input: { expectedCreators: '500' } }],
    [{ input: { expectedCreators: 0 } }],
    [{ input: { expectedCreators: -3 } }],
    [{ input: { expectedCreators: 1.5 } }],
    [{ input: { expectedCreators: MAX_CAPACITY_AMOUNT + 1 } }],
    [null],
  ])('refuses %j', (args) => {
    expect(resolveCapacityAmount('input.expectedCreators', args)).toEqual({
      error: `input.expectedCreators must be an integer from 1 to ${MAX_CAPACITY_AMOUNT}`,
    });
  });
});
