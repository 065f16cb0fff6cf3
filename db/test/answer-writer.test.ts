import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createRepositories, openDatabase } from '../src/index.ts';

async function fixture() {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'qa-db-')), 'db.sqlite');
  const database = openDatabase(file);
  const repos = createRepositories(database);
  const { sqlite } = database;
  const user = await repos.users.create({
    email: 'p@x.org',
    name: 'P',
    passwordHash: 'x',
    roles: ['participant'],
  });
  sqlite.exec(`
    INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (${user.id}, 'c', 'C', '[]', '[]', 0);
    INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
      VALUES (1, 'R', 0, 9e15, 60, 1, 1, '[]', 'never', 'never', 0);
    INSERT INTO entries (contest_id, user_id, full_name, fields, created_at) VALUES (1, ${user.id}, 'P', '{}', 0);
    INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, max_score) VALUES (1, ${user.id}, 1, 's', 'in_progress', 0, 9e15, 1);
  `);
  return { file, database, repos };
}

test('a save resolves only once committed: another connection reads it at once', async () => {
  const { file, database, repos } = await fixture();
  const ok = await repos.answerWriter.save({
    attemptId: 1,
    questionId: 7,
    optionIds: ['a'],
    savedAt: 5,
    ip: null,
    userAgent: null,
  });
  assert.equal(ok, true);
  const other = new Database(file, { readonly: true });
  assert.deepEqual(
    other.prepare('SELECT option_ids FROM answers WHERE attempt_id = 1 AND question_id = 7').get(),
    {
      option_ids: '["a"]',
    },
  );
  assert.equal((other.prepare('SELECT count(*) AS n FROM answer_log').get() as { n: number }).n, 1);
  other.close();
  database.close();
});

test('concurrent saves share transactions, and the last choice per question wins', async () => {
  const { database, repos } = await fixture();
  const saves = Array.from({ length: 500 }, (_, i) =>
    repos.answerWriter.save({
      attemptId: 1,
      questionId: i % 10,
      optionIds: [`o${i}`],
      savedAt: i,
      ip: null,
      userAgent: null,
    }),
  );
  assert.ok((await Promise.all(saves)).every(Boolean));
  const rows = database.sqlite
    .prepare('SELECT question_id, option_ids FROM answers ORDER BY question_id')
    .all();
  assert.equal(rows.length, 10);
  assert.deepEqual(rows[3], { question_id: 3, option_ids: '["o493"]' });
  assert.equal(
    (database.sqlite.prepare('SELECT count(*) AS n FROM answer_log').get() as { n: number }).n,
    500,
  );
  database.close();
});

test('a save that reaches the disk after the attempt closed is refused, not applied', async () => {
  const { database, repos } = await fixture();
  const pending = repos.answerWriter.save({
    attemptId: 1,
    questionId: 1,
    optionIds: ['x'],
    savedAt: 1,
    ip: null,
    userAgent: null,
  });
  database.sqlite.prepare(`UPDATE attempts SET status = 'submitted' WHERE id = 1`).run();
  assert.equal(await pending, false);
  assert.equal((database.sqlite.prepare('SELECT count(*) AS n FROM answers').get() as { n: number }).n, 0);
  database.close();
});

test('the database allows one attempt in progress per participant and round', async () => {
  const { database } = await fixture();
  assert.throws(
    () =>
      database.sqlite
        .prepare(
          `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, max_score) VALUES (1, 1, 1, 's', 'in_progress', 0, 1, 1)`,
        )
        .run(),
    /UNIQUE/,
  );
  database.close();
});
