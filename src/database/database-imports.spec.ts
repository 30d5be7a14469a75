import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const DATABASE_DIR = dirname(fileURLToPath(import.meta.url));
const SRC_DIR = dirname(DATABASE_DIR);

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
}

describe('src/database', () => {
  it("imports no feature module's entity (modules register their own with TypeOrmModule.forFeature)", () => {
    const outside: string[] = [];
    for (const file of sources(DATABASE_DIR)) {
      const text = readFileSync(join(DATABASE_DIR, file), 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (match[1].endsWith('.entity.js') || match[1].endsWith('.entity')) outside.push(`${file}: ${match[1]}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('has no entity list of its own', () => {
    const lists = sources(DATABASE_DIR).filter((file) => /\bENTITIES\b|entities:\s*\[/.test(readFileSync(join(DATABASE_DIR, file), 'utf8')));
    expect(lists).toEqual([]);
  });
});

describe('every entity', () => {
  it("is registered by a module in its own folder with TypeOrmModule.forFeature (else the service's DataSource lacks it)", () => {
    const missing: string[] = [];
    for (const file of sources(SRC_DIR).filter((f) => f.endsWith('.entity.ts'))) {
      const folder = dirname(file);
      const classes = [...readFileSync(join(SRC_DIR, file), 'utf8').matchAll(/@Entity\([\s\S]*?export class (\w+)/g)].map((m) => m[1]);
      const modules = readdirSync(join(SRC_DIR, folder))
        .filter((f) => f.endsWith('.module.ts'))
        .map((f) => readFileSync(join(SRC_DIR, folder, f), 'utf8'));
      const registered = new Set(
        modules.flatMap((text) => [...text.matchAll(/TypeOrmModule\.forFeature\(\[([^\]]*)\]/g)].flatMap((m) => m[1].split(',').map((s) => s.trim()))),
      );
      if (classes.length === 0) missing.push(`${file}: no @Entity class found`);
      for (const name of classes) if (!registered.has(name)) missing.push(`${file}: ${name}`);
    }
    expect(missing).toEqual([]);
  });
});
