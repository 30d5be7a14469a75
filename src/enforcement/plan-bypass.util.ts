/** Plan limits not enforced: 'all' (features too) or metric keys. */
export type PlanBypass = 'all' | string[];

/** The request header that bypasses plan limits on development infrastructure (same syntax as the variable). */
export const PLAN_BYPASS_HEADER = 'x-plan-bypass';

/** `all` (also `true`, `1`) or a comma-separated list of metric keys; empty entries are dropped. */
export function parsePlanBypass(value: string): PlanBypass {
  const trimmed = value.trim();
  if (['all', 'true', '1'].includes(trimmed.toLowerCase())) return 'all';
  return [...new Set(trimmed.split(',').map((part) => part.trim()).filter((part) => part.length > 0))];
}

/**
 * Whether a limit (metric) or a feature check is bypassed for this request. Never off development
 * infrastructure (`refused`: production, a real DATABASE_URL or Stripe key), whatever the header says. A list names metrics only; features are
 * bypassed by `all` alone.
 */
export function isPlanBypassed(
  subject: { metric: string } | { feature: string },
  configured: PlanBypass,
  header: string | undefined,
  refused: boolean,
): boolean {
  if (refused) return false;
  const sources = [configured, header === undefined ? [] : parsePlanBypass(header)];
  return sources.some((bypass) => bypass === 'all' || ('metric' in subject && bypass.includes(subject.metric)));
}
