export const PLAN_REQUIREMENT_KEY = 'enforcement:plan-requirement';

export interface CapacityOptions {
  /**
   * How much one call uses: a fixed number (default 1) or a dotted path into the handler's
   * arguments, e.g. `input.expectedCreators` (GraphQL args; for REST, the JSON body).
   */
  amount?: number | string;
  /**
   * Grant what is left (at least 1) instead of refusing when the full amount does not fit. The
   * handler reads the grant with @PlanGrant() and settles what it really used.
   */
  partial?: boolean;
}

export type PlanRequirement =
  | { kind: 'capacity'; metric: string; amount?: number | string; partial: boolean }
  | { kind: 'feature'; feature: string }
  | { kind: 'none' };

/** What the guard reserved for one call; given to the handler by @PlanGrant(). */
export interface PlanReservation {
  businessId: string;
  metric: string;
  periodStart: Date;
  requested: number;
  granted: number;
  /** True when a partial grant gave less than requested. */
  partial: boolean;
  /** Counted but not limited (development bypass). */
  bypassed: boolean;
}
