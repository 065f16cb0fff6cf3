// The two stores give the same official results: one generated round loaded into SQLite and into
// PostgreSQL (same contest, same participants from the same seed, same clock) finalises to the same
// snapshot hash, and the results pages, statistics, leaderboard and exports (CSV and XLSX) come out
// byte for byte the same. Always runs on both stores, whatever QUIZARENA_TEST_STORE says.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestPgDatabase } from '@quizarena/db/testing';
import { generateParticipantsIn } from '@quizarena/seed';
import { makeApp, makeClock, registerAccount, type TestApp } from '../helpers.ts';
import { finalise, get, makeReportRound } from '../routes/report-fixtures.ts';

const N = 3_000;
const BANDS = [
  { name: 'Giải Nhất / First prize', count: 1 },
  { name: 'Giải Nhì / Second prize', count: 3 },
  { name: 'Giải Ba / Third prize', count: 10 },
];

interface Outcome {
  hash: string;
  pages: string[];
  csv: Buffer;
  xlsx: Buffer;
  statistics: string;
  statisticsXlsx: Buffer;
  leaderboard: string;
}

async function run(t: TestApp): Promise<Outcome> {
  // Fixed names: the exports print who finalised.
  const judge = await registerAccount(t.app, 'judge@stores-agree.test', 'Trọng tài');
  await t.app.repos.users.update(judge.id, { roles: ['judge'] });
  await t.app.forgetUser(judge.id);
  const r = await makeReportRound(t, {
    questions: 5,
    prediction: { prompt: 'Bao nhiêu người đúng tất cả?', kind: 'count' },
    prizeBands: BANDS,
    slug: 'stores-agree',
  });
  await generateParticipantsIn(t.app.database, {
    roundId: r.roundId,
    count: N,
    seed: 'stores-agree',
    emailPrefix: 'agree',
    now: t.clock.now,
  });
  const { hash } = await finalise(t, r.roundId, judge.cookie);
  const body = async (url: string) => {
    const res = await get(t.app, url, judge.cookie);
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
    return res;
  };
  const pages: string[] = [];
  for (const query of [
    'limit=100&offset=0',
    'limit=100&offset=2900',
    'sort=name&limit=200&offset=100',
    'sort=duration&limit=50&offset=0',
    'sort=submitted&limit=50&offset=1000',
    'q=nguy%E1%BB%85n&limit=50&offset=0',
    'group=B&limit=50&offset=0',
  ]) {
    pages.push((await body(`/api/rounds/${r.roundId}/results?${query}`)).body);
  }
  return {
    hash,
    pages,
    csv: (await body(`/api/rounds/${r.roundId}/results.csv`)).rawPayload,
    xlsx: (await body(`/api/rounds/${r.roundId}/results.xlsx`)).rawPayload,
    statistics: (await body(`/api/rounds/${r.roundId}/statistics`)).body,
    statisticsXlsx: (await body(`/api/rounds/${r.roundId}/statistics.xlsx`)).rawPayload,
    leaderboard: (await body(`/api/rounds/${r.roundId}/leaderboard?limit=100&offset=0`)).body,
  };
}

describe('SQLite and PostgreSQL give the same official results', () => {
  let sqlite: TestApp;
  let postgres: TestApp;
  let drop: () => Promise<void> = async () => undefined;
  let a: Outcome;
  let b: Outcome;

  before(async () => {
    const pg = await createTestPgDatabase();
    drop = pg.drop;
    sqlite = await makeApp({ databaseFile: ':memory:', databaseUrl: null }, makeClock());
    postgres = await makeApp({ databaseUrl: pg.url }, makeClock());
    a = await run(sqlite);
    b = await run(postgres);
  });
  after(async () => {
    await sqlite?.close();
    await postgres?.close();
    await drop();
  });

  test('the same finalisation snapshot hash', () => {
    assert.match(a.hash, /^[0-9a-f]{64}$/);
    assert.equal(b.hash, a.hash);
  });
  test('the same results pages (rank, name, duration and submission orders, search, group)', () => {
    for (let i = 0; i < a.pages.length; i++) assert.equal(b.pages[i], a.pages[i], `page ${i}`);
    assert.equal(JSON.parse(a.pages[0]!).total, N);
  });
  test('byte-identical CSV and XLSX exports', () => {
    assert.ok(a.csv.length > 100_000, `${a.csv.length} bytes`);
    assert.ok(b.csv.equals(a.csv), 'results.csv');
    assert.ok(b.xlsx.equals(a.xlsx), 'results.xlsx');
    assert.ok(b.statisticsXlsx.equals(a.statisticsXlsx), 'statistics.xlsx');
  });
  test('the same statistics and leaderboard', () => {
    assert.equal(b.statistics, a.statistics);
    assert.equal(b.leaderboard, a.leaderboard);
  });
});
