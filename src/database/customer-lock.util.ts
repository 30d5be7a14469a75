import type { EntityManager } from 'typeorm';
import { LOCK_STRIPE_CUSTOMER } from './database.sql.js';

// Namespace of the two-int advisory locks that serialise work on one Stripe customer.
const CUSTOMER_LOCK_NAMESPACE = 7_302;

/**
 * Holds, until the transaction ends, the lock that serialises every change of one Stripe
 * customer across all instances (webhook worker, checkout return, admin repair).
 */
export async function lockStripeCustomer(manager: EntityManager, customerId: string): Promise<void> {
  await manager.query(LOCK_STRIPE_CUSTOMER, [CUSTOMER_LOCK_NAMESPACE, customerId]);
}
