import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, REPO_ROOT, type TestApp } from '../utils/create-test-app.js';

/** The table of every `*.entity.ts` under src/, read from its `@Entity({ name })`. */
function declaredTables(): string[] {
  const src = join(REPO_ROOT, 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.entity.ts'));
  return files
    .map((file) => {
      const name = /@Entity\(\{\s*name:\s*'([^']+)'/.exec(readFileSync(join(src, file), 'utf8'))?.[1];
      if (!name) throw new Error(`${file}: no @Entity({ name: '...' }) found`);
      return name;
    })
    .sort();
}

describe('entities: each module registers its own (TypeOrmModule.forFeature + autoLoadEntities)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it("puts every entity under src/ into the service's DataSource, through the root's own dataSourceFactory", () => {
    const tables = declaredTables();
    expect(tables.length).toBeGreaterThanOrEqual(10);
    expect(t.dataSource.entityMetadatas.map((metadata) => metadata.tableName).sort()).toEqual(tables);
  });

  it('serves a repository of a module-registered entity by name', async () => {
    const plans = await t.dataSource.getRepository('PlanEntity').find();
    expect(plans.length).toBeGreaterThan(0);
  });
});
