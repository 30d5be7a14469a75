import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The outbox: a domain event written in the transaction of the change it reports, dispatched
 * after commit by DomainEventsRelayService. (name, key) is unique, so recording the same
 * occurrence twice (a replayed Stripe event) stores, and emits, it once.
 */
@Entity({ name: 'domain_events' })
export class DomainEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  key: string;

  @Column({ name: 'business_id', type: 'text', nullable: true })
  businessId: string | null;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;

  /**
   * Claimed by a relay until then; after that (the relay died, or a listener outlived the lease)
   * it is claimable again.
   */
  @Column({ name: 'leased_until', type: 'timestamptz', nullable: true })
  leasedUntil: Date | null;

  /** The claim that holds the lease: only that claim may renew it, mark the row or record its failure. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;
}
