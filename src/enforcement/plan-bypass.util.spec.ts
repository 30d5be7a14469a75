import { describe, expect, it } from '@jest/globals';
import { isPlanBypassed, parsePlanBypass } from './plan-bypass.util.js';

describe('parsePlanBypass', () => {
  it.each([
    ['all', 'all'],
    [' ALL ', 'all'],
    ['true', 'all'],
    ['1', 'all'],
    ['campaigns', ['campaigns']],
    ['campaigns, creators,,campaigns', ['campaigns', 'creators']],
    ['', []],
  ])('%j -> %j', (value, expected) => {
    expect(parsePlanBypass(value)).toEqual(expected);
  });
});

describe('isPlanBypassed', () => {
  it('bypasses the listed metrics from the configuration or the header', () => {
    expect(isPlanBypassed({ metric: 'campaigns' }, ['campaigns'], undefined, false)).toBe(true);
    expect(isPlanBypassed({ metric: 'creators' }, ['campaigns'], undefined, false)).toBe(false);
    expect(isPlanBypassed({ metric: 'creators' }, [], 'campaigns,creators', false)).toBe(true);
    expect(isPlanBypassed({ metric: 'creators' }, [], undefined, false)).toBe(false);
  });

  it('bypasses features with `all` only', () => {
    expect(isPlanBypassed({ feature: 'csvExport' }, ['campaigns'], 'campaigns', false)).toBe(false);
    expect(isPlanBypassed({ feature: 'csvExport' }, 'all', undefined, false)).toBe(true);
    expect(isPlanBypassed({ feature: 'csvExport' }, [], 'all', false)).toBe(true);
  });

  it('never bypasses anything off development infrastructure', () => {
    expect(isPlanBypassed({ metric: 'campaigns' }, 'all', 'all', true)).toBe(false);
    expect(isPlanBypassed({ feature: 'csvExport' }, 'all', 'all', true)).toBe(false);
  });
});
