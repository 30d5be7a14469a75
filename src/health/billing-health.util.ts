import type { InboxHealth } from '../metrics/inbox-health.service.js';

export interface BillingHealth {
  status: 'ok' | 'degraded';
  reasons: string[];
  inbox: InboxHealth;
}

/**
 * Degraded when dead letters wait for a human, the inbox is falling behind, or a customer has
 * several live subscriptions (the plan is still right, but the customer may be billed twice).
 */
export function assessBillingHealth(inbox: InboxHealth, backlogAlertSeconds: number): BillingHealth {
  const reasons: string[] = [];
  if (inbox.dead > 0) reasons.push(`${inbox.dead} dead webhook event(s) need a replay`);
  if (inbox.deadUnowned > 0) reasons.push(`${inbox.deadUnowned} dead webhook event(s) of Stripe customers no business owns`);
  if (inbox.multipleLiveSubscriptions > 0) {
    reasons.push(`${inbox.multipleLiveSubscriptions} account(s) with several live Stripe subscriptions (may be billed twice)`);
  }
  if (inbox.oldestPendingAgeSeconds > backlogAlertSeconds) {
    reasons.push(
      `oldest pending webhook event is ${Math.round(inbox.oldestPendingAgeSeconds)} s old (alert above ${backlogAlertSeconds} s)`,
    );
  }
  return { status: reasons.length > 0 ? 'degraded' : 'ok', reasons, inbox };
}
