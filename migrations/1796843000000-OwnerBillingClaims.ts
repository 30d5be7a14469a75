import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claim rows instead of transaction-held advisory locks around Stripe calls (a request held one
 * pooled connection while asking for another, so a burst could starve the pool):
 * - idempotency_keys rows are claimed while a request runs (state, holder, lease) and count the
 *   attempts whose refusal committed nothing, so a retry after a refusal gets fresh Stripe keys;
 * - checkout_claims serialises checkout creation per business without holding a connection;
 * - checkout_sessions remembers the trial days a session offers, so one is handed out again only
 *   to a caller who would get the same offer.
 */
export class OwnerBillingClaims1796843000000 implements MigrationInterface {
  name = 'OwnerBillingClaims1796843000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE idempotency_keys
        ALTER COLUMN response DROP NOT NULL,
        -- running: a request holds the key until lease_until; done: response is the answer;
        -- refused: the last attempt was refused (the next one uses attempt + 1);
        -- interrupted: its outcome is unknown (the next one reuses attempt, so Stripe replays).
        ADD COLUMN state text NOT NULL DEFAULT 'done' CHECK (state IN ('running', 'done', 'refused', 'interrupted')),
        ADD COLUMN attempt integer NOT NULL DEFAULT 0,
        ADD COLUMN holder uuid,
        ADD COLUMN lease_until timestamptz`);
    await queryRunner.query(`
      CREATE TABLE checkout_claims (
        business_id text PRIMARY KEY,
        holder uuid NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    // Null for sessions opened before: their offer is unknown, so they are never handed out again.
    await queryRunner.query('ALTER TABLE checkout_sessions ADD COLUMN trial_days integer');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE checkout_sessions DROP COLUMN trial_days');
    await queryRunner.query('DROP TABLE checkout_claims');
    await queryRunner.query('DELETE FROM idempotency_keys WHERE response IS NULL');
    await queryRunner.query(`
      ALTER TABLE idempotency_keys
        DROP COLUMN lease_until, DROP COLUMN holder, DROP COLUMN attempt, DROP COLUMN state,
        ALTER COLUMN response SET NOT NULL`);
  }
}
