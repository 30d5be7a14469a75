import { describe, expect, it } from '@jest/globals';
import { findNulCharacter } from './find-nul-character.util.js';

describe('findNulCharacter', () => {
  it('finds a NUL in a plain string, a nested value, an array item and an object key', () => {
    expect(findNulCharacter('a\u0000b')).toBe('(value)');
    expect(findNulCharacter({ input: { name: 'x\u0000' } })).toBe('input.name');
    expect(findNulCharacter({ tags: ['ok', '\u0000'] })).toBe('tags.1');
    expect(findNulCharacter({ ['k\u0000']: 1 })).toBe('k\u0000');
  });

  it('passes clean input, numbers, null and cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'fine' };
    cyclic.self = cyclic;
    expect(findNulCharacter({ name: 'Spring launch', n: 3, none: null, list: ['a'] })).toBeUndefined();
    expect(findNulCharacter(cyclic)).toBeUndefined();
    expect(findNulCharacter(undefined)).toBeUndefined();
  });
});
