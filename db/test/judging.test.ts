// The judging repository on either store (QUIZARENA_TEST_STORE=postgres): candidates, the judges'
// results view (orders with their tie-breaks, text in code point order, search as SQLite's LIKE
// matches, filters, paging), finalise / publish / reopen with their audit entries, and the refusal
// of a step the round is no longer ready for. On PostgreSQL also two nodes finalising (publishing,
// reopening) the same round at once: exactly one does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgres, type Database } from '../src/index.ts';
import { createAuditRepository } from '../src/audit.ts';
import { createJudgingRepository, ResultsStatusError, type NewFinalisation } from '../src/judging.ts';
import { createPgAuditRepository } from '../src/pg/audit.ts';
import { createPgJudgingRepository } from '../src/pg/judging.ts';
import { createTestPgDatabase, openTestStore, testStoreKind } from '../src/testing.ts';

const reposOf = (database: Database) =>
  database.kind === 'sqlite'
    ? { audit: createAuditRepository(database.db), judging: createJudgingRepository(database.db) }
    : { audit: createPgAuditRepository(database.db), judging: createPgJudgingRepository(database.db) };

const pgOnly = {
  skip: testStoreKind() !== 'postgres' ? 'PostgreSQL only (QUIZARENA_TEST_STORE=postgres)' : false,
};

interface Person {
  name: string;
  group: string;
  unit: string | null;
  fields: Record<string, string>;
  score: number;
  durationMs: number;
  submittedAt: number;
}

// User ids 2.. in this order. Names sort in code point order: N < Z < n < Á < Đ < đ.
const people: Person[] = [
  {
    name: 'Zed',
    group: 'B',
    unit: 'U1',
    fields: { school: 'THPT A' },
    score: 5,
    durationMs: 300,
    submittedAt: 30,
  },
  {
    name: 'nguyen Binh',
    group: 'A',
    unit: 'U2',
    fields: { school: 'THPT B' },
    score: 8,
    durationMs: 100,
    submittedAt: 10,
  },
  {
    name: 'Đặng Chi',
    group: 'a',
    unit: 'U1',
    fields: { school: 'Lê Quý Đôn' },
    score: 8,
    durationMs: 100,
    submittedAt: 10,
  },
  {
    name: 'Nguyễn An',
    group: 'A',
    unit: null,
    fields: { school: '50% off' },
    score: 8,
    durationMs: 90,
    submittedAt: 20,
  },
  {
    name: 'đinh Dung',
    group: 'B',
    unit: 'U2',
    fields: { school: 'THPT C' },
    score: 9,
    durationMs: 500,
    submittedAt: 5,
  },
  {
    name: 'Ánh',
    group: 'a',
    unit: 'U1',
    fields: { school: 'THPT D' },
    score: 5,
    durationMs: 300,
    submittedAt: 30,
  },
];

/** A judge (user 1), a contest, a closed round (id 1) and `people` with their counted attempts. */
async function fixture(database: Database) {
  await database.query(
    `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES ('judge@x.org', 'J', 'x', '["judge"]', 0)`,
  );
  await database.query(
    `INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (1, 'c', 'C', '[]', '[]', 0)`,
  );
  await database.query(
    `INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
      VALUES (1, 'R', 0, 1, 60, 1, 1, '[]', 'never', 'never', 0)`,
  );
  for (const [i, p] of people.entries()) {
    const userId = i + 2;
    await database.query(
      `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES (?, ?, 'x', '["participant"]', 0)`,
      [`p${userId}@x.org`, p.name],
    );
    await database.query(
      'INSERT INTO entries (contest_id, user_id, full_name, unit_code, group_key, fields, created_at) VALUES (1, ?, ?, ?, ?, ?, 0)',
      [userId, p.name, p.unit, p.group, JSON.stringify(p.fields)],
    );
    await database.query(
      `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, submitted_at, duration_ms, score, max_score, correct_count, all_correct)
        VALUES (1, ?, ?, 's', 'submitted', 0, 1000, ?, ?, ?, 10, ?, ?)`,
      [userId, i + 1, p.submittedAt, p.durationMs, p.score, p.score, false],
    );
    await database.query(
      `INSERT INTO round_results (round_id, user_id, attempt_id, group_key, name, unit, score, duration_ms, submitted_at, all_correct)
        VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [userId, i + 1, p.group, p.name, p.unit, p.score, p.durationMs, p.submittedAt, false],
    );
  }
}

/** A finalisation of round 1 ranking each group by score (positions in `people` order within a score). */
const finalisation = (): NewFinalisation => {
  const groups = new Map<string, number[]>();
  people.forEach((p, i) => groups.set(p.group, [...(groups.get(p.group) ?? []), i]));
  const rows: NewFinalisation['rows'] = [];
  for (const [groupKey, members] of groups) {
    const sorted = [...members].sort((x, y) => people[y]!.score - people[x]!.score || x - y);
    sorted.forEach((i, k) => {
      const p = people[i]!;
      rows.push({
        groupKey,
        position: k + 1,
        rank: sorted.findIndex((j) => people[j]!.score === p.score) + 1,
        userId: i + 2,
        attemptId: i + 1,
        name: p.name,
        unit: p.unit,
        score: p.score,
        correctCount: p.score,
        durationMs: p.durationMs,
        submittedAt: p.submittedAt,
        prediction: null,
        predictionDistance: null,
        decidedBy: null,
        prize: k === 0 ? 'first' : null,
      });
    });
  }
  return {
    roundId: 1,
    createdAt: Date.UTC(2026, 2, 3),
    createdBy: 1,
    hash: 'c'.repeat(64),
    predictionKind: null,
    actualValue: null,
    allCorrect: 0,
    participants: people.length,
    boundaryTies: [],
    rows,
    audit: { at: Date.UTC(2026, 2, 3), actorId: 1, ip: '10.0.0.1', userAgent: 'judge' },
  };
};

const names = (rows: { userId: number }[]) => rows.map((r) => people[r.userId - 2]!.name);

test('candidates: every counted attempt, by participant', async () => {
  const database = await openTestStore();
  try {
    await fixture(database);
    const { judging } = reposOf(database);
    const candidates = await judging.candidates(1);
    assert.deepEqual(
      candidates.map((c) => c.userId),
      [2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(candidates[3], {
      userId: 5,
      attemptId: 4,
      groupKey: 'A',
      name: 'Nguyễn An',
      unit: null,
      unitCode: null,
      score: 8,
      correctCount: 8,
      durationMs: 90,
      submittedAt: 20,
      allCorrect: false,
      prediction: null,
    });
    assert.deepEqual(await judging.candidates(2), []);
  } finally {
    await database.close();
  }
});

test('results before finalising: orders with their tie-breaks, search, filters, paging', async () => {
  const database = await openTestStore();
  try {
    await fixture(database);
    const { judging } = reposOf(database);
    const page = (q: Partial<Parameters<typeof judging.results>[1]>) =>
      judging.results(1, { sort: 'rank', limit: 50, offset: 0, ...q });

    const byRank = await page({});
    assert.equal(byRank.total, 6);
    assert.equal(byRank.finalisation, null);
    // Score desc, duration, submission, then participant: users 3 and 4 tie on all three.
    assert.deepEqual(names(byRank.rows), ['đinh Dung', 'Nguyễn An', 'nguyen Binh', 'Đặng Chi', 'Zed', 'Ánh']);
    assert.deepEqual(byRank.rows[0], {
      userId: 6,
      attemptId: 5,
      groupKey: 'B',
      name: 'đinh Dung',
      unit: 'U2',
      unitCode: 'U2',
      fields: { school: 'THPT C' },
      score: 9,
      correctCount: 9,
      durationMs: 500,
      submittedAt: 5,
      prediction: null,
      finalRank: null,
      predictionDistance: null,
      prize: null,
      decidedBy: null,
    });
    assert.deepEqual(names((await page({ sort: 'name' })).rows), [
      'Nguyễn An',
      'Zed',
      'nguyen Binh',
      'Ánh',
      'Đặng Chi',
      'đinh Dung',
    ]);
    assert.deepEqual(names((await page({ sort: 'submitted' })).rows), [
      'đinh Dung',
      'nguyen Binh',
      'Đặng Chi',
      'Nguyễn An',
      'Zed',
      'Ánh',
    ]);
    assert.deepEqual(names((await page({ sort: 'duration' })).rows), [
      'Nguyễn An',
      'nguyen Binh',
      'Đặng Chi',
      'Zed',
      'Ánh',
      'đinh Dung',
    ]);

    // Paging keeps the order and the total.
    const second = await page({ sort: 'name', limit: 2, offset: 2 });
    assert.deepEqual([second.total, names(second.rows)], [6, ['nguyen Binh', 'Ánh']]);

    // Search: name or registration fields, ASCII letters in any case (as SQLite's LIKE), other
    // letters as written; % and _ are plain characters.
    const search = async (q: string) => names((await page({ q, sort: 'name' })).rows);
    assert.deepEqual(await search('NGUYEN'), ['nguyen Binh']);
    assert.deepEqual(await search('Đ'), ['Đặng Chi']);
    assert.deepEqual(await search('đ'), ['đinh Dung']);
    assert.deepEqual(await search('quý đôn'), []);
    assert.deepEqual(await search('Quý Đôn'), ['Đặng Chi']);
    assert.deepEqual(await search('thpt'), ['Zed', 'nguyen Binh', 'Ánh', 'đinh Dung']);
    assert.deepEqual(await search('SCHOOL'), names((await page({ sort: 'name' })).rows), 'the JSON text');
    assert.deepEqual(await search('50%'), ['Nguyễn An']);
    assert.deepEqual(await search('5_%'), []);

    const filtered = await page({ unit: 'U1', group: 'a', sort: 'name' });
    assert.deepEqual([filtered.total, names(filtered.rows)], [2, ['Ánh', 'Đặng Chi']]);
    const searched = await page({ q: 'thpt', group: 'B', limit: 1 });
    assert.deepEqual([searched.total, names(searched.rows)], [2, ['đinh Dung']]);
    assert.deepEqual(await page({ group: 'none' }), { total: 0, rows: [], finalisation: null });
  } finally {
    await database.close();
  }
});

test('finalise, results by final rank, publish, reopen: each with its audit entry', async () => {
  const database = await openTestStore();
  try {
    await fixture(database);
    const { judging, audit } = reposOf(database);
    const saved = await judging.saveFinalisation(finalisation());
    assert.deepEqual(
      [saved.id, saved.status, saved.roundId, saved.participants, saved.publishedAt],
      [1, 'active', 1, 6, null],
    );
    assert.deepEqual(saved.auditEntry, await audit.head());
    assert.deepEqual(await audit.finalisationEntry(1, saved.id), saved.auditEntry);
    const [entry] = await audit.list({ action: 'round.finalize' }, 1, 0);
    assert.deepEqual(entry!.data, {
      finalisationId: 1,
      hash: 'c'.repeat(64),
      participants: 6,
      actual: null,
      auditHead: null,
    });
    assert.deepEqual([entry!.ip, entry!.userAgent, entry!.targetId], ['10.0.0.1', 'judge', '1']);
    assert.deepEqual((await judging.active(1))?.id, saved.id);

    // By final rank: rank, then group in code point order (A < B < a), then position.
    const byRank = await judging.results(1, { sort: 'rank', limit: 50, offset: 0 });
    assert.deepEqual(names(byRank.rows), ['nguyen Binh', 'Nguyễn An', 'đinh Dung', 'Đặng Chi', 'Zed', 'Ánh']);
    assert.deepEqual(
      byRank.rows.map((r) => [r.finalRank, r.prize]),
      [
        [1, 'first'],
        [1, null],
        [1, 'first'],
        [1, 'first'],
        [2, null],
        [2, null],
      ],
    );
    assert.equal(byRank.finalisation?.id, saved.id);
    const groupA = await judging.results(1, { sort: 'rank', group: 'A', q: 'n', limit: 1, offset: 1 });
    assert.deepEqual([groupA.total, names(groupA.rows)], [2, ['Nguyễn An']]);
    assert.deepEqual(
      (await judging.finalRows(saved.id, 'a', 10, 0)).map((r) => [r.position, r.userId, r.finalisationId]),
      [
        [1, 4, 1],
        [2, 7, 1],
      ],
    );

    await assert.rejects(judging.saveFinalisation(finalisation()), {
      name: 'ResultsStatusError',
      statusCode: 409,
      code: 'ALREADY_FINALIZED',
    });
    await judging.publish(1, 9000, { at: 9000, actorId: 1 });
    assert.equal((await judging.active(1))?.publishedAt, 9000);
    await assert.rejects(judging.publish(1, 9001, { at: 9001, actorId: 1 }), { code: 'ALREADY_PUBLISHED' });

    await judging.reopen(1, 1, 'a wrong key', 9500, {});
    assert.equal(await judging.active(1), undefined);
    const [reopened] = await audit.list({ action: 'round.reopen' }, 1, 0);
    assert.deepEqual(
      [reopened!.at, reopened!.actorId, reopened!.data],
      [9500, 1, { reason: 'a wrong key', finalisationId: 1, hash: 'c'.repeat(64) }],
    );
    await assert.rejects(judging.reopen(1, 1, 'again', 9600, {}), { code: 'NOT_FINALIZED' });
    await assert.rejects(judging.publish(1, 9600, { at: 9600, actorId: 1 }), (err) => {
      assert.ok(err instanceof ResultsStatusError);
      assert.equal(err.message, 'Finalise the round before publishing its results');
      return true;
    });
    const { rows: status } = await database.query<{ results_status: string }>(
      'SELECT results_status FROM rounds WHERE id = 1',
    );
    assert.deepEqual(status, [{ results_status: 'open' }]);

    // Refinalised: a new finalisation, whose entry records the head before it.
    const head = await audit.head();
    const again = await judging.saveFinalisation(finalisation());
    assert.equal(again.id, 2);
    const [entry2] = await audit.list({ action: 'round.finalize' }, 1, 0);
    assert.deepEqual(entry2!.data.auditHead, head);
    assert.equal((await judging.results(1, { sort: 'rank', limit: 50, offset: 0 })).finalisation?.id, 2);
    const report = await audit.verify();
    assert.deepEqual([report.ok, report.checked, report.reason], [true, 4, null]);
  } finally {
    await database.close();
  }
});

test('PostgreSQL: two nodes finalising the same round at once make one finalisation', pgOnly, async () => {
  const created = await createTestPgDatabase();
  const a = await openPostgres(created.url, { pool: 4 });
  const b = await openPostgres(created.url, { pool: 4 });
  try {
    await fixture(a);
    const [ja, jb] = [createPgJudgingRepository(a.db), createPgJudgingRepository(b.db)];
    for (let round = 0; round < 5; round++) {
      const outcomes = await Promise.allSettled([
        ja.saveFinalisation(finalisation()),
        jb.saveFinalisation(finalisation()),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o) => o.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(refused.length, 1);
      assert.ok((refused[0] as PromiseRejectedResult).reason instanceof ResultsStatusError);
      assert.equal(
        ((refused[0] as PromiseRejectedResult).reason as ResultsStatusError).code,
        'ALREADY_FINALIZED',
      );

      // Publishing twice at once: one publishes.
      const published = await Promise.allSettled([
        ja.publish(1, 1, { at: 1, actorId: 1 }),
        jb.publish(1, 2, { at: 2, actorId: 1 }),
      ]);
      assert.deepEqual(published.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
      // Reopening twice at once: one reopens.
      const reopened = await Promise.allSettled([ja.reopen(1, 1, 'x', 3, {}), jb.reopen(1, 1, 'y', 3, {})]);
      assert.deepEqual(reopened.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    }
    const { rows } = await a.query<{ status: string; n: number }>(
      'SELECT status, count(*) AS n FROM round_finalisations GROUP BY status ORDER BY status',
    );
    assert.deepEqual(rows, [{ status: 'reopened', n: 5 }]);
    const { rows: perFinalisation } = await a.query<{ n: number }>(
      'SELECT count(*) AS n FROM final_rankings GROUP BY finalisation_id',
    );
    assert.deepEqual(
      perFinalisation,
      Array.from({ length: 5 }, () => ({ n: people.length })),
    );
    const report = await createPgAuditRepository(b.db).verify();
    assert.deepEqual([report.ok, report.checked], [true, 15]);
  } finally {
    await a.close();
    await b.close();
    await created.drop();
  }
});
