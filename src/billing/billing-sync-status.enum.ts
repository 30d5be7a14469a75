/**
 * What last changed an account's billing state. Stored as text so new values need no migration;
 * every change also writes a billing_sync_log row. Declare a value only with the code that writes
 * it: billing-sync-status.enum.spec.ts fails on a value nothing in src writes.
 */
export enum BillingSyncStatus {
  ACCOUNT_CREATED = 'account_created',
  WEBHOOK_CHECKOUT_COMPLETED = 'webhook_checkout_completed',
  WEBHOOK_SUBSCRIPTION_CREATED = 'webhook_subscription_created',
  WEBHOOK_SUBSCRIPTION_UPDATED = 'webhook_subscription_updated',
  WEBHOOK_SUBSCRIPTION_DELETED = 'webhook_subscription_deleted',
  WEBHOOK_TRIAL_WILL_END = 'webhook_trial_will_end',
  WEBHOOK_PAYMENT_SUCCEEDED = 'webhook_payment_succeeded',
  WEBHOOK_PAYMENT_FAILED = 'webhook_payment_failed',
  WEBHOOK_SETUP_INTENT_SUCCEEDED = 'webhook_setup_intent_succeeded',
  WEBHOOK_PAYMENT_METHOD_ATTACHED = 'webhook_payment_method_attached',
  WEBHOOK_EMERGENCY_FALLBACK = 'webhook_emergency_fallback',
  MANUAL_SYNC = 'manual_sync',
  CHECKOUT_RETURN = 'checkout_return',
  RECONCILIATION = 'reconciliation',
  ADMIN_REPAIR = 'admin_repair',
  TRIAL_STARTED = 'trial_started',
  TRIAL_CONVERTED = 'trial_converted',
  TRIAL_EXPIRED = 'trial_expired',
  /** An admin moved the end of a card-less trial (adminExtendTrial), reopening it if expired. */
  TRIAL_EXTENDED = 'trial_extended',
  /** The owner changed the subscription through this API (plan change, cancel, resume). */
  OWNER_PLAN_CHANGE = 'owner_plan_change',
  OWNER_CANCEL = 'owner_cancel',
  OWNER_RESUME = 'owner_resume',
}
