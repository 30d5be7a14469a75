import 'reflect-metadata';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';

/**
 * Writes schema.gql from the code-first resolvers, without a database. Run by
 * `npm run schema:print`; the e2e suite fails when the committed file is stale.
 */
async function main(): Promise<void> {
  const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const files = readdirSync(srcDir, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.resolver.js'));
  // Resolver classes, as GraphQLSchemaFactory takes them.
  const resolvers: (new (...args: never[]) => unknown)[] = [];
  for (const file of files) {
    const exports = (await import(pathToFileURL(join(srcDir, file)).href)) as Record<string, unknown>;
    resolvers.push(
      ...Object.values(exports).filter((value): value is new (...args: never[]) => unknown => typeof value === 'function'),
    );
  }
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  await app.init();
  const schema = await app.get(GraphQLSchemaFactory).create(resolvers);
  await app.close();
  const target = resolve(process.cwd(), 'schema.gql');
  writeFileSync(target, `${printSchema(lexicographicSortSchema(schema))}\n`);
  process.stdout.write(`wrote ${target} from ${resolvers.length} resolvers\n`);
}

void main();
