import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { loadAppConfig as loadConfig } from '../app-config.sections.js';
import { priceIdVariable } from '../plans/plan-config.util.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Everything that runs as the service, its CLI or the standalone simulator (bench/ has its own README). */
const SCANNED = ['src', 'tools'];
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{3,}$/;

function sourceFiles(): string[] {
  return SCANNED.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .map((file) => join(dir, file)),
  );
}

function isProcessEnv(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
}

/** An environment object as the code names it: `process.env`, or a variable (`env`, `vars`, `rawEnv`...). */
function isEnvironmentReceiver(node: ts.Node): boolean {
  return isProcessEnv(node) || (ts.isIdentifier(node) && /^[a-z]/.test(node.text));
}

/**
 * Environment variable names a source file reads, by syntax: `env.NAME`, `env['NAME']`,
 * `process.env.NAME`, `const { NAME } = process.env`, and the UPPER_SNAKE properties of a class
 * (the validated EnvironmentVariables). Receivers that start with a capital are enums and
 * namespaces (`HttpStatus.NOT_FOUND`), not environments. Comments and strings never count.
 */
function variablesRead(source: string, fileName = 'source.ts'): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnvironmentReceiver(node.expression) && ENV_NAME.test(node.name.text)) {
      names.add(node.name.text);
    } else if (
      ts.isElementAccessExpression(node) &&
      isEnvironmentReceiver(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      ENV_NAME.test(node.argumentExpression.text)
    ) {
      names.add(node.argumentExpression.text);
    } else if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer && isEnvironmentReceiver(node.initializer)) {
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        if (ts.isIdentifier(key) && ENV_NAME.test(key.text)) names.add(key.text);
      }
    } else if (ts.isPropertyDeclaration(node) && ts.isIdentifier(node.name) && ENV_NAME.test(node.name.text) && ts.isClassDeclaration(node.parent)) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true));
  return names;
}

let scanned: Map<string, string[]> | undefined;

/** Each variable read in src/ and tools/, with the files that read it. */
function variablesReadByTheCode(): Map<string, string[]> {
  if (scanned) return scanned;
  scanned = new Map();
  for (const file of sourceFiles()) {
    for (const name of variablesRead(readFileSync(join(ROOT, file), 'utf8'), file)) scanned.set(name, [...(scanned.get(name) ?? []), file]);
  }
  return scanned;
}

/** Variable names .env.example sets or mentions as `NAME=` (commented out or not). */
function envExampleVariables(): Set<string> {
  const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
}

/** The first cell of each row of the tables in docs/configuration.md: | `NAME` | ... */
function documentedVariables(): Set<string> {
  const text = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*`([A-Z][A-Z0-9_<>|\\]*)`\s*\|/gm)].map((match) => match[1]));
}

function defaultCatalogPriceIdVariables(): string[] {
  const result = loadConfig({}, ROOT);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.catalog.plans
    .filter((plan) => !plan.isFree)
    .flatMap((plan) => ['monthly', 'yearly'].map((interval) => priceIdVariable(plan.key, interval)));
}

describe('variablesRead (the scan the checks below rely on)', () => {
  it('finds every way the code reads a variable, and nothing in comments, strings or enums', () => {
    const source = `
      class EnvironmentVariables { @IsOptional() PORT?: number; private lower = 1; }
      const a = env.DATABASE_URL ?? vars.EMBEDDED_PG_PORT;
      const b = process.env['STRIPE_SIM_HOST'] || process.env.STRIPE_SIM_PORT;
      const { METRICS_TOKEN, LOG_LEVEL: level } = process.env;
      const c = rawEnv['PLAN_CATALOG_PATH'];
      // env.IN_A_COMMENT
      const d = 'env.IN_A_STRING' + HttpStatus.NOT_FOUND + BillingSyncStatus.MANUAL_SYNC + env[name];
    `;
    expect([...variablesRead(source)].sort()).toEqual(
      ['DATABASE_URL', 'EMBEDDED_PG_PORT', 'LOG_LEVEL', 'METRICS_TOKEN', 'PLAN_CATALOG_PATH', 'PORT', 'STRIPE_SIM_HOST', 'STRIPE_SIM_PORT'].sort(),
    );
  });

  it('sees the feature modules\' config sections and the simulator, not only src/config', () => {
    const read = variablesReadByTheCode();
    expect(read.get('PLAN_CATALOG_PATH')).toContain('src/plans/plan-config.util.ts');
    expect(read.get('PLAN_VALIDATION_BYPASS')).toContain('src/enforcement/enforcement-config.util.ts');
    expect(read.get('STRIPE_SIM_WEBHOOK_URL')).toEqual(['tools/stripe-simulator/main.ts']);
    expect(read.get('RATE_LIMIT_MAX_REQUESTS')).toContain('src/config/environment-variables.ts');
  });
});

describe('every variable the code reads is documented', () => {
  it('in .env.example', () => {
    const listed = envExampleVariables();
    const missing = [...variablesReadByTheCode()].filter(([name]) => !listed.has(name)).map(([name, files]) => `${name} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('in the table of docs/configuration.md', () => {
    const documented = documentedVariables();
    const missing = [...variablesReadByTheCode()].filter(([name]) => !documented.has(name)).map(([name, files]) => `${name} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('with the price id variable of every paid plan and interval of the default catalog', () => {
    const expected = defaultCatalogPriceIdVariables();
    expect(expected.length).toBeGreaterThan(0);
    const listed = envExampleVariables();
    expect(expected.filter((name) => !listed.has(name))).toEqual([]);
    expect(documentedVariables()).toContain('STRIPE_<PLAN>_<MONTHLY\\|YEARLY>_PRICE_ID');
  });
});

describe('nothing documented is gone from the code', () => {
  it('.env.example and docs/configuration.md list only variables something reads', () => {
    const read = variablesReadByTheCode();
    const priceIds = new Set(defaultCatalogPriceIdVariables());
    const stale = [...new Set([...envExampleVariables(), ...documentedVariables()])].filter(
      (name) => !read.has(name) && !priceIds.has(name) && !name.includes('<'),
    );
    expect(stale).toEqual([]);
  });
});
