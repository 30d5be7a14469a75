import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import type { PlanReservation } from './plan-requirement.types.js';

/**
 * Reservations per handler call. One GraphQL request may run several guarded mutations, so the
 * key is the call's own GraphQL `info` object (the request object for REST): the same object
 * reaches the guard, the interceptor and the parameter decorators of one call. A WeakMap, so a
 * forgotten entry cannot leak.
 */
const reservations = new WeakMap<object, PlanReservation>();

function callKey(context: ExecutionContext): object {
  if (context.getType<GqlContextType>() === 'graphql') {
    return GqlExecutionContext.create(context).getInfo<object>();
  }
  return context.switchToHttp().getRequest<object>();
}

export function rememberReservation(context: ExecutionContext, reservation: PlanReservation): void {
  reservations.set(callKey(context), reservation);
}

export function findReservation(context: ExecutionContext): PlanReservation | undefined {
  return reservations.get(callKey(context));
}

/** Removes and returns the call's reservation, so it is released at most once. */
export function takeReservation(context: ExecutionContext): PlanReservation | undefined {
  const key = callKey(context);
  const reservation = reservations.get(key);
  reservations.delete(key);
  return reservation;
}
