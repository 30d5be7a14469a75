// Every migration, in order. A unit test fails when a file in this folder is missing here.
import { InitialSchema1795219765987 } from './1795219765987-InitialSchema.js';

export const MIGRATIONS = [InitialSchema1795219765987];
