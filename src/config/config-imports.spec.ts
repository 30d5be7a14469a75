import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const CONFIG_DIR = dirname(fileURLToPath(import.meta.url));

describe('src/config', () => {
  it('imports no feature module (modules validate their own part through a ConfigSection)', () => {
    const outside: string[] = [];
    for (const file of readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
      const text = readFileSync(join(CONFIG_DIR, file), 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.\.\/[^']+)'/g)) {
        // Shared helpers in common/ are not a feature module.
        if (!match[1].startsWith('../common/')) outside.push(`${file}: ${match[1]}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
