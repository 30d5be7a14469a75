import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const BILLING_SYNC_SOURCES = ['webhook', 'manual', 'scheduler', 'checkout-return', 'admin', 'system', 'owner'] as const;
export type BillingSyncSource = (typeof BILLING_SYNC_SOURCES)[number];

/** Every change of an account's billingSyncStatus, newest last; what admins read as history. */
@Entity({ name: 'billing_sync_log' })
@Index('billing_sync_log_business_created_idx', ['businessId', 'createdAt'])
export class BillingSyncLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'text' })
  source: BillingSyncSource;

  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail: object | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
