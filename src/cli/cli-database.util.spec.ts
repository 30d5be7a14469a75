import { describe, expect, it } from '@jest/globals';
import { commandNeedsDatabase } from './cli-database.util.js';

describe('commandNeedsDatabase', () => {
  it.each([
    [['inspect-user-state', '--email', 'a@b.c'], true],
    [['verify-entitlements', '--fix'], true],
    [['expire-trials'], true],
    [['token', '--admin'], false],
    [['help'], false],
    [['verify-entitlements', '--help'], true],
    [['--help'], false],
    [[], false],
  ])('%j -> %s', (args, expected) => {
    expect(commandNeedsDatabase(args)).toBe(expected);
  });
});
