import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the key's current attempt first ran: the Stripe keys derived from it are as old as that,
 * however often the attempt was resumed since (created_at moves with every answer and resume).
 * An attempt older than Stripe's 24 h key retention is never resumed with the same keys.
 */
export class IdempotencyAttemptStartedAt1796860000000 implements MigrationInterface {
  name = 'IdempotencyAttemptStartedAt1796860000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys ADD COLUMN attempt_started_at timestamptz`);
    await queryRunner.query(`UPDATE idempotency_keys SET attempt_started_at = created_at`);
    await queryRunner.query(`ALTER TABLE idempotency_keys ALTER COLUMN attempt_started_at SET NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys DROP COLUMN attempt_started_at`);
  }
}
