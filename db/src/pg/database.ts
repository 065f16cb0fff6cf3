// Opens the PostgreSQL store (DATABASE_URL): a node-postgres pool under drizzle, the server's
// version checked, and the committed migrations (db/migrations-pg) applied under an advisory lock,
// so that several API nodes starting together migrate once while the others wait for it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from './schema.ts';

export type PgDb = NodePgDatabase<typeof schema>;

export interface PgDatabase {
  kind: 'postgres';
  db: PgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface PgOptions {
  /** Connections per node (DATABASE_POOL). */
  pool?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

/** Raised for a URL, server or version that cannot be used: start-up stops with its message. */
export class DatabaseConfigError extends Error {
  override name = 'DatabaseConfigError';
}

/** Oldest server the schema and its queries are written for (unnest with several arrays, identity). */
export const MIN_SERVER_VERSION = 130000;

/** Advisory lock held while migrating (hashtext of this name, the same on every node). */
const MIGRATION_LOCK = 'quizarena.migrations';

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations-pg');

// bigint (count(*), sums, epoch milliseconds) and numeric (avg) as JavaScript numbers: every value
// the schema stores fits in 2^53. Per pool, so that other users of `pg` in the process are untouched.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) {
      return (value: string) => (value === null ? null : Number(value));
    }
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** Refuses a server older than PostgreSQL 13 (server_version_num, e.g. 120017 for 12.17). */
export function assertServerVersion(version: number, url: string): void {
  if (!(version >= MIN_SERVER_VERSION)) {
    const shown = Number.isFinite(version) ? String(Math.floor(version / 10000)) : 'of an unknown version';
    throw new DatabaseConfigError(
      `DATABASE_URL: PostgreSQL ${shown} at ${redactUrl(url)} is too old (13 or newer is needed)`,
    );
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Checks the shape of DATABASE_URL without connecting. */
export function parseDatabaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DatabaseConfigError(
      'DATABASE_URL is not a URL: expected postgres://user:password@host:5432/database',
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(
      `DATABASE_URL must start with postgres:// or postgresql:// (got ${u.protocol}//): ${redactUrl(url)}`,
    );
  }
  if (!u.pathname || u.pathname === '/') {
    throw new DatabaseConfigError(
      `DATABASE_URL names no database (…/database at the end): ${redactUrl(url)}`,
    );
  }
  return u;
}

/**
 * Connects, checks the server (PostgreSQL 13 or newer) and migrates. Every failure before the pool
 * is handed out closes it and raises a DatabaseConfigError naming DATABASE_URL.
 */
export async function openPgDatabase(url: string, options: PgOptions = {}): Promise<PgDatabase> {
  parseDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pool ?? 10,
    application_name: options.applicationName ?? 'quizarena',
    connectionTimeoutMillis: 10_000,
    // Durability: a COMMIT returns once its WAL is flushed, whatever the server's default.
    options: '-c synchronous_commit=on',
    types,
  });
  // An idle connection the server dropped (restart, failover) is replaced on the next checkout.
  pool.on('error', () => {});
  try {
    let version: number;
    try {
      const { rows } = await pool.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      version = Number(rows[0]?.v);
    } catch (err) {
      throw new DatabaseConfigError(
        `DATABASE_URL: cannot use PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`,
      );
    }
    assertServerVersion(version, url);
    const db = drizzle(pool, { schema });
    await migrateLocked(pool);
    return {
      kind: 'postgres',
      db,
      pool,
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/**
 * Runs `work` while holding the session advisory lock `name`, so that nodes starting together take
 * turns (start-up writes that read, then write). The lock is held on a connection of its own, not
 * one of the pool's: `work` uses the pool, and with DATABASE_POOL=1 it would wait for ever. Ending
 * that session releases the lock, also when the process dies half-way.
 */
export async function withPgAdvisoryLock<T>(
  store: PgDatabase,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const { connectionString } = store.pool.options;
  const client = new pg.Client({ connectionString, application_name: `quizarena lock ${name}` });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    return await work();
  } finally {
    await client.end().catch(() => {});
  }
}

/** Applies the migrations on one connection holding the advisory lock: the other nodes wait. */
async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
