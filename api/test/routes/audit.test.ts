// The audit log viewer (judges, admins) with its filters and paging, the chain check (admins) that
// finds a row altered behind the API's back, and `npm run audit:verify` on a database file; the
// anchors outside the database that show a log cut back at its end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatAnchor, readAnchorFile } from '@quizarena/db';
import { windBackIds } from '@quizarena/db/testing';
import {
  call,
  makeAccountWithRoles,
  makeApp,
  makeContestWithRound,
  makeParticipant,
  ok,
  refusal,
  takeRound,
  tempDatabase,
  type Account,
  type ContestFixture,
  type TestApp,
} from '../helpers.ts';
import { get, loadWorkbook, sheetRows } from './report-fixtures.ts';

interface Entry {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string;
  data: Record<string, unknown>;
  ip: string | null;
  hash: string;
  prevHash: string;
}
interface Page {
  total: number;
  entries: Entry[];
}
interface Report {
  ok: boolean;
  checked: number;
  brokenAt: number | null;
  reason: string | null;
  anchors: number;
  answerLogs: number;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** Two participants' attempts (start + submit each) and three contest entries by an organiser. */
async function fill(t: TestApp) {
  const f = await makeContestWithRound(t.app, { questions: 2 });
  const people = [await makeParticipant(t.app, f.slug), await makeParticipant(t.app, f.slug)];
  for (const p of people) await takeRound(t, f.roundId, p.cookie, { rightCount: 1, takeMs: 30_000 });
  for (let i = 1; i <= 3; i++) {
    await t.app.repos.audit.append({
      at: t.clock.now + i,
      actorId: f.organiser.id,
      action: 'contest.update',
      targetType: 'contest',
      targetId: f.contestId,
      data: { title: `Cuộc thi ${i}` },
      ip: '10.0.0.1',
    });
  }
  return { f, people };
}

describe('the audit log', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let judge: Account;
  let admin: Account;
  let f: ContestFixture;
  let people: Account[];

  before(async () => {
    judge = await makeAccountWithRoles(app, ['judge'], 'judge');
    admin = await makeAccountWithRoles(app, ['admin'], 'admin');
    ({ f, people } = await fill(t));
  });

  const list = async (query: string, cookie = judge.cookie) =>
    ok<Page>(await get(app, `/api/audit${query}`, cookie));

  test('who may read it and who may verify it', async () => {
    refusal(await get(app, '/api/audit'), 401, 'UNAUTHENTICATED');
    refusal(await get(app, '/api/audit', people[0]!.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, '/api/audit', f.organiser.cookie), 403, 'FORBIDDEN');
    ok(await get(app, '/api/audit', admin.cookie));
    refusal(await get(app, '/api/audit/verify'), 401, 'UNAUTHENTICATED');
    refusal(await get(app, '/api/audit/verify', people[0]!.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, '/api/audit/verify', judge.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, '/api/audit?limit=0', judge.cookie), 400);
    refusal(await get(app, '/api/audit?actorId=abc', judge.cookie), 400);
  });

  test('entries come newest first, with the actor and ISO times', async () => {
    const page = await list('');
    // Other actions (authoring, say) may be audited too: look at the ones this test made.
    assert.ok(page.total >= 7);
    assert.deepEqual(
      page.entries.slice(0, 3).map((e) => e.action),
      ['contest.update', 'contest.update', 'contest.update'],
    );
    assert.deepEqual(
      page.entries.filter((e) => e.action.startsWith('attempt.')).map((e) => e.action),
      ['attempt.submit', 'attempt.start', 'attempt.submit', 'attempt.start'],
    );
    assert.ok(page.entries.every((e, i) => i === 0 || e.id < page.entries[i - 1]!.id));
    const newest = page.entries[0]!;
    assert.deepEqual(
      [newest.actorId, newest.actorName, newest.targetType, newest.targetId, newest.data, newest.ip],
      [
        f.organiser.id,
        'organiser account',
        'contest',
        String(f.contestId),
        { title: 'Cuộc thi 3' },
        '10.0.0.1',
      ],
    );
    assert.match(newest.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(newest.prevHash, page.entries[1]!.hash, 'each entry links to the one before');
  });

  test('filters by action, target and actor, and pages', async () => {
    assert.equal((await list('?action=attempt.start')).total, 2);
    assert.deepEqual(
      (await list(`?actorId=${people[1]!.id}`)).entries.map((e) => e.action),
      ['attempt.submit', 'attempt.start'],
    );
    const attempts = await list('?targetType=attempt');
    assert.equal(attempts.total, 4);
    const one = await list(`?targetType=attempt&targetId=${attempts.entries[0]!.targetId}`);
    assert.deepEqual(
      one.entries.map((e) => e.action),
      ['attempt.submit', 'attempt.start'],
    );
    assert.equal(
      (await list(`?action=contest.update&actorId=${f.organiser.id}&targetId=${f.contestId}`)).total,
      3,
    );
    assert.equal((await list('?action=nothing.like.this')).total, 0);
    const paged = await list('?limit=2&offset=1', admin.cookie);
    assert.equal(paged.total, (await list('')).total);
    assert.deepEqual(
      paged.entries.map((e) => e.data.title),
      ['Cuộc thi 2', 'Cuộc thi 1'],
    );
  });

  test('verify reports an intact chain, then the row altered in SQL', async () => {
    assert.deepEqual(ok<Report>(await get(app, '/api/audit/verify', admin.cookie)), {
      ok: true,
      checked: (await list('')).total,
      brokenAt: null,
      reason: null,
      // In memory: no anchor file. Both submitted attempts' saves match their entries.
      anchors: 0,
      answerLogs: 2,
    });
    const target = (await list('?action=attempt.submit')).entries.at(-1)!;
    await app.database.query('UPDATE audit_log SET data = ? WHERE id = ?', ['{"score":100}', target.id]);
    const report = ok<Report>(await get(app, '/api/audit/verify', admin.cookie));
    assert.equal(report.ok, false);
    assert.equal(report.brokenAt, target.id);
    assert.equal(report.checked, target.id - 1);
    assert.match(report.reason!, /altered/);
  });
});

/** The script on DATA_DIR's SQLite file, or with `url` on that PostgreSQL database (PostgreSQL runs). */
const runVerify = (dataDir: string, env: Record<string, string> = {}, url: string | null = null) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}), ...env },
    encoding: 'utf8',
  });

describe('npm run audit:verify', () => {
  test('exits 0 on an intact chain and 1 once a row is altered; 2 without a database', async () => {
    const db = await tempDatabase();
    const t = await makeApp({ ...db.store });
    try {
      await fill(t);
      const dir = path.dirname(db.file);
      const good = runVerify(dir, {}, db.store.databaseUrl);
      assert.equal(good.status, 0, good.stderr);
      const total = (await t.app.repos.reports.auditPage({}, 1, 0)).total;
      assert.match(good.stdout, new RegExp(`Audit chain intact: ${total} entries checked`));

      await t.app.database.query(`UPDATE audit_log SET data = '{"forged":true}' WHERE id = 3`);
      const bad = runVerify(dir, {}, db.store.databaseUrl);
      assert.equal(bad.status, 1, bad.stdout);
      assert.match(bad.stderr, /BROKEN at entry 3/);

      const none = runVerify(
        path.join(dir, 'nowhere'),
        {},
        db.store.databaseUrl?.replace(/\/[^/]*$/, '/quizarena_no_such_db') ?? null,
      );
      assert.equal(none.status, 2);
    } finally {
      await t.close();
      await db.remove();
    }
  });
});

describe('anchors of the audit log outside the database', () => {
  test('a log that lost its newest entries fails verify (API and script); untouched, it passes', async () => {
    const db = await tempDatabase();
    const dir = path.dirname(db.file);
    const anchorFile = path.join(dir, 'audit-anchors.log');
    const config = { ...db.store, auditAnchorFile: anchorFile };
    let t = await makeApp(config);
    try {
      const admin = await makeAccountWithRoles(t.app, ['admin'], 'admin');
      const judge = await makeAccountWithRoles(t.app, ['judge'], 'judge');
      const { f } = await fill(t);

      // Finalising anchors at once, and says which entry it is.
      t.clock.advance(8 * 86_400_000);
      const { finalisation } = ok<{ finalisation: { auditEntry: { id: number; hash: string } } }>(
        await call(t.app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: judge.cookie }),
      );
      const head = (await t.app.repos.audit.head())!;
      assert.deepEqual(finalisation.auditEntry, head);
      assert.deepEqual(
        (await readAnchorFile(anchorFile)).anchors.map((a) => [a.seq, a.id, a.hash]),
        [[1, head.id, head.hash]],
      );
      const entry = (await t.app.repos.audit.list({ action: 'round.finalize' }, 1, 0))[0]!;
      assert.deepEqual(entry.data.auditHead, {
        id: head.id - 1,
        hash: entry.prevHash,
      });
      // The export carries it too: a copy of the file outside the server anchors the log.
      const xlsx = await get(t.app, `/api/rounds/${f.roundId}/results.xlsx`, judge.cookie);
      assert.equal(xlsx.statusCode, 200, xlsx.body.slice(0, 200));
      const round = new Map(
        sheetRows((await loadWorkbook(xlsx.rawPayload)).getWorksheet('Round')!, 2).map(([k, v]) => [k, v]),
      );
      assert.equal(
        round.get('Mục nhật ký kiểm toán của bản chốt / Audit log entry of the finalisation'),
        head.id,
      );
      assert.equal(round.get('Mã băm mục nhật ký (SHA-256) / Audit log entry hash (SHA-256)'), head.hash);

      // More entries, then a shutdown: the head is anchored again on the way out.
      await t.app.repos.audit.append({
        at: t.clock.now,
        actorId: null,
        action: 'x',
        targetType: 't',
        targetId: 1,
      });
      await t.close();
      const anchors = (await readAnchorFile(anchorFile)).anchors;
      assert.deepEqual(
        anchors.map((a) => [a.seq, a.id]),
        [
          [1, head.id],
          [2, head.id + 1],
        ],
      );

      t = await makeApp(config);
      const verify = async () => ok<Report>(await get(t.app, '/api/audit/verify', admin.cookie));
      const intact = await verify();
      assert.deepEqual([intact.ok, intact.anchors, intact.answerLogs], [true, 2, 2]);
      assert.equal(runVerify(dir, {}, db.store.databaseUrl).status, 0);
      // Several nodes' files at once (AUDIT_ANCHORS=a,b): node B's own file anchors the newest entry.
      const nodeA = path.join(dir, 'node-a.log');
      const nodeB = path.join(dir, 'node-b.log');
      writeFileSync(nodeA, formatAnchor(anchors[0]!));
      writeFileSync(nodeB, formatAnchor({ ...anchors[1]!, seq: 1 }));
      const both = runVerify(dir, { AUDIT_ANCHORS: `${nodeA},${nodeB}` }, db.store.databaseUrl);
      assert.equal(both.status, 0, both.stderr);
      assert.match(both.stdout, /2 of 2 anchors found \(2 files\)/);

      // The newest entries deleted, and SQLite's id counter wound back to hide it.
      const cut = head.id - 2;
      await t.app.database.query('DELETE FROM audit_log WHERE id > ?', [cut]);
      await windBackIds(t.app.database, 'audit_log', cut);
      const report = await verify();
      assert.equal(report.ok, false);
      assert.equal(report.brokenAt, cut + 1);
      assert.match(
        report.reason!,
        new RegExp(
          `^the log ends at entry ${cut} but anchor 2 \\(written [^)]+\\) says entry ${head.id + 1} with hash ${anchors[1]!.hash} existed: entries after ${cut} were deleted$`,
        ),
      );
      const script = runVerify(dir, {}, db.store.databaseUrl);
      assert.equal(script.status, 1, script.stdout);
      assert.match(
        script.stderr,
        new RegExp(`BROKEN at entry ${cut + 1}: the log ends at entry ${cut} but anchor 2`),
      );
      // A copy of the anchors kept elsewhere (AUDIT_ANCHORS) is checked the same way.
      const copy = path.join(dir, 'offsite-copy.log');
      copyFileSync(anchorFile, copy);
      rmSync(anchorFile);
      // Without anchors, the finalisation whose entry was cut off still gives it away.
      const unanchored = runVerify(dir, {}, db.store.databaseUrl);
      assert.equal(unanchored.status, 1, unanchored.stdout);
      assert.match(unanchored.stderr, /finalisation \d+ of round \d+ \([^)]+\) has no round\.finalize entry/);
      const offsite = runVerify(dir, { AUDIT_ANCHORS: copy }, db.store.databaseUrl);
      assert.equal(offsite.status, 1, offsite.stdout);
      assert.match(offsite.stderr, /anchor 2 .* says entry/);
      assert.equal(
        runVerify(dir, { AUDIT_ANCHORS: path.join(dir, 'no-such-copy.log') }, db.store.databaseUrl).status,
        2,
      );
      // Node B's file alone gives the deletion away, and says which file's anchor did.
      const byB = runVerify(dir, { AUDIT_ANCHORS: `${nodeA}, ${nodeB}` }, db.store.databaseUrl);
      assert.equal(byB.status, 1, byB.stdout);
      assert.ok(byB.stderr.includes(`anchor 1 of ${nodeB} (written`), byB.stderr);
      // A file with a line removed is reported with its name; one missing file of several is exit 2.
      writeFileSync(nodeA, formatAnchor({ ...anchors[0]!, seq: 2 }));
      const edited = runVerify(dir, { AUDIT_ANCHORS: `${nodeA},${copy}` }, db.store.databaseUrl);
      assert.equal(edited.status, 1, edited.stdout);
      assert.ok(edited.stderr.includes(`${nodeA}: line 1 has anchor 2 where 1 was due`), edited.stderr);
      assert.equal(
        runVerify(dir, { AUDIT_ANCHORS: `${nodeA},${path.join(dir, 'gone.log')}` }, db.store.databaseUrl)
          .status,
        2,
      );
    } finally {
      await t.close();
      await db.remove();
    }
  });

  test('the anchor timer writes the head when it moved, once', async () => {
    const db = await tempDatabase();
    const anchorFile = path.join(path.dirname(db.file), 'audit-anchors.log');
    const t = await makeApp({
      ...db.store,
      auditAnchorFile: anchorFile,
      auditAnchorIntervalMs: 20,
    });
    try {
      await t.app.repos.audit.append({
        at: t.clock.now,
        actorId: null,
        action: 'x',
        targetType: 't',
        targetId: 1,
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const { anchors } = await readAnchorFile(anchorFile);
      assert.deepEqual(
        anchors.map((a) => [a.seq, a.id]),
        [[1, (await t.app.repos.audit.head())!.id]],
      );
    } finally {
      await t.close();
      await db.remove();
    }
  });
});
