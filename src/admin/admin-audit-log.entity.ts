import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One admin or operator change of an account: who, what, why, and the state around it. */
@Entity({ name: 'admin_audit_log' })
export class AdminAuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'admin_sub', type: 'text' })
  adminSub: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'business_id', type: 'text', nullable: true })
  businessId: string | null;

  /** What the action named besides the business, e.g. an event id. */
  @Column({ type: 'text', nullable: true })
  target: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: object | null;

  @Column({ type: 'jsonb', nullable: true })
  after: object | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
