import { describe, expect, it } from '@jest/globals';
import { formatCell, formatFields, formatTable } from './cli-output.util.js';

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
});
