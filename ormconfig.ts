import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

// The DataSource the TypeORM CLI uses (npm run migration:*). The app builds its own from the
// validated config; this file is only for operators, hence process.env directly.
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('Set DATABASE_URL for the TypeORM CLI (the embedded database URL is in the `npm start` log).');
}

export default new DataSource(buildDataSourceOptions(url, 1));
