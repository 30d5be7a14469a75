import { createHash } from 'node:crypto';
import { AppException } from '../common/exceptions/app.exception.js';

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

/** What a key's row holds: see migration OwnerBillingClaims for the states. */
export type IdempotencyState = 'running' | 'done' | 'refused' | 'interrupted';

export interface StoredAnswer {
  requestHash: string;
  createdAt: Date;
  state: IdempotencyState;
  /** The attempt last run under the key (0 first). */
  attempt: number;
  /** A running attempt whose lease passed: its holder died; its outcome is unknown. */
  leaseExpired: boolean;
}

export type IdempotencyDecision =
  | { kind: 'run'; attempt: number }
  | { kind: 'replay' }
  | { kind: 'wait' }
  | { kind: 'conflict' };

/**
 * What to do with a request under a key. Within 24 h a key belongs to one request: another one
 * is a conflict, the same one is replayed when answered and waits while it runs. It runs again
 * (a) after a refusal, as attempt + 1: the refused attempt committed nothing, and Stripe would
 * replay its refusal for the old keys; (b) after an attempt whose outcome is unknown (Stripe
 * unreachable, a crash), as the same attempt, so Stripe replays what it already did; (c) once
 * the key is older than 24 h, as a new attempt.
 */
export function decideIdempotency(stored: StoredAnswer | null, hash: string, now: Date): IdempotencyDecision {
  if (!stored) return { kind: 'run', attempt: 0 };
  const running = stored.state === 'running' && !stored.leaseExpired;
  const live = now.getTime() - stored.createdAt.getTime() < IDEMPOTENCY_TTL_MS;
  if ((live || running) && stored.requestHash !== hash) return { kind: 'conflict' };
  if (running) return { kind: 'wait' };
  if (stored.state === 'done') return live ? { kind: 'replay' } : { kind: 'run', attempt: stored.attempt + 1 };
  if (stored.state === 'refused') return { kind: 'run', attempt: stored.attempt + 1 };
  return { kind: 'run', attempt: stored.attempt };
}

/**
 * How a failed attempt ends: `refused` when Stripe or this service answered a definite no (a 4xx,
 * such as a declined card), so nothing was committed under its Stripe keys; `interrupted` when
 * the outcome is unknown (Stripe unreachable, 5xx, 409 or 429, the database, a bug of ours).
 */
export function attemptOutcome(error: unknown): 'refused' | 'interrupted' {
  if (!(error instanceof AppException)) return 'interrupted';
  const clientError = (status: number) => status >= 400 && status < 500 && status !== 409 && status !== 429;
  const stripeStatus = error.details.stripeStatus;
  if (typeof stripeStatus === 'number') return clientError(stripeStatus) ? 'refused' : 'interrupted';
  return error.httpStatus >= 400 && error.httpStatus < 500 ? 'refused' : 'interrupted';
}

/**
 * The Idempotency-Key of one Stripe call. Derived from the caller's key and our attempt number
 * when there is a key, so a retry of a request that failed half-way gets Stripe's first answer
 * for every step it already made, while a retry after a refusal (a new attempt) is not answered
 * with Stripe's stored refusal; otherwise unique to this request (still protecting the SDK's own
 * retries). Attempt 0 has no suffix.
 */
export function stripeIdempotencyKey(businessId: string, requestId: string, operation: string, step: string, attempt = 0): string {
  const id = attempt === 0 ? requestId : `${requestId}\n${attempt}`;
  return `billing:${createHash('sha256').update(`${businessId}\n${id}`).digest('hex').slice(0, 32)}:${operation}:${step}`;
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
