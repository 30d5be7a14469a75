import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The billing cycle anchor of each subscription and of each account (its last subscription's):
 * monthly usage windows step from it, also on yearly prices. Backfilled from the stored Stripe
 * objects, which carry `billing_cycle_anchor` (unix seconds).
 */
export class UsageWindows1796400000000 implements MigrationInterface {
  name = 'UsageWindows1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE subscriptions ADD COLUMN billing_cycle_anchor timestamptz`);
    await queryRunner.query(`ALTER TABLE billing_accounts ADD COLUMN billing_cycle_anchor timestamptz`);
    await queryRunner.query(`
      UPDATE subscriptions SET billing_cycle_anchor = to_timestamp((stripe_object->>'billing_cycle_anchor')::bigint)
       WHERE jsonb_typeof(stripe_object->'billing_cycle_anchor') = 'number'`);
    // The account's current subscription is the one whose period the account row copied.
    await queryRunner.query(`
      UPDATE billing_accounts a SET billing_cycle_anchor = s.billing_cycle_anchor
        FROM subscriptions s
       WHERE s.business_id = a.business_id AND s.status = a.subscription_status
         AND s.current_period_end IS NOT DISTINCT FROM a.current_period_end`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE billing_accounts DROP COLUMN billing_cycle_anchor`);
    await queryRunner.query(`ALTER TABLE subscriptions DROP COLUMN billing_cycle_anchor`);
  }
}
