import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  ANSWER_GENESIS,
  AnswerWriter,
  answerSaveHash,
  createRepositories,
  openDatabase,
  type AnswerSave,
} from '../src/index.ts';

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

// ---------------------------------------------------------------------------------------------
// The chain of saves per attempt
// ---------------------------------------------------------------------------------------------

interface LogRow {
  id: number;
  attempt_id: number;
  question_id: number;
  option_ids: string;
  saved_at: number;
  ip: string | null;
  user_agent: string | null;
  hash: string | null;
}

const logRows = (sqlite: Database.Database, attemptId: number) =>
  sqlite.prepare('SELECT * FROM answer_log WHERE attempt_id = ? ORDER BY id').all(attemptId) as LogRow[];

/** The chain recomputed from the rows as stored. */
const rechain = (rows: LogRow[]) => {
  let prev = ANSWER_GENESIS;
  return rows.map((r) => {
    prev = answerSaveHash(prev, {
      attemptId: r.attempt_id,
      questionId: r.question_id,
      optionIdsJson: r.option_ids,
      savedAt: r.saved_at,
      ip: r.ip,
      userAgent: r.user_agent,
    });
    return prev;
  });
};

/** A second participant with an attempt in progress (id 2). */
async function secondAttempt(repos: ReturnType<typeof createRepositories>, sqlite: Database.Database) {
  const user = await repos.users.create({
    email: 'q@x.org',
    name: 'Q',
    passwordHash: 'x',
    roles: ['participant'],
  });
  sqlite.exec(`
    INSERT INTO entries (contest_id, user_id, full_name, fields, created_at) VALUES (1, ${user.id}, 'Q', '{}', 0);
    INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, max_score) VALUES (1, ${user.id}, 2, 's', 'in_progress', 0, 9e15, 1);
  `);
}

const save = (attemptId: number, questionId: number, option: string, savedAt: number): AnswerSave => ({
  attemptId,
  questionId,
  optionIds: [option],
  savedAt,
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0 "quoted"',
});

test('each save is chained to the previous save of its attempt, attempts apart', async () => {
  const { database, repos } = await fixture();
  await secondAttempt(repos, database.sqlite);
  // Interleaved in one batch.
  const saves = [save(1, 1, 'a', 10), save(2, 1, 'b', 11), save(1, 2, 'c', 12), save(2, 1, 'd', 13)];
  assert.ok((await Promise.all(saves.map((s) => repos.answerWriter.save(s)))).every(Boolean));
  await repos.answerWriter.save(save(1, 1, 'e', 14));
  for (const attemptId of [1, 2]) {
    const rows = logRows(database.sqlite, attemptId);
    assert.deepEqual(
      rows.map((r) => r.hash),
      rechain(rows),
    );
  }
  assert.equal(logRows(database.sqlite, 1).length, 3);
  // The hash is over [attemptId, questionId, optionIds, savedAt, ip, userAgent], canonical JSON.
  const first = logRows(database.sqlite, 1)[0]!;
  assert.equal(
    first.hash,
    createHash('sha256')
      .update(
        `${ANSWER_GENESIS}\n${JSON.stringify([1, 1, ['a'], 10, '203.0.113.9', 'Mozilla/5.0 "quoted"'])}`,
      )
      .digest('hex'),
  );
  database.close();
});

test('after a restart the chain goes on from the last save in SQL; rows from before hashing start afresh', async () => {
  const { database, repos } = await fixture();
  database.sqlite
    .prepare(
      `INSERT INTO answer_log (attempt_id, question_id, option_ids, saved_at) VALUES (1, 9, '["old"]', 1)`,
    )
    .run();
  await repos.answerWriter.save(save(1, 1, 'a', 10));
  const restarted = new AnswerWriter(database.sqlite);
  await restarted.save(save(1, 1, 'b', 11));
  const rows = logRows(database.sqlite, 1);
  assert.equal(rows[0]!.hash, null);
  assert.deepEqual(
    rows.slice(1).map((r) => r.hash),
    rechain(rows.slice(1)),
  );
  database.close();
});

test('a refused save leaves no row and does not move the chain', async () => {
  const { database, repos } = await fixture();
  await repos.answerWriter.save(save(1, 1, 'a', 10));
  database.sqlite.prepare(`UPDATE attempts SET status = 'submitted' WHERE id = 1`).run();
  assert.equal(await repos.answerWriter.save(save(1, 1, 'b', 11)), false);
  database.sqlite.prepare(`UPDATE attempts SET status = 'in_progress' WHERE id = 1`).run();
  await repos.answerWriter.save(save(1, 1, 'c', 12));
  const rows = logRows(database.sqlite, 1);
  assert.deepEqual(
    rows.map((r) => r.option_ids),
    ['["a"]', '["c"]'],
  );
  assert.deepEqual(
    rows.map((r) => r.hash),
    rechain(rows),
  );
  database.close();
});

test("the submit entry records the saves' head and count, and verify holds every save to it", async () => {
  const { database, repos } = await fixture();
  const { sqlite } = database;
  for (let i = 0; i < 4; i++) await repos.answerWriter.save(save(1, i % 2, `o${i}`, 10 + i));
  const outcome = await repos.attempts.finalise(1, () => ({
    status: 'submitted',
    submittedAt: 100,
    durationMs: 100,
    score: 0,
    correctCount: 0,
    allCorrect: false,
    prediction: null,
  }));
  assert.ok(outcome);
  const rows = logRows(sqlite, 1);
  const entry = sqlite.prepare(`SELECT id, data FROM audit_log WHERE action = 'attempt.submit'`).get() as {
    id: number;
    data: string;
  };
  assert.deepEqual((JSON.parse(entry.data) as { answerLog: unknown }).answerLog, {
    count: 4,
    head: rows.at(-1)!.hash,
  });
  const intact = await repos.audit.verify();
  assert.deepEqual([intact.ok, intact.answerLogs], [true, 1]);

  const expectBroken = async (pattern: RegExp) => {
    const report = await repos.audit.verify();
    assert.equal(report.ok, false);
    assert.equal(report.brokenAt, entry.id);
    assert.match(report.reason!, pattern);
  };
  const restore = sqlite.prepare('UPDATE answer_log SET option_ids = ?, hash = ? WHERE id = ?');

  // An answer changed.
  sqlite.prepare(`UPDATE answer_log SET option_ids = '["forged"]' WHERE id = ?`).run(rows[1]!.id);
  await expectBroken(new RegExp(`^attempt 1: save ${rows[1]!.id} does not match its hash`));
  restore.run(rows[1]!.option_ids, rows[1]!.hash, rows[1]!.id);

  // The last answer changed and its hash recomputed: the head in the audit chain differs.
  const forged = answerSaveHash(rows[2]!.hash!, {
    attemptId: 1,
    questionId: rows[3]!.question_id,
    optionIdsJson: '["forged"]',
    savedAt: rows[3]!.saved_at,
    ip: rows[3]!.ip,
    userAgent: rows[3]!.user_agent,
  });
  restore.run('["forged"]', forged, rows[3]!.id);
  await expectBroken(
    new RegExp(`^attempt 1: the last save's hash is ${forged} but entry ${entry.id} records`),
  );
  restore.run(rows[3]!.option_ids, rows[3]!.hash, rows[3]!.id);

  // A save deleted, in the middle and at the end.
  sqlite.prepare('DELETE FROM answer_log WHERE id = ?').run(rows[1]!.id);
  await expectBroken(new RegExp(`^attempt 1: save ${rows[2]!.id} does not match its hash`));
  sqlite
    .prepare(
      'INSERT INTO answer_log (id, attempt_id, question_id, option_ids, saved_at, ip, user_agent, hash) VALUES (@id, @attempt_id, @question_id, @option_ids, @saved_at, @ip, @user_agent, @hash)',
    )
    .run(rows[1]);
  assert.equal((await repos.audit.verify()).ok, true);
  sqlite.prepare('DELETE FROM answer_log WHERE id = ?').run(rows[3]!.id);
  await expectBroken(new RegExp(`^attempt 1: answer_log has 3 saves but entry ${entry.id} records 4$`));
  database.close();
});
