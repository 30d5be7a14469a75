import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { BillingSyncStatus } from './billing-sync-status.enum.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every production source file of src (no specs), except the enum's own declaration. */
function sourcesOutsideEnum(): string {
  return readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.endsWith('billing-sync-status.enum.ts'))
    .map((file) => readFileSync(join(SRC, file), 'utf8'))
    .join('\n');
}

describe('BillingSyncStatus', () => {
  it('declares only values something in src writes (docs and the admin view must not promise dead states)', () => {
    const sources = sourcesOutsideEnum();
    const unwritten = Object.entries(BillingSyncStatus)
      .filter(([member, value]) => !sources.includes(`BillingSyncStatus.${member}`) && !sources.includes(`'${value}'`))
      .map(([member]) => member);
    expect(unwritten).toEqual([]);
  });
});
