// The repositories on PostgreSQL: the same interfaces as the SQLite ones (../index.ts).
import type { PgDatabase } from '../database.ts';
import type { Repositories } from '../index.ts';
import { DatabaseConfigError } from './database.ts';

export function createPgRepositories(database: PgDatabase): Repositories {
  void database;
  throw new DatabaseConfigError(
    'DATABASE_URL: this build cannot run on PostgreSQL yet (issue #8 in progress)',
  );
}
