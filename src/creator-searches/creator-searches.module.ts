import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnforcementModule } from '../enforcement/enforcement.module.js';
import { CreatorSearchEntity } from './creator-search.entity.js';
import { CreatorSearchesResolver } from './creator-searches.resolver.js';
import { CreatorSearchesService } from './creator-searches.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CreatorSearchEntity]), EnforcementModule],
  providers: [CreatorSearchesService, CreatorSearchesResolver],
})
export class CreatorSearchesModule {}
