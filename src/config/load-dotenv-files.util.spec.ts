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
});
