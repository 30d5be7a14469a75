import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor, pageOf } from './keyset-cursor.util.js';

describe('keyset cursors', () => {
  it('round-trips a key', () => {
    const cursor = encodeCursor(['2026-11-22T00:00:00.000Z', 'evt_1']);
    expect(decodeCursor(cursor, 2)).toEqual(['2026-11-22T00:00:00.000Z', 'evt_1']);
  });

  it.each([['not base64 json'], [encodeCursor(['a'])], [Buffer.from('{"a":1}').toString('base64url')], ['']])(
    'refuses %j as a two-part cursor',
    (cursor) => {
      expect(decodeCursor(cursor, 2)).toBeNull();
    },
  );

  it('pages first + 1 rows', () => {
    expect(pageOf([1, 2, 3], 2)).toEqual({ nodes: [1, 2], hasNextPage: true });
    expect(pageOf([1, 2], 2)).toEqual({ nodes: [1, 2], hasNextPage: false });
  });
});
