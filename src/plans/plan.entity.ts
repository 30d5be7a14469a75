import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { MetricKind } from './plan-catalog.dto.js';

export interface StoredPlanLimit {
  limit: number;
  kind: MetricKind;
}

/** A row per catalog plan, upserted by key at boot; plans dropped from the file become inactive. */
@Entity({ name: 'plans' })
export class PlanEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'sort_order', type: 'integer' })
  sortOrder: number;

  @Column({ type: 'text' })
  currency: string;

  @Column({ name: 'monthly_price_cents', type: 'integer' })
  monthlyPriceCents: number;

  @Column({ name: 'yearly_price_cents', type: 'integer' })
  yearlyPriceCents: number;

  @Column({ name: 'stripe_monthly_price_id', type: 'text', nullable: true })
  stripeMonthlyPriceId: string | null;

  @Column({ name: 'stripe_yearly_price_id', type: 'text', nullable: true })
  stripeYearlyPriceId: string | null;

  @Column({ type: 'jsonb' })
  limits: Record<string, StoredPlanLimit>;

  @Column({ type: 'jsonb' })
  features: Record<string, boolean>;

  @Column({ type: 'boolean' })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
