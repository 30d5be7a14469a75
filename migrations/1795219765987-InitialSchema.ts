import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795219765987 implements MigrationInterface {
  name = 'InitialSchema1795219765987';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE plans (
        key text PRIMARY KEY,
        name text NOT NULL,
        description text,
        sort_order integer NOT NULL,
        currency text NOT NULL,
        monthly_price_cents integer NOT NULL CHECK (monthly_price_cents >= 0),
        yearly_price_cents integer NOT NULL CHECK (yearly_price_cents >= 0),
        stripe_monthly_price_id text UNIQUE,
        stripe_yearly_price_id text UNIQUE,
        limits jsonb NOT NULL,
        features jsonb NOT NULL,
        active boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE billing_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        business_id text NOT NULL UNIQUE,
        owner_user_id text,
        billing_email text,
        stripe_customer_id text UNIQUE,
        plan_key text NOT NULL REFERENCES plans(key),
        subscription_status text,
        trial_status text NOT NULL DEFAULT 'inactive'
          CHECK (trial_status IN ('inactive', 'active', 'expired', 'converted')),
        trial_plan_key text REFERENCES plans(key),
        trial_started_at timestamptz,
        trial_ends_at timestamptz,
        trial_converted_at timestamptz,
        grace_period_ends_at timestamptz,
        current_period_start timestamptz,
        current_period_end timestamptz,
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        billing_sync_status text NOT NULL,
        last_synced_at timestamptz,
        override_plan_key text REFERENCES plans(key),
        override_until timestamptz,
        override_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX billing_accounts_billing_email_idx ON billing_accounts (lower(billing_email))`,
    );
    await queryRunner.query(`
      CREATE TABLE billing_sync_log (
        id bigserial PRIMARY KEY,
        business_id text NOT NULL REFERENCES billing_accounts(business_id) ON DELETE CASCADE,
        status text NOT NULL,
        source text NOT NULL,
        event_id text,
        detail jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX billing_sync_log_business_created_idx ON billing_sync_log (business_id, created_at)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE billing_sync_log`);
    await queryRunner.query(`DROP TABLE billing_accounts`);
    await queryRunner.query(`DROP TABLE plans`);
  }
}
