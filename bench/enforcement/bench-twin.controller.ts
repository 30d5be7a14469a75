import { Controller, Get, Header, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AuthAccount } from '../../src/auth/auth-account.types.js';
import { Roles } from '../../src/auth/auth.decorator.js';
import { CurrentAccount } from '../../src/auth/current-account.decorator.js';
import { CSV_EXPORT_FEATURE } from '../../src/campaigns/campaigns.constant.js';
import { CampaignsService } from '../../src/campaigns/campaigns.service.js';
import { RequiresFeature } from '../../src/enforcement/plan-requirement.decorator.js';

/**
 * REST routes of the benchmark's server only, to count what a feature check costs: the twin of
 * GET /api/campaigns/export.csv without @RequiresFeature, and a @RequiresFeature route whose
 * handler sends no SQL (with its own undecorated twin), so the guard's statements are seen alone.
 */
@Roles('owner', 'member')
@Controller('bench')
export class BenchTwinController implements OnModuleInit {
  private campaignsService: CampaignsService;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    this.campaignsService = this.moduleRef.get(CampaignsService, { strict: false });
  }

  @Get('campaigns/export-unguarded.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  exportCsvUnguarded(@CurrentAccount() caller: AuthAccount): Promise<string> {
    return this.campaignsService.exportCsv(caller);
  }

  @RequiresFeature(CSV_EXPORT_FEATURE)
  @Get('feature-check')
  featureCheck(): { ok: true } {
    return { ok: true };
  }

  @Get('feature-check-unguarded')
  featureCheckUnguarded(): { ok: true } {
    return { ok: true };
  }
}
