import { describe, expect, it } from '@jest/globals';
import { TRIAL_STATUSES } from '../billing/billing-account.entity.js';
import {
  EXPIRE_DUE_RULE,
  transitionTrial,
  trialEventForSubscription,
  TrialRefusal,
  type TrialEvent,
  type TrialEventType,
} from './trial-transition.util.js';
import { TRIAL_SOURCES, type TrialSource, type TrialState, type TrialStatus } from './trial.types.js';

const START = new Date('2026-11-01T00:00:00Z');
const END = new Date('2026-11-15T00:00:00Z');
const BEFORE_END = new Date('2026-11-10T00:00:00Z');
const AFTER_END = new Date('2026-11-20T00:00:00Z');
const EXTENDED_END = new Date('2026-11-27T00:00:00Z');

const state = (status: TrialStatus, source: TrialSource = 'app'): TrialState => ({
  status,
  source,
  planKey: status === 'inactive' ? null : 'glow_up',
  startDate: status === 'inactive' ? null : START,
  endDate: status === 'inactive' ? null : END,
  conversionDate: status === 'converted' ? BEFORE_END : null,
});

const events: Record<TrialEventType, TrialEvent> = {
  start: { type: 'start', planKey: 'viral_surge', at: START, endDate: END },
  stripe_trialing: { type: 'stripe_trialing', planKey: 'viral_surge', at: START, startDate: START, endDate: END },
  stripe_active: { type: 'stripe_active', at: AFTER_END },
  purchase: { type: 'purchase', at: AFTER_END },
  stripe_ended_unpaid: { type: 'stripe_ended_unpaid', at: AFTER_END },
  expire_due: { type: 'expire_due', at: AFTER_END },
  extend: { type: 'extend', at: AFTER_END, endDate: EXTENDED_END },
};

type Expected = { to: TrialStatus; log: string | null } | TrialRefusal;

/**
 * The whole table: every state (with each source where it matters) against every event. A row
 * per (state, source); a column per event. Anything not listed as a transition is a refusal.
 */
const TABLE: { from: TrialStatus; source: TrialSource; expect: Record<TrialEventType, Expected> }[] = [
  {
    from: 'inactive',
    source: 'app',
    expect: {
      start: { to: 'active', log: 'trial_started' },
      stripe_trialing: { to: 'active', log: 'trial_started' },
      stripe_active: TrialRefusal.NO_TRIAL,
      purchase: TrialRefusal.NO_TRIAL,
      stripe_ended_unpaid: TrialRefusal.NO_TRIAL,
      expire_due: TrialRefusal.NO_TRIAL,
      extend: TrialRefusal.NO_TRIAL,
    },
  },
  ...(['app', 'stripe'] as const).map((source) => ({
    from: 'active' as const,
    source,
    expect: {
      start: TrialRefusal.ALREADY_USED,
      stripe_trialing: { to: 'active' as const, log: null },
      stripe_active: { to: 'converted' as const, log: 'trial_converted' },
      purchase: { to: 'converted' as const, log: 'trial_converted' },
      stripe_ended_unpaid: source === 'stripe' ? { to: 'expired' as const, log: 'trial_expired' } : TrialRefusal.OTHER_SOURCE,
      expire_due: source === 'app' ? { to: 'expired' as const, log: 'trial_expired' } : TrialRefusal.OTHER_SOURCE,
      extend: source === 'app' ? { to: 'active' as const, log: 'trial_extended' } : TrialRefusal.MANAGED_BY_STRIPE,
    },
  })),
  ...(['app', 'stripe'] as const).map((source) => ({
    from: 'expired' as const,
    source,
    expect: {
      start: TrialRefusal.ALREADY_USED,
      stripe_trialing: TrialRefusal.ALREADY_USED,
      stripe_active: { to: 'converted' as const, log: 'trial_converted' },
      purchase: { to: 'converted' as const, log: 'trial_converted' },
      stripe_ended_unpaid: TrialRefusal.NOT_ACTIVE,
      expire_due: TrialRefusal.NOT_ACTIVE,
      // An app trial is reopened; Stripe's would be expired again by the next sync.
      extend: source === 'app' ? { to: 'active' as const, log: 'trial_extended' } : TrialRefusal.MANAGED_BY_STRIPE,
    },
  })),
  ...(['app', 'stripe'] as const).map((source) => ({
    from: 'converted' as const,
    source,
    expect: {
      start: TrialRefusal.ALREADY_USED,
      stripe_trialing: TrialRefusal.ALREADY_USED,
      stripe_active: TrialRefusal.ALREADY_CONVERTED,
      purchase: TrialRefusal.ALREADY_CONVERTED,
      stripe_ended_unpaid: TrialRefusal.ALREADY_CONVERTED,
      expire_due: TrialRefusal.ALREADY_CONVERTED,
      extend: TrialRefusal.ALREADY_CONVERTED,
    },
  })),
];

describe('transitionTrial', () => {
  it('the table covers every state and every event', () => {
    expect(new Set(TABLE.map((row) => row.from))).toEqual(new Set(TRIAL_STATUSES));
    for (const row of TABLE) expect(Object.keys(row.expect).sort()).toEqual(Object.keys(events).sort());
  });

  const cases = TABLE.flatMap((row) =>
    (Object.keys(row.expect) as TrialEventType[]).map((event) => [row.from, row.source, event, row.expect[event]] as const),
  );
  it.each(cases)('%s (%s) + %s -> %j', (from, source, eventType, expected) => {
    const decision = transitionTrial(state(from, source), events[eventType]);
    const outcome = decision.ok ? { to: decision.state.status, log: decision.logStatus } : decision.refusal;
    expect(outcome).toEqual(expected);
    expect(decision.ok || decision.message.length > 0).toBe(true);
  });

  it('a card-less start records the app as source, the plan and both dates', () => {
    const decision = transitionTrial(state('inactive'), events.start);
    expect(decision).toEqual({
      ok: true,
      logStatus: 'trial_started',
      state: { status: 'active', source: 'app', planKey: 'viral_surge', startDate: START, endDate: END, conversionDate: null },
    });
  });

  it('a Stripe trial takes Stripe dates; a later trialing sync moves them without a new log row', () => {
    const first = transitionTrial(state('inactive'), events.stripe_trialing);
    expect(first).toMatchObject({ ok: true, state: { source: 'stripe', startDate: START, endDate: END } });
    const extended = new Date('2026-11-30T00:00:00Z');
    const again = transitionTrial(first.ok ? first.state : state('inactive'), { ...events.stripe_trialing, endDate: extended } as TrialEvent);
    expect(again).toMatchObject({ ok: true, logStatus: null, state: { status: 'active', endDate: extended } });
  });

  it('a Stripe trial takes over a running card-less one: same trial (no log row), Stripe as source and dates', () => {
    const stripeStart = new Date('2026-11-05T00:00:00Z');
    const stripeEnd = new Date('2026-11-19T00:00:00Z');
    const decision = transitionTrial(state('active', 'app'), { ...events.stripe_trialing, startDate: stripeStart, endDate: stripeEnd } as TrialEvent);
    expect(decision).toEqual({
      ok: true,
      logStatus: null,
      state: { status: 'active', source: 'stripe', planKey: 'viral_surge', startDate: stripeStart, endDate: stripeEnd, conversionDate: null },
    });
    // From then on only Stripe ends it: the job's expire_due leaves it alone.
    expect(transitionTrial(decision.ok ? decision.state : state('inactive'), events.expire_due)).toMatchObject({ ok: false, refusal: TrialRefusal.OTHER_SOURCE });
  });

  it('extend moves the end of a card-less trial, reopening an expired one, and keeps its start and plan', () => {
    for (const from of ['active', 'expired'] as const) {
      expect(transitionTrial(state(from), events.extend)).toEqual({
        ok: true,
        logStatus: 'trial_extended',
        state: { status: 'active', source: 'app', planKey: 'glow_up', startDate: START, endDate: EXTENDED_END, conversionDate: null },
      });
    }
  });

  it('extend refuses an end that is not later than both now and the current end', () => {
    // Shortening a running trial is not an extension.
    expect(transitionTrial(state('active'), { type: 'extend', at: START, endDate: BEFORE_END })).toMatchObject({ ok: false, refusal: TrialRefusal.NOT_LATER });
    expect(transitionTrial(state('active'), { type: 'extend', at: START, endDate: END })).toMatchObject({ ok: false, refusal: TrialRefusal.NOT_LATER });
    // An end in the past would reopen an expired trial only for the job to expire it again.
    expect(transitionTrial(state('expired'), { type: 'extend', at: AFTER_END, endDate: AFTER_END })).toMatchObject({ ok: false, refusal: TrialRefusal.NOT_LATER });
    expect(transitionTrial(state('active'), { type: 'extend', at: START, endDate: new Date(END.getTime() + 1) })).toMatchObject({ ok: true });
  });

  it('conversion keeps the trial dates and sets the conversion date', () => {
    const decision = transitionTrial(state('expired'), events.purchase);
    expect(decision).toMatchObject({ ok: true, state: { startDate: START, endDate: END, conversionDate: AFTER_END } });
  });

  it('expire_due refuses a card-less trial before its end date and accepts it at the end date', () => {
    expect(transitionTrial(state('active'), { type: 'expire_due', at: BEFORE_END })).toMatchObject({ ok: false, refusal: TrialRefusal.NOT_DUE });
    expect(transitionTrial(state('active'), { type: 'expire_due', at: END })).toMatchObject({ ok: true, state: { status: 'expired' } });
  });

  it('EXPIRE_DUE_RULE (the job SQL) selects exactly the states expire_due accepts', () => {
    for (const status of TRIAL_STATUSES) {
      for (const source of TRIAL_SOURCES) {
        const accepted = transitionTrial(state(status, source), events.expire_due).ok;
        expect(accepted).toBe(status === EXPIRE_DUE_RULE.status && source === EXPIRE_DUE_RULE.source);
      }
    }
  });
});

describe('trialEventForSubscription', () => {
  const NOW = AFTER_END;
  const sub = (status: string, trial: boolean) => ({
    status,
    trialStart: trial ? START : null,
    trialEnd: trial ? END : null,
    currentPeriodEnd: END,
  });

  it('says nothing without a subscription', () => {
    expect(trialEventForSubscription(null, null, NOW)).toBeNull();
  });

  it('trialing -> stripe_trialing with the Stripe dates and plan', () => {
    expect(trialEventForSubscription(sub('trialing', true), 'glow_up', NOW)).toEqual({
      type: 'stripe_trialing',
      planKey: 'glow_up',
      at: NOW,
      startDate: START,
      endDate: END,
    });
  });

  it('active after a Stripe trial -> stripe_active; active without one -> purchase', () => {
    expect(trialEventForSubscription(sub('active', true), 'glow_up', NOW)).toEqual({ type: 'stripe_active', at: NOW });
    expect(trialEventForSubscription(sub('active', false), 'glow_up', NOW)).toEqual({ type: 'purchase', at: NOW });
  });

  it.each(['past_due', 'canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused'])(
    '%s after a Stripe trial -> stripe_ended_unpaid; without a trial -> nothing',
    (status) => {
      expect(trialEventForSubscription(sub(status, true), 'glow_up', NOW)).toEqual({ type: 'stripe_ended_unpaid', at: NOW });
      expect(trialEventForSubscription(sub(status, false), 'glow_up', NOW)).toBeNull();
    },
  );
});
