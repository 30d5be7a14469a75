import type { TrialLogStatus, TrialSource, TrialState } from './trial.types.js';

/**
 * What can happen to a trial. `start` is the card-less trial; the stripe_* events are what a
 * sync reads off the business's current Stripe subscription; `purchase` is a paid subscription
 * that did not come out of a Stripe trial; `expire_due` is the scheduled job; `extend` is an
 * admin moving the end of a card-less trial (adminExtendTrial).
 */
export type TrialEvent =
  | { type: 'start'; planKey: string; at: Date; endDate: Date }
  | { type: 'stripe_trialing'; planKey: string; at: Date; startDate: Date; endDate: Date }
  | { type: 'stripe_active'; at: Date }
  | { type: 'purchase'; at: Date }
  | { type: 'stripe_ended_unpaid'; at: Date }
  | { type: 'expire_due'; at: Date }
  | { type: 'extend'; at: Date; endDate: Date };

export type TrialEventType = TrialEvent['type'];

export enum TrialRefusal {
  /** A business gets one trial of any kind, ever. */
  ALREADY_USED = 'ALREADY_USED',
  /** Conversion or expiry of a trial that never started. */
  NO_TRIAL = 'NO_TRIAL',
  /** The trial already converted: nothing can end it any more. */
  ALREADY_CONVERTED = 'ALREADY_CONVERTED',
  /** Only a running trial can expire. */
  NOT_ACTIVE = 'NOT_ACTIVE',
  /** The scheduled expiry before the trial's end date. */
  NOT_DUE = 'NOT_DUE',
  /** Stripe ends only the trials it runs; the job ends only card-less ones. */
  OTHER_SOURCE = 'OTHER_SOURCE',
  /** A Stripe trial's dates are Stripe's: changed here, the next sync would put them back. */
  MANAGED_BY_STRIPE = 'MANAGED_BY_STRIPE',
  /** An extension must end later than now and than the trial's current end. */
  NOT_LATER = 'NOT_LATER',
}

export type TrialDecision =
  | {
      ok: true;
      state: TrialState;
      /** The log row to write; null when only the dates moved (Stripe extended a running trial). */
      logStatus: TrialLogStatus | null;
    }
  | { ok: false; refusal: TrialRefusal; message: string };

/**
 * The trial state machine, the one place that decides trials:
 *
 *   inactive --start | stripe_trialing--> active --stripe_active | purchase--> converted
 *                                          active --expire_due (app, due) | stripe_ended_unpaid (stripe)--> expired
 *                                          expired --stripe_active | purchase--> converted
 *                          active | expired --extend (app)--> active (a new end; an expired trial reopens)
 *
 * Everything else is refused with a reason, and the caller keeps the state it had: sync replays
 * the same Stripe state many times, so a refusal there simply means "nothing to do".
 * The scheduled expiry runs the expire_due rule as one SQL statement (see EXPIRE_DUE_RULE).
 */
export function transitionTrial(state: TrialState, event: TrialEvent): TrialDecision {
  switch (event.type) {
    case 'start':
      if (state.status !== 'inactive') return refuse(TrialRefusal.ALREADY_USED, `the business already had a trial (${state.status})`);
      return started('app', event.planKey, event.at, event.endDate);

    case 'stripe_trialing':
      if (state.status === 'inactive') return started('stripe', event.planKey, event.startDate, event.endDate);
      if (state.status === 'active') {
        // Stripe owns the trial from now on (it may also have moved the end date): same trial, no new row.
        const next: TrialState = { ...state, source: 'stripe', planKey: event.planKey, startDate: event.startDate, endDate: event.endDate };
        return { ok: true, state: next, logStatus: null };
      }
      return refuse(TrialRefusal.ALREADY_USED, `a Stripe trial cannot restart a trial that is ${state.status}`);

    case 'stripe_active':
    case 'purchase':
      if (state.status === 'active' || state.status === 'expired') {
        return { ok: true, state: { ...state, status: 'converted', conversionDate: event.at }, logStatus: 'trial_converted' };
      }
      if (state.status === 'converted') return refuse(TrialRefusal.ALREADY_CONVERTED, 'the trial already converted');
      return refuse(TrialRefusal.NO_TRIAL, 'a purchase without a trial converts nothing');

    case 'stripe_ended_unpaid':
      if (state.status !== 'active') return notActive(state);
      if (state.source !== 'stripe') return refuse(TrialRefusal.OTHER_SOURCE, 'a card-less trial ends by its date, not by Stripe');
      return expired(state);

    case 'expire_due':
      if (state.status !== 'active') return notActive(state);
      if (state.source !== EXPIRE_DUE_RULE.source) return refuse(TrialRefusal.OTHER_SOURCE, 'a Stripe trial ends when Stripe bills it');
      if (!state.endDate || state.endDate > event.at) {
        return refuse(TrialRefusal.NOT_DUE, `the trial ends at ${state.endDate?.toISOString() ?? 'no date'}`);
      }
      return expired(state);

    case 'extend':
      if (state.status === 'inactive') return refuse(TrialRefusal.NO_TRIAL, 'there is no trial to extend');
      if (state.status === 'converted') return refuse(TrialRefusal.ALREADY_CONVERTED, 'the trial already converted');
      if (state.source !== 'app') {
        return refuse(TrialRefusal.MANAGED_BY_STRIPE, 'Stripe runs this trial: change its trial_end in Stripe, the next sync applies it');
      }
      if (event.endDate <= event.at || (state.endDate && event.endDate <= state.endDate)) {
        return refuse(TrialRefusal.NOT_LATER, `the new end must be later than now and than the current end (${state.endDate?.toISOString() ?? 'none'})`);
      }
      return { ok: true, state: { ...state, status: 'active', endDate: event.endDate, conversionDate: null }, logStatus: 'trial_extended' };
  }
}

/**
 * expire_due in the form the scheduled job's set-based SQL uses: a trial expires when its
 * status and source are these and trial_ends_at <= the run's time. A unit test checks that
 * transitionTrial agrees with it on every state.
 */
export const EXPIRE_DUE_RULE = { status: 'active', source: 'app' } as const satisfies Pick<TrialState, 'status' | 'source'>;

/** The trial event a Stripe subscription implies, or null when it says nothing about trials. */
export function trialEventForSubscription(
  subscription: { status: string; trialStart: Date | null; trialEnd: Date | null; currentPeriodEnd: Date | null } | null,
  planKey: string | null,
  now: Date,
): TrialEvent | null {
  if (!subscription) return null;
  const hadTrial = subscription.trialEnd !== null;
  switch (subscription.status) {
    case 'trialing': {
      const endDate = subscription.trialEnd ?? subscription.currentPeriodEnd;
      if (!planKey || !endDate) return null;
      return { type: 'stripe_trialing', planKey, at: now, startDate: subscription.trialStart ?? now, endDate };
    }
    case 'active':
      return hadTrial ? { type: 'stripe_active', at: now } : { type: 'purchase', at: now };
    case 'past_due':
    case 'canceled':
    case 'unpaid':
    case 'incomplete':
    case 'incomplete_expired':
    case 'paused':
      // The first charge after the trial failed, or the subscription ended before paying.
      return hadTrial ? { type: 'stripe_ended_unpaid', at: now } : null;
    default:
      return null;
  }
}

function started(source: TrialSource, planKey: string, startDate: Date, endDate: Date): TrialDecision {
  return {
    ok: true,
    state: { status: 'active', source, planKey, startDate, endDate, conversionDate: null },
    logStatus: 'trial_started',
  };
}

function expired(state: TrialState): TrialDecision {
  return { ok: true, state: { ...state, status: 'expired' }, logStatus: 'trial_expired' };
}

function notActive(state: TrialState): TrialDecision {
  if (state.status === 'inactive') return refuse(TrialRefusal.NO_TRIAL, 'there is no trial to end');
  if (state.status === 'converted') return refuse(TrialRefusal.ALREADY_CONVERTED, 'the trial already converted');
  return refuse(TrialRefusal.NOT_ACTIVE, `the trial is ${state.status}, not active`);
}

function refuse(refusal: TrialRefusal, message: string): TrialDecision {
  return { ok: false, refusal, message };
}
