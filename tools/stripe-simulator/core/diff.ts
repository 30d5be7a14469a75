/**
 * `previous_attributes` of a `*.updated` event: the before-values of every top-level field that
 * changed. Stripe sends whole sub-objects (e.g. all of `items`) when anything inside changed.
 */
export function previousAttributes<T extends object>(before: T, after: T): Partial<T> | undefined {
  const out: Record<string, unknown> = {};
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out[key] = a[key] === undefined ? null : a[key];
  }
  return Object.keys(out).length > 0 ? (out as Partial<T>) : undefined;
}

export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
