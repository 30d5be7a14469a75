import { IsOptional, IsString, Length } from 'class-validator';

/** Body of POST /api/billing/sync-stripe. */
export class SyncStripeInput {
  /** Admins: the business to sync. Owners: omit it (or name their own). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  businessId?: string;
}
