// Stores for tests. QUIZARENA_TEST_STORE=postgres gives each test a fresh PostgreSQL database on
// the local server (QUIZARENA_TEST_PG, default postgres://postgres@127.0.0.1:5432/postgres),
// dropped when the test closes it; otherwise an in-memory (or file) SQLite database. The same
// test then runs on either store: `npm test` runs the suites once per store.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, openPostgres, type Database } from './database.ts';

export type TestStoreKind = 'sqlite' | 'postgres';

export const testStoreKind = (): TestStoreKind =>
  process.env.QUIZARENA_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export const TEST_PG_ADMIN_URL =
  process.env.QUIZARENA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database URL on the test server with `name` as its database. */
const withDatabase = (admin: string, name: string): string => {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * Creates an empty database on the test server; `drop` removes it (ending its connections). Fails
 * loudly when the server does not answer: a test that needs PostgreSQL does not pass without it.
 */
export async function createTestPgDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `quizarena_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL for tests is not reachable at ${TEST_PG_ADMIN_URL} (set QUIZARENA_TEST_PG): ${(err as Error).message}`,
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(TEST_PG_ADMIN_URL, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A store for a test; `url` is the PostgreSQL database's (for a second node on it), else null. */
export type TestStore = Database & { url: string | null };

/**
 * A fresh store of the kind under test. On SQLite `file` (default ':memory:') is opened; on
 * PostgreSQL a new database is created and dropped again by close().
 */
export async function openTestStore(
  options: { kind?: TestStoreKind; file?: string; pool?: number } = {},
): Promise<TestStore> {
  const kind = options.kind ?? testStoreKind();
  if (kind === 'sqlite') return Object.assign(openDatabase(options.file ?? ':memory:'), { url: null });
  const created = await createTestPgDatabase();
  let database: Database;
  try {
    database = await openPostgres(created.url, { pool: options.pool ?? 4 });
  } catch (err) {
    await created.drop();
    throw err;
  }
  const close = database.close;
  return Object.assign(database, {
    url: created.url,
    async close() {
      await close();
      await created.drop();
    },
  });
}

/**
 * Winds a table's id counter back to `to`, as someone hiding deleted rows would (tests of the
 * audit log's tail checks). On PostgreSQL the audit log's counter is audit_log_issued (pg/audit.ts),
 * other tables' their identity sequence.
 */
export async function windBackIds(database: Database, table: string, to: number): Promise<void> {
  if (database.kind === 'sqlite') {
    await database.query('UPDATE sqlite_sequence SET seq = ? WHERE name = ?', [to, table]);
  } else if (table === 'audit_log') {
    await database.query('UPDATE audit_log_issued SET last_id = ? WHERE id = 1', [to]);
  } else {
    await database.query(`SELECT setval(pg_get_serial_sequence(?, 'id'), ?, true)`, [table, Math.max(to, 1)]);
  }
}
