import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const TRIAL_STATUSES = ['inactive', 'active', 'expired', 'converted'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/** One billing account per business (tenant). Created on first use, on the catalog's default plan. */
@Entity({ name: 'billing_accounts' })
export class BillingAccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'business_id', type: 'text', unique: true })
  businessId: string;

  @Column({ name: 'owner_user_id', type: 'text', nullable: true })
  ownerUserId: string | null;

  @Column({ name: 'billing_email', type: 'text', nullable: true })
  billingEmail: string | null;

  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true, unique: true })
  stripeCustomerId: string | null;

  /** The plan Stripe (or the default) says the account is on; see effectivePlan for what applies. */
  @Column({ name: 'plan_key', type: 'text' })
  planKey: string;

  @Column({ name: 'subscription_status', type: 'text', nullable: true })
  subscriptionStatus: string | null;

  @Column({ name: 'trial_status', type: 'text', default: 'inactive' })
  trialStatus: TrialStatus;

  /** Who runs the trial: 'stripe' (a trialing subscription) or 'app' (card-less, the default). */
  @Column({ name: 'trial_source', type: 'text', default: 'app' })
  trialSource: 'stripe' | 'app';

  /** When trial.will_end went out; set once, so the reminder is sent once per trial. */
  @Column({ name: 'trial_will_end_sent_at', type: 'timestamptz', nullable: true })
  trialWillEndSentAt: Date | null;

  @Column({ name: 'trial_plan_key', type: 'text', nullable: true })
  trialPlanKey: string | null;

  @Column({ name: 'trial_started_at', type: 'timestamptz', nullable: true })
  trialStartedAt: Date | null;

  @Column({ name: 'trial_ends_at', type: 'timestamptz', nullable: true })
  trialEndsAt: Date | null;

  @Column({ name: 'trial_converted_at', type: 'timestamptz', nullable: true })
  trialConvertedAt: Date | null;

  @Column({ name: 'grace_period_ends_at', type: 'timestamptz', nullable: true })
  gracePeriodEndsAt: Date | null;

  @Column({ name: 'current_period_start', type: 'timestamptz', nullable: true })
  currentPeriodStart: Date | null;

  @Column({ name: 'current_period_end', type: 'timestamptz', nullable: true })
  currentPeriodEnd: Date | null;

  /** The (last) subscription's billing cycle anchor, kept after it ends: usage windows step from it. */
  @Column({ name: 'billing_cycle_anchor', type: 'timestamptz', nullable: true })
  billingCycleAnchor: Date | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  cancelAtPeriodEnd: boolean;

  @Column({ name: 'billing_sync_status', type: 'text' })
  billingSyncStatus: string;

  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt: Date | null;

  @Column({ name: 'override_plan_key', type: 'text', nullable: true })
  overridePlanKey: string | null;

  @Column({ name: 'override_until', type: 'timestamptz', nullable: true })
  overrideUntil: Date | null;

  @Column({ name: 'override_reason', type: 'text', nullable: true })
  overrideReason: string | null;

  /** Live subscriptions of the Stripe customer at the last sync; above 1 the customer may be billed twice. */
  @Column({ name: 'live_subscription_count', type: 'integer', default: 0 })
  liveSubscriptionCount: number;
  @Column({ name: 'override_granted_by', type: 'text', nullable: true })
  overrideGrantedBy: string | null;

  /** Set by complete-onboarding-and-activate-plan (admin API and CLI). */
  @Column({ name: 'onboarding_completed_at', type: 'timestamptz', nullable: true })
  onboardingCompletedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
