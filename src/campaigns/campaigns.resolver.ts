import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { NoPlanLimit, RequiresPlanCapacity } from '../enforcement/plan-requirement.decorator.js';
import { CampaignModel } from './campaign.model.js';
import { CAMPAIGNS_METRIC } from './campaigns.constant.js';
import { CampaignsService } from './campaigns.service.js';
import { CreateCampaignInput } from './create-campaign.input.js';

@Roles('owner', 'member')
@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(private readonly campaignsService: CampaignsService) {}

  @Query(() => [CampaignModel], { description: "The business's campaigns, oldest first." })
  campaigns(@CurrentAccount() caller: AuthAccount): Promise<CampaignModel[]> {
    return this.campaignsService.list(caller);
  }

  @RequiresPlanCapacity(CAMPAIGNS_METRIC)
  @Mutation(() => CampaignModel, { description: 'Uses one campaign of the plan; PLAN_LIMIT_EXCEEDED when none is left.' })
  createCampaign(@CurrentAccount() caller: AuthAccount, @Args('input') input: CreateCampaignInput): Promise<CampaignModel> {
    return this.campaignsService.create(caller, input);
  }

  @NoPlanLimit()
  @Mutation(() => Boolean, { description: 'Deletes a campaign and frees its slot.' })
  deleteCampaign(
    @CurrentAccount() caller: AuthAccount,
    @Args('id', { type: () => ID }, new ParseUUIDPipe()) id: string,
  ): Promise<boolean> {
    return this.campaignsService.delete(caller, id);
  }
}
