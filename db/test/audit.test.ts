// The audit log's hash chain, and what verify checks beyond it: anchors kept outside the database
// (and the anchor file's own format), ids SQLite has issued, finalisations without their entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AnchorLog,
  canonicalJson,
  createRepositories,
  formatAnchor,
  parseAnchors,
  readAnchorFile,
  openDatabase,
  type AuditAnchor,
} from '../src/index.ts';

const fill = async () => {
  const database = openDatabase(':memory:');
  const repos = createRepositories(database);
  for (let i = 1; i <= 20; i++) {
    await repos.audit.append({
      at: 1000 + i,
      actorId: i % 3,
      action: 'contest.update',
      targetType: 'contest',
      targetId: i,
      data: { title: `Cuộc thi số ${i}`, nested: { b: 2, a: 1 } },
      ip: '127.0.0.1',
      userAgent: 'test',
    });
  }
  return { database, repos };
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
  database.close();
});

test('an altered entry is found', async () => {
  const { database, repos } = await fill();
  database.sqlite.prepare(`UPDATE audit_log SET data = '{"title":"forged"}' WHERE id = 7`).run();
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 7);
  assert.match(report.reason!, /altered/);
  database.close();
});

test('a deleted entry is found at the next one', async () => {
  const { database, repos } = await fill();
  database.sqlite.prepare('DELETE FROM audit_log WHERE id = 12').run();
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 13);
  database.close();
});

test('an entry re-hashed after editing still breaks the link of the next one', async () => {
  const { database, repos } = await fill();
  database.sqlite.prepare(`UPDATE audit_log SET action = 'x', hash = '${'f'.repeat(64)}' WHERE id = 5`).run();
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 5);
  database.close();
});

/** The head as an anchor, as the API writes it. */
const anchorOf = async (repos: ReturnType<typeof createRepositories>, seq: number): Promise<AuditAnchor> => {
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
  database.close();
});

test('newest entries deleted: the ids SQLite issued give it away, and so does an anchor', async () => {
  const { database, repos } = await fill();
  const anchor = await anchorOf(repos, 1);
  database.sqlite.prepare('DELETE FROM audit_log WHERE id > 17').run();

  const bySequence = await repos.audit.verify();
  assert.equal(bySequence.ok, false);
  assert.equal(bySequence.brokenAt, 18);
  assert.equal(
    bySequence.reason,
    'the log ends at entry 17 but entry ids up to 20 were issued: entries after 17 were deleted',
  );

  // Someone who also winds back SQLite's counter is still caught by the anchor.
  database.sqlite.prepare(`UPDATE sqlite_sequence SET seq = 17 WHERE name = 'audit_log'`).run();
  assert.equal((await repos.audit.verify()).ok, true, 'without anchors a cut tail leaves a valid chain');
  const report = await repos.audit.verify({ anchors: [anchor] });
  assert.equal(report.ok, false);
  assert.equal(report.brokenAt, 18);
  assert.equal(
    report.reason,
    `the log ends at entry 17 but anchor 1 (written 2026-03-02T08:01:00.000Z) says entry 20 with hash ${anchor.hash} existed: entries after 17 were deleted`,
  );
  database.close();
});

test('a tail replaced by new entries, or an anchored entry rewritten, fails against the anchor', async () => {
  const { database, repos } = await fill();
  const anchor = await anchorOf(repos, 1);
  database.sqlite.prepare('DELETE FROM audit_log WHERE id > 18').run();
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
  database.close();
});

test('a problem in the anchor file fails verification', async () => {
  const { database, repos } = await fill();
  const report = await repos.audit.verify({ anchorProblems: ['line 2 has anchor 3 where 2 was due'] });
  assert.equal(report.ok, false);
  assert.match(report.reason!, /the anchor file was altered: line 2 has anchor 3 where 2 was due/);
  database.close();
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
  const { sqlite } = database;
  const user = await repos.users.create({ email: 'j@x.org', name: 'J', passwordHash: 'x', roles: ['judge'] });
  sqlite.exec(`
    INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (${user.id}, 'c', 'C', '[]', '[]', 0);
    INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
      VALUES (1, 'R', 0, 1, 60, 1, 1, '[]', 'never', 'never', 0);
  `);
  const saved = await repos.judging.saveFinalisation({
    roundId: 1,
    createdAt: 7000,
    createdBy: user.id,
    hash: 'f'.repeat(64),
    predictionKind: null,
    actualValue: null,
    allCorrect: 0,
    participants: 0,
    boundaryTies: [],
    rows: [],
    audit: { at: 7000, actorId: user.id },
  });
  // The entry records the head before it, and is the head after.
  const entry = sqlite.prepare('SELECT id, hash, data FROM audit_log ORDER BY id DESC LIMIT 1').get() as {
    id: number;
    hash: string;
    data: string;
  };
  assert.deepEqual(saved.auditEntry, { id: entry.id, hash: entry.hash });
  const before = sqlite.prepare('SELECT id, hash FROM audit_log WHERE id = ?').get(entry.id - 1);
  assert.deepEqual((JSON.parse(entry.data) as { auditHead: unknown }).auditHead, before);
  assert.deepEqual(await repos.audit.finalisationEntry(1, saved.id), saved.auditEntry);
  assert.equal((await repos.audit.verify()).ok, true);

  sqlite.prepare('UPDATE round_finalisations SET hash = ? WHERE id = ?').run('e'.repeat(64), saved.id);
  const altered = await repos.audit.verify();
  assert.equal(altered.ok, false);
  assert.match(altered.reason!, /finalisation 1 of round 1 has hash e{64} but its entry \d+ records f{64}/);

  sqlite.prepare('DELETE FROM audit_log WHERE id >= ?').run(entry.id);
  sqlite.prepare(`UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'`).run(entry.id - 1);
  const report = await repos.audit.verify();
  assert.equal(report.ok, false);
  assert.match(
    report.reason!,
    /^finalisation 1 of round 1 \(1970-01-01T00:00:07.000Z\) has no round.finalize entry/,
  );
  database.close();
});
