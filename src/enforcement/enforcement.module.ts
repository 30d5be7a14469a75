import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { EnforcementService } from './enforcement.service.js';
import { PlanReservationInterceptor } from './plan-reservation.interceptor.js';
import { PlanGuard } from './plan.guard.js';
import { UsageCounterEntity } from './usage-counter.entity.js';
import { UsageResolver } from './usage.resolver.js';
import { UsageService } from './usage.service.js';

/**
 * Plan limits and features on product endpoints: @RequiresPlanCapacity, @RequiresFeature,
 * @NoPlanLimit. A product module imports this module so that the guard and interceptor those
 * decorators apply can be built in its scope.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UsageCounterEntity]), EntitlementsModule, PlansModule],
  providers: [EnforcementService, UsageService, PlanGuard, PlanReservationInterceptor, UsageResolver],
  exports: [EnforcementService, EntitlementsModule],
})
export class EnforcementModule {}
