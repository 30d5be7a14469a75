import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage counters (one row per business, metric and period: a new period is a new row, so no
 * reset job) and the two product tables whose use they count. No foreign key to billing_accounts:
 * a business may use the product before anything creates its account (it is then on the default
 * plan).
 */
export class PlanEnforcement1795222000000 implements MigrationInterface {
  name = 'PlanEnforcement1795222000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE usage_counters (
        business_id text NOT NULL,
        metric text NOT NULL,
        -- 1970-01-01 for count metrics; the billing period (or calendar month) start for period metrics.
        period_start timestamptz NOT NULL,
        -- The CHECK turns a double release into an error instead of a silently wrong count.
        used integer NOT NULL CHECK (used >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (business_id, metric, period_start)
      )`);
    await queryRunner.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        business_id text NOT NULL,
        name text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX campaigns_business_created_idx ON campaigns (business_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE creator_searches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        business_id text NOT NULL,
        query text NOT NULL,
        requested integer NOT NULL CHECK (requested > 0),
        granted integer NOT NULL CHECK (granted > 0 AND granted <= requested),
        found integer CHECK (found >= 0 AND found <= granted),
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
        -- The usage period the grant was counted in; the settlement gives back to that same row.
        period_start timestamptz NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CHECK ((status = 'completed') = (found IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE INDEX creator_searches_business_created_idx ON creator_searches (business_id, created_at)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE creator_searches`);
    await queryRunner.query(`DROP TABLE campaigns`);
    await queryRunner.query(`DROP TABLE usage_counters`);
  }
}
