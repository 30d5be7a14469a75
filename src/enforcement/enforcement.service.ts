import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { CatalogMetric } from '../plans/plan-catalog.types.js';
import { UNLIMITED } from '../plans/plan-catalog.types.js';
import { PlansService } from '../plans/plans.service.js';
import { resolveCapacityAmount } from './capacity-amount.util.js';
import { requireBusinessId } from './require-business.util.js';
import { EnforcementErrorCode, EnforcementException } from './enforcement.exception.js';
import { isPlanBypassed } from './plan-bypass.util.js';
import { decideUsage, suggestPlanForFeature, suggestPlanForMetric } from './plan-limit.util.js';
import type { PlanReservation } from './plan-requirement.types.js';
import type { UsageDecisionModel } from './usage-decision.model.js';
import { COUNT_METRIC_PERIOD_START, usageWindow, type UsageWindow } from './usage-window.util.js';
import { type UsageKey, UsageService } from './usage.service.js';

/** Plan checks for the guard, the interceptor, product services and canUse. */
@Injectable()
export class EnforcementService {
  private readonly logger = new Logger(EnforcementService.name);
  private warnedAboutHeader = false;

  constructor(
    private readonly entitlements: EntitlementsService,
    private readonly usage: UsageService,
    private readonly plans: PlansService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /** Boolean features: decided from the entitlements cache, no SQL on a hit. */
  async requireFeature(caller: AuthAccount, feature: string, bypassHeader?: string): Promise<void> {
    if (!this.plans.featureKeys.includes(feature)) {
      throw new EnforcementException(
        EnforcementErrorCode.PLAN_REQUIREMENT_MISCONFIGURED,
        `Feature "${feature}" is not in the plan catalog`,
      );
    }
    const businessId = requireBusinessId(caller);
    if (this.bypassed({ feature }, bypassHeader)) return;
    const { plan } = await this.entitlements.get(businessId);
    if (plan.features[feature] === true) return;
    this.metrics.planDenied(`feature:${feature}`, plan.key);
    throw new EnforcementException(EnforcementErrorCode.FEATURE_NOT_IN_PLAN, `The ${plan.name} plan does not include ${feature}`, {
      feature,
      plan: plan.key,
      upgradeRequired: true,
      suggestedPlan: suggestPlanForFeature(this.plans.list(), feature, plan.key),
    });
  }

  /**
   * Reserves `requested` of `metric` (or what is left, when `partial`), refusing with
   * PLAN_LIMIT_EXCEEDED. A bypassed call is still counted, with no limit, so the counter keeps
   * matching what exists and a later delete has something to give back.
   */
  async reserve(
    caller: AuthAccount,
    metricKey: string,
    requested: number,
    options: { partial: boolean; bypassHeader?: string },
  ): Promise<PlanReservation> {
    const now = this.clock.now();
    const metric = this.metric(metricKey, EnforcementErrorCode.PLAN_REQUIREMENT_MISCONFIGURED);
    const businessId = requireBusinessId(caller);
    const { plan, snapshot } = await this.entitlements.get(businessId, now);
    const bypassed = this.bypassed({ metric: metric.key }, options.bypassHeader);
    const limit = plan.limits[metric.key];
    const asked: UsageKey = { businessId, metric: metric.key, periodStart: usageWindow(metric, snapshot, now).start };
    const { granted, used, periodStart } = await this.usage.reserve(asked, requested, bypassed ? UNLIMITED : limit, options.partial);
    // The window that counted it (the asked one, or the one a new anchor carried it to): give back there.
    const key: UsageKey = { ...asked, periodStart };
    if (granted === 0) {
      this.metrics.planDenied(metric.key, plan.key);
      throw new EnforcementException(
        EnforcementErrorCode.PLAN_LIMIT_EXCEEDED,
        `Plan limit reached: ${used} of ${limit} ${metric.key} used on the ${plan.name} plan, ${requested} more requested`,
        {
          metric: metric.key,
          used,
          limit,
          requested,
          plan: plan.key,
          upgradeRequired: true,
          suggestedPlan: suggestPlanForMetric(this.plans.list(), metric.key, used + requested, plan.key),
        },
      );
    }
    this.metrics.planReserved(metric.key, granted);
    return { ...key, requested, granted, partial: granted < requested, bypassed };
  }

  /** Gives back a whole reservation (the interceptor, after a failed call). */
  async release(reservation: PlanReservation, manager?: EntityManager): Promise<void> {
    await this.usage.release(reservation, reservation.granted, manager);
  }

  /** Gives back `amount` of a metric in the period it was reserved in (deletes, settlements). */
  async giveBack(key: UsageKey, amount: number, manager?: EntityManager): Promise<void> {
    await this.usage.release(key, amount, manager);
  }

  /** The counter of a count metric (one row for all time), for product services that give back on delete. */
  countKey(businessId: string, metricKey: string): UsageKey {
    const metric = this.metric(metricKey, EnforcementErrorCode.PLAN_REQUIREMENT_MISCONFIGURED);
    if (metric.kind !== 'count') {
      throw new EnforcementException(EnforcementErrorCode.PLAN_REQUIREMENT_MISCONFIGURED, `Metric "${metricKey}" is not a count metric`);
    }
    return { businessId, metric: metric.key, periodStart: COUNT_METRIC_PERIOD_START };
  }

  /** Would `amount` more of `metric` be allowed now? Reads only; reserves nothing. */
  async canUse(caller: AuthAccount, metricKey: string, amount: number, bypassHeader?: string): Promise<UsageDecisionModel> {
    const now = this.clock.now();
    const metric = this.metric(metricKey, EnforcementErrorCode.UNKNOWN_METRIC);
    const checked = resolveCapacityAmount(amount, undefined);
    if ('error' in checked) throw new EnforcementException(EnforcementErrorCode.INVALID_AMOUNT, `amount: ${checked.error}`);
    const businessId = requireBusinessId(caller);
    const { plan, snapshot } = await this.entitlements.get(businessId, now);
    const limit = plan.limits[metric.key];
    const used = await this.usage.getUsed({
      businessId,
      metric: metric.key,
      periodStart: usageWindow(metric, snapshot, now).start,
    });
    const answer = decideUsage(limit, used, amount, this.bypassed({ metric: metric.key }, bypassHeader));
    return {
      ...answer,
      metric: metric.key,
      plan: plan.key,
      used,
      limit,
      requested: amount,
      upgradeRequired: !answer.allowed,
      suggestedPlan: answer.allowed ? null : suggestPlanForMetric(this.plans.list(), metric.key, used + amount, plan.key),
    };
  }

  /**
   * The usage window `metricKey` counts in for a business now ([start, end); end null for COUNT
   * metrics): what the owner API shows as the usage period.
   */
  async usageWindowOf(businessId: string, metricKey: string): Promise<UsageWindow> {
    const now = this.clock.now();
    const metric = this.metric(metricKey, EnforcementErrorCode.UNKNOWN_METRIC);
    const { snapshot } = await this.entitlements.get(businessId, now);
    return usageWindow(metric, snapshot, now);
  }

  private metric(key: string, code: EnforcementErrorCode): CatalogMetric {
    const metric = this.plans.metrics.find((m) => m.key === key);
    if (!metric) {
      throw new EnforcementException(code, `Metric "${key}" is not in the plan catalog`, {
        metric: key,
        metrics: this.plans.metrics.map((m) => m.key),
      });
    }
    return metric;
  }

  private bypassed(subject: { metric: string } | { feature: string }, header: string | undefined): boolean {
    const refused = !this.config.values.developmentInfrastructure;
    if (header !== undefined && refused && !this.warnedAboutHeader) {
      // Once per process: a client sending it on every request must not flood the log.
      this.warnedAboutHeader = true;
      this.logger.warn('x-plan-bypass header received and ignored: plan limits are always enforced off development infrastructure');
    }
    return isPlanBypassed(subject, this.config.values.enforcement.bypass, header, refused);
  }
}
