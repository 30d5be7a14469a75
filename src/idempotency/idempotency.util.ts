import { createHash } from 'node:crypto';

/** How long an answer is kept for its key (Stripe keeps its own keys as long). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Printable ASCII without spaces, as Stripe accepts for its own keys. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** The operation and its input, canonical (sorted keys), hashed: what "the same request" means. */
export function requestHash(operation: string, input: unknown): string {
  return createHash('sha256').update(`${operation}\n${canonicalJson(input)}`).digest('hex');
}

export interface StoredAnswer {
  requestHash: string;
  createdAt: Date;
}

export type IdempotencyDecision = 'run' | 'replay' | 'conflict';

/**
 * What to do with a request under a key: run it when the key is new or its answer is older than
 * the TTL, replay the stored answer for the same request, refuse another request under the key.
 */
export function decideIdempotency(stored: StoredAnswer | null, hash: string, now: Date): IdempotencyDecision {
  if (!stored || now.getTime() - stored.createdAt.getTime() >= IDEMPOTENCY_TTL_MS) return 'run';
  return stored.requestHash === hash ? 'replay' : 'conflict';
}

/**
 * The Idempotency-Key of one Stripe call. Derived from the caller's key when there is one, so a
 * retry of a request that failed half-way gets Stripe's first answer for every step it already
 * made; otherwise unique to this request (still protecting the SDK's own retries).
 */
export function stripeIdempotencyKey(businessId: string, requestId: string, operation: string, step: string): string {
  return `billing:${createHash('sha256').update(`${businessId}\n${requestId}`).digest('hex').slice(0, 32)}:${operation}:${step}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** JSON.parse that gives Dates back, so a replayed answer serialises as the first one did. */
export function reviveAnswer(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), (_key, value: unknown) =>
    typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value,
  );
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
