import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay claims outbox rows with a lease (`leased_until`) in a statement of its own, emits
 * them with no transaction open, then marks them: listeners' I/O (the host app's emails) no longer
 * holds outbox row locks, and a relay that dies mid-emission leaves its rows to be claimed again
 * once the lease ends.
 */
export class DomainEventLease1796830000000 implements MigrationInterface {
  name = 'DomainEventLease1796830000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE domain_events ADD COLUMN leased_until timestamptz`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE domain_events DROP COLUMN leased_until`);
  }
}
