import { describe, expect, it } from '@jest/globals';
import { formatCell, formatFields, formatTable, formatWarning } from './cli-output.util.js';

describe('cli output', () => {
  it('aligns a table under its header', () => {
    expect(formatTable([{ metric: 'campaigns', used: 3 }, { metric: 'creators', used: 120 }])).toBe(
      ['metric     used', '---------  ----', 'campaigns  3', 'creators   120'].join('\n'),
    );
  });

  it('says (none) for no rows and - for no value', () => {
    expect(formatTable([])).toBe('(none)');
    expect(formatCell(null)).toBe('-');
    expect(formatCell(new Date('2026-11-22T00:00:00Z'))).toBe('2026-11-22T00:00:00.000Z');
  });

  it('aligns fields', () => {
    expect(formatFields({ plan: 'free', billingSyncStatus: 'manual_sync' })).toBe(
      ['plan:              free', 'billingSyncStatus: manual_sync'].join('\n'),
    );
  });

  it('prints a warning as code: message (until), the until only when there is one', () => {
    expect(formatWarning({ code: 'CANCELS_AT_PERIOD_END', message: 'ends soon', until: new Date('2026-12-01T00:00:00Z') })).toBe(
      'CANCELS_AT_PERIOD_END: ends soon (until 2026-12-01T00:00:00.000Z)',
    );
    expect(formatWarning({ code: 'OVER_LIMIT', message: 'too many campaigns', until: null })).toBe('OVER_LIMIT: too many campaigns');
  });
});
