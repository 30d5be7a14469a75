import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retry window instead of an attempt budget (failing_since), parked `unowned` events, the
 * per-customer sync version that lets a sync read Stripe before taking locks, the count of live
 * subscriptions per account, and the domain-events outbox.
 */
export class WebhookRetryWindowAndOutbox1796500000000 implements MigrationInterface {
  name = 'WebhookRetryWindowAndOutbox1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stripe_events DROP CONSTRAINT stripe_events_status_check`);
    await queryRunner.query(
      `ALTER TABLE stripe_events ADD CONSTRAINT stripe_events_status_check
       CHECK (status IN ('pending', 'processed', 'ignored', 'failed', 'dead', 'unowned'))`,
    );
    // Start of the retry window: the first failure since the event was stored or replayed.
    await queryRunner.query(`ALTER TABLE stripe_events ADD COLUMN failing_since timestamptz`);
    await queryRunner.query(`CREATE INDEX stripe_events_unowned_idx ON stripe_events (received_at) WHERE status = 'unowned'`);

    // Bumped by every applied sync of a customer: a sync that read Stripe before another one
    // committed sees the bump under the lock and reads again instead of writing stale state.
    await queryRunner.query(`
      CREATE TABLE stripe_customer_syncs (
        customer_id text PRIMARY KEY,
        version bigint NOT NULL DEFAULT 0,
        synced_at timestamptz NOT NULL DEFAULT now()
      )`);

    // More than one live subscription: the customer may be billed twice (shown to admins).
    await queryRunner.query(
      `ALTER TABLE billing_accounts ADD COLUMN live_subscription_count integer NOT NULL DEFAULT 0`,
    );

    await queryRunner.query(`
      CREATE TABLE domain_events (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        key text NOT NULL,
        business_id text,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        dispatched_at timestamptz,
        CONSTRAINT domain_events_name_key_unique UNIQUE (name, key)
      )`);
    await queryRunner.query(`CREATE INDEX domain_events_undispatched_idx ON domain_events (id) WHERE dispatched_at IS NULL`);
    await queryRunner.query(`CREATE INDEX domain_events_business_idx ON domain_events (business_id, id)`);
    await queryRunner.query(`
      CREATE FUNCTION notify_domain_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('domain_events', NEW.id::text);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER domain_events_notify AFTER INSERT ON domain_events
      FOR EACH ROW EXECUTE FUNCTION notify_domain_event()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER domain_events_notify ON domain_events`);
    await queryRunner.query(`DROP FUNCTION notify_domain_event()`);
    await queryRunner.query(`DROP TABLE domain_events`);
    await queryRunner.query(`ALTER TABLE billing_accounts DROP COLUMN live_subscription_count`);
    await queryRunner.query(`DROP TABLE stripe_customer_syncs`);
    await queryRunner.query(`DROP INDEX stripe_events_unowned_idx`);
    await queryRunner.query(`ALTER TABLE stripe_events DROP COLUMN failing_since`);
    await queryRunner.query(`UPDATE stripe_events SET status = 'dead' WHERE status = 'unowned'`);
    await queryRunner.query(`ALTER TABLE stripe_events DROP CONSTRAINT stripe_events_status_check`);
    await queryRunner.query(
      `ALTER TABLE stripe_events ADD CONSTRAINT stripe_events_status_check
       CHECK (status IN ('pending', 'processed', 'ignored', 'failed', 'dead'))`,
    );
  }
}
