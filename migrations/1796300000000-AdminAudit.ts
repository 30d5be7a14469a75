import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin audit trail (who changed what in an account, why, and the state before and after,
 * written in the transaction of the change), and the onboarding flag that
 * complete-onboarding-and-activate-plan sets.
 */
export class AdminAudit1796300000000 implements MigrationInterface {
  name = 'AdminAudit1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE admin_audit_log (
        id bigserial PRIMARY KEY,
        -- The token's sub for the admin API; cli:<user> or system:<job> for operators and jobs.
        admin_sub text NOT NULL,
        action text NOT NULL,
        business_id text,
        target text,
        reason text,
        before jsonb,
        after jsonb,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX admin_audit_log_business_created_idx ON admin_audit_log (business_id, created_at)`);
    await queryRunner.query(`ALTER TABLE billing_accounts ADD COLUMN onboarding_completed_at timestamptz`);
    // Who granted the override that the existing override_* columns describe.
    await queryRunner.query(`ALTER TABLE billing_accounts ADD COLUMN override_granted_by text`);
    // Keyset pages of the admin event list walk (received_at, id) newest first.
    await queryRunner.query(`CREATE INDEX stripe_events_received_idx ON stripe_events (received_at DESC, id DESC)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX stripe_events_received_idx`);
    await queryRunner.query(`ALTER TABLE billing_accounts DROP COLUMN override_granted_by`);
    await queryRunner.query(`ALTER TABLE billing_accounts DROP COLUMN onboarding_completed_at`);
    await queryRunner.query(`DROP TABLE admin_audit_log`);
  }
}
