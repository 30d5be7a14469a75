/** Why canUse answered as it did. */
export enum UsageDecisionReason {
  WITHIN_LIMIT = 'within_limit',
  UNLIMITED = 'unlimited',
  LIMIT_EXCEEDED = 'limit_exceeded',
  /** PLAN_VALIDATION_BYPASS or x-plan-bypass, outside production only. */
  BYPASSED = 'bypassed',
}
