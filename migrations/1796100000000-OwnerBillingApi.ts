import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The owner billing API: the Checkout Sessions we opened (so a business has at most one open
 * session, reused while it lasts) and the answers given to Idempotency-Key requests (kept in
 * PostgreSQL so a retry reaching another instance gets the same answer).
 */
export class OwnerBillingApi1796100000000 implements MigrationInterface {
  name = 'OwnerBillingApi1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE checkout_sessions (
        id text PRIMARY KEY,
        business_id text NOT NULL,
        plan_key text NOT NULL,
        interval text NOT NULL CHECK (interval IN ('monthly', 'yearly')),
        url text,
        status text NOT NULL CHECK (status IN ('open', 'complete', 'expired')),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX checkout_sessions_open_idx ON checkout_sessions (business_id, created_at DESC) WHERE status = 'open'`,
    );
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        business_id text NOT NULL,
        key text NOT NULL,
        -- The operation and its input; the same key with another request is refused.
        request_hash text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (business_id, key)
      )`);
    await queryRunner.query('CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE idempotency_keys');
    await queryRunner.query('DROP TABLE checkout_sessions');
  }
}
