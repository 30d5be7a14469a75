import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const CREATOR_SEARCH_STATUSES = ['running', 'completed'] as const;
export type CreatorSearchStatus = (typeof CREATOR_SEARCH_STATUSES)[number];

/**
 * A creator search. While running it holds `granted` of the PERIOD metric `creators`; completing
 * it settles to `found` and gives the rest back to the counter of `periodStart`.
 */
@Entity({ name: 'creator_searches' })
@Index('creator_searches_business_created_idx', ['businessId', 'createdAt'])
export class CreatorSearchEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ type: 'text' })
  query: string;

  @Column({ type: 'integer' })
  requested: number;

  @Column({ type: 'integer' })
  granted: number;

  @Column({ type: 'integer', nullable: true })
  found: number | null;

  @Column({ type: 'text', default: 'running' })
  status: CreatorSearchStatus;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
