import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module.js';
import { EntitlementsService } from './entitlements.service.js';

/**
 * The plan that applies to each business, cached per process and kept fresh on every instance
 * through LISTEN/NOTIFY. Whoever changes a billing account calls `invalidate(businessId)` (or
 * sends pg_notify on ENTITLEMENTS_CHANNEL inside its transaction).
 */
@Module({
  imports: [PlansModule],
  providers: [EntitlementsService],
  exports: [EntitlementsService],
})
export class EntitlementsModule {}
