import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ties each outbox row to the claim that leased it. A relay extends a row's lease right before
 * emitting it and marks it afterwards only while the row still carries its claim's token: once
 * the lease ended and another relay claimed the row (a new token), the first one neither emits
 * it again nor writes over the new holder's mark or failure.
 */
export class DomainEventLeaseToken1796851000000 implements MigrationInterface {
  name = 'DomainEventLeaseToken1796851000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE domain_events ADD COLUMN lease_token uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE domain_events DROP COLUMN lease_token`);
  }
}
