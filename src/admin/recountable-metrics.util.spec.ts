import { describe, expect, it } from '@jest/globals';
import { splitCountMetrics } from './recountable-metrics.util.js';

describe('splitCountMetrics', () => {
  it('reports the count metrics without a count source instead of dropping them, and ignores period metrics', () => {
    const metrics = [
      { key: 'campaigns', kind: 'count' },
      { key: 'creators', kind: 'period' },
      { key: 'storedProducts', kind: 'count' },
    ];
    expect(splitCountMetrics(metrics, (key) => key === 'campaigns')).toEqual({
      recountable: ['campaigns'],
      notRecountable: ['storedProducts'],
    });
  });

  it('finds nothing to recount in a catalog without count metrics', () => {
    expect(splitCountMetrics([{ key: 'creators', kind: 'period' }], () => true)).toEqual({ recountable: [], notRecountable: [] });
  });
});
