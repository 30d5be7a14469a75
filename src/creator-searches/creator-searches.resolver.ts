import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { PlanGrant } from '../enforcement/plan-grant.decorator.js';
import type { PlanReservation } from '../enforcement/plan-requirement.types.js';
import { NoPlanLimit, RequiresPlanCapacity } from '../enforcement/plan-requirement.decorator.js';
import { CreatorSearchModel } from './creator-search.model.js';
import { CREATORS_METRIC } from './creator-searches.constant.js';
import { CreatorSearchesService } from './creator-searches.service.js';
import { StartCreatorSearchInput } from './start-creator-search.input.js';

@Roles('owner', 'member')
@Resolver(() => CreatorSearchModel)
export class CreatorSearchesResolver {
  constructor(private readonly searches: CreatorSearchesService) {}

  @Query(() => [CreatorSearchModel], { description: "The business's creator searches, oldest first." })
  creatorSearches(@CurrentAccount() caller: AuthAccount): Promise<CreatorSearchModel[]> {
    return this.searches.list(caller);
  }

  @RequiresPlanCapacity(CREATORS_METRIC, { amount: 'input.expectedCreators', partial: true })
  @Mutation(() => CreatorSearchModel, {
    description:
      'Reserves up to expectedCreators of the billing period; grants what is left when that is less (partial: true) and refuses with PLAN_LIMIT_EXCEEDED when nothing is.',
  })
  startCreatorSearch(
    @CurrentAccount() caller: AuthAccount,
    @Args('input') input: StartCreatorSearchInput,
    @PlanGrant() grant: PlanReservation,
  ): Promise<CreatorSearchModel> {
    return this.searches.start(caller, input, grant);
  }

  @NoPlanLimit()
  @Mutation(() => CreatorSearchModel, {
    description: 'Settles a search to the creators really found; the unused part of the grant is given back.',
  })
  completeCreatorSearch(
    @CurrentAccount() caller: AuthAccount,
    @Args('id', { type: () => ID }, new ParseUUIDPipe()) id: string,
    @Args('creatorsFound', { type: () => Int }) creatorsFound: number,
  ): Promise<CreatorSearchModel> {
    return this.searches.complete(caller, id, creatorsFound);
  }
}
