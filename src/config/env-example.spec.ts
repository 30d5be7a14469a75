import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ENVIRONMENT_HINTS } from './environment-variables.js';
import { loadAppConfig as loadConfig } from '../app-config.sections.js';
import { priceIdVariable } from '../plans/plan-config.util.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG_DIR = join(ROOT, 'src/config');

/** Variable names .env.example sets or mentions as `NAME=` (commented out or not). */
function documentedVariables(): Set<string> {
  const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
}

/** Variable names src/config reads: `env.NAME`, `env['NAME']`, `vars.NAME` and the validated class. */
function variablesReadByConfig(): Set<string> {
  const names = new Set(Object.keys(ENVIRONMENT_HINTS));
  for (const file of readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const text = readFileSync(join(CONFIG_DIR, file), 'utf8');
    for (const match of text.matchAll(/\b(?:env|vars|rawEnv)(?:\.|\[')([A-Z][A-Z0-9_]*)/g)) names.add(match[1]);
  }
  return names;
}

describe('.env.example', () => {
  it('lists every variable src/config reads', () => {
    const documented = documentedVariables();
    const missing = [...variablesReadByConfig()].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it("lists the price id variable of every paid plan and interval of the default catalog", () => {
    const result = loadConfig({}, ROOT);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const documented = documentedVariables();
    const expected = result.config.catalog.plans
      .filter((plan) => !plan.isFree)
      .flatMap((plan) => ['monthly', 'yearly'].map((interval) => priceIdVariable(plan.key, interval)));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.filter((name) => !documented.has(name))).toEqual([]);
  });
});
