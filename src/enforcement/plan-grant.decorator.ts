import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { PlanReservation } from './plan-requirement.types.js';
import { findReservation } from './plan-reservation.util.js';

/**
 * What @RequiresPlanCapacity reserved for this call (e.g. a partial grant's `granted`). Throws
 * on a handler without that decorator, so a handler cannot act on a grant that was never made.
 */
export const PlanGrant = createParamDecorator((_data: unknown, context: ExecutionContext): PlanReservation => {
  const reservation = findReservation(context);
  if (!reservation) throw new Error('@PlanGrant() needs @RequiresPlanCapacity() on the same handler');
  return reservation;
});
