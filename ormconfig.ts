import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

// The DataSource the TypeORM CLI uses (npm run migration:*). The app builds its own from the
// validated config; this file is only for operators, hence process.env directly.
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('Set DATABASE_URL for the TypeORM CLI (the embedded database URL is in the `npm start` log).');
}

// Compiled to dist/ormconfig.js, so this is dist/src/**/*.entity.js: every module's entities,
// including a new module's, with no list to keep (the app loads them through forFeature).
const entities = fileURLToPath(new URL('./src/**/*.entity.js', import.meta.url));

export default new DataSource({ ...buildDataSourceOptions(url, 1), entities: [entities] });
