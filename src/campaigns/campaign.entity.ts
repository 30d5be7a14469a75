import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A campaign: the product's COUNT metric `campaigns` counts the rows that exist per business. */
@Entity({ name: 'campaigns' })
@Index('campaigns_business_created_idx', ['businessId', 'createdAt'])
export class CampaignEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
