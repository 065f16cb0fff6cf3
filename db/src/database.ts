// The two stores behind one seam. The embedded one (SQLite: WAL, durable commits) is the default;
// DATABASE_URL selects PostgreSQL (pg/database.ts) for several API nodes. Nothing outside db/
// knows which one it talks to: the repositories (index.ts) hide it, and `query` runs plain SQL
// with `?` placeholders on either, for scripts and tests that look under the repositories.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';
import {
  openPgDatabase,
  withPgAdvisoryLock,
  type PgDatabase as PgStore,
  type PgOptions,
} from './pg/database.ts';

export type Db = BetterSQLite3Database<typeof schema>;

export interface QueryResult<T> {
  rows: T[];
  /** Rows written by an INSERT, UPDATE or DELETE. */
  rowCount: number;
}

interface Common {
  /**
   * Plain SQL with `?` placeholders on either store (no `?` inside literals). Rows come back with
   * the columns' SQL names; a statement that returns no rows gives its count of rows written.
   */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  close(): Promise<void>;
}

export interface SqliteDatabase extends Common {
  kind: 'sqlite';
  db: Db;
  sqlite: BetterSqlite3.Database;
}

export interface PgDatabase extends Common, Omit<PgStore, 'close'> {}

export type Database = SqliteDatabase | PgDatabase;

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/**
 * Opens (creating when needed) the database at `file`, or an in-memory one for ':memory:'.
 * synchronous=FULL makes every commit durable (fsync of the WAL) before it returns: answer saves
 * are acknowledged only after that, and group commit (answer-writer.ts) keeps it fast.
 */
export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return {
    kind: 'sqlite',
    db,
    sqlite,
    async query<T>(text: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const statement = sqlite.prepare(text);
      const values = params.map((p) => (typeof p === 'boolean' ? Number(p) : p));
      if (statement.reader) return { rows: statement.all(...values) as T[], rowCount: 0 };
      return { rows: [], rowCount: statement.run(...values).changes };
    },
    async close() {
      if (sqlite.open) sqlite.close();
    },
  };
}

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
export const numberPlaceholders = (text: string): string => {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
};

export async function openPostgres(url: string, options: PgOptions = {}): Promise<PgDatabase> {
  const store = await openPgDatabase(url, options);
  return {
    ...store,
    async query<T>(text: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const result = await store.pool.query(numberPlaceholders(text), params);
      return { rows: result.rows as T[], rowCount: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0) };
    },
    close: store.close,
  };
}

/**
 * Runs `work` alone among the nodes sharing this database: on PostgreSQL under the advisory lock
 * `name` (the others wait their turn); SQLite serves one process, so it just runs.
 */
export async function exclusively<T>(database: Database, name: string, work: () => Promise<T>): Promise<T> {
  return database.kind === 'postgres' ? withPgAdvisoryLock(database, name, work) : work();
}

export interface StoreConfig {
  /** postgres://… selects PostgreSQL; otherwise `databaseFile` (SQLite). */
  databaseUrl?: string | null;
  databasePool?: number;
  databaseFile: string;
}

/** The store the configuration names. */
export async function openStore(config: StoreConfig): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { pool: config.databasePool });
  return openDatabase(config.databaseFile);
}
