import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Clock } from '../clock/clock.js';
import { EnforcementService } from '../enforcement/enforcement.service.js';
import type { PlanReservation } from '../enforcement/plan-requirement.types.js';
import { CreatorSearchEntity } from './creator-search.entity.js';
import type { CreatorSearchModel } from './creator-search.model.js';
import { CreatorSearchStatusModel } from './creator-search-status.enum.js';
import { CREATORS_METRIC } from './creator-searches.constant.js';
import { CreatorSearchesErrorCode, CreatorSearchesException } from './creator-searches.exception.js';
import type { StartCreatorSearchInput } from './start-creator-search.input.js';
import { requireBusinessId } from '../enforcement/require-business.util.js';

@Injectable()
export class CreatorSearchesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly enforcement: EnforcementService,
    private readonly clock: Clock,
  ) {}

  async list(caller: AuthAccount): Promise<CreatorSearchModel[]> {
    const rows = await this.dataSource.getRepository(CreatorSearchEntity).find({
      where: { businessId: requireBusinessId(caller) },
      order: { createdAt: 'ASC' },
    });
    return rows.map(toModel);
  }

  /**
   * Records a search for what @RequiresPlanCapacity granted (possibly less than asked: the
   * caller is told through `granted` and `partial`), in the usage period the grant counted in.
   */
  async start(caller: AuthAccount, input: StartCreatorSearchInput, grant: PlanReservation): Promise<CreatorSearchModel> {
    const repository = this.dataSource.getRepository(CreatorSearchEntity);
    const saved = await repository.save(
      repository.create({
        businessId: requireBusinessId(caller),
        query: input.query,
        requested: grant.requested,
        granted: grant.granted,
        found: null,
        status: 'running',
        periodStart: grant.periodStart,
        createdBy: caller.userId,
      }),
    );
    return toModel(saved);
  }

  /**
   * Settles a search to what it really found and gives the unused part of its grant back to the
   * period it was granted in (even when a new period has begun since). The status change and the
   * give-back commit together, and only a running search can be completed: a repeated call gives
   * nothing back twice.
   */
  async complete(caller: AuthAccount, id: string, creatorsFound: number): Promise<CreatorSearchModel> {
    const businessId = requireBusinessId(caller);
    return this.dataSource.transaction(async (manager) => {
      const search = await manager.getRepository(CreatorSearchEntity).findOne({
        where: { id, businessId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!search) {
        throw new CreatorSearchesException(CreatorSearchesErrorCode.CREATOR_SEARCH_NOT_FOUND, `No creator search ${id}`, { id });
      }
      if (search.status !== 'running') {
        throw new CreatorSearchesException(
          CreatorSearchesErrorCode.CREATOR_SEARCH_ALREADY_COMPLETED,
          `Creator search ${id} was already completed with ${search.found} creators`,
          { id, found: search.found },
        );
      }
      if (!Number.isInteger(creatorsFound) || creatorsFound < 0 || creatorsFound > search.granted) {
        throw new CreatorSearchesException(
          CreatorSearchesErrorCode.CREATORS_FOUND_OUT_OF_RANGE,
          `creatorsFound must be between 0 and the ${search.granted} granted`,
          { id, granted: search.granted, creatorsFound },
        );
      }
      search.status = 'completed';
      search.found = creatorsFound;
      search.completedAt = this.clock.now();
      await manager.save(search);
      await this.enforcement.giveBack(
        { businessId, metric: CREATORS_METRIC, periodStart: search.periodStart },
        search.granted - creatorsFound,
        manager,
      );
      return toModel(search);
    });
  }
}

function toModel(entity: CreatorSearchEntity): CreatorSearchModel {
  return {
    id: entity.id,
    query: entity.query,
    requested: entity.requested,
    granted: entity.granted,
    partial: entity.granted < entity.requested,
    found: entity.found,
    status: entity.status === 'completed' ? CreatorSearchStatusModel.COMPLETED : CreatorSearchStatusModel.RUNNING,
    createdAt: entity.createdAt,
    completedAt: entity.completedAt,
  };
}
