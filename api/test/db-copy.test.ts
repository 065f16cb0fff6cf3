// `npm run db:copy` (scripts/db-copy.ts) run as the operator runs it, as a child process: a data
// directory with real content (the demo, 3,000 generated participants, attempts answered and
// submitted or expired through the server, a round finalised, reopened, finalised again and
// published, live games with players and answers, an image, shares) is copied into a fresh
// PostgreSQL database. Every table then holds the same rows (JSON as the same text), the audit
// chain verifies on the target against the copied anchors, and a server on the target (with the
// images and anchors copied to its own DATA_DIR, as the script tells the operator) answers the
// same as one on the source, to the same sessions. A second copy into the now filled database is
// refused with nothing written; a bad --to is named. The same test on either QUIZARENA_TEST_STORE:
// the source is always SQLite, the target always a new PostgreSQL database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTableName, is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import {
  ANCHOR_FILE_NAME,
  createRepositories,
  openDatabase,
  openPostgres,
  readAnchorFile,
  type Database,
  type QuestionSnapshot,
} from '@quizarena/db';
import * as pgSchema from '@quizarena/db/pg/schema';
import * as sqliteSchema from '@quizarena/db/schema';
import { createTestPgDatabase } from '@quizarena/db/testing';
import { DEMO_PASSWORD, DEMO_SLUG, generateParticipants, seedDemo } from '@quizarena/seed';
import { hashPassword } from '../src/services/passwords.ts';
import {
  answerKey,
  call,
  DAY,
  enter,
  makeApp,
  makeClock,
  ok,
  registerAccount,
  saveAnswer,
  signIn,
  startAttempt,
  submit,
  T0,
  type TestClock,
} from './helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

const withoutDataDir = () => {
  const env = { ...process.env };
  delete env.DATA_DIR;
  return env;
};

/** The script as the operator runs it (npm run db:copy -- …), from the repository root. */
function dbCopy(args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-copy.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: withoutDataDir(),
    timeout: 120_000,
  });
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    output: `${run.stdout}\n${run.stderr}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Every row of every table, comparable across the stores
// ---------------------------------------------------------------------------------------------

interface TableShape {
  name: string;
  columns: { name: string; pgType: string }[];
  key: { name: string; text: boolean }[];
}

function tableShapes(): TableShape[] {
  const pg = new Map(
    Object.values(pgSchema as Record<string, unknown>)
      .filter((v): v is PgTable => is(v, PgTable))
      .map((t) => [getTableName(t), pgTableConfig(t)]),
  );
  return Object.values(sqliteSchema as Record<string, unknown>)
    .filter((v): v is SQLiteTable => is(v, SQLiteTable))
    .map((t) => {
      const s = sqliteTableConfig(t);
      const p = pg.get(s.name);
      assert.ok(p, `${s.name} is in both schemas`);
      const single = s.columns.filter((c) => c.primary);
      const key = (single.length > 0 ? single : s.primaryKeys[0]!.columns).map((c) => ({
        name: c.name,
        text: c.getSQLType() === 'text',
      }));
      return { name: s.name, columns: p.columns.map((c) => ({ name: c.name, pgType: c.getSQLType() })), key };
    });
}

/**
 * A table's rows in key order as SQLite shows them: booleans 0/1, JSON as its stored text (on
 * PostgreSQL `::text` gives the json column's text back as it was written), text keys in byte order.
 */
async function dump(database: Database, table: TableShape): Promise<unknown[]> {
  const q = (n: string) => `"${n}"`;
  const pg = database.kind === 'postgres';
  const select = table.columns.map((c) => {
    if (pg && c.pgType === 'json') return `${q(c.name)}::text AS ${q(c.name)}`;
    if (pg && c.pgType === 'boolean') return `${q(c.name)}::int AS ${q(c.name)}`;
    return q(c.name);
  });
  const order = table.key.map((k) => (pg && k.text ? `${q(k.name)} COLLATE "C"` : q(k.name)));
  const { rows } = await database.query(
    `SELECT ${select.join(', ')} FROM ${q(table.name)} ORDER BY ${order.join(', ')}`,
  );
  return rows;
}

async function counts(database: Database, tables: TableShape[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await database.query<{ n: number }>(`SELECT count(*) AS n FROM "${t.name}"`);
    out[t.name] = Number(rows[0]!.n);
  }
  return out;
}

/** Everything a refused copy must leave as it was: every row, the audit counter, the sequences. */
async function targetState(database: Database, tables: TableShape[]) {
  const rows: Record<string, unknown[]> = {};
  for (const t of tables) rows[t.name] = await dump(database, t);
  const issued = (await database.query('SELECT * FROM audit_log_issued')).rows;
  const sequences = (
    await database.query(
      "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename",
    )
  ).rows;
  return { rows, issued, sequences };
}

// ---------------------------------------------------------------------------------------------
// The source: a data directory filled through the server and its repositories
// ---------------------------------------------------------------------------------------------

const u16le = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
/** A 1×1 GIF89a (the image service reads its type and size from the bytes). */
const GIF = Buffer.concat([
  Buffer.from('GIF89a', 'latin1'),
  u16le(1),
  u16le(1),
  Buffer.from([0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff]),
  Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00]),
  Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00, 0x3b]),
]);

interface Source {
  dir: string;
  file: string;
  clock: TestClock;
  week1: number;
  attemptId: number;
  liveGameId: number;
  imageUrl: string;
  cookies: { organiser: string; judge: string; admin: string; participant: string };
}

const fields = (fullName: string, unit: string, group: string) => ({
  fullName,
  dateOfBirth: '2004-05-19',
  phone: '0912345678',
  unit,
  group,
  locality: 'Vinh, Nghệ An',
});

async function buildSource(dir: string): Promise<Source> {
  const file = path.join(dir, 'quizarena.sqlite');
  const clock = makeClock(T0);
  const t = await makeApp(
    {
      dataDir: dir,
      databaseFile: file,
      databaseUrl: null,
      auditAnchorFile: path.join(dir, ANCHOR_FILE_NAME),
    },
    clock,
  );
  try {
    const { app } = t;
    const demo = await seedDemo(app.repos, { now: clock.now, hashPassword });
    const week1 = demo.roundIds[0]!;
    assert.equal(app.database.kind, 'sqlite');
    if (app.database.kind !== 'sqlite') throw new Error('the source is SQLite');
    generateParticipants(app.database, {
      roundId: week1,
      count: 3000,
      seed: 'db-copy',
      now: clock.now,
      emailPrefix: 'copy',
    });

    const cookies = {
      organiser: await signIn(app, 'organiser@quizarena.local', DEMO_PASSWORD),
      judge: await signIn(app, 'judge@quizarena.local', DEMO_PASSWORD),
      admin: await signIn(app, 'admin@quizarena.local', DEMO_PASSWORD),
      participant: await signIn(app, 'participant@quizarena.local', DEMO_PASSWORD),
    };
    const judge = (await app.repos.users.findByEmail('judge@quizarena.local'))!;
    await app.repos.authoring.share('bank', demo.bankId, judge.id);
    await app.repos.authoring.share('contest', demo.contestId, judge.id);
    const { image } = ok<{ image: { url: string } }>(
      await call(app, 'POST', '/api/images', {
        cookie: cookies.organiser,
        headers: { 'content-type': 'application/octet-stream' },
        payload: GIF,
      }),
      201,
    );

    // The demo participant: every save through the answer writer (one question changed twice),
    // 15 of 20 right, submitted with a prediction.
    await enter(app, DEMO_SLUG, cookies.participant, fields('Nguyễn Văn An', 'NA-DHV', 'B'));
    const attempt = await startAttempt(app, week1, cookies.participant);
    const key = await answerKey(app, attempt.id);
    for (const [i, q] of attempt.questions.entries()) {
      const k = key.get(q.id)!;
      if (i === 0) ok(await saveAnswer(app, attempt.id, q.id, [k.wrong[0]!], cookies.participant));
      ok(await saveAnswer(app, attempt.id, q.id, i < 15 ? k.right : [k.wrong[0]!], cookies.participant));
      clock.advance(1500);
    }
    await submit(app, attempt.id, cookies.participant, { prediction: 40 });
    // Another one saves two answers and leaves: the attempt expires when the round is finalised.
    const late = await registerAccount(app, 'late@example.test', 'Lê Thị Muộn');
    await enter(app, DEMO_SLUG, late.cookie, fields('Lê Thị Muộn', 'HN-DHQG', 'C'));
    const open = await startAttempt(app, week1, late.cookie);
    const lateKey = await answerKey(app, open.id);
    for (const q of open.questions.slice(0, 2)) {
      ok(await saveAnswer(app, open.id, q.id, lateKey.get(q.id)!.right, late.cookie));
    }

    // Finalised, reopened, finalised again and published by the judge.
    clock.set(T0 + 6 * DAY + 5_000);
    const judging = { cookie: cookies.judge };
    ok(await call(app, 'POST', `/api/rounds/${week1}/finalize`, judging));
    ok(
      await call(app, 'POST', `/api/rounds/${week1}/reopen`, {
        ...judging,
        payload: { reason: 'Kiểm tra lại một lượt thi / one attempt re-checked' },
      }),
    );
    ok(await call(app, 'POST', `/api/rounds/${week1}/finalize`, judging));
    ok(await call(app, 'POST', `/api/rounds/${week1}/publish-results`, judging));

    // A live game over three demo questions: three players, two questions answered and revealed,
    // one player kicked, then ended; and a second game still in its lobby with one player.
    const ids = (
      await app.database.query<{ id: number }>('SELECT id FROM questions ORDER BY id LIMIT 3')
    ).rows.map((r) => r.id);
    const newGame = async (title: string) =>
      ok<{ game: { id: number } }>(
        await call(app, 'POST', '/api/live/games', {
          cookie: cookies.organiser,
          payload: { bankId: demo.bankId, title, questions: { mode: 'ids', ids } },
        }),
        201,
      ).game.id;
    const gameId = await newGame('Giờ ra chơi / Break time');
    const join = async (id: number, nickname: string) => {
      const joined = await app.repos.liveWriter.join({
        gameId: id,
        nickname,
        nicknameKey: nickname.toLowerCase(),
        unit: null,
        tokenHash: createHash('sha256').update(`${id}:${nickname}`).digest('hex'),
        joinedAt: clock.now,
        maxPlayers: 1000,
      });
      assert.ok(joined.ok);
      return joined.player;
    };
    const players = [await join(gameId, 'An'), await join(gameId, 'Bình'), await join(gameId, 'Chí')];
    const questions = await app.repos.live.questions(gameId);
    for (const position of [0, 1]) {
      const opensAt = clock.now;
      const from =
        position === 0 ? { phase: 'lobby' as const, index: -1 } : { phase: 'reveal' as const, index: 0 };
      assert.ok(
        await app.repos.live.openQuestion(
          gameId,
          from,
          position,
          { opensAt, closesAt: opensAt + 20_000 },
          opensAt,
        ),
      );
      const shown: QuestionSnapshot = questions[position]!.snapshot;
      for (const [k, player] of players.entries()) {
        const correct = (k + position) % 2 === 0;
        const saved = await app.repos.liveWriter.saveAnswer({
          gameId,
          position,
          playerId: player.id,
          optionIds: correct
            ? shown.options.filter((o) => o.correct).map((o) => o.id)
            : [shown.options.find((o) => !o.correct)!.id],
          correct,
          elapsedMs: 1000 * (k + 1),
          answeredAt: opensAt + 1000 * (k + 1),
          score: (before) =>
            correct
              ? { points: 1000 + 100 * Math.min(before, 5), streak: before + 1 }
              : { points: 0, streak: 0 },
        });
        assert.equal(saved.ok, true);
      }
      clock.advance(20_000);
      assert.ok(await app.repos.live.reveal(gameId, position, clock.now));
    }
    assert.ok(await app.repos.live.kick(gameId, players[2]!.id, clock.now));
    assert.ok(await app.repos.live.end(gameId, clock.now));
    await join(await newGame('Sảnh chờ / Lobby'), 'Dũng');

    return {
      dir,
      file,
      clock,
      week1,
      attemptId: attempt.id,
      liveGameId: gameId,
      imageUrl: image.url,
      cookies,
    };
  } finally {
    // Closing flushes the writers and anchors the audit log's head in DATA_DIR.
    await t.close();
  }
}

// ---------------------------------------------------------------------------------------------

describe('npm run db:copy: a SQLite data directory into an empty PostgreSQL database', () => {
  const tables = tableShapes();
  let dir: string;
  let nodeDir: string;
  let source: Source;
  let target: Awaited<ReturnType<typeof createTestPgDatabase>>;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'quizarena-copy-'));
    nodeDir = mkdtempSync(path.join(os.tmpdir(), 'quizarena-node-'));
    source = await buildSource(dir);
    target = await createTestPgDatabase();
  });

  after(async () => {
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(nodeDir, { recursive: true, force: true });
  });

  test('copies every table, id and sequence; the counts are printed and the audit chain verifies', async () => {
    const sqlite = openDatabase(source.file);
    const before = await counts(sqlite, tables);
    await sqlite.close();
    for (const t of [
      'answer_log',
      'audit_log',
      'round_finalisations',
      'final_rankings',
      'live_answers',
      'live_players',
      'images',
      'bank_shares',
      'contest_shares',
      'sessions',
    ]) {
      assert.ok(before[t]! > 0, `the source has ${t} rows`);
    }
    assert.ok(before.round_results! > 3000);

    const run = dbCopy(['--data-dir', source.dir, '--to', target.url]);
    assert.equal(run.status, 0, run.output);
    // The counts table: every table once, the same number on both sides.
    const printed = new Map(
      [...run.stdout.matchAll(/^ {2}(\w+) +([\d,]+) +([\d,]+)$/gm)].map((m) => [
        m[1]!,
        [Number(m[2]!.replace(/,/g, '')), Number(m[3]!.replace(/,/g, ''))],
      ]),
    );
    assert.deepEqual([...printed.keys()].sort(), tables.map((t) => t.name).sort());
    for (const t of tables) assert.deepEqual(printed.get(t.name), [before[t.name], before[t.name]], t.name);
    assert.match(run.stdout, /Audit chain on PostgreSQL: intact/);
    assert.match(run.stdout, /DATA_DIR\/images/);
    assert.match(run.stdout, /audit-anchors\.log as is/);
    assert.match(run.stdout, /DATABASE_URL=/);
    assert.doesNotMatch(run.output, /WARNING/);

    const [from, to] = [openDatabase(source.file), await openPostgres(target.url, { pool: 2 })];
    try {
      // Every row, JSON as the same text, booleans as they were.
      for (const t of tables) assert.deepEqual(await dump(to, t), await dump(from, t), t.name);

      // Ids continue where SQLite's would, and the audit log's counter of ids issued is SQLite's.
      const seq = new Map(
        (await from.query<{ name: string; seq: number }>('SELECT name, seq FROM sqlite_sequence')).rows.map(
          (r) => [r.name, r.seq],
        ),
      );
      const { rows: sequences } = await to.query<{ sequencename: string; last_value: number | null }>(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'",
      );
      for (const t of ['users', 'attempts', 'answer_log', 'live_players', 'round_finalisations']) {
        const s = sequences.find((r) => r.sequencename === `${t}_id_seq`);
        assert.equal(Number(s?.last_value), seq.get(t), `${t} sequence`);
      }
      const { rows: issued } = await to.query<{ last_id: number }>('SELECT last_id FROM audit_log_issued');
      assert.deepEqual(issued, [{ last_id: seq.get('audit_log') }]);

      // The chain, the anchors and the finalised attempts' saves verify on the target.
      const { anchors, problems } = await readAnchorFile(path.join(source.dir, ANCHOR_FILE_NAME));
      assert.ok(anchors.length > 0, 'the server anchored the head');
      const [ours, theirs] = [createRepositories(from), createRepositories(to)];
      const report = await theirs.audit.verify({ anchors, anchorProblems: problems });
      assert.equal(report.ok, true, report.reason ?? '');
      assert.deepEqual(report, await ours.audit.verify({ anchors, anchorProblems: problems }));
      assert.ok(report.answerLogs >= 2, 'the submitted and the expired attempt have their saves checked');
      assert.equal(report.anchors, anchors.length);

      // The same answers through the repositories.
      const week1 = source.week1;
      for (const sort of ['rank', 'name', 'submitted', 'duration'] as const) {
        for (const query of [{}, { group: 'B' }, { q: 'nguyễn' }]) {
          const page = { sort, limit: 100, offset: 40, ...query };
          assert.deepEqual(
            await theirs.judging.results(week1, page),
            await ours.judging.results(week1, page),
          );
        }
      }
      const finalisation = await ours.reports.finalisation(week1);
      assert.ok(finalisation);
      assert.deepEqual(await theirs.reports.finalisation(week1), finalisation);
      for (const { groupKey } of await ours.reports.finalGroups(finalisation.id)) {
        assert.deepEqual(
          await theirs.reports.rankingPage(finalisation.id, groupKey, 0, 5000),
          await ours.reports.rankingPage(finalisation.id, groupKey, 0, 5000),
        );
      }
      assert.deepEqual(await theirs.attempts.results(week1), await ours.attempts.results(week1));
      assert.deepEqual(
        await theirs.live.allAnswers(source.liveGameId),
        await ours.live.allAnswers(source.liveGameId),
      );
      assert.deepEqual(
        await theirs.live.players(source.liveGameId),
        await ours.live.players(source.liveGameId),
      );
    } finally {
      await from.close();
      await to.close();
    }
  });

  test('a server on the copy answers as the one on the source, to the same sessions', async () => {
    // What the script tells the operator: the images and the anchor file into the node's DATA_DIR.
    cpSync(path.join(source.dir, 'images'), path.join(nodeDir, 'images'), { recursive: true });
    copyFileSync(path.join(source.dir, ANCHOR_FILE_NAME), path.join(nodeDir, ANCHOR_FILE_NAME));
    const clock = makeClock(source.clock.now + 60_000);
    const before = await (async () => {
      const sqlite = openDatabase(source.file);
      try {
        return await counts(sqlite, tables);
      } finally {
        await sqlite.close();
      }
    })();
    const onSqlite = await makeApp(
      {
        dataDir: source.dir,
        databaseFile: source.file,
        databaseUrl: null,
        auditAnchorFile: path.join(source.dir, ANCHOR_FILE_NAME),
      },
      clock,
    );
    const onPg = await makeApp(
      { dataDir: nodeDir, databaseUrl: target.url, auditAnchorFile: path.join(nodeDir, ANCHOR_FILE_NAME) },
      clock,
    );
    try {
      const { organiser, judge, admin, participant } = source.cookies;
      const r = source.week1;
      const g = source.liveGameId;
      const gets: [string, string | undefined][] = [
        ['/api/auth/me', participant],
        [`/api/rounds/${r}/results`, judge],
        [`/api/rounds/${r}/results?sort=name&limit=200&offset=100`, judge],
        [`/api/rounds/${r}/results?sort=duration&group=A`, judge],
        [`/api/rounds/${r}/results?q=tr%E1%BA%A7n`, judge],
        [`/api/rounds/${r}/results.csv`, judge],
        [`/api/rounds/${r}/public-results`, undefined],
        [`/api/rounds/${r}/leaderboard`, undefined],
        [`/api/attempts/${source.attemptId}`, participant],
        [`/api/live/games`, organiser],
        [`/api/live/games/${g}/report`, organiser],
        ['/api/audit?limit=100', admin],
        ['/api/audit/verify', admin],
        [source.imageUrl, undefined],
      ];
      for (const [url, cookie] of gets) {
        const [a, b] = [
          await call(onSqlite.app, 'GET', url, cookie ? { cookie } : {}),
          await call(onPg.app, 'GET', url, cookie ? { cookie } : {}),
        ];
        assert.equal(a.statusCode, 200, `${url} on SQLite: ${a.body.slice(0, 200)}`);
        assert.equal(b.statusCode, 200, `${url} on PostgreSQL: ${b.body.slice(0, 200)}`);
        assert.ok(a.rawPayload.equals(b.rawPayload), `${url} reads the same on both stores`);
      }
      assert.equal(
        ok<{ ok: boolean }>(await call(onPg.app, 'GET', '/api/audit/verify', { cookie: admin })).ok,
        true,
      );
    } finally {
      await onSqlite.close();
      await onPg.close();
    }
    // Reading changed nothing on the source (the refusal below compares the target with itself).
    const sqlite = openDatabase(source.file);
    try {
      assert.deepEqual(await counts(sqlite, tables), before);
    } finally {
      await sqlite.close();
    }
  });

  test('a second copy into the now filled database is refused, and nothing is written', async () => {
    const pg = await openPostgres(target.url, { pool: 1 });
    try {
      const state = await targetState(pg, tables);
      const run = dbCopy(['--data-dir', source.dir, '--to', target.url]);
      assert.equal(run.status, 1, run.output);
      assert.match(run.stderr, /Refusing to copy: the target .* is not empty \(.*users: [\d,]+ rows/);
      assert.match(run.stderr, /Nothing was written/);
      assert.doesNotMatch(run.stdout, /Copied/);
      assert.deepEqual(await targetState(pg, tables), state);
    } finally {
      await pg.close();
    }
  });

  test('a bad --to, no --to or no database in the data directory: a clear message, exit code 1', () => {
    for (const [args, message] of [
      [['--to', 'mysql://user@host/db'], /--to must start with postgres:\/\/ or postgresql:\/\//],
      [['--to', 'postgres://postgres@127.0.0.1:1/quizarena'], /--to: cannot use PostgreSQL at/],
      [[], /--to is required/],
      [['--to', target.url, '--bogus'], /Unknown option '--bogus'[\s\S]*Usage: npm run db:copy/],
    ] as const) {
      const run = dbCopy(['--data-dir', source.dir, ...args]);
      assert.equal(run.status, 1, run.output);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.output, /\n\s+at /, 'no stack trace');
    }
    const empty = mkdtempSync(path.join(os.tmpdir(), 'quizarena-empty-'));
    try {
      const run = dbCopy(['--data-dir', empty, '--to', target.url]);
      assert.equal(run.status, 1, run.output);
      assert.match(
        run.stderr,
        /No database at .*quizarena\.sqlite: give the server's data directory with --data-dir/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
