import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import { CLAIM_POLL, pollUntil } from '../common/utils/poll-until.util.js';
import { IdempotencyErrorCode, IdempotencyException } from './idempotency.exception.js';
import { CLAIM_NEW_KEY, DELETE_EXPIRED_KEYS, FINISH_ATTEMPT, LOCK_KEY, RETAKE_KEY } from './idempotency.sql.js';
import {
  attemptOutcome,
  decideIdempotency,
  IDEMPOTENCY_TTL_MS,
  requestHash,
  reviveAnswer,
  stripeIdempotencyKey,
  type IdempotencyDecision,
  type IdempotencyState,
} from './idempotency.util.js';

/**
 * How long a running request owns its key. Longer than any request should take (the SDK's 20 s
 * timeout and its retries included); after it, the holder is taken for dead and another request
 * resumes the same attempt (so Stripe replays what the dead one did).
 */
const LEASE_SECONDS = 120;

/**
 * Gives every Stripe call of one request its idempotency key (see stripeIdempotencyKey). Only
 * calls that can change something at Stripe take one (reads take none), so a request that never
 * asked for a key has sent Stripe nothing that a new attempt could make twice.
 */
export type StripeKeyFor = (step: string) => string;

export interface IdempotentRequest {
  businessId: string;
  /** The caller's Idempotency-Key, if any. */
  key: string | undefined;
  operation: string;
  input: unknown;
}

interface StoredRow {
  request_hash: string;
  response: unknown;
  created_at: Date;
  attempt_started_at: Date;
  state: IdempotencyState;
  attempt: number;
  lease_expired: boolean;
}

type Run = { kind: 'run'; attempt: number; resumed: boolean };
type Claim = Run | { kind: 'replay'; response: unknown } | { kind: 'wait' } | { kind: 'conflict' };

/**
 * The Idempotency-Key header: the same key from the same business within 24 h returns the first
 * answer without running the request again. Answers live in PostgreSQL, so a retry reaching
 * another instance gets them too. A request claims its key's row (state `running` with a lease)
 * in a short transaction and holds no connection while it runs; a concurrent request with the
 * same key polls until the first one answered, then replays it. After a refusal the same key
 * runs the request again as a new attempt, with fresh Stripe idempotency keys; after an outcome
 * that is not known to have left Stripe unchanged, as the same attempt (attemptOutcome).
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async run<T>(request: IdempotentRequest, work: (stripeKey: StripeKeyFor) => Promise<T>): Promise<T> {
    const { businessId, key, operation } = request;
    if (key === undefined) {
      const requestId = randomUUID();
      return work((step) => stripeIdempotencyKey(businessId, requestId, operation, step));
    }
    const hash = requestHash(operation, request.input);
    const holder = randomUUID();
    const claim = await this.acquire(businessId, key, hash, holder);
    if (claim.kind === 'replay') return reviveAnswer(claim.response) as T;
    let sentChanges = false;
    const stripeKey: StripeKeyFor = (step) => {
      sentChanges = true;
      return stripeIdempotencyKey(businessId, key, operation, step, claim.attempt);
    };
    let answer: T;
    try {
      answer = await work(stripeKey);
    } catch (error) {
      await this.finish(businessId, key, holder, attemptOutcome(error, { resumed: claim.resumed, sentChanges }), null).catch((releaseError: unknown) =>
        this.logger.warn({ err: releaseError, businessId }, 'idempotency: could not release a failed attempt; its lease will expire'),
      );
      throw error;
    }
    await this.finish(businessId, key, holder, 'done', answer);
    return answer;
  }

  /** Claims the key, polling while another request under it runs; or the stored answer. */
  private async acquire(businessId: string, key: string, hash: string, holder: string): Promise<Run | { kind: 'replay'; response: unknown }> {
    return pollUntil(
      async () => {
        const claim = await this.claim(businessId, key, hash, holder);
        if (claim.kind === 'conflict') {
          throw new RequestException(
            RequestErrorCode.BAD_USER_INPUT,
            'This Idempotency-Key was already used for another request in the last 24 hours; use a new key',
          );
        }
        return claim.kind === 'wait' ? null : claim;
      },
      CLAIM_POLL,
      () =>
        new IdempotencyException(
          IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_USE,
          'A request with this Idempotency-Key is still running; retry shortly with the same key',
        ),
    );
  }

  /** Reads the key's row and, when the request may run, takes it (state running, our lease), in one short transaction. */
  private async claim(businessId: string, key: string, hash: string, holder: string): Promise<Claim> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const inserted: unknown[] = await manager.query(CLAIM_NEW_KEY, [businessId, key, hash, now, holder, LEASE_SECONDS]);
      if (inserted.length > 0) return { kind: 'run', attempt: 0, resumed: false };
      const [row]: StoredRow[] = await manager.query(LOCK_KEY, [businessId, key]);
      // Deleted between the two statements (24 h cleanup): simply claim again.
      if (!row) return { kind: 'wait' };
      const decision: IdempotencyDecision = decideIdempotency(
        {
          requestHash: row.request_hash,
          createdAt: row.created_at,
          attemptStartedAt: row.attempt_started_at,
          state: row.state,
          attempt: row.attempt,
          leaseExpired: row.lease_expired,
        },
        hash,
        now,
      );
      if (decision.kind === 'replay') return { kind: 'replay', response: row.response };
      if (decision.kind !== 'run') return decision;
      await manager.query(RETAKE_KEY, [businessId, key, hash, now, decision.attempt, holder, LEASE_SECONDS]);
      return decision;
    });
  }

  /** Ends our attempt: the answer (done), or how it failed. A holder whose lease was taken over writes nothing. */
  private async finish(businessId: string, key: string, holder: string, state: Exclude<IdempotencyState, 'running'>, answer: unknown): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.query(FINISH_ATTEMPT, [businessId, key, holder, state, state === 'done' ? JSON.stringify(answer ?? null) : null, now]);
    if (state !== 'done') return;
    // Keys past their 24 h are useless: drop this business's, so the table stays small.
    await this.dataSource.query(DELETE_EXPIRED_KEYS, [businessId, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)]);
  }
}
