import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Our copy of a Stripe subscription as last read from Stripe (never from an event body alone). */
@Entity({ name: 'subscriptions' })
export class SubscriptionEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'plan_key', type: 'text', nullable: true })
  planKey: string | null;

  @Column({ name: 'price_id', type: 'text', nullable: true })
  priceId: string | null;

  @Column({ type: 'text', nullable: true })
  interval: 'monthly' | 'yearly' | null;

  @Column({ name: 'current_period_start', type: 'timestamptz', nullable: true })
  currentPeriodStart: Date | null;

  @Column({ name: 'current_period_end', type: 'timestamptz', nullable: true })
  currentPeriodEnd: Date | null;

  @Column({ name: 'billing_cycle_anchor', type: 'timestamptz', nullable: true })
  billingCycleAnchor: Date | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  cancelAtPeriodEnd: boolean;

  @Column({ name: 'cancel_at', type: 'timestamptz', nullable: true })
  cancelAt: Date | null;

  @Column({ name: 'canceled_at', type: 'timestamptz', nullable: true })
  canceledAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'trial_start', type: 'timestamptz', nullable: true })
  trialStart: Date | null;

  @Column({ name: 'trial_end', type: 'timestamptz', nullable: true })
  trialEnd: Date | null;

  @Column({ name: 'stripe_created_at', type: 'timestamptz' })
  stripeCreatedAt: Date;

  @Column({ name: 'stripe_object', type: 'jsonb' })
  stripeObject: Record<string, unknown>;

  /** Set only by the emergency fallback: the event time of the object applied without Stripe. */
  @Column({ name: 'source_event_created_at', type: 'timestamptz', nullable: true })
  sourceEventCreatedAt: Date | null;

  @Column({ name: 'synced_at', type: 'timestamptz' })
  syncedAt: Date;
}
