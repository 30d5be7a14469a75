import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const METRIC_KINDS = ['count', 'period'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/**
 * The window a PERIOD metric counts in. `month`: monthly windows stepped from the subscription's
 * billing cycle anchor, also on yearly prices (a yearly payer gets the monthly allowance every
 * month). `billing_period`: the subscription's own period (a year on a yearly price).
 */
export const USAGE_WINDOWS = ['month', 'billing_period'] as const;
export type UsageWindowKind = (typeof USAGE_WINDOWS)[number];

export const BILLING_INTERVALS = ['monthly', 'yearly'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

/** A metric the catalog's plans can limit: a count of what exists now, or a flow per billing period. */
export class CatalogMetricDto {
  @Matches(/^[a-z][a-zA-Z0-9_]*$/, { message: 'metric key must be camelCase or snake_case letters and digits' })
  key: string;

  @IsString()
  @Length(1, 80)
  name: string;

  @IsIn(METRIC_KINDS)
  kind: MetricKind;

  /** PERIOD metrics only; `month` when omitted. */
  @IsOptional()
  @IsIn(USAGE_WINDOWS)
  window?: UsageWindowKind;
}

export class CatalogPricesDto {
  @IsInt()
  @Min(0)
  monthly: number;

  @IsInt()
  @Min(0)
  yearly: number;
}

export class CatalogPlanDto {
  @Matches(/^[a-z][a-z0-9_]*$/, { message: 'plan key must be lower snake_case' })
  key: string;

  @IsString()
  @Length(1, 80)
  name: string;

  @IsOptional()
  @IsString()
  description?: string;

  /** Prices in the currency's minor unit (cents). Both 0 means a free plan that needs no Stripe price. */
  @ValidateNested()
  @Type(() => CatalogPricesDto)
  prices: CatalogPricesDto;

  /** metric key -> limit; -1 means unlimited. Every catalog metric must be present. */
  @IsObject()
  limits: Record<string, number>;

  /** feature key -> enabled. */
  @IsObject()
  features: Record<string, boolean>;

  @IsOptional()
  @IsBoolean()
  active?: boolean;

  /** Days of free trial (card-less, or at a first Stripe checkout); 0 or absent = no trial. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(730)
  trialDays?: number;
}

export class PlanCatalogDto {
  @Matches(/^[a-z]{3}$/, { message: 'currency must be a lowercase ISO 4217 code such as usd' })
  currency: string;

  /** The plan every new account starts on and falls back to; it must be free. */
  @Matches(/^[a-z][a-z0-9_]*$/)
  defaultPlan: string;

  @ValidateNested({ each: true })
  @Type(() => CatalogMetricDto)
  @ArrayMinSize(1)
  metrics: CatalogMetricDto[];

  @IsString({ each: true })
  @ArrayUnique()
  featureKeys: string[];

  @ValidateNested({ each: true })
  @Type(() => CatalogPlanDto)
  @ArrayMinSize(1)
  plans: CatalogPlanDto[];
}
