import { Injectable } from '@nestjs/common';
import { PlansService } from '../plans/plans.service.js';
import { renderBillingPage } from './render-billing-page.util.js';

@Injectable()
export class BillingPageService {
  constructor(private readonly plans: PlansService) {}

  /** Read per request: outside production the simulator's price ids are registered after boot. */
  render(checkout: unknown): string {
    return renderBillingPage({
      plans: this.plans.list().map((plan) => this.plans.toModel(plan)),
      metrics: this.plans.metrics,
      checkout,
    });
  }
}
