import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The intake no longer NOTIFYs inside each insert: PostgreSQL takes a global lock for NOTIFY at
 * commit, so a per-row trigger serialised every intake commit (and its fsync). The intake now
 * sends one coalesced `pg_notify('stripe_events', '')` after its inserts commit (same channel,
 * empty payload; the worker ignores the payload). `raw_payload` keeps the body as received when
 * the jsonb copy had to be cleaned (U+0000 and lone surrogates cannot be stored in jsonb).
 */
export class WebhookIntakeWakeup1796700000000 implements MigrationInterface {
  name = 'WebhookIntakeWakeup1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER stripe_events_notify ON stripe_events`);
    await queryRunner.query(`DROP FUNCTION notify_stripe_event()`);
    await queryRunner.query(`ALTER TABLE stripe_events ADD COLUMN raw_payload text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stripe_events DROP COLUMN raw_payload`);
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
}
