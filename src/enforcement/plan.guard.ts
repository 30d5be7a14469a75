import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { getRequest } from '../auth/request-context.util.js';
import { resolveCapacityAmount } from './capacity-amount.util.js';
import { EnforcementErrorCode, EnforcementException } from './enforcement.exception.js';
import { EnforcementService } from './enforcement.service.js';
import { readPlanBypassHeader } from './plan-bypass-header.decorator.js';
import { PLAN_REQUIREMENT_KEY, type PlanRequirement } from './plan-requirement.types.js';
import { rememberReservation } from './plan-reservation.util.js';

/**
 * Applied by @RequiresPlanCapacity and @RequiresFeature (never on its own). Runs after the global
 * AuthGuard, so the caller is known. Must stay the last guard of its handler: a guard after it
 * that refused would leave the reservation in place, since interceptors only run once all
 * guards have passed.
 */
@Injectable()
export class PlanGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly enforcement: EnforcementService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.get<PlanRequirement | undefined>(PLAN_REQUIREMENT_KEY, context.getHandler());
    // Default-deny: a guard applied without its metadata is a wiring bug, not a free pass.
    if (!requirement) {
      throw new EnforcementException(EnforcementErrorCode.PLAN_REQUIREMENT_MISCONFIGURED, 'PlanGuard without a plan requirement');
    }
    if (requirement.kind === 'none') return true;

    const request = getRequest(context);
    const bypassHeader = readPlanBypassHeader(context);
    const caller = request.account;
    if (!caller) throw new EnforcementException(EnforcementErrorCode.NO_BUSINESS, 'Plan limits need an authenticated caller');

    if (requirement.kind === 'feature') {
      await this.enforcement.requireFeature(caller, requirement.feature, bypassHeader);
      return true;
    }

    const args =
      context.getType<GqlContextType>() === 'graphql' ? GqlExecutionContext.create(context).getArgs() : request.body;
    const amount = resolveCapacityAmount(requirement.amount, args);
    if ('error' in amount) throw new EnforcementException(EnforcementErrorCode.INVALID_AMOUNT, amount.error);
    const reservation = await this.enforcement.reserve(caller, requirement.metric, amount.amount, {
      partial: requirement.partial,
      bypassHeader,
    });
    rememberReservation(context, reservation);
    return true;
  }
}
