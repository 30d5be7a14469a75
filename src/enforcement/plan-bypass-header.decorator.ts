import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { getRequest } from '../auth/request-context.util.js';
import { PLAN_BYPASS_HEADER } from './plan-bypass.util.js';

/** The raw x-plan-bypass header of a call, if any (EnforcementService ignores it in production). */
export function readPlanBypassHeader(context: ExecutionContext): string | undefined {
  const header = getRequest(context).headers[PLAN_BYPASS_HEADER];
  return Array.isArray(header) ? header.join(',') : header;
}

/** Parameter form of readPlanBypassHeader, for handlers such as canUse. */
export const PlanBypassHeader = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  readPlanBypassHeader(context),
);
