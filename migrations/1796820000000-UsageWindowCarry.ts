import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A usage window whose count moved to another window when a sync saw a new billing cycle anchor
 * (an interval change, a resume, a new subscription) points at it: reservations that still name
 * the old window are redirected there, and give-backs to it reach it too. NULL on the window that
 * counts. See docs/plans-and-enforcement.md, "A new anchor mid-window".
 */
export class UsageWindowCarry1796820000000 implements MigrationInterface {
  name = 'UsageWindowCarry1796820000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE usage_counters ADD COLUMN carried_to timestamptz`);
    await queryRunner.query(
      `CREATE INDEX usage_counters_carried_to_idx ON usage_counters (business_id, metric, carried_to) WHERE carried_to IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX usage_counters_carried_to_idx`);
    await queryRunner.query(`ALTER TABLE usage_counters DROP COLUMN carried_to`);
  }
}
