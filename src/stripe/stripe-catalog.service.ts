import { Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfigService } from '../config/app-config.service.js';
import { BILLING_INTERVALS } from '../plans/plan-catalog.dto.js';
import type { PlanCatalog, PlanPriceIds } from '../plans/plan-catalog.types.js';
import { StripeClientService } from './stripe-client.service.js';

/** Lookup key of a catalog price in Stripe, so a restart finds the prices it created. */
export const priceLookupKey = (planKey: string, interval: string) => `billing_service_${planKey}_${interval}`;

/**
 * Creates the catalog's products and prices in Stripe when they are missing (found again by
 * lookup key). Used only with the local simulator, where nobody configured price ids; in
 * production the ids come from the environment and this is never called.
 */
@Injectable()
export class StripeCatalogService {
  private readonly logger = new Logger(StripeCatalogService.name);

  constructor(
    private readonly client: StripeClientService,
    private readonly config: AppConfigService,
  ) {}

  async ensureCatalogPrices(catalog: PlanCatalog): Promise<PlanPriceIds> {
    if (this.config.isProduction) throw new Error('ensureCatalogPrices is for the local simulator only');
    const stripe = this.client.sdk();
    const priceIds: PlanPriceIds = {};
    for (const plan of catalog.plans.filter((p) => !p.isFree)) {
      priceIds[plan.key] = {};
      const keys = BILLING_INTERVALS.map((interval) => priceLookupKey(plan.key, interval));
      const existing = await stripe.prices.list({ lookup_keys: keys, limit: 10 });
      let productId = typeof existing.data[0]?.product === 'string' ? existing.data[0].product : undefined;
      for (const interval of BILLING_INTERVALS) {
        const found = existing.data.find((price) => price.lookup_key === priceLookupKey(plan.key, interval));
        if (found) {
          priceIds[plan.key][interval] = found.id;
          continue;
        }
        productId ??= (await stripe.products.create({ name: plan.name, metadata: { planKey: plan.key } })).id;
        const params: Stripe.PriceCreateParams = {
          product: productId,
          currency: plan.currency,
          unit_amount: plan.prices[interval],
          recurring: { interval: interval === 'monthly' ? 'month' : 'year' },
          lookup_key: priceLookupKey(plan.key, interval),
          metadata: { planKey: plan.key, interval },
        };
        priceIds[plan.key][interval] = (await stripe.prices.create(params)).id;
      }
    }
    this.logger.log({ priceIds }, 'catalog prices ready in the Stripe simulator');
    return priceIds;
  }
}
