import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How much of a metric a business used in a period. Written only through UsageService's
 * single-statement reservation and its release; mapped here for reads and admin tooling.
 */
@Entity({ name: 'usage_counters' })
export class UsageCounterEntity {
  @PrimaryColumn({ name: 'business_id', type: 'text' })
  businessId: string;

  @PrimaryColumn({ type: 'text' })
  metric: string;

  @PrimaryColumn({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @Column({ type: 'integer' })
  used: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
