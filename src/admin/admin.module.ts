import { Module } from '@nestjs/common';
import { AdminCoreModule } from './admin-core.module.js';
import { AdminResolver } from './admin.resolver.js';
import { ManualSyncController } from './manual-sync.controller.js';
import { ManualSyncService } from './manual-sync.service.js';
import { ReconciliationJobService } from './reconciliation-job.service.js';

/** The admin GraphQL API, POST /api/billing/sync-stripe and the scheduled reconciliation. */
@Module({
  imports: [AdminCoreModule],
  controllers: [ManualSyncController],
  providers: [AdminResolver, ManualSyncService, ReconciliationJobService],
})
export class AdminModule {}
