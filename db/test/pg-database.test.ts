// Opening the PostgreSQL store: start-up refusals that name DATABASE_URL, migrations applied once
// when several nodes start together, durable commits, and query() on both stores.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertServerVersion, DatabaseConfigError, openPgDatabase } from '../src/pg/database.ts';
import { exclusively, openPostgres, openStore } from '../src/database.ts';
import { createTestPgDatabase, openTestStore } from '../src/testing.ts';

const migrations = readdirSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations-pg'),
).filter((f) => f.endsWith('.sql')).length;

describe('opening PostgreSQL', () => {
  const made: { drop(): Promise<void> }[] = [];
  after(async () => {
    for (const m of made) await m.drop();
  });

  test('a bad URL or an unreachable server stops start-up with a message naming DATABASE_URL', async () => {
    await assert.rejects(openPgDatabase('mysql://x/y'), (err: Error) => {
      assert.ok(err instanceof DatabaseConfigError);
      assert.match(err.message, /^DATABASE_URL must start with postgres:\/\//);
      return true;
    });
    // Port 1 on this machine: nothing listens there.
    await assert.rejects(openPgDatabase('postgres://qa:hunter2@127.0.0.1:1/quizarena'), (err: Error) => {
      assert.ok(err instanceof DatabaseConfigError);
      assert.match(
        err.message,
        /^DATABASE_URL: cannot use PostgreSQL at postgres:\/\/qa:\*\*\*@127\.0\.0\.1:1\/quizarena: /,
      );
      assert.doesNotMatch(err.message, /hunter2/, 'the password is not printed');
      return true;
    });
    const missing = new URL(process.env.QUIZARENA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    missing.pathname = '/quizarena_no_such_db';
    await assert.rejects(
      openStore({ databaseUrl: missing.toString(), databaseFile: ':memory:' }),
      /DATABASE_URL: cannot use PostgreSQL .*quizarena_no_such_db/,
    );
  });

  test('a server older than PostgreSQL 13 is refused, naming DATABASE_URL', () => {
    assert.throws(
      () => assertServerVersion(120017, 'postgres://qa:pw@old:5432/quizarena'),
      /^DatabaseConfigError: DATABASE_URL: PostgreSQL 12 at postgres:\/\/qa:\*\*\*@old:5432\/quizarena is too old \(13 or newer is needed\)$/,
    );
    assert.doesNotThrow(() => assertServerVersion(130000, 'postgres://x/y'));
    assert.doesNotThrow(() => assertServerVersion(150020, 'postgres://x/y'));
  });

  test('five nodes starting together on an empty database migrate it once; the others wait', async () => {
    const db = await createTestPgDatabase();
    made.push(db);
    const nodes = await Promise.all(Array.from({ length: 5 }, () => openPostgres(db.url, { pool: 2 })));
    try {
      const { rows } = await nodes[0]!.query<{ n: number }>(
        'SELECT count(*) AS n FROM drizzle.__drizzle_migrations',
      );
      assert.equal(rows[0]!.n, migrations, 'each migration recorded once');
      const tables = await nodes[4]!.query<{ n: number }>(
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      assert.ok(tables.rows[0]!.n >= 20, `${tables.rows[0]!.n} tables`);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
    // A restart finds everything applied and changes nothing.
    const again = await openPostgres(db.url);
    try {
      const { rows } = await again.query<{ n: number }>(
        'SELECT count(*) AS n FROM drizzle.__drizzle_migrations',
      );
      assert.equal(rows[0]!.n, migrations);
    } finally {
      await again.close();
    }
  });

  test('exclusively: nodes take turns under the lock, and work on a pool of one does not deadlock', async () => {
    const db = await createTestPgDatabase();
    made.push(db);
    const nodes = await Promise.all(Array.from({ length: 3 }, () => openPostgres(db.url, { pool: 1 })));
    try {
      const log: string[] = [];
      let inside = 0;
      let most = 0;
      await Promise.all(
        nodes.map((node, i) =>
          exclusively(node, 'quizarena:test-lock', async () => {
            inside += 1;
            most = Math.max(most, inside);
            log.push(`in ${i}`);
            // The work uses the node's only pooled connection: the lock is held on another.
            await node.query('SELECT pg_sleep(0.05)');
            log.push(`out ${i}`);
            inside -= 1;
            return i;
          }),
        ),
      );
      assert.equal(most, 1, `one at a time: ${log.join(', ')}`);
      assert.equal(log.length, 6);
      // The lock's connection is gone afterwards: the lock is free again.
      const { rows } = await nodes[0]!.query<{ got: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('quizarena:test-lock')) AS got",
      );
      assert.equal(rows[0]!.got, true);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  test('every connection commits durably (synchronous_commit on) and reads bigints as numbers', async () => {
    const store = await openTestStore({ kind: 'postgres' });
    try {
      const { rows } = await store.query<{ s: string; big: number; n: number }>(
        `SELECT current_setting('synchronous_commit') AS s, (?::bigint * 1000) AS big, count(*) AS n FROM users`,
        [1_800_000_000],
      );
      assert.deepEqual(rows[0], { s: 'on', big: 1_800_000_000_000, n: 0 });
    } finally {
      await store.close();
    }
  });
});

describe('query() with ? placeholders on both stores', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    test(kind, async () => {
      const store = await openTestStore({ kind });
      try {
        const insert = await store.query(
          'INSERT INTO users (email, name, password_hash, roles, created_at) VALUES (?, ?, ?, ?, ?)',
          ['a@example.org', 'Ann', 'x', '["participant"]', 1_767_225_600_000],
        );
        assert.equal(insert.rowCount, 1);
        const { rows } = await store.query<{ name: string; created_at: number }>(
          'SELECT name, created_at FROM users WHERE email = ?',
          ['a@example.org'],
        );
        assert.deepEqual(rows, [{ name: 'Ann', created_at: 1_767_225_600_000 }]);
        assert.equal((await store.query('UPDATE users SET name = ? WHERE id > ?', ['Anne', 0])).rowCount, 1);
      } finally {
        await store.close();
      }
    });
  }
});
