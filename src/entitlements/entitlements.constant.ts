/**
 * PostgreSQL NOTIFY channel that tells every instance an account's entitlements changed.
 * Payload: the business id, or '*' for all. Send it inside the transaction that made the
 * change, so it is delivered exactly when the change commits.
 */
export const ENTITLEMENTS_CHANNEL = 'entitlements_changed';
