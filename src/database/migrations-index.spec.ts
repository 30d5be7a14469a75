import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../migrations/index.js';

const MIGRATIONS_DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'migrations');

describe('migrations/index.ts', () => {
  it('lists every migration file, in timestamp order', () => {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((file) => /^\d{13}-.+\.ts$/.test(file))
      .sort();
    const timestamps = files.map((file) => file.slice(0, 13));
    const listed = MIGRATIONS.map((migration) => /(\d{13})$/.exec(migration.name)?.[1]);
    expect(listed).toEqual(timestamps);
  });
});
