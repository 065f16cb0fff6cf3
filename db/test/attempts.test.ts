// Finalising and voiding attempts through the repository: the stored fields (booleans and nulls
// encoded as before), the counted result moving between attempts, and the audit entries chained in
// order, on either store (QUIZARENA_TEST_STORE); calls issued together (one batch on PostgreSQL)
// decided in call order, a failing one failing alone. Then, on PostgreSQL, two nodes at once:
// starts racing for one participant, two sweepers over the same overdue attempts, 500 starts, and
// 300 submits racing saves and second submits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerWriter, type AnswerWriterApi } from '../src/answer-writer.ts';
import { createAttemptRepository, type AttemptRepository, type FinalFields } from '../src/attempts.ts';
import { createAuditRepository, type AuditRepository } from '../src/audit.ts';
import { openPostgres, type Database, type PgDatabase } from '../src/database.ts';
import { createRepositories } from '../src/index.ts';
import { PgAnswerWriter } from '../src/pg/answer-writer.ts';
import { createPgAttemptRepository } from '../src/pg/attempts.ts';
import { createPgAuditRepository } from '../src/pg/audit.ts';
import type { QuestionSnapshot } from '../src/schema.ts';
import { createTestPgDatabase, openTestStore, testStoreKind } from '../src/testing.ts';

/** The repositories under test, on the store's own implementations. */
const reposOf = (
  database: Database,
): { attempts: AttemptRepository; audit: AuditRepository; answerWriter: AnswerWriterApi } =>
  database.kind === 'sqlite'
    ? {
        attempts: createAttemptRepository(database.db),
        audit: createAuditRepository(database.db),
        answerWriter: new AnswerWriter(database.sqlite),
      }
    : {
        attempts: createPgAttemptRepository(database.db),
        audit: createPgAuditRepository(database.db),
        answerWriter: new PgAnswerWriter(database.pool),
      };

const FAR = 9_000_000_000_000_000;

/** A participant (user and entry) in contest 1; returns the user's id. */
async function participant(database: Database, n: number, maxAttempts = 3): Promise<number> {
  const { rows } = await database.query<{ id: number }>(
    `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES (?, ?, 'x', '["participant"]', 0) RETURNING id`,
    [`p${n}@x.org`, `P${n}`],
  );
  const userId = rows[0]!.id;
  if (n === 1) {
    await database.query(
      `INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (?, 'c', 'C', '[]', '[]', 0)`,
      [userId],
    );
    await database.query(
      `INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
       VALUES (1, 'R', 0, ?, 60, 1, ?, '[]', 'never', 'never', 0)`,
      [FAR, maxAttempts],
    );
  }
  await database.query(
    `INSERT INTO entries (contest_id, user_id, full_name, group_key, fields, created_at) VALUES (1, ?, ?, 'g1', '{}', 0)`,
    [userId, n === 1 ? 'Phan' : `P${n}`],
  );
  return userId;
}

/** An attempt in progress inserted as is (entry id = participant number). */
const openAttempt = async (database: Database, userId: number, entryId: number, deadline = FAR) =>
  (
    await database.query<{ id: number }>(
      `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, max_score)
       VALUES (1, ?, ?, 's', 'in_progress', 100, ?, 2) RETURNING id`,
      [userId, entryId, deadline],
    )
  ).rows[0]!.id;

async function fixture() {
  const database = await openTestStore();
  const repos = reposOf(database);
  const userId = await participant(database, 1);
  return { database, repos, userId, open: () => openAttempt(database, userId, 1) };
}

const fields = (over: Partial<FinalFields>): FinalFields => ({
  status: 'submitted',
  submittedAt: 1_000,
  durationMs: 900,
  score: 1,
  correctCount: 1,
  allCorrect: false,
  prediction: null,
  ...over,
});

test('finalise stores the fields and the counted result; a second finalise is refused', async () => {
  const { database, repos, userId, open } = await fixture();
  try {
    const first = await open();
    await repos.answerWriter.save({
      attemptId: first,
      questionId: 7,
      optionIds: ['a'],
      savedAt: 500,
      ip: null,
      userAgent: null,
    });
    let seen: Map<number, string[]> | undefined;
    const outcome = await repos.attempts.finalise(
      first,
      (current, questions, saved) => {
        assert.equal(current.status, 'in_progress');
        assert.deepEqual(questions, []);
        seen = saved;
        return fields({ allCorrect: true, score: 1.5 });
      },
      { ip: '10.0.0.1', userAgent: 'ua' },
    );
    assert.deepEqual(seen, new Map([[7, ['a']]]));
    assert.equal(outcome?.attempt.status, 'submitted');
    assert.equal(outcome?.attempt.allCorrect, true);
    assert.equal(outcome?.attempt.prediction, null);
    assert.deepEqual(outcome?.counted, {
      roundId: 1,
      userId,
      attemptId: first,
      groupKey: 'g1',
      name: 'Phan',
      unit: null,
      score: 1.5,
      durationMs: 900,
      submittedAt: 1_000,
      allCorrect: true,
      prediction: null,
    });
    assert.deepEqual((await database.query('SELECT all_correct, prediction FROM round_results')).rows, [
      { all_correct: database.kind === 'sqlite' ? 1 : true, prediction: null },
    ]);
    assert.equal(
      await repos.attempts.finalise(first, () => assert.fail('not called for a final attempt')),
      null,
    );

    // A better attempt takes over the counted result (the upsert's update branch).
    const second = await open();
    const better = await repos.attempts.finalise(second, () =>
      fields({ status: 'expired', score: 2, prediction: 42.5, submittedAt: 2_000 }),
    );
    assert.equal(better?.counted?.attemptId, second);
    assert.equal(better?.counted?.prediction, 42.5);
    assert.equal(better?.counted?.allCorrect, false);
    assert.deepEqual(await repos.attempts.result(1, userId), better?.counted);
    assert.deepEqual(await repos.attempts.results(1), [better?.counted]);
    assert.deepEqual(await repos.attempts.resultCounts(), new Map([[1, 1]]));

    // Voiding moves the count back, then removes it.
    const back = await repos.attempts.void(second, userId, 'copied', 3_000, { ip: null, userAgent: null });
    assert.equal(back?.counted?.attemptId, first);
    const none = await repos.attempts.void(first, userId, 'copied', 3_001, { ip: null, userAgent: null });
    assert.equal(none?.counted, null);
    assert.equal(await repos.attempts.result(1, userId), undefined);
    assert.equal(
      await repos.attempts.void(first, userId, 'again', 3_002, { ip: null, userAgent: null }),
      null,
    );

    const entries = await repos.audit.list({ targetType: 'attempt' }, 10, 0);
    assert.deepEqual(entries.map((e) => e.action).reverse(), [
      'attempt.submit',
      'attempt.expire',
      'attempt.void',
      'attempt.void',
    ]);
    const submit = entries.at(-1)!;
    assert.equal(submit.ip, '10.0.0.1');
    assert.deepEqual(submit.data.answers, { 7: ['a'] });
    assert.equal((submit.data.answerLog as { count: number }).count, 1);
    assert.equal(entries.at(-2)!.actorId, null);
    assert.equal((await repos.audit.verify()).ok, true);
  } finally {
    await database.close();
  }
});

test('a finalisation that throws leaves nothing behind, and the next one still chains', async () => {
  const { database, repos, open } = await fixture();
  try {
    const id = await open();
    await assert.rejects(
      repos.attempts.finalise(id, () => {
        throw new Error('scoring failed');
      }),
      /scoring failed/,
    );
    assert.equal((await repos.attempts.get(id))?.status, 'in_progress');
    assert.ok(await repos.attempts.finalise(id, () => fields({})));
    const report = await repos.audit.verify();
    assert.equal(report.ok, true);
    assert.equal(report.checked, 1);
  } finally {
    await database.close();
  }
});

const snapshot: QuestionSnapshot = {
  questionId: 5,
  type: 'single',
  stem: 'Q',
  options: [],
  points: 1,
  explanation: null,
};

const newAttempt = (userId: number, entryId: number, startedAt = 100) => ({
  roundId: 1,
  userId,
  entryId,
  seed: 's',
  startedAt,
  deadline: startedAt + 60_000,
  maxScore: 1,
  ip: '192.0.2.1',
  userAgent: 'ua',
});

test('start keeps one attempt in progress and the attempt limit', async () => {
  const { database, repos, userId } = await fixture();
  try {
    const questions = [{ position: 0, questionId: 5, snapshot }];
    const first = await repos.attempts.start(newAttempt(userId, 1), 2, questions);
    assert.ok(first.ok);
    assert.equal(first.attempt.status, 'in_progress');
    assert.deepEqual(
      (await repos.attempts.questions(first.attempt.id)).map((q) => [q.position, q.questionId]),
      [[0, 5]],
    );
    assert.deepEqual(await repos.attempts.start(newAttempt(userId, 1), 2, questions), {
      ok: false,
      reason: 'in_progress',
      attemptId: first.attempt.id,
    });
    assert.equal(await repos.attempts.setPrediction(first.attempt.id, 12), true);
    await repos.attempts.finalise(first.attempt.id, (current) => fields({ prediction: current.prediction }));
    assert.equal(await repos.attempts.setPrediction(first.attempt.id, 13), false);
    const second = await repos.attempts.start(newAttempt(userId, 1, 200), 2, questions);
    assert.ok(second.ok);
    await repos.attempts.finalise(second.attempt.id, () => fields({ score: 0 }));
    assert.deepEqual(await repos.attempts.start(newAttempt(userId, 1, 300), 2, questions), {
      ok: false,
      reason: 'limit',
    });
    assert.deepEqual(
      (await repos.attempts.ofParticipant(1, userId)).map((a) => [a.id, a.status, a.prediction]),
      [
        [first.attempt.id, 'submitted', 12],
        [second.attempt.id, 'submitted', null],
      ],
    );
    assert.equal((await repos.attempts.result(1, userId))?.attemptId, first.attempt.id);
    assert.equal((await repos.attempts.entryOf(1))?.fullName, 'Phan');
    const starts = await repos.audit.list({ action: 'attempt.start' }, 10, 0);
    assert.equal(starts.length, 2);
    assert.deepEqual(starts.at(-1)!.data.questionIds, [5]);
    assert.equal((await repos.audit.verify()).ok, true);
  } finally {
    await database.close();
  }
});

test('overdue lists attempts in progress past their deadline, oldest deadline first', async () => {
  const { database, repos } = await fixture();
  try {
    const ids: number[] = [];
    for (const [n, deadline] of [
      [2, 500],
      [3, 300],
      [4, 500],
      [5, 9_000],
    ] as const) {
      const user = await participant(database, n);
      ids.push(await openAttempt(database, user, n, deadline));
    }
    assert.deepEqual(await repos.attempts.overdue(1_000, 10), [ids[1], ids[0], ids[2]]);
    assert.deepEqual(await repos.attempts.overdue(1_000, 2), [ids[1], ids[0]]);
    await repos.attempts.finalise(ids[1]!, () => fields({ status: 'expired' }));
    assert.deepEqual(await repos.attempts.overdue(1_000, 10), [ids[0], ids[2]]);
  } finally {
    await database.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Two nodes on one PostgreSQL
// ---------------------------------------------------------------------------------------------

const pgOnly = {
  skip: testStoreKind() !== 'postgres' ? 'PostgreSQL only (QUIZARENA_TEST_STORE=postgres)' : false,
};

/** Two stores (two "nodes") on one fresh database; `drop` closes both and removes it. */
async function twoNodes() {
  const created = await createTestPgDatabase();
  const nodes: PgDatabase[] = [];
  try {
    nodes.push(await openPostgres(created.url, { pool: 6 }));
    nodes.push(await openPostgres(created.url, { pool: 6 }));
  } catch (err) {
    for (const n of nodes) await n.close();
    await created.drop();
    throw err;
  }
  return {
    a: nodes[0]!,
    b: nodes[1]!,
    async drop() {
      for (const n of nodes) await n.close();
      await created.drop();
    },
  };
}

test(
  '20 starts for one participant racing on two nodes: one in progress, the limit held',
  pgOnly,
  async () => {
    const { a, b, drop } = await twoNodes();
    try {
      const userId = await participant(a, 1);
      const repos = [createPgAttemptRepository(a.db), createPgAttemptRepository(b.db)];
      const questions = [{ position: 0, questionId: 5, snapshot }];
      const limit = 3;
      for (let race = 0; race <= limit; race++) {
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            repos[i % 2]!.start(newAttempt(userId, 1, 1_000 * race + i), limit, questions),
          ),
        );
        const started = outcomes.filter((o) => o.ok);
        const { rows } = await a.query<{ id: number }>(
          `SELECT id FROM attempts WHERE user_id = ? AND status = 'in_progress'`,
          [userId],
        );
        if (race < limit) {
          assert.equal(started.length, 1, `race ${race}: one start wins`);
          const winner = started[0]!.attempt.id;
          assert.deepEqual(rows, [{ id: winner }]);
          for (const o of outcomes) {
            if (!o.ok) assert.deepEqual(o, { ok: false, reason: 'in_progress', attemptId: winner });
          }
          // Finalised on the other node, so that the next race may start one more.
          assert.ok(await repos[(race + 1) % 2]!.finalise(winner, () => fields({ score: race })));
        } else {
          assert.equal(started.length, 0);
          assert.deepEqual(rows, []);
          assert.ok(outcomes.every((o) => !o.ok && o.reason === 'limit'));
        }
      }
      assert.equal((await repos[0]!.ofParticipant(1, userId)).length, limit);
      const audit = createPgAuditRepository(b.db);
      assert.equal((await audit.list({ action: 'attempt.start' }, 100, 0)).length, limit);
      assert.equal((await audit.verify()).ok, true);
    } finally {
      await drop();
    }
  },
);

test('two sweepers racing over 50 overdue attempts finalise each exactly once', pgOnly, async () => {
  const { a, b, drop } = await twoNodes();
  try {
    const ids: number[] = [];
    for (let n = 1; n <= 50; n++) {
      const user = await participant(a, n);
      ids.push(await openAttempt(a, user, n, 1_000 + (n % 7)));
    }
    const writers = [new PgAnswerWriter(a.pool), new PgAnswerWriter(b.pool)];
    // A save per attempt, so that each expiry entry records a chain head.
    assert.ok(
      (
        await Promise.all(
          ids.map((id, i) =>
            writers[i % 2]!.save({
              attemptId: id,
              questionId: 1,
              optionIds: ['a'],
              savedAt: 900,
              ip: null,
              userAgent: null,
            }),
          ),
        )
      ).every(Boolean),
    );
    // The service's sweep: list, then finalise each; null when another node got there first.
    const sweeper = async (repo: AttemptRepository) => {
      let finalised = 0;
      for (;;) {
        const overdue = await repo.overdue(5_000, 20);
        if (overdue.length === 0) return finalised;
        for (const id of overdue) {
          const outcome = await repo.finalise(id, (current) =>
            fields({ status: 'expired', submittedAt: current.deadline, durationMs: current.deadline - 100 }),
          );
          if (outcome) finalised++;
        }
      }
    };
    const done = await Promise.all([
      sweeper(createPgAttemptRepository(a.db)),
      sweeper(createPgAttemptRepository(b.db)),
    ]);
    assert.equal(done[0]! + done[1]!, 50);
    const { rows } = await a.query<{ target_id: string; n: number }>(
      `SELECT target_id, count(*) AS n FROM audit_log WHERE action = 'attempt.expire' GROUP BY target_id ORDER BY target_id::int`,
    );
    assert.deepEqual(
      rows,
      ids.map((id) => ({ target_id: String(id), n: 1 })),
    );
    assert.deepEqual((await a.query(`SELECT count(*) AS n FROM attempts WHERE status = 'expired'`)).rows, [
      { n: 50 },
    ]);
    assert.deepEqual((await a.query('SELECT count(*) AS n FROM round_results')).rows, [{ n: 50 }]);
    const report = await createPgAuditRepository(b.db).verify();
    assert.deepEqual([report.ok, report.answerLogs], [true, 50]);
  } finally {
    await drop();
  }
});

// ---------------------------------------------------------------------------------------------
// Calls issued together (one batch on PostgreSQL: pg/attempt-writer.ts)
// ---------------------------------------------------------------------------------------------

test('calls issued together are decided in call order, each with its own outcome', async () => {
  const { database, repos, userId } = await fixture();
  try {
    const questions = [{ position: 0, questionId: 5, snapshot }];
    const other = await participant(database, 2);
    const open = await openAttempt(database, userId, 1);
    const { attempts } = repos;
    // Not awaited one by one: on PostgreSQL these share one transaction.
    const [refused, finalised, started, again, voided, otherStart, limited, missing] = await Promise.all([
      attempts.start(newAttempt(userId, 1, 200), 3, questions),
      attempts.finalise(open, () => fields({ score: 2 })),
      attempts.start(newAttempt(userId, 1, 300), 3, questions),
      attempts.finalise(open, () => assert.fail('not called for a final attempt')),
      attempts.void(open, userId, 'copied', 400, { ip: null, userAgent: null }),
      attempts.start(newAttempt(other, 2, 500), 1, questions),
      attempts.start(newAttempt(other, 2, 600), 1, questions),
      attempts.finalise(999_999, () => assert.fail('no such attempt')),
    ]);
    assert.deepEqual(refused, { ok: false, reason: 'in_progress', attemptId: open });
    assert.equal(finalised?.attempt.status, 'submitted');
    assert.equal(finalised?.counted?.attemptId, open);
    assert.ok(started.ok);
    assert.equal(started.attempt.startedAt, 300);
    assert.equal(again, null);
    // Voided after the submit: the count goes with it (the new attempt is still in progress).
    assert.equal(voided?.attempt.status, 'voided');
    assert.equal(voided?.attempt.score, 2);
    assert.equal(voided?.counted, null);
    assert.ok(otherStart.ok);
    // The second start of `other` sees the first one in progress.
    assert.deepEqual(limited, { ok: false, reason: 'in_progress', attemptId: otherStart.attempt.id });
    assert.equal(missing, null);
    assert.equal(await attempts.result(1, userId), undefined);
    assert.deepEqual(
      (await attempts.ofParticipant(1, userId)).map((a) => [a.id, a.status, a.voidReason]),
      [
        [open, 'voided', 'copied'],
        [started.attempt.id, 'in_progress', null],
      ],
    );
    assert.deepEqual(await attempts.get(started.attempt.id), started.attempt);
    const log = await repos.audit.list({}, 10, 0);
    assert.deepEqual(log.map((e) => [e.action, e.targetId]).reverse(), [
      ['attempt.submit', String(open)],
      ['attempt.start', String(started.attempt.id)],
      ['attempt.void', String(open)],
      ['attempt.start', String(otherStart.attempt.id)],
    ]);
    assert.equal((await repos.audit.verify()).ok, true);
  } finally {
    await database.close();
  }
});

test('a call that fails among others issued together fails alone', async () => {
  const database = await openTestStore();
  const batches: { size: number; fellBack: boolean }[] = [];
  const attempts =
    database.kind === 'sqlite'
      ? createAttemptRepository(database.db)
      : createPgAttemptRepository(database.db, { onBatch: (b) => batches.push(b) });
  const audit = reposOf(database).audit;
  try {
    const users: number[] = [];
    for (let n = 1; n <= 4; n++) users.push(await participant(database, n));
    const questions = [{ position: 0, questionId: 5, snapshot }];
    const open = [await openAttempt(database, users[1]!, 2), await openAttempt(database, users[2]!, 3)];
    const settled = await Promise.allSettled([
      attempts.start(newAttempt(users[0]!, 1), 3, questions),
      // No entry 77: the INSERT fails on its foreign key (on PostgreSQL, the whole batch does).
      attempts.start(newAttempt(users[3]!, 77), 3, questions),
      attempts.finalise(open[0]!, () => fields({ score: 1 })),
      attempts.finalise(open[1]!, () => {
        throw new Error('scoring failed');
      }),
    ]);
    assert.equal(settled[0].status === 'fulfilled' && settled[0].value.ok, true);
    assert.equal(settled[1].status, 'rejected');
    assert.equal(settled[2].status === 'fulfilled' && settled[2].value?.attempt.status, 'submitted');
    assert.equal(settled[3].status === 'rejected' && (settled[3].reason as Error).message, 'scoring failed');
    assert.equal((await attempts.get(open[1]!))?.status, 'in_progress');
    assert.equal((await attempts.ofParticipant(1, users[0]!)).length, 1);
    if (database.kind === 'postgres') assert.deepEqual(batches, [{ size: 4, fellBack: true }]);
    // The next batch is written as one again.
    assert.ok(await attempts.finalise(open[1]!, () => fields({ score: 0 })));
    if (database.kind === 'postgres') assert.deepEqual(batches.at(-1), { size: 1, fellBack: false });
    const report = await audit.verify();
    assert.deepEqual([report.ok, report.checked], [true, 3]);
  } finally {
    await database.close();
  }
});

/** `count` participants (users and entries 1..count) in contest 1 and its round, in one go. */
async function manyParticipants(database: Database, count: number, maxAttempts = 1): Promise<void> {
  await participant(database, 1, maxAttempts);
  await database.query(
    `INSERT INTO users (email, name, password_hash, roles, created_at)
     SELECT 'p' || i || '@x.org', 'P' || i, 'x', '["participant"]', 0 FROM generate_series(2, ?) i`,
    [count],
  );
  await database.query(
    `INSERT INTO entries (contest_id, user_id, full_name, group_key, fields, created_at)
     SELECT 1, i, 'P' || i, 'g1', '{}', 0 FROM generate_series(2, ?) i`,
    [count],
  );
}

test('500 participants starting at once on two nodes: 500 attempts, one chain', pgOnly, async () => {
  const { a, b, drop } = await twoNodes();
  try {
    await manyParticipants(a, 500);
    const repos = [createPgAttemptRepository(a.db), createPgAttemptRepository(b.db)];
    const questions = [0, 1, 2].map((position) => ({
      position,
      questionId: 10 + position,
      snapshot: { ...snapshot, questionId: 10 + position },
    }));
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        repos[i % 2]!.start(newAttempt(i + 1, i + 1, 1_000 + i), 1, questions),
      ),
    );
    const ids = new Set<number>();
    outcomes.forEach((o, i) => {
      assert.ok(o.ok, `participant ${i + 1} started`);
      assert.deepEqual(
        [o.attempt.userId, o.attempt.entryId, o.attempt.startedAt, o.attempt.status],
        [i + 1, i + 1, 1_000 + i, 'in_progress'],
      );
      ids.add(o.attempt.id);
    });
    assert.equal(ids.size, 500);
    const { rows } = await a.query<{ n: number; q: number }>(
      `SELECT (SELECT count(*) FROM attempts) AS n, (SELECT count(*) FROM attempt_questions) AS q`,
    );
    assert.deepEqual(rows, [{ n: 500, q: 1500 }]);
    const sample = outcomes[321]!;
    assert.ok(sample.ok);
    assert.deepEqual(
      (await repos[0]!.questions(sample.attempt.id)).map((q) => [
        q.position,
        q.questionId,
        q.snapshot.questionId,
      ]),
      [
        [0, 10, 10],
        [1, 11, 11],
        [2, 12, 12],
      ],
    );
    // A second round of starts: every one refused by the limit, on either node.
    for (const id of [...ids].slice(0, 20)) {
      assert.ok(await repos[id % 2]!.finalise(id, () => fields({})));
    }
    const again = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        repos[(i + 1) % 2]!.start(newAttempt(i + 1, i + 1, 5_000), 1, questions),
      ),
    );
    again.forEach((o, i) => {
      if (i < 20) assert.deepEqual(o, { ok: false, reason: 'limit' });
      else assert.equal(!o.ok && o.reason, 'in_progress');
    });
    const audit = createRepositories(b).audit;
    assert.equal((await audit.list({ action: 'attempt.start' }, 1000, 0)).length, 500);
    const report = await audit.verify();
    assert.deepEqual([report.ok, report.checked], [true, 520]);
  } finally {
    await drop();
  }
});

test(
  '300 submits on one node racing saves and second submits on the other: each final once',
  pgOnly,
  async () => {
    const { a, b, drop } = await twoNodes();
    try {
      await manyParticipants(a, 300);
      const ids: number[] = [];
      for (let n = 1; n <= 300; n++) ids.push(await openAttempt(a, n, n));
      const [repoA, repoB] = [createPgAttemptRepository(a.db), createPgAttemptRepository(b.db)];
      const writerA = new PgAnswerWriter(a.pool);
      const save = (attemptId: number, questionId: number) =>
        writerA.save({ attemptId, questionId, optionIds: ['a'], savedAt: 500, ip: null, userAgent: null });
      await Promise.all(ids.map((id) => save(id, 1)));
      const submit = (repo: AttemptRepository, id: number, score: number) =>
        repo.finalise(id, (current, _questions, saved) =>
          fields({ score, correctCount: saved.size, prediction: current.prediction }),
        );
      const [first, saves, second] = await Promise.all([
        Promise.all(ids.map((id) => submit(repoB, id, 1))),
        Promise.all(ids.map((id) => save(id, 2))),
        Promise.all(ids.map((id) => submit(repoA, id, 2))),
      ]);
      ids.forEach((id, i) => {
        const wins = [first[i], second[i]].filter((o) => o !== null);
        assert.equal(wins.length, 1, `attempt ${id} finalised once`);
        const won = wins[0]!;
        assert.equal(won.attempt.id, id);
        assert.equal(won.counted?.attemptId, id);
        // The score counts the saves it saw: the second one iff it committed first.
        assert.equal(won.attempt.correctCount, saves[i] ? 2 : 1);
      });
      const { rows } = await a.query<{ n: number; s: number; r: number }>(
        `SELECT (SELECT count(*) FROM attempts WHERE status = 'submitted') AS n,
              (SELECT count(*) FROM audit_log WHERE action = 'attempt.submit') AS s,
              (SELECT count(*) FROM round_results) AS r`,
      );
      assert.deepEqual(rows, [{ n: 300, s: 300, r: 300 }]);
      const report = await createRepositories(a).audit.verify();
      assert.deepEqual([report.ok, report.checked, report.answerLogs], [true, 300, 300]);
    } finally {
      await drop();
    }
  },
);
