import { Body, Controller, Get, Header, Post } from '@nestjs/common';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { PlanBypassHeader } from '../enforcement/plan-bypass-header.decorator.js';
import { RequiresFeature, RequiresPlanCapacity } from '../enforcement/plan-requirement.decorator.js';
import type { UsageDecisionModel } from '../enforcement/usage-decision.model.js';
import type { CampaignModel } from './campaign.model.js';
import { CAMPAIGNS_METRIC, CSV_EXPORT_FEATURE } from './campaigns.constant.js';
import { CampaignsService } from './campaigns.service.js';
import { CreateCampaignInput } from './create-campaign.input.js';

/** REST form of the campaign endpoints, for clients that do not speak GraphQL. */
@Roles('owner', 'member')
@Controller('api/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  /** Whether one more campaign fits the plan now (reserves nothing). */
  @Get('can-create')
  canCreate(
    @CurrentAccount() caller: AuthAccount,
    @PlanBypassHeader() bypassHeader: string | undefined,
  ): Promise<UsageDecisionModel> {
    return this.campaigns.canCreate(caller, bypassHeader);
  }

  /** 403 PLAN_LIMIT_EXCEEDED with the same details as the GraphQL error when no slot is left. */
  @RequiresPlanCapacity(CAMPAIGNS_METRIC)
  @Post()
  create(@CurrentAccount() caller: AuthAccount, @Body() input: CreateCampaignInput): Promise<CampaignModel> {
    return this.campaigns.create(caller, input);
  }

  /** 403 FEATURE_NOT_IN_PLAN on plans without csvExport. */
  @RequiresFeature(CSV_EXPORT_FEATURE)
  @Get('export.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  exportCsv(@CurrentAccount() caller: AuthAccount): Promise<string> {
    return this.campaigns.exportCsv(caller);
  }
}
