import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import type { RawEnvironment } from './load-config.js';

/**
 * Files read at start, in order. dotenv never overwrites a variable already set, so the real
 * environment wins, then `.env.local` (the seed's convention, for machine-local overrides),
 * then `.env`.
 */
export const DOTENV_FILES = ['.env.local', '.env'] as const;

/** Loads the DOTENV_FILES present in `cwd` into `env` (process.env by default); returns those read. */
export function loadDotenvFiles(cwd = process.cwd(), env: RawEnvironment = process.env): string[] {
  const read: string[] = [];
  for (const name of DOTENV_FILES) {
    const path = join(cwd, name);
    if (!existsSync(path)) continue;
    loadDotenv({ path, quiet: true, processEnv: env as Record<string, string> });
    read.push(name);
  }
  return read;
}
