/**
 * The path of the first string (value or object key) holding a NUL character, or undefined.
 * PostgreSQL cannot store U+0000 in text, so such input is refused before any handler runs
 * instead of failing later as a database error.
 */
export function findNulCharacter(value: unknown, path = '', seen = new Set<object>()): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(value)' : undefined;
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    const itemPath = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return itemPath;
    const found = findNulCharacter(item, itemPath, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}
