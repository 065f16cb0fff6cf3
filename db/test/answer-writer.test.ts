// The answer writer (group commit, the chain of save hashes) on either store
// (QUIZARENA_TEST_STORE), and on PostgreSQL two writers on two nodes saving for one attempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {
  ANSWER_GENESIS,
  AnswerWriter,
  answerSaveHash,
  type AnswerSave,
  type AnswerWriterApi,
} from '../src/answer-writer.ts';
import { createAttemptRepository, type AttemptRepository, type FinalFields } from '../src/attempts.ts';
import { createAuditRepository, type AuditRepository } from '../src/audit.ts';
import { openPostgres, type Database, type PgDatabase } from '../src/database.ts';
import { PgAnswerWriter } from '../src/pg/answer-writer.ts';
import { createPgAttemptRepository } from '../src/pg/attempts.ts';
import { createPgAuditRepository } from '../src/pg/audit.ts';
import { createTestPgDatabase, openTestStore, testStoreKind } from '../src/testing.ts';

/** A new writer on the store (a restart, or another writer on the same database). */
const newWriter = (database: Database): AnswerWriterApi =>
  database.kind === 'sqlite' ? new AnswerWriter(database.sqlite) : new PgAnswerWriter(database.pool);

const reposOf = (
  database: Database,
): { attempts: AttemptRepository; audit: AuditRepository; answerWriter: AnswerWriterApi } =>
  database.kind === 'sqlite'
    ? {
        attempts: createAttemptRepository(database.db),
        audit: createAuditRepository(database.db),
        answerWriter: newWriter(database),
      }
    : {
        attempts: createPgAttemptRepository(database.db),
        audit: createPgAuditRepository(database.db),
        answerWriter: newWriter(database),
      };

const FAR = 9_000_000_000_000_000;

/** Contest 1, round 1 and participant `n` with an attempt in progress (user, entry and attempt id n). */
async function participant(database: Database, n: number): Promise<void> {
  await database.query(
    `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES (?, ?, 'x', '["participant"]', 0)`,
    [`p${n}@x.org`, `P${n}`],
  );
  if (n === 1) {
    await database.query(
      `INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (1, 'c', 'C', '[]', '[]', 0)`,
    );
    await database.query(
      `INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
       VALUES (1, 'R', 0, ?, 60, 1, 1, '[]', 'never', 'never', 0)`,
      [FAR],
    );
  }
  await database.query(
    `INSERT INTO entries (contest_id, user_id, full_name, fields, created_at) VALUES (1, ?, ?, '{}', 0)`,
    [n, `P${n}`],
  );
  await database.query(
    `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, max_score)
     VALUES (1, ?, ?, 's', 'in_progress', 0, ?, 1)`,
    [n, n, FAR],
  );
}

async function fixture() {
  // A file on SQLite, so that another connection can read what was committed.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'qa-db-')), 'db.sqlite');
  const database = await openTestStore({ file });
  const repos = reposOf(database);
  await participant(database, 1);
  return { file, database, repos };
}

const count = async (database: Database, table: string) =>
  (await database.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;

test('a save resolves only once committed: another connection reads it at once', async () => {
  const { file, database, repos } = await fixture();
  try {
    const ok = await repos.answerWriter.save({
      attemptId: 1,
      questionId: 7,
      optionIds: ['a'],
      savedAt: 5,
      ip: null,
      userAgent: null,
    });
    assert.equal(ok, true);
    if (database.kind === 'sqlite') {
      const other = new BetterSqlite3(file, { readonly: true });
      try {
        assert.deepEqual(
          other.prepare('SELECT option_ids FROM answers WHERE attempt_id = 1 AND question_id = 7').get(),
          { option_ids: '["a"]' },
        );
        assert.equal((other.prepare('SELECT count(*) AS n FROM answer_log').get() as { n: number }).n, 1);
      } finally {
        other.close();
      }
    } else {
      const other = new pg.Client({ connectionString: (database as PgDatabase & { url: string }).url });
      await other.connect();
      try {
        const answers = await other.query(
          'SELECT option_ids::text FROM answers WHERE attempt_id = 1 AND question_id = 7',
        );
        assert.deepEqual(answers.rows, [{ option_ids: '["a"]' }]);
        assert.deepEqual((await other.query('SELECT count(*)::int AS n FROM answer_log')).rows, [{ n: 1 }]);
      } finally {
        await other.end();
      }
    }
  } finally {
    await database.close();
  }
});

test('concurrent saves share transactions, and the last choice per question wins', async () => {
  const { database, repos } = await fixture();
  try {
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
    const { rows } = await database.query(
      'SELECT question_id, CAST(option_ids AS TEXT) AS option_ids, saved_at FROM answers ORDER BY question_id',
    );
    assert.equal(rows.length, 10);
    assert.deepEqual(rows[3], { question_id: 3, option_ids: '["o493"]', saved_at: 493 });
    assert.equal(await count(database, 'answer_log'), 500);
  } finally {
    await database.close();
  }
});

test('a save that reaches the database after the attempt closed is refused, not applied', async () => {
  const { database, repos } = await fixture();
  try {
    const pending = (questionId: number) =>
      repos.answerWriter.save({
        attemptId: 1,
        questionId,
        optionIds: ['x'],
        savedAt: 1,
        ip: null,
        userAgent: null,
      });
    if (database.kind === 'sqlite') {
      const saved = pending(1);
      // Runs before the writer's turn of the event loop.
      void database.query(`UPDATE attempts SET status = 'submitted' WHERE id = 1`);
      assert.equal(await saved, false);
    } else {
      // A submit on another node holds the attempt's row: the batch waits for its COMMIT, then sees it.
      const submit = await database.pool.connect();
      try {
        await submit.query('BEGIN');
        await submit.query(`SELECT id FROM attempts WHERE id = 1 FOR UPDATE`);
        const saved = pending(1);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await submit.query(`UPDATE attempts SET status = 'submitted' WHERE id = 1`);
        await submit.query('COMMIT');
        assert.equal(await saved, false);
      } finally {
        submit.release();
      }
    }
    assert.equal(await count(database, 'answers'), 0);
    assert.equal(await count(database, 'answer_log'), 0);
  } finally {
    await database.close();
  }
});

test('the database allows one attempt in progress per participant and round', async () => {
  const { database } = await fixture();
  try {
    await assert.rejects(
      database.query(
        `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, max_score) VALUES (1, 1, 1, 's', 'in_progress', 0, 1, 1)`,
      ),
      /UNIQUE|duplicate key value violates unique constraint "attempts_one_in_progress_idx"/,
    );
  } finally {
    await database.close();
  }
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

/** An attempt's saves as stored, the option ids as their stored JSON text (as they were hashed). */
const logRows = async (database: Database, attemptId: number) =>
  (
    await database.query<LogRow>(
      `SELECT id, attempt_id, question_id, CAST(option_ids AS TEXT) AS option_ids, saved_at, ip, user_agent, hash
       FROM answer_log WHERE attempt_id = ? ORDER BY id`,
      [attemptId],
    )
  ).rows;

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

const save = (attemptId: number, questionId: number, option: string, savedAt: number): AnswerSave => ({
  attemptId,
  questionId,
  optionIds: [option],
  savedAt,
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0 "quoted"',
});

const submitted: FinalFields = {
  status: 'submitted',
  submittedAt: 100,
  durationMs: 100,
  score: 0,
  correctCount: 0,
  allCorrect: false,
  prediction: null,
};

/** The submit entry of the attempt: its id and what it records of the saves. */
const submitEntry = async (database: Database, attemptId: number) => {
  const { rows } = await database.query<{ id: number; data: string | Record<string, unknown> }>(
    `SELECT id, data FROM audit_log WHERE action = 'attempt.submit' AND target_id = ?`,
    [String(attemptId)],
  );
  const row = rows[0]!;
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as { answerLog: unknown };
  return { id: row.id, answerLog: data.answerLog };
};

test('each save is chained to the previous save of its attempt, attempts apart', async () => {
  const { database, repos } = await fixture();
  try {
    await participant(database, 2);
    // Interleaved in one batch.
    const saves = [save(1, 1, 'a', 10), save(2, 1, 'b', 11), save(1, 2, 'c', 12), save(2, 1, 'd', 13)];
    assert.ok((await Promise.all(saves.map((s) => repos.answerWriter.save(s)))).every(Boolean));
    await repos.answerWriter.save(save(1, 1, 'e', 14));
    for (const attemptId of [1, 2]) {
      const rows = await logRows(database, attemptId);
      assert.deepEqual(
        rows.map((r) => r.hash),
        rechain(rows),
      );
    }
    assert.equal((await logRows(database, 1)).length, 3);
    // The hash is over [attemptId, questionId, optionIds, savedAt, ip, userAgent], canonical JSON.
    const first = (await logRows(database, 1))[0]!;
    assert.equal(
      first.hash,
      createHash('sha256')
        .update(
          `${ANSWER_GENESIS}\n${JSON.stringify([1, 1, ['a'], 10, '203.0.113.9', 'Mozilla/5.0 "quoted"'])}`,
        )
        .digest('hex'),
    );
  } finally {
    await database.close();
  }
});

test('a new writer on the database goes on from the last save in SQL; rows from before hashing start afresh', async () => {
  const { database, repos } = await fixture();
  try {
    await database.query(
      `INSERT INTO answer_log (attempt_id, question_id, option_ids, saved_at) VALUES (1, 9, '["old"]', 1)`,
    );
    await repos.answerWriter.save(save(1, 1, 'a', 10));
    // A restart, or on PostgreSQL another node's writer.
    const restarted = newWriter(database);
    await restarted.save(save(1, 1, 'b', 11));
    // On PostgreSQL the first writer goes on from the other's save too (SQLite's writer is the
    // only one in its process and keeps the head in memory).
    if (database.kind === 'postgres') await repos.answerWriter.save(save(1, 2, 'c', 12));
    const rows = await logRows(database, 1);
    assert.equal(rows.length, database.kind === 'postgres' ? 4 : 3);
    assert.equal(rows[0]!.hash, null);
    assert.deepEqual(
      rows.slice(1).map((r) => r.hash),
      rechain(rows.slice(1)),
    );
  } finally {
    await database.close();
  }
});

test(
  'after a crash the SQLite file goes on with the chain from the last save',
  { skip: testStoreKind() !== 'sqlite' ? 'SQLite file store only' : false },
  async () => {
    const { file, database, repos } = await fixture();
    await repos.answerWriter.save(save(1, 1, 'a', 10));
    await database.close();
    const reopened = await openTestStore({ file });
    try {
      await newWriter(reopened).save(save(1, 1, 'b', 11));
      const rows = await logRows(reopened, 1);
      assert.equal(rows.length, 2);
      assert.deepEqual(
        rows.map((r) => r.hash),
        rechain(rows),
      );
    } finally {
      await reopened.close();
    }
  },
);

test('a refused save leaves no row and does not move the chain', async () => {
  const { database, repos } = await fixture();
  try {
    await repos.answerWriter.save(save(1, 1, 'a', 10));
    await database.query(`UPDATE attempts SET status = 'submitted' WHERE id = 1`);
    assert.equal(await repos.answerWriter.save(save(1, 1, 'b', 11)), false);
    await database.query(`UPDATE attempts SET status = 'in_progress' WHERE id = 1`);
    await repos.answerWriter.save(save(1, 1, 'c', 12));
    const rows = await logRows(database, 1);
    assert.deepEqual(
      rows.map((r) => r.option_ids),
      ['["a"]', '["c"]'],
    );
    assert.deepEqual(
      rows.map((r) => r.hash),
      rechain(rows),
    );
  } finally {
    await database.close();
  }
});

test("the submit entry records the saves' head and count, and verify holds every save to it", async () => {
  const { database, repos } = await fixture();
  try {
    for (let i = 0; i < 4; i++) await repos.answerWriter.save(save(1, i % 2, `o${i}`, 10 + i));
    const outcome = await repos.attempts.finalise(1, () => submitted);
    assert.ok(outcome);
    const rows = await logRows(database, 1);
    const entry = await submitEntry(database, 1);
    assert.deepEqual(entry.answerLog, { count: 4, head: rows.at(-1)!.hash });
    const intact = await repos.audit.verify();
    assert.deepEqual([intact.ok, intact.answerLogs], [true, 1]);

    const expectBroken = async (pattern: RegExp) => {
      const report = await repos.audit.verify();
      assert.equal(report.ok, false);
      assert.equal(report.brokenAt, entry.id);
      assert.match(report.reason!, pattern);
    };
    const restore = (row: LogRow, optionIds: string, hash: string | null) =>
      database.query('UPDATE answer_log SET option_ids = ?, hash = ? WHERE id = ?', [
        optionIds,
        hash,
        row.id,
      ]);

    // An answer changed.
    await database.query(`UPDATE answer_log SET option_ids = '["forged"]' WHERE id = ?`, [rows[1]!.id]);
    await expectBroken(new RegExp(`^attempt 1: save ${rows[1]!.id} does not match its hash`));
    await restore(rows[1]!, rows[1]!.option_ids, rows[1]!.hash);

    // The last answer changed and its hash recomputed: the head in the audit chain differs.
    const forged = answerSaveHash(rows[2]!.hash!, {
      attemptId: 1,
      questionId: rows[3]!.question_id,
      optionIdsJson: '["forged"]',
      savedAt: rows[3]!.saved_at,
      ip: rows[3]!.ip,
      userAgent: rows[3]!.user_agent,
    });
    await restore(rows[3]!, '["forged"]', forged);
    await expectBroken(
      new RegExp(`^attempt 1: the last save's hash is ${forged} but entry ${entry.id} records`),
    );
    await restore(rows[3]!, rows[3]!.option_ids, rows[3]!.hash);

    // A save deleted, in the middle and at the end.
    await database.query('DELETE FROM answer_log WHERE id = ?', [rows[1]!.id]);
    await expectBroken(new RegExp(`^attempt 1: save ${rows[2]!.id} does not match its hash`));
    const r = rows[1]!;
    await database.query(
      'INSERT INTO answer_log (id, attempt_id, question_id, option_ids, saved_at, ip, user_agent, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [r.id, r.attempt_id, r.question_id, r.option_ids, r.saved_at, r.ip, r.user_agent, r.hash],
    );
    assert.equal((await repos.audit.verify()).ok, true);
    await database.query('DELETE FROM answer_log WHERE id = ?', [rows[3]!.id]);
    await expectBroken(new RegExp(`^attempt 1: answer_log has 3 saves but entry ${entry.id} records 4$`));
  } finally {
    await database.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Two writers on two nodes of one PostgreSQL
// ---------------------------------------------------------------------------------------------

test(
  'saves for one attempt alternating between two nodes: every acknowledged save, one chain',
  { skip: testStoreKind() !== 'postgres' ? 'PostgreSQL only (QUIZARENA_TEST_STORE=postgres)' : false },
  async () => {
    const created = await createTestPgDatabase();
    const nodes: PgDatabase[] = [];
    try {
      nodes.push(await openPostgres(created.url, { pool: 4 }), await openPostgres(created.url, { pool: 4 }));
      const [a, b] = nodes as [PgDatabase, PgDatabase];
      await participant(a, 1);
      const writers = [new PgAnswerWriter(a.pool), new PgAnswerWriter(b.pool)];

      // One after the other, each on the other node: neither may continue from a head of its own.
      for (let i = 0; i < 20; i++) assert.equal(await writers[i % 2]!.save(save(1, i % 5, `s${i}`, i)), true);
      // All at once: both writers' batches contend for the attempt's row.
      const burst = await Promise.all(
        Array.from({ length: 400 }, (_, i) => writers[i % 2]!.save(save(1, i % 5, `b${i}`, 100 + i))),
      );
      assert.ok(burst.every(Boolean));
      let rows = await logRows(a, 1);
      assert.equal(rows.length, 420);
      assert.deepEqual(
        rows.map((r) => r.hash),
        rechain(rows),
      );
      const stored = new Set(rows.map((r) => `${r.question_id}:${r.option_ids}:${r.saved_at}`));
      for (let i = 0; i < 400; i++) assert.ok(stored.has(`${i % 5}:["b${i}"]:${100 + i}`));

      // A submit on node A racing saves on node B: it sees all of a batch or none of it.
      const racing = Array.from({ length: 200 }, (_, i) =>
        writers[1]!.save(save(1, i % 5, `r${i}`, 1_000 + i)),
      );
      const outcome = await createPgAttemptRepository(a.db).finalise(1, () => submitted);
      assert.ok(outcome);
      const accepted = (await Promise.all(racing)).filter(Boolean).length;
      rows = await logRows(a, 1);
      assert.equal(rows.length, 420 + accepted);
      assert.deepEqual(
        rows.map((r) => r.hash),
        rechain(rows),
      );
      const entry = await submitEntry(b, 1);
      assert.deepEqual(entry.answerLog, { count: rows.length, head: rows.at(-1)!.hash });
      const report = await createPgAuditRepository(b.db).verify();
      assert.deepEqual([report.ok, report.answerLogs], [true, 1]);
    } finally {
      for (const n of nodes) await n.close();
      await created.drop();
    }
  },
);

test(
  'one writer: a second batch in flight only under a surge, never one attempt in both, so each attempt keeps the order of its saves',
  { skip: testStoreKind() !== 'postgres' ? 'PostgreSQL only (QUIZARENA_TEST_STORE=postgres)' : false },
  async () => {
    const database = await openTestStore();
    try {
      for (let n = 1; n <= 6; n++) await participant(database, n);
      const batches: { size: number; inFlight: number }[] = [];
      const writer = new PgAnswerWriter((database as PgDatabase).pool, {
        maxBatch: 4,
        inFlight: 2,
        onBatch: (info) => batches.push(info),
      });
      // Issued in one turn: attempt (i % 6) + 1, question (i / 6) % 2, so each attempt's saves are spread
      // over the queue and a second batch would find them while the first holds their attempt.
      const saves = Array.from({ length: 120 }, (_, i) =>
        save((i % 6) + 1, Math.floor(i / 6) % 2, `o${i}`, i),
      );
      const acknowledged = await Promise.all(saves.map((s) => writer.save(s)));
      assert.ok(acknowledged.every(Boolean));
      assert.equal(Math.max(...batches.map((b) => b.inFlight)), 2, 'two batches ran at once');
      assert.ok(batches.every((b) => b.size <= 4));
      for (let n = 1; n <= 6; n++) {
        const rows = await logRows(database, n);
        const mine = saves.filter((s) => s.attemptId === n);
        // The log of each attempt in the order its saves were made, one chain.
        assert.deepEqual(
          rows.map((r) => r.saved_at),
          mine.map((s) => s.savedAt),
        );
        assert.deepEqual(
          rows.map((r) => r.hash),
          rechain(rows),
        );
        // And each question holds its last save.
        const { rows: answers } = await database.query<{ question_id: number; option_ids: string }>(
          'SELECT question_id, CAST(option_ids AS TEXT) AS option_ids FROM answers WHERE attempt_id = ? ORDER BY question_id',
          [n],
        );
        assert.deepEqual(
          answers,
          [0, 1].map((q) => ({
            question_id: q,
            option_ids: JSON.stringify(mine.filter((s) => s.questionId === q).at(-1)!.optionIds),
          })),
        );
      }

      // Under a load one batch absorbs (less than a full batch queued), one batch at a time.
      const calm: number[] = [];
      const steady = new PgAnswerWriter((database as PgDatabase).pool, {
        onBatch: (info) => calm.push(info.inFlight),
      });
      const waves: Promise<boolean>[] = [];
      for (let w = 0; w < 20; w++) {
        for (let n = 1; n <= 6; n++) waves.push(steady.save(save(n, 0, `w${w}`, 1_000 + w)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok((await Promise.all(waves)).every(Boolean));
      assert.ok(calm.length > 1, 'several batches');
      assert.deepEqual(new Set(calm), new Set([1]));
    } finally {
      await database.close();
    }
  },
);

test('text a save carries is stored as it came and as it was hashed: quotes, backslashes, non-ASCII', async () => {
  const { database, repos } = await fixture();
  try {
    const odd = `it's "q" \\ \\\\' -- ; COMMIT; é 中文 😀 \u00ff\t`;
    const ok = await repos.answerWriter.save({
      attemptId: 1,
      questionId: 7,
      optionIds: [odd, 'o\\"2'],
      savedAt: 5,
      ip: `'; DROP TABLE answers; --`,
      userAgent: odd,
    });
    assert.equal(ok, true);
    const [row] = await logRows(database, 1);
    assert.deepEqual(JSON.parse(row!.option_ids), [odd, 'o\\"2']);
    assert.equal(row!.option_ids, JSON.stringify([odd, 'o\\"2']));
    assert.deepEqual([row!.ip, row!.user_agent], [`'; DROP TABLE answers; --`, odd]);
    assert.deepEqual([row!.hash], rechain([row!]));
    const { rows } = await database.query<{ option_ids: string }>(
      'SELECT CAST(option_ids AS TEXT) AS option_ids FROM answers WHERE attempt_id = 1',
    );
    assert.deepEqual(rows, [{ option_ids: JSON.stringify([odd, 'o\\"2']) }]);
  } finally {
    await database.close();
  }
});
