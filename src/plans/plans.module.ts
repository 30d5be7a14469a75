import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlanEntity } from './plan.entity.js';
import { PlansResolver } from './plans.resolver.js';
import { PlansService } from './plans.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([PlanEntity])],
  providers: [PlansService, PlansResolver],
  exports: [PlansService],
})
export class PlansModule {}
