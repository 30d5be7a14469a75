import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import type { RawEnvironment } from './load-config.js';

/**
 * Files read at start, in order: the real environment wins, then `.env.local` (the seed's
 * convention, for machine-local overrides), then `.env`.
 */
export const DOTENV_FILES = ['.env.local', '.env'] as const;

/**
 * Loads the DOTENV_FILES present in `cwd` into `env` (process.env by default); returns those read.
 * A variable of the real environment is never overridden, even when empty. Between the files an
 * empty value (`FOO=`) counts as unset, as everywhere in the configuration, so `.env.local` with
 * `FOO=` does not hide `.env`'s FOO (dotenv's own loader would: it never overrides a key already
 * set, empty or not).
 */
export function loadDotenvFiles(cwd = process.cwd(), env: RawEnvironment = process.env): string[] {
  const real = new Set(Object.keys(env));
  const read: string[] = [];
  for (const name of DOTENV_FILES) {
    const path = join(cwd, name);
    if (!existsSync(path)) continue;
    for (const [key, value] of Object.entries(parse(readFileSync(path)))) {
      if (real.has(key)) continue;
      const earlier = env[key];
      if (earlier === undefined || earlier.trim() === '') env[key] = value;
    }
    read.push(name);
  }
  return read;
}
