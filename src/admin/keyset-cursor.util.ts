/**
 * Opaque keyset cursors: the sort key of the last row of a page, base64url-encoded JSON. A page
 * continues with `WHERE key > cursor` (or `<` for newest-first lists), never OFFSET, so pages stay
 * cheap and stable while rows are added.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key of a cursor, or null when it was not made by encodeCursor with `length` parts. */
export function decodeCursor(cursor: string, length: number): string[] | null {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(key) || key.length !== length || !key.every((part) => typeof part === 'string')) return null;
    return key as string[];
  } catch {
    return null;
  }
}

/** Splits the `first + 1` rows a page query fetched into the page and whether more follow. */
export function pageOf<T>(rows: T[], first: number): { nodes: T[]; hasNextPage: boolean } {
  return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
}
