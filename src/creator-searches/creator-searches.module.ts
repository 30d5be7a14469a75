import { Module } from '@nestjs/common';
import { EnforcementModule } from '../enforcement/enforcement.module.js';
import { CreatorSearchesResolver } from './creator-searches.resolver.js';
import { CreatorSearchesService } from './creator-searches.service.js';

@Module({
  imports: [EnforcementModule],
  providers: [CreatorSearchesService, CreatorSearchesResolver],
})
export class CreatorSearchesModule {}
