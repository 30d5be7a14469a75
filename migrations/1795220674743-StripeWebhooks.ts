import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StripeWebhooks1795220674743 implements MigrationInterface {
  name = 'StripeWebhooks1795220674743';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE subscriptions (
        id text PRIMARY KEY,
        business_id text NOT NULL REFERENCES billing_accounts(business_id) ON DELETE CASCADE,
        customer_id text NOT NULL,
        status text NOT NULL,
        plan_key text REFERENCES plans(key),
        price_id text,
        interval text CHECK (interval IN ('monthly', 'yearly')),
        current_period_start timestamptz,
        current_period_end timestamptz,
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        cancel_at timestamptz,
        canceled_at timestamptz,
        ended_at timestamptz,
        trial_start timestamptz,
        trial_end timestamptz,
        stripe_created_at timestamptz NOT NULL,
        stripe_object jsonb NOT NULL,
        source_event_created_at timestamptz,
        synced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX subscriptions_business_idx ON subscriptions (business_id)`);
    await queryRunner.query(`CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id)`);

    await queryRunner.query(`
      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        livemode boolean NOT NULL,
        api_version text,
        stripe_created_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'processed', 'ignored', 'failed', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        customer_id text,
        business_id text,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      )`);
    // The worker's claim query: due events, oldest first.
    await queryRunner.query(
      `CREATE INDEX stripe_events_due_idx ON stripe_events (next_attempt_at, stripe_created_at) WHERE status IN ('pending', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX stripe_events_customer_due_idx ON stripe_events (customer_id) WHERE status IN ('pending', 'failed')`,
    );
    await queryRunner.query(`CREATE INDEX stripe_events_business_idx ON stripe_events (business_id, stripe_created_at)`);
    await queryRunner.query(`CREATE INDEX stripe_events_dead_idx ON stripe_events (received_at) WHERE status = 'dead'`);

    // Wakes every instance's worker as soon as an event is stored (polling is the fallback).
    await queryRunner.query(`
      CREATE FUNCTION notify_stripe_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('stripe_events', NEW.id);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER stripe_events_notify AFTER INSERT ON stripe_events
      FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION notify_stripe_event()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER stripe_events_notify ON stripe_events`);
    await queryRunner.query(`DROP FUNCTION notify_stripe_event()`);
    await queryRunner.query(`DROP TABLE stripe_events`);
    await queryRunner.query(`DROP TABLE subscriptions`);
  }
}
