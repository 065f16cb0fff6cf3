// The audit log's hash chain, and what verify checks beyond it: anchors kept outside the database
// (and the anchor file's own format), ids the database has issued, finalisations without their
// entry. On either store (QUIZARENA_TEST_STORE=postgres); the PostgreSQL ones at the end also race
// two stores on one database, and roll appends back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AnchorLog,
  canonicalJson,
  formatAnchor,
  parseAnchors,
  readAnchorFile,
  openPostgres,
  type AuditAnchor,
  type Database,
} from '../src/index.ts';
import { createAuditRepository } from '../src/audit.ts';
import { createJudgingRepository } from '../src/judging.ts';
import { appendPgAudit, createPgAuditRepository } from '../src/pg/audit.ts';
import { createPgJudgingRepository } from '../src/pg/judging.ts';
import { createTestPgDatabase, openTestStore, testStoreKind, windBackIds } from '../src/testing.ts';

/** The two repositories under test, on the store's dialect. */
const reposOf = (database: Database) =>
  database.kind === 'sqlite'
    ? { audit: createAuditRepository(database.db), judging: createJudgingRepository(database.db) }
    : { audit: createPgAuditRepository(database.db), judging: createPgJudgingRepository(database.db) };
type Repos = ReturnType<typeof reposOf>;

const T0 = Date.UTC(2026, 2, 1, 8);

const entry = (i: number) => ({
  at: T0 + i,
  actorId: i % 3,
  action: 'contest.update',
  targetType: 'contest',
  targetId: i,
  data: { title: `Cuộc thi số ${i}`, nested: { b: 2, a: 1 } },
  ip: '127.0.0.1',
  userAgent: 'test',
});

const fill = async () => {
  const database = await openTestStore();
  const repos = reposOf(database);
  for (let i = 1; i <= 20; i++) await repos.audit.append(entry(i));
  return { database, repos };
};

const pgOnly = {
  skip: testStoreKind() !== 'postgres' ? 'PostgreSQL only (QUIZARENA_TEST_STORE=postgres)' : false,
};

test('canonical JSON sorts keys at every depth', () => {
  assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: null }), '{"a":null,"b":[{"c":2,"d":1}]}');
});

test('an untouched chain verifies', async () => {
  const { database, repos } = await fill();
  assert.deepEqual(await repos.audit.verify(), {
    ok: true,
    checked: 20,
    brokenAt: null,
    reason: null,
    anchors: 0,
    answerLogs: 0,
  });
  await database.close();
});

test('an altered entry is found', async () => {
  const { database, repos } = await fill();
  await database.query(`UPDATE audit_log SET data = '{"title":"forged"}' WHERE id = 7`);
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 7);
  assert.match(report.reason!, /altered/);
  await database.close();
});

test('a deleted entry is found at the next one', async () => {
  const { database, repos } = await fill();
  await database.query('DELETE FROM audit_log WHERE id = 12');
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 13);
  await database.close();
});

test('an entry re-hashed after editing still breaks the link of the next one', async () => {
  const { database, repos } = await fill();
  await database.query(`UPDATE audit_log SET action = 'x', hash = '${'f'.repeat(64)}' WHERE id = 5`);
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 5);
  await database.close();
});

/** The head as an anchor, as the API writes it. */
const anchorOf = async (repos: Repos, seq: number): Promise<AuditAnchor> => {
  const head = (await repos.audit.head())!;
  return { seq, id: head.id, hash: head.hash, at: Date.UTC(2026, 2, 2, 8, seq) };
};

test('anchors the log reaches verify, and are counted', async () => {
  const { database, repos } = await fill();
  const first = await anchorOf(repos, 1);
  await repos.audit.append({ at: 5000, actorId: 1, action: 'x', targetType: 't', targetId: 1 });
  const second = await anchorOf(repos, 2);
  assert.equal(second.id, 21);
  const report = await repos.audit.verify({ anchors: [first, second] });
  assert.deepEqual([report.ok, report.anchors, report.checked], [true, 2, 21]);
  await database.close();
});

test('newest entries deleted: the ids the database issued give it away, and so does an anchor', async () => {
  const { database, repos } = await fill();
  const anchor = await anchorOf(repos, 1);
  await database.query('DELETE FROM audit_log WHERE id > 17');

  const bySequence = await repos.audit.verify();
  assert.equal(bySequence.ok, false);
  assert.equal(bySequence.brokenAt, 18);
  assert.equal(
    bySequence.reason,
    'the log ends at entry 17 but entry ids up to 20 were issued: entries after 17 were deleted',
  );

  // Someone who also winds back the id counter is still caught by the anchor.
  await windBackIds(database, 'audit_log', 17);
  assert.equal((await repos.audit.verify()).ok, true, 'without anchors a cut tail leaves a valid chain');
  const report = await repos.audit.verify({ anchors: [anchor] });
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 18);
  assert.equal(
    report.reason,
    `the log ends at entry 17 but anchor 1 (written 2026-03-02T08:01:00.000Z) says entry 20 with hash ${anchor.hash} existed: entries after 17 were deleted`,
  );
  await database.close();
});

test('a tail replaced by new entries, or an anchored entry rewritten, fails against the anchor', async () => {
  const { database, repos } = await fill();
  const anchor = await anchorOf(repos, 1);
  await database.query('DELETE FROM audit_log WHERE id > 18');
  for (let i = 0; i < 3; i++) {
    await repos.audit.append({ at: 9000 + i, actorId: 1, action: 'forged', targetType: 't', targetId: i });
  }
  const replaced = await repos.audit.verify({ anchors: [anchor] });
  assert.equal(replaced.ok, false);
  assert.equal(replaced.brokenAt, 20);
  assert.match(
    replaced.reason!,
    /anchor 1 .* says entry 20 with hash [0-9a-f]{64} existed, but the log has no entry 20/,
  );

  const rewritten = await repos.audit.verify({ anchors: [{ ...anchor, id: 18, hash: 'a'.repeat(64) }] });
  assert.equal(rewritten.ok, false);
  assert.equal(rewritten.brokenAt, 18);
  assert.match(
    rewritten.reason!,
    /entry 18 has hash [0-9a-f]{64} but anchor 1 .* says a{64}: the log was rewritten/,
  );
  await database.close();
});

test('a problem in the anchor file fails verification', async () => {
  const { database, repos } = await fill();
  const report = await repos.audit.verify({ anchorProblems: ['line 2 has anchor 3 where 2 was due'] });
  assert.equal(report.ok, false);
  assert.match(report.reason!, /the anchor file was altered: line 2 has anchor 3 where 2 was due/);
  await database.close();
});

test('anchor file: lines written, read back, torn and edited lines', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qa-anchors-'));
  try {
    const file = path.join(dir, 'sub', 'audit-anchors.log');
    const hash = (c: string) => c.repeat(64);
    const log = new AnchorLog(file);
    assert.equal(await log.latest(), null);
    assert.deepEqual(await log.append({ id: 5, hash: hash('a') }, Date.UTC(2026, 0, 1)), {
      seq: 1,
      id: 5,
      hash: hash('a'),
      at: Date.UTC(2026, 0, 1),
    });
    assert.equal(await log.append({ id: 5, hash: hash('a') }, Date.UTC(2026, 0, 2)), null, 'head unchanged');
    // Concurrent appends are queued, never interleaved.
    await Promise.all([log.append({ id: 6, hash: hash('b') }, 1), log.append({ id: 7, hash: hash('c') }, 2)]);
    await log.close();
    const text = readFileSync(file, 'utf8');
    assert.equal(
      text,
      `1 5 ${hash('a')} 2026-01-01T00:00:00.000Z\n2 6 ${hash('b')} 1970-01-01T00:00:00.001Z\n3 7 ${hash('c')} 1970-01-01T00:00:00.002Z\n`,
    );
    assert.deepEqual(
      (await readAnchorFile(file)).anchors.map((a) => [a.seq, a.id]),
      [
        [1, 5],
        [2, 6],
        [3, 7],
      ],
    );

    // A crash in the middle of an append leaves a start of a line: skipped, and the next writer
    // starts a line of its own.
    writeFileSync(file, `${text}4 8 ${hash('d').slice(0, 20)}`);
    const again = new AnchorLog(file);
    assert.equal((await again.latest())?.seq, 3);
    await again.append({ id: 8, hash: hash('d') }, 3);
    await again.close();
    const after = await readAnchorFile(file);
    assert.deepEqual(after.problems, []);
    assert.deepEqual(
      after.anchors.map((a) => [a.seq, a.id]),
      [
        [1, 5],
        [2, 6],
        [3, 7],
        [4, 8],
      ],
    );

    // Lines removed or edited by hand.
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.deepEqual(parseAnchors([lines[0], lines[2], lines[3], ''].join('\n')).problems, [
      'line 2 has anchor 3 where 2 was due (lines were removed)',
    ]);
    assert.match(parseAnchors(`${lines[0]}\nhello\n`).problems[0]!, /^line 2 is not an anchor: "hello"$/);
    assert.equal(
      formatAnchor({ seq: 9, id: 10, hash: hash('e'), at: 0 }),
      `9 10 ${hash('e')} 1970-01-01T00:00:00.000Z\n`,
    );
    assert.deepEqual(await readAnchorFile(path.join(dir, 'none.log')), { anchors: [], problems: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a finalisation whose entry is gone (log cut back, ids wound back) fails verification', async () => {
  const { database, repos } = await fill();
  await database.query(
    `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES ('j@x.org', 'J', 'x', '["judge"]', 0)`,
  );
  await database.query(
    `INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (1, 'c', 'C', '[]', '[]', 0)`,
  );
  await database.query(
    `INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
      VALUES (1, 'R', 0, 1, 60, 1, 1, '[]', 'never', 'never', 0)`,
  );
  const saved = await repos.judging.saveFinalisation({
    roundId: 1,
    createdAt: 7000,
    createdBy: 1,
    hash: 'f'.repeat(64),
    predictionKind: null,
    actualValue: null,
    allCorrect: 0,
    participants: 0,
    boundaryTies: [],
    rows: [],
    audit: { at: 7000, actorId: 1 },
  });
  // The entry records the head before it, and is the head after.
  const [last] = (
    await database.query<{ id: number; hash: string; data: string | Record<string, unknown> }>(
      'SELECT id, hash, data FROM audit_log ORDER BY id DESC LIMIT 1',
    )
  ).rows;
  assert.ok(last);
  assert.deepEqual(saved.auditEntry, { id: last.id, hash: last.hash });
  const [before] = (
    await database.query<{ id: number; hash: string }>('SELECT id, hash FROM audit_log WHERE id = ?', [
      last.id - 1,
    ])
  ).rows;
  const data = (typeof last.data === 'string' ? JSON.parse(last.data) : last.data) as { auditHead: unknown };
  assert.deepEqual(data.auditHead, { ...before });
  assert.deepEqual(await repos.audit.finalisationEntry(1, saved.id), saved.auditEntry);
  assert.equal(await repos.audit.finalisationEntry(1, saved.id + 1), null);
  assert.equal((await repos.audit.verify()).ok, true);

  await database.query('UPDATE round_finalisations SET hash = ? WHERE id = ?', ['e'.repeat(64), saved.id]);
  const altered = await repos.audit.verify();
  assert.equal(altered.ok, false);
  assert.match(altered.reason!, /finalisation 1 of round 1 has hash e{64} but its entry \d+ records f{64}/);

  await database.query('DELETE FROM audit_log WHERE id >= ?', [last.id]);
  await windBackIds(database, 'audit_log', last.id - 1);
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.match(
    report.reason!,
    /^finalisation 1 of round 1 \(1970-01-01T00:00:07.000Z\) has no round.finalize entry/,
  );
  await database.close();
});

test('list filters and pages newest first; head is the newest entry', async () => {
  const { database, repos } = await fill();
  assert.deepEqual(
    (await repos.audit.list({ targetType: 'contest' }, 3, 2)).map((r) => r.id),
    [18, 17, 16],
  );
  const one = await repos.audit.list({ targetId: '7', action: 'contest.update' }, 10, 0);
  assert.deepEqual(
    one.map((r) => [r.id, r.at, r.data]),
    [[7, T0 + 7, { title: 'Cuộc thi số 7', nested: { b: 2, a: 1 } }]],
  );
  assert.deepEqual(await repos.audit.list({ action: 'none' }, 10, 0), []);
  assert.equal((await repos.audit.head())?.id, 20);
  await database.close();
});

/** Two stores on one fresh PostgreSQL database, as two API nodes; `drop` closes both and drops it. */
const twoNodes = async () => {
  const created = await createTestPgDatabase();
  const a = await openPostgres(created.url, { pool: 4 });
  const b = await openPostgres(created.url, { pool: 4 });
  return {
    a,
    b,
    async drop() {
      await a.close();
      await b.close();
      await created.drop();
    },
  };
};

test('PostgreSQL: two nodes appending at once make one chain', pgOnly, async () => {
  const nodes = await twoNodes();
  try {
    const [a, b] = [createPgAuditRepository(nodes.a.db), createPgAuditRepository(nodes.b.db)];
    const appended = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).append(entry(i + 1))),
    );
    assert.deepEqual(
      appended.map((r) => r.id).sort((x, y) => x - y),
      Array.from({ length: 200 }, (_, i) => i + 1),
      'every id once, no gap',
    );
    // Either node sees the same whole chain.
    for (const repo of [a, b]) {
      const report = await repo.verify();
      assert.deepEqual([report.ok, report.checked, report.reason], [true, 200, null]);
    }
    // Verify while the other node keeps appending: what lands meanwhile is read with the ids issued.
    const [during] = await Promise.all([
      a.verify(),
      Promise.all(Array.from({ length: 50 }, (_, i) => b.append(entry(300 + i)))),
    ]);
    assert.equal(during.ok, true, during.reason ?? '');
    assert.equal((await b.verify()).checked, 250);
  } finally {
    await nodes.drop();
  }
});

test('PostgreSQL: an append rolled back issues no id, and a cut tail is still found', pgOnly, async () => {
  const { database, repos } = await fill();
  assert.equal(database.kind, 'postgres');
  if (database.kind !== 'postgres') return;
  const failed = new Error('the change the entry records failed');
  await assert.rejects(
    database.db.transaction(async (tx) => {
      const row = await appendPgAudit(tx, entry(21));
      assert.equal(row.id, 21);
      throw failed;
    }),
    (err) => err === failed,
  );
  // A failure inside the database after the INSERT, too.
  await assert.rejects(
    database.db.transaction(async (tx) => {
      await appendPgAudit(tx, entry(21));
      await tx.execute('SELECT 1/0');
    }),
  );
  const afterRollback = await repos.audit.verify();
  assert.deepEqual([afterRollback.ok, afterRollback.checked, afterRollback.reason], [true, 20, null]);
  const next = await repos.audit.append(entry(22));
  assert.equal(next.id, 21, 'the rolled-back ids are issued again: no gap');
  assert.equal((await repos.audit.verify()).ok, true);

  await database.query('DELETE FROM audit_log WHERE id > 18');
  const cut = await repos.audit.verify();
  assert.equal(cut.ok, false);
  assert.equal(
    cut.reason,
    'the log ends at entry 18 but entry ids up to 21 were issued: entries after 18 were deleted',
  );
  // Appends go on after the counter row was removed, above the head.
  await database.query('DELETE FROM audit_log_issued');
  assert.equal((await repos.audit.append(entry(23))).id, 19);
  assert.equal((await repos.audit.verify()).ok, true);
  await database.close();
});

test('PostgreSQL: a deleted tail is found while another node appends', pgOnly, async () => {
  const nodes = await twoNodes();
  try {
    const [a, b] = [createPgAuditRepository(nodes.a.db), createPgAuditRepository(nodes.b.db)];
    for (let i = 1; i <= 30; i++) await a.append(entry(i));
    await nodes.a.query('DELETE FROM audit_log WHERE id > 25');
    const [report] = await Promise.all([
      b.verify(),
      Promise.all(Array.from({ length: 20 }, (_, i) => a.append(entry(100 + i)))),
    ]);
    // Entries 26-30 are gone whatever landed after them: the link of entry 31 breaks, or the tail
    // ends below the ids issued.
    assert.equal(report.ok, false);
    assert.ok(report.brokenAt === 26 || report.brokenAt === 31, String(report.brokenAt));
  } finally {
    await nodes.drop();
  }
});

test('newest entries deleted and the log appended to since: the gap in the ids gives it away', async () => {
  const { database, repos } = await fill();
  await database.query('DELETE FROM audit_log WHERE id > 17');
  // The next entry links to entry 17: the chain holds, but ids 18 to 20 were issued before it.
  const next = await repos.audit.append(entry(21));
  assert.equal(next.id, 21);
  const report = await repos.audit.verify();
  assert.deepEqual([report.ok, report.brokenAt, report.checked], [false, 18, 17]);
  assert.equal(
    report.reason,
    'entry 21 follows entry 17: entries 18 to 20 were deleted (and the log appended to since)',
  );
  await database.close();
});
