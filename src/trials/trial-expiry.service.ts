import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import { DataSource, type QueryRunner } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import { ADVISORY_LOCK } from '../database/advisory-locks.constant.js';
import { RELEASE_ADVISORY_LOCK, TRY_ADVISORY_LOCK } from '../database/database.sql.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { trialEventOfRow, type TrialRow } from './record-trial-change.util.js';
import { TrialEventsService } from './trial-events.service.js';
import { EXPIRE_DUE_RULE } from './trial-transition.util.js';
import { TrialDomainEventName } from './trial.types.js';
import { EXPIRE_BATCH_SQL, REMIND_BATCH_SQL } from './trials.sql.js';

export const TRIAL_EXPIRY_JOB = 'trial-expiry';
/** Card-less trials get trial.will_end this long before their end, as Stripe sends trial_will_end. */
export const TRIAL_WILL_END_DAYS = 3;

export interface TrialExpiryResult {
  /** Trials this run expired. */
  expired: number;
  /** trial.will_end reminders this run sent. */
  reminded: number;
  /** False when another instance held the lock, so this run did nothing. */
  ran: boolean;
}

/**
 * The scheduled trial expiry (TRIAL_EXPIRY_CRON, default every minute). Any number of instances
 * may schedule it: a run holds a PostgreSQL advisory lock, and a run that finds it taken does
 * nothing. A run catches up on everything due as of its time, in batches of TRIAL_EXPIRY_BATCH;
 * each batch is one transaction (accounts, log rows, one entitlements invalidation), and its
 * trial.expired events go out after it commits. Then it sends the card-less trial.will_end
 * reminders, once per trial.
 */
@Injectable()
export class TrialExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TrialExpiryService.name);
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly entitlements: EntitlementsService,
    private readonly events: TrialEventsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const { expiryEnabled, expiryCron } = this.config.values.trials;
    if (!expiryEnabled) return;
    const job = CronJob.from({ cronTime: expiryCron, onTick: () => this.tick(), start: false });
    this.scheduler.addCronJob(TRIAL_EXPIRY_JOB, job);
    job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('cron', TRIAL_EXPIRY_JOB)) await this.scheduler.getCronJob(TRIAL_EXPIRY_JOB).stop();
    await this.running;
  }

  /** One scheduled run as of the Clock's now; skipped while this process still runs the last one. */
  tick(): void {
    if (this.running || this.stopping) return;
    this.running = this.run(this.clock.now())
      .then((result) => {
        if (result.expired + result.reminded > 0) this.logger.log(result, `trial expiry: ${result.expired} expired, ${result.reminded} reminded`);
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'trial expiry failed; the next run retries'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Expires every card-less trial due as of `now` and sends due reminders. Safe to call concurrently anywhere. */
  async run(now: Date): Promise<TrialExpiryResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: { locked: boolean }[] = await runner.query(TRY_ADVISORY_LOCK, [ADVISORY_LOCK.TRIAL_EXPIRY]);
      if (!locked) return { expired: 0, reminded: 0, ran: false };
      try {
        const expired = await this.inBatches(runner, EXPIRE_BATCH_SQL, now, TrialDomainEventName.EXPIRED);
        const reminded = await this.inBatches(runner, REMIND_BATCH_SQL, now, TrialDomainEventName.WILL_END);
        return { expired, reminded, ran: true };
      } finally {
        await runner.query(RELEASE_ADVISORY_LOCK, [ADVISORY_LOCK.TRIAL_EXPIRY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async inBatches(runner: QueryRunner, sql: string, now: Date, name: TrialDomainEventName): Promise<number> {
    const size = this.config.values.trials.expiryBatch;
    let total = 0;
    for (;;) {
      const rows = await this.batch(runner, sql, now, name);
      total += rows;
      if (rows < size || this.stopping) return total;
    }
  }

  private async batch(runner: QueryRunner, sql: string, now: Date, name: TrialDomainEventName): Promise<number> {
    const { expiryBatch } = this.config.values.trials;
    const params: unknown[] = [now, expiryBatch, EXPIRE_DUE_RULE.status, EXPIRE_DUE_RULE.source];
    if (name === TrialDomainEventName.WILL_END) params.push(TRIAL_WILL_END_DAYS);
    await runner.startTransaction();
    let rows: TrialRow[];
    try {
      rows = await runner.query(sql, params);
      // One notification for the whole batch: every instance drops its entitlements cache.
      if (name === TrialDomainEventName.EXPIRED && rows.length > 0) await this.entitlements.invalidate('*', runner.manager);
      await this.events.record(runner.manager, rows.map((row) => trialEventOfRow(row, name, now)));
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
    if (name === TrialDomainEventName.EXPIRED) this.metrics.trialExpired(rows.length);
    return rows.length;
  }
}
