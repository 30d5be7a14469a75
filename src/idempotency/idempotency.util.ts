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

/** What a key's row holds: see migration OwnerBillingClaims for the states. */
export type IdempotencyState = 'running' | 'done' | 'refused' | 'interrupted';

export interface StoredAnswer {
  requestHash: string;
  createdAt: Date;
  state: IdempotencyState;
  /** The attempt last run under the key (0 first). */
  attempt: number;
  /** When that attempt first ran (its Stripe keys are as old), however often it was resumed. */
  attemptStartedAt: Date;
  /** A running attempt whose lease passed: its holder died; its outcome is unknown. */
  leaseExpired: boolean;
}

export type IdempotencyDecision =
  /** `resumed`: the attempt ran before and its outcome is unknown, so Stripe may hold what it did. */
  | { kind: 'run'; attempt: number; resumed: boolean }
  | { kind: 'replay' }
  | { kind: 'wait' }
  | { kind: 'conflict' };

/**
 * What to do with a request under a key. Within 24 h a key belongs to one request: another one
 * is a conflict, the same one is replayed when answered and waits while it runs. It runs again
 * (a) after a refusal, as attempt + 1: the refused attempt left nothing at Stripe, and Stripe
 * would replay its refusal for the old keys; (b) after an attempt whose outcome is unknown
 * (interrupted, or a holder whose lease passed), as the same attempt, so Stripe replays what it
 * already did, unless that attempt first ran 24 h ago or more; (c) once the key is older than
 * 24 h, always as a new attempt: Stripe has forgotten (or is about to forget) the old keys, and
 * the request may carry other parameters, which Stripe would refuse under a key it still knows.
 */
export function decideIdempotency(stored: StoredAnswer | null, hash: string, now: Date): IdempotencyDecision {
  if (!stored) return { kind: 'run', attempt: 0, resumed: false };
  const running = stored.state === 'running' && !stored.leaseExpired;
  const live = now.getTime() - stored.createdAt.getTime() < IDEMPOTENCY_TTL_MS;
  if ((live || running) && stored.requestHash !== hash) return { kind: 'conflict' };
  if (running) return { kind: 'wait' };
  if (!live) return { kind: 'run', attempt: stored.attempt + 1, resumed: false };
  if (stored.state === 'done') return { kind: 'replay' };
  if (stored.state === 'refused') return { kind: 'run', attempt: stored.attempt + 1, resumed: false };
  // Resumed for hours (each resume moves createdAt), its Stripe keys may be gone all the same.
  if (now.getTime() - stored.attemptStartedAt.getTime() >= IDEMPOTENCY_TTL_MS) return { kind: 'run', attempt: stored.attempt + 1, resumed: false };
  return { kind: 'run', attempt: stored.attempt, resumed: true };
}

/** Set on an error the service tagged with markNothingChanged; a symbol, so no answer ever shows it. */
const NOTHING_CHANGED = Symbol('nothingChanged');

/**
 * Tags the error a request fails with as leaving nothing at Stripe that a new attempt could make
 * twice: the step Stripe refused was not applied, and every earlier step of the request was put
 * back (or needs no putting back). The only way an attempt that sent a change to Stripe ends
 * `refused`. Returns the error, to be thrown.
 */
export function markNothingChanged<E extends Error>(error: E): E {
  Object.defineProperty(error, NOTHING_CHANGED, { value: true, enumerable: false });
  return error;
}

/**
 * How a failed attempt ends. `refused` (the next request under the key runs attempt + 1, with
 * new Stripe keys) only when Stripe holds nothing of it: no call that could change anything was
 * sent under the attempt (`sentChanges` false: only such calls take keys of the attempt), or the
 * service tagged the error with markNothingChanged (it put back what this run changed). A
 * resumed attempt is never refused: what the interrupted run sent cannot be seen or put back
 * from here, so the key keeps its attempt (Stripe answers the same, a refusal included; a new
 * Idempotency-Key is a new request). Everything else is `interrupted`, whatever the error or its
 * HTTP status (a 4xx after a change went through, such as a failed sync): the next request
 * reuses the attempt and its keys, so Stripe answers what it already did rather than doing it
 * twice.
 */
export function attemptOutcome(error: unknown, run: { resumed: boolean; sentChanges: boolean }): 'refused' | 'interrupted' {
  if (run.resumed) return 'interrupted';
  if (error instanceof Error && (error as Error & { [NOTHING_CHANGED]?: boolean })[NOTHING_CHANGED] === true) return 'refused';
  return run.sentChanges ? 'interrupted' : 'refused';
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
