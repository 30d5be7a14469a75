import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The kind of an event's latest failure and when the current run of failures of that kind began.
 * The emergency fallback (Stripe unavailable this long) and unowned parking (no business owns the
 * customer this long) are timed from it, not from `failing_since` (the first failure of any kind,
 * which still starts the retry window). A failure of another kind starts a new run.
 */
export class WebhookFailureKindSince1796810000000 implements MigrationInterface {
  name = 'WebhookFailureKindSince1796810000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stripe_events ADD COLUMN failure_kind text, ADD COLUMN failure_kind_since timestamptz`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stripe_events DROP COLUMN failure_kind_since, DROP COLUMN failure_kind`);
  }
}
