import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadDotenvFiles } from './load-dotenv-files.util.js';

describe('loadDotenvFiles', () => {
  it('reads .env.local before .env, and never overrides the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    writeFileSync(join(dir, '.env.local'), 'PORT=4000\nLOG_LEVEL=debug\n');
    writeFileSync(join(dir, '.env'), 'PORT=3000\nLOG_LEVEL=info\nPAST_DUE_GRACE_DAYS=3\nNODE_ENV=production\n');
    const env: Record<string, string | undefined> = { NODE_ENV: 'development' };
    expect(loadDotenvFiles(dir, env)).toEqual(['.env.local', '.env']);
    expect(env).toEqual({ NODE_ENV: 'development', PORT: '4000', LOG_LEVEL: 'debug', PAST_DUE_GRACE_DAYS: '3' });
  });

  it('reads only .env when there is no .env.local, and nothing when neither exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    const env: Record<string, string | undefined> = {};
    expect(loadDotenvFiles(dir, env)).toEqual([]);
    writeFileSync(join(dir, '.env'), 'PORT=3001\n');
    expect(loadDotenvFiles(dir, env)).toEqual(['.env']);
    expect(env.PORT).toBe('3001');
  });

  it('lets .env set a variable that .env.local leaves empty (an empty value counts as unset)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    writeFileSync(join(dir, '.env.local'), 'STRIPE_SECRET_KEY=\nPORT=4000\nLOG_LEVEL=\n');
    writeFileSync(join(dir, '.env'), 'STRIPE_SECRET_KEY=sk_test_from_env\nPORT=3000\n');
    const env: Record<string, string | undefined> = {};
    loadDotenvFiles(dir, env);
    expect(env).toEqual({ STRIPE_SECRET_KEY: 'sk_test_from_env', PORT: '4000', LOG_LEVEL: '' });
  });

  it('keeps a variable of the real environment even when it is empty (the real environment always wins)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    writeFileSync(join(dir, '.env.local'), 'PORT=4000\n');
    writeFileSync(join(dir, '.env'), 'PORT=3000\nLOG_LEVEL=debug\n');
    const env: Record<string, string | undefined> = { PORT: '', LOG_LEVEL: 'warn' };
    loadDotenvFiles(dir, env);
    expect(env).toEqual({ PORT: '', LOG_LEVEL: 'warn' });
  });
});
