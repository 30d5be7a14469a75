/** What orders two inbox events: Stripe's creation time, then when we received it, then the id. */
export interface EventAge {
  id: string;
  stripeCreatedAt: Date;
  receivedAt: Date;
}

/**
 * Oldest first. Stripe's `created` has whole seconds, so two updates of one second tie on it.
 * The id says nothing about time (Stripe's ids are random); our receipt time is the best guess
 * left, and only a guess (Stripe does not guarantee delivery order): a real sync from Stripe
 * overwrites what the emergency fallback applied on it. The id only makes the order total.
 */
export function compareEventAge(a: EventAge, b: EventAge): number {
  return (
    a.stripeCreatedAt.getTime() - b.stripeCreatedAt.getTime() ||
    a.receivedAt.getTime() - b.receivedAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
