import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnforcementModule } from '../enforcement/enforcement.module.js';
import { CampaignEntity } from './campaign.entity.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsResolver } from './campaigns.resolver.js';
import { CampaignsService } from './campaigns.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CampaignEntity]), EnforcementModule],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignsResolver],
})
export class CampaignsModule {}
