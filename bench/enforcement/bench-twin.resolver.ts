import { type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../../src/auth/auth-account.types.js';
import { Roles } from '../../src/auth/auth.decorator.js';
import { CurrentAccount } from '../../src/auth/current-account.decorator.js';
import { CampaignModel } from '../../src/campaigns/campaign.model.js';
import { CampaignsService } from '../../src/campaigns/campaigns.service.js';
import { CreateCampaignInput } from '../../src/campaigns/create-campaign.input.js';

/**
 * The undecorated twin of CampaignsResolver.createCampaign (src/campaigns/campaigns.resolver.ts):
 * same roles, same arguments, the very CampaignsService instance the real resolver uses, and no
 * @RequiresPlanCapacity. Guarded minus twin is what the plan guard costs. Registered only by the
 * benchmark's server (bench-server.ts), never by the service.
 */
@Roles('owner', 'member')
@Resolver(() => CampaignModel)
export class BenchTwinResolver implements OnModuleInit {
  private campaignsService: CampaignsService;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    // CampaignsModule does not export its service; the benchmark wants that instance, not a copy.
    this.campaignsService = this.moduleRef.get(CampaignsService, { strict: false });
  }

  @Mutation(() => CampaignModel, { description: 'Benchmark only: createCampaign without @RequiresPlanCapacity.' })
  benchCreateCampaignUnguarded(@CurrentAccount() caller: AuthAccount, @Args('input') input: CreateCampaignInput): Promise<CampaignModel> {
    return this.campaignsService.create(caller, input);
  }
}
