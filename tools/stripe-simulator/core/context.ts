import type Stripe from 'stripe';
import { VirtualClock } from './clock.js';
import { Store } from './store.js';
import { EventRecorder } from './events.js';
import { WebhookDelivery, type DeliveryOptions, type DeliveryTarget } from './delivery.js';
import { resourceMissing } from './errors.js';
import { DEFAULT_RETRY_DAYS, type FinalDunningAction } from '../billing/dunning.js';
import { BillingEngine } from '../billing/engine.js';

export interface BillingSettings {
  /** What happens once every retry of a failed renewal has failed. Stripe's default is to cancel. */
  finalDunningAction: FinalDunningAction;
  /** Days after the first failed renewal attempt at which payment is retried. */
  retryDays: readonly number[];
  /** Seconds an `incomplete` subscription waits for its first payment before `incomplete_expired` (23 h on Stripe). */
  incompleteExpirySeconds: number;
}

export const DEFAULT_BILLING: BillingSettings = {
  finalDunningAction: 'cancel',
  retryDays: DEFAULT_RETRY_DAYS,
  incompleteExpirySeconds: 23 * 3600,
};

/** Everything one simulator instance owns; handlers receive it instead of reaching for globals. */
export class SimContext {
  readonly store = new Store();
  readonly clock = new VirtualClock();
  readonly delivery: WebhookDelivery;
  readonly events: EventRecorder;
  readonly engine: BillingEngine;
  billing: BillingSettings;
  baseUrl = '';

  constructor(
    deliveryOptions: DeliveryOptions,
    billing: Partial<BillingSettings>,
    readonly log: (msg: string) => void,
  ) {
    this.billing = { ...DEFAULT_BILLING, ...billing };
    this.delivery = new WebhookDelivery(
      () => this.deliveryTargets(),
      (id) => this.store.webhookEndpoints.get(id)?.status === 'enabled',
      deliveryOptions,
    );
    this.events = new EventRecorder(this.store.events, () => this.now(), this.delivery);
    this.engine = new BillingEngine(this);
  }

  now(): number {
    return this.clock.now();
  }

  private deliveryTargets(): DeliveryTarget[] {
    const out: DeliveryTarget[] = [];
    for (const ep of this.store.webhookEndpoints.values()) {
      if (ep.status !== 'enabled' || !ep.secret) continue;
      out.push({ id: ep.id, url: ep.url, secret: ep.secret, enabledEvents: ep.enabled_events });
    }
    return out;
  }

  customer(id: string, param = 'customer'): Stripe.Customer {
    const c = this.store.customers.get(id);
    if (!c) throw resourceMissing('customer', id, param);
    return c;
  }

  price(id: string, param = 'price'): Stripe.Price {
    const p = this.store.prices.get(id);
    if (!p) throw resourceMissing('price', id, param);
    return p;
  }

  productName(price: Stripe.Price): string {
    const id = typeof price.product === 'string' ? price.product : price.product.id;
    return this.store.products.get(id)?.name ?? id;
  }

  invoice(id: string, param = 'id'): Stripe.Invoice {
    const inv = this.store.invoices.get(id);
    if (!inv) throw resourceMissing('invoice', id, param);
    return inv;
  }
}
