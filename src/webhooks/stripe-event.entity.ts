import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * unowned: events of a Stripe customer no business owns, parked after a short budget (admins list
 * them apart; replayable like dead letters).
 */
export const STRIPE_EVENT_STATUSES = ['pending', 'processed', 'ignored', 'failed', 'dead', 'unowned'] as const;
export type StripeEventStatus = (typeof STRIPE_EVENT_STATUSES)[number];

/** Statuses of an event that waits for a human (a dead letter): replay puts it back in the queue. */
export const DEAD_LETTER_STATUSES: readonly StripeEventStatus[] = ['dead', 'unowned'];

/** The webhook inbox: every verified event, stored before Stripe gets its 200. */
@Entity({ name: 'stripe_events' })
export class StripeEventEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'boolean' })
  livemode: boolean;

  @Column({ name: 'api_version', type: 'text', nullable: true })
  apiVersion: string | null;

  @Column({ name: 'stripe_created_at', type: 'timestamptz' })
  stripeCreatedAt: Date;

  @Column({ type: 'jsonb' })
  payload: { data?: { object?: Record<string, unknown> } } & object;

  /** The body as received, only when `payload` is a cleaned copy (see parse-stripe-event.util.ts). */
  @Column({ name: 'raw_payload', type: 'text', nullable: true })
  rawPayload: string | null;

  @Column({ type: 'text' })
  status: StripeEventStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  /** First failure since the event was stored or replayed: the start of its retry window. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  /** The kind of the latest failure (FailureKind in webhook-retry.util.ts); null when not failing. */
  @Column({ name: 'failure_kind', type: 'text', nullable: true })
  failureKind: string | null;

  /** When the current run of failures of `failureKind` began: the fallback and unowned parking are timed from it. */
  @Column({ name: 'failure_kind_since', type: 'timestamptz', nullable: true })
  failureKindSince: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId: string | null;

  @Column({ name: 'business_id', type: 'text', nullable: true })
  businessId: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
