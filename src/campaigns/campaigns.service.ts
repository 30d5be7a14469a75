import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { EnforcementService } from '../enforcement/enforcement.service.js';
import type { UsageDecisionModel } from '../enforcement/usage-decision.model.js';
import { CampaignEntity } from './campaign.entity.js';
import type { CampaignModel } from './campaign.model.js';
import { CAMPAIGNS_METRIC } from './campaigns.constant.js';
import { CampaignsErrorCode, CampaignsException } from './campaigns.exception.js';
import { DELETE_CAMPAIGN } from './campaigns.sql.js';
import type { CreateCampaignInput } from './create-campaign.input.js';
import { requireBusinessId } from '../enforcement/require-business.util.js';

@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly enforcement: EnforcementService,
  ) {}

  list(caller: AuthAccount): Promise<CampaignModel[]> {
    return this.dataSource.getRepository(CampaignEntity).find({
      where: { businessId: requireBusinessId(caller) },
      order: { createdAt: 'ASC' },
    });
  }

  /** The slot was already reserved by @RequiresPlanCapacity; a failure here gives it back. */
  async create(caller: AuthAccount, input: CreateCampaignInput): Promise<CampaignModel> {
    const repository = this.dataSource.getRepository(CampaignEntity);
    return repository.save(repository.create({ businessId: requireBusinessId(caller), name: input.name, createdBy: caller.userId }));
  }

  /**
   * Deletes and frees the slot in one transaction, so the counter and the rows cannot disagree;
   * a second delete of the same campaign finds nothing and gives nothing back.
   */
  async delete(caller: AuthAccount, id: string): Promise<boolean> {
    const businessId = requireBusinessId(caller);
    await this.dataSource.transaction(async (manager) => {
      const [deleted] = (await manager.query(DELETE_CAMPAIGN, [id, businessId])) as [unknown[], number];
      if (deleted.length === 0) {
        throw new CampaignsException(CampaignsErrorCode.CAMPAIGN_NOT_FOUND, `No campaign ${id}`, { id });
      }
      await this.enforcement.giveBack(this.enforcement.countKey(businessId, CAMPAIGNS_METRIC), 1, manager);
    });
    return true;
  }

  canCreate(caller: AuthAccount, bypassHeader: string | undefined): Promise<UsageDecisionModel> {
    return this.enforcement.canUse(caller, CAMPAIGNS_METRIC, 1, bypassHeader);
  }

  async exportCsv(caller: AuthAccount): Promise<string> {
    const campaigns = await this.list(caller);
    const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
    return ['id,name,created_at', ...campaigns.map((c) => [c.id, quote(c.name), c.createdAt.toISOString()].join(','))].join(
      '\n',
    );
  }
}

/** Product endpoints require an account role, and the business comes from the token. */
