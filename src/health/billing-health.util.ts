import type { InboxHealth } from '../metrics/inbox-health.service.js';

export interface BillingHealth {
  status: 'ok' | 'degraded';
  reasons: string[];
  inbox: InboxHealth;
}

/** Degraded when dead letters wait for a human or the inbox is falling behind. */
export function assessBillingHealth(inbox: InboxHealth, backlogAlertSeconds: number): BillingHealth {
  const reasons: string[] = [];
  if (inbox.dead > 0) reasons.push(`${inbox.dead} dead webhook event(s) need a replay`);
  if (inbox.deadUnowned > 0) reasons.push(`${inbox.deadUnowned} dead webhook event(s) of Stripe customers no business owns`);
  if (inbox.oldestPendingAgeSeconds > backlogAlertSeconds) {
    reasons.push(
      `oldest pending webhook event is ${Math.round(inbox.oldestPendingAgeSeconds)} s old (alert above ${backlogAlertSeconds} s)`,
    );
  }
  return { status: reasons.length > 0 ? 'degraded' : 'ok', reasons, inbox };
}
