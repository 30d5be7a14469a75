import { Module } from '@nestjs/common';
import { EnforcementModule } from '../enforcement/enforcement.module.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsResolver } from './campaigns.resolver.js';
import { CampaignsService } from './campaigns.service.js';

@Module({
  imports: [EnforcementModule],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignsResolver],
})
export class CampaignsModule {}
