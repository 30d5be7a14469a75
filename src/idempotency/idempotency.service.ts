import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import { decideIdempotency, IDEMPOTENCY_TTL_MS, requestHash, reviveAnswer, stripeIdempotencyKey } from './idempotency.util.js';

// Namespace of the two-int advisory locks that serialise requests under one Idempotency-Key.
const IDEMPOTENCY_LOCK_NAMESPACE = 7_304;

/** Gives every Stripe call of one request its idempotency key (see stripeIdempotencyKey). */
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
}

/**
 * The Idempotency-Key header: the same key from the same business within 24 h returns the first
 * answer without running the request again. Answers live in PostgreSQL, so a retry reaching
 * another instance gets them too. Concurrent requests under one key are serialised by an advisory
 * lock held by a transaction until the answer is stored: the second waits, then replays. Only
 * successful answers are stored; after a refusal the same key may be tried again.
 */
@Injectable()
export class IdempotencyService {
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
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        IDEMPOTENCY_LOCK_NAMESPACE,
        `${businessId}\n${key}`,
      ]);
      const rows: StoredRow[] = await manager.query(
        'SELECT request_hash, response, created_at FROM idempotency_keys WHERE business_id = $1 AND key = $2',
        [businessId, key],
      );
      const stored = rows[0] ? { requestHash: rows[0].request_hash, createdAt: rows[0].created_at } : null;
      const decision = decideIdempotency(stored, hash, this.clock.now());
      if (decision === 'replay') return reviveAnswer(rows[0].response) as T;
      if (decision === 'conflict') {
        throw new RequestException(
          RequestErrorCode.BAD_USER_INPUT,
          'This Idempotency-Key was already used for another request in the last 24 hours; use a new key',
        );
      }
      const answer = await work((step) => stripeIdempotencyKey(businessId, key, operation, step));
      await manager.query(
        `INSERT INTO idempotency_keys (business_id, key, request_hash, response, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (business_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, response = EXCLUDED.response, created_at = EXCLUDED.created_at`,
        [businessId, key, hash, JSON.stringify(answer ?? null), this.clock.now()],
      );
      // Keys past their 24 h are useless: drop this business's, so the table stays small.
      await manager.query('DELETE FROM idempotency_keys WHERE business_id = $1 AND created_at < $2', [
        businessId,
        new Date(this.clock.now().getTime() - IDEMPOTENCY_TTL_MS),
      ]);
      return answer;
    });
  }
}
