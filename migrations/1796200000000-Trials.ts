import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trials module: who runs a trial (Stripe, or this service for card-less trials: the default, so
 * a row written without it is a card-less trial the expiry job ends), whether its
 * trial.will_end reminder went out (once per trial), and the index the expiry job scans.
 */
export class Trials1796200000000 implements MigrationInterface {
  name = 'Trials1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE billing_accounts
        ADD COLUMN trial_source text NOT NULL DEFAULT 'app' CHECK (trial_source IN ('stripe', 'app')),
        ADD COLUMN trial_will_end_sent_at timestamptz`);
    // Every trial before this migration came from Stripe sync.
    await queryRunner.query(`UPDATE billing_accounts SET trial_source = 'stripe' WHERE trial_status <> 'inactive'`);
    // The expiry job and the reminder scan only running card-less trials, oldest end first.
    await queryRunner.query(`
      CREATE INDEX billing_accounts_app_trial_ends_idx ON billing_accounts (trial_ends_at, id)
        WHERE trial_status = 'active' AND trial_source = 'app'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX billing_accounts_app_trial_ends_idx`);
    await queryRunner.query(`ALTER TABLE billing_accounts DROP COLUMN trial_will_end_sent_at, DROP COLUMN trial_source`);
  }
}
