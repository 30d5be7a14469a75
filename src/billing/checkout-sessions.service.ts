import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLAIM_POLL, pollUntil } from '../common/utils/poll-until.util.js';
import type { BillingInterval } from '../plans/plan-catalog.dto.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';
import {
  CHECKOUT_SESSION_OPENER,
  OPEN_CHECKOUT_SESSIONS,
  RECORD_CHECKOUT_SESSION,
  RELEASE_CHECKOUT_CLAIM,
  setCheckoutSessionStatus,
  TAKE_CHECKOUT_CLAIM,
} from './billing.sql.js';

/**
 * How long a checkout claim lasts: longer than one checkout takes (a few Stripe calls, each up to
 * the SDK's 20 s timeout); past it the holder is taken for dead and the next caller claims.
 */
const CLAIM_SECONDS = 120;

export type CheckoutSessionStatus = 'open' | 'complete' | 'expired';

export interface CheckoutSessionRow {
  id: string;
  planKey: string;
  interval: BillingInterval;
  url: string | null;
  /** The trial days the session offers; null for sessions opened before this was recorded. */
  trialDays: number | null;
  expiresAt: Date;
}

/**
 * The Checkout Sessions this service opened (checkout_sessions) and the per-business claim that
 * serialises opening them. The claim is a row with a lease (checkout_claims), not a lock held by
 * a transaction: the caller holds no database connection while it talks to Stripe, so a burst of
 * checkouts cannot starve the pool, and exactly one caller per business works at a time.
 */
@Injectable()
export class CheckoutSessionsService {
  private readonly logger = new Logger(CheckoutSessionsService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` as the business's only checkout in progress; `work` gets the claim's holder id for `record`. */
  async withBusinessClaim<T>(businessId: string, work: (holder: string) => Promise<T>): Promise<T> {
    const holder = randomUUID();
    await this.acquire(businessId, holder);
    try {
      return await work(holder);
    } finally {
      await this.dataSource
        .query(RELEASE_CHECKOUT_CLAIM, [businessId, holder])
        .catch((error: unknown) => this.logger.warn({ err: error, businessId }, 'checkout claim not released; it expires on its own'));
    }
  }

  /** The business's sessions still open on our side, newest first. */
  async openOf(businessId: string): Promise<CheckoutSessionRow[]> {
    return this.dataSource.query(OPEN_CHECKOUT_SESSIONS, [businessId]);
  }

  /** The business that opened this session, or null for a session this service never opened. */
  async openerOf(sessionId: string): Promise<string | null> {
    const [row]: { business_id: string }[] = await this.dataSource.query(CHECKOUT_SESSION_OPENER, [sessionId]);
    return row?.business_id ?? null;
  }

  async setStatus(sessionId: string, status: CheckoutSessionStatus, onlyIfOpen = false): Promise<void> {
    await this.dataSource.query(setCheckoutSessionStatus(onlyIfOpen), [sessionId, status]);
  }

  /**
   * Records a session opened under the claim `holder`, in one statement that checks the claim is
   * still ours. False when it is not (we outlived the lease and another caller claimed since):
   * the caller must not hand the session out, or the business could end up with two.
   */
  async record(
    businessId: string,
    holder: string,
    session: Omit<CheckoutSessionRow, 'trialDays'> & { trialDays: number },
    createdAt: Date,
  ): Promise<boolean> {
    const [{ held }]: { held: boolean }[] = await this.dataSource.query(RECORD_CHECKOUT_SESSION, [
      session.id,
      businessId,
      session.planKey,
      session.interval,
      session.url,
      session.expiresAt,
      createdAt,
      session.trialDays,
      holder,
    ]);
    return held;
  }

  /**
   * Takes the business's claim (a new one, or one whose lease passed), polling while another
   * caller holds it; CHECKOUT_IN_PROGRESS when it is still held after the wait.
   */
  private async acquire(businessId: string, holder: string): Promise<void> {
    await pollUntil(
      async () => {
        // The lease runs on the database's clock, the one every instance shares.
        const taken: unknown[] = await this.dataSource.query(TAKE_CHECKOUT_CLAIM, [businessId, holder, CLAIM_SECONDS]);
        return taken.length > 0 ? true : null;
      },
      CLAIM_POLL,
      () => new BillingException(BillingErrorCode.CHECKOUT_IN_PROGRESS, 'Another checkout for this business is being opened; retry shortly', { businessId }),
    );
  }
}
