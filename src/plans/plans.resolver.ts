import { Query, Resolver } from '@nestjs/graphql';
import { Public } from '../auth/auth.decorator.js';
import { PlanModel } from './plan.model.js';
import { PlansService } from './plans.service.js';

@Resolver(() => PlanModel)
export class PlansResolver {
  constructor(private readonly plansService: PlansService) {}

  @Public()
  @Query(() => [PlanModel], { description: 'Every plan on sale, cheapest first. No token needed.' })
  plans(): PlanModel[] {
    return this.plansService.list().map((plan) => this.plansService.toModel(plan));
  }
}
