// Two in-process API nodes (buildApp through makeApp) over one PostgreSQL database and one Redis,
// whatever QUIZARENA_TEST_STORE says (issue #8): races across the nodes decide once (attempt
// starts, a submit against saves, both sweepers on the same overdue attempts), a judge's void and
// an admin's role change on one node are effective on the other within a second, rate limits are
// one budget however requests are spread, and a leaderboard socket on one node gets the other
// node's submissions, coalesced under a burst.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import type { LightMyRequestResponse } from 'fastify';
import { createTestPgDatabase } from '@quizarena/db/testing';
import {
  answerAttempt,
  answerKey,
  call,
  cleanRedis,
  closeSocket,
  enter,
  getAttempt,
  inbox,
  makeAccountWithRoles,
  makeApp,
  makeClock,
  makeContestWithRound,
  makeOrganiser,
  makeParticipant,
  ok,
  REDIS_URL,
  redisPrefix,
  refusal,
  registerAccount,
  saveAnswer,
  sleep,
  startAttempt,
  submit,
  takeRound,
  type Account,
  type LeaderboardPage,
  type TestApp,
  type TestClock,
  type WsMessage,
  injectSocket,
} from '../helpers.ts';
import type { Config } from '../../src/config.ts';
import { requireRedis, within } from './process-helpers.ts';

interface Nodes {
  a: TestApp;
  b: TestApp;
  clock: TestClock;
  close(): Promise<void>;
}

/** Two nodes on a fresh PostgreSQL database and a fresh Redis prefix, sharing one clock. */
async function twoNodes(overrides: Partial<Config> = {}): Promise<Nodes> {
  await requireRedis();
  const database = await createTestPgDatabase();
  const prefix = redisPrefix();
  const clock = makeClock();
  const shared = { ...overrides, databaseUrl: database.url, redisUrl: REDIS_URL, redisPrefix: prefix };
  const started: TestApp[] = [];
  const close = async () => {
    for (const t of started) await t.close();
    await cleanRedis(prefix);
    await database.drop();
  };
  try {
    started.push(await makeApp(shared, clock));
    started.push(await makeApp(shared, clock));
  } catch (err) {
    await close();
    throw err;
  }
  return { a: started[0]!, b: started[1]!, clock, close };
}

const board = async (t: TestApp, roundId: number, cookie?: string): Promise<LeaderboardPage> =>
  ok<LeaderboardPage>(await call(t.app, 'GET', `/api/rounds/${roundId}/leaderboard`, { cookie }));

const codeOf = (res: LightMyRequestResponse): string =>
  res.statusCode === 201 ? '201' : `${res.statusCode} ${res.json<{ code: string }>().code}`;

describe('two nodes over one PostgreSQL and one Redis', () => {
  let nodes: Nodes;
  const sockets: WebSocket[] = [];

  before(async () => {
    nodes = await twoNodes();
  });
  after(async () => {
    await Promise.all(sockets.map(closeSocket));
    await nodes?.close();
  });

  test('(a) 20 starts of one participant racing over both nodes: one attempt, and the limit holds', async () => {
    const { a, b } = nodes;
    const f = await makeContestWithRound(a.app, { questions: 3, maxAttempts: 2 });
    const p = await makeParticipant(a.app, f.slug);
    const race = () =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call((i % 2 === 0 ? a : b).app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }),
        ),
      );
    const attempts = () => a.app.repos.attempts.ofParticipant(f.roundId, p.id);

    for (const [n, finishOn] of [
      [1, b],
      [2, a],
    ] as const) {
      const results = await race();
      const created = results.filter((r) => r.statusCode === 201);
      assert.equal(created.length, 1, `race ${n}: ${results.map(codeOf).join(', ')}`);
      const id = created[0]!.json<{ attempt: { id: number } }>().attempt.id;
      for (const r of results.filter((x) => x.statusCode !== 201)) {
        assert.equal(refusal(r, 409, 'ATTEMPT_IN_PROGRESS').attemptId, id, 'the refusal names the attempt');
      }
      assert.equal((await attempts()).length, n, `race ${n}: ${n} attempt(s) in all`);
      await submit(finishOn.app, id, p.cookie);
    }
    const last = await race();
    assert.deepEqual(
      new Set(last.map(codeOf)),
      new Set(['409 ATTEMPT_LIMIT']),
      'no third attempt on either node',
    );
    assert.equal((await attempts()).length, 2);
  });

  test('(b) a submit on A racing saves on B is never half-applied', async () => {
    const { a, b } = nodes;
    const f = await makeContestWithRound(a.app, { questions: 5, maxAttempts: 1 });
    let acceptedInAll = 0;
    let refusedInAll = 0;
    for (let trial = 0; trial < 10; trial++) {
      const p = await makeParticipant(a.app, f.slug);
      const attempt = await startAttempt(a.app, f.roundId, p.cookie);
      const key = await answerKey(a.app, attempt.id);
      // Every save is the right answer to its own question: the score counts the saves it took.
      const saves = attempt.questions.map((q) =>
        saveAnswer(b.app, attempt.id, q.id, key.get(q.id)!.right, p.cookie),
      );
      // The submit leaves a little later each trial: before, among and after the saves.
      const submitted = sleep(trial * 4).then(() =>
        call(a.app, 'POST', `/api/attempts/${attempt.id}/submit`, { cookie: p.cookie, payload: {} }),
      );
      const [saveResults, submitResult] = await Promise.all([Promise.all(saves), submitted]);
      const accepted = new Set<number>();
      saveResults.forEach((r, i) => {
        if (r.statusCode === 200) accepted.add(attempt.questions[i]!.id);
        else refusal(r, 409, 'ATTEMPT_CLOSED');
      });
      const result = ok<{ attempt: { correctCount: number; score: number } }>(submitResult).attempt;
      assert.equal(result.correctCount, accepted.size, `trial ${trial}: ${accepted.size} saves acknowledged`);
      const stored = await getAttempt(b.app, attempt.id, p.cookie);
      assert.equal(stored.status, 'submitted');
      assert.deepEqual(
        new Set(stored.answers.map((x) => x.questionId)),
        accepted,
        `trial ${trial}: the stored answers are the acknowledged ones, all scored`,
      );
      const logged = await a.app.database.query<{ n: number }>(
        'SELECT count(*) AS n FROM answer_log WHERE attempt_id = ?',
        [attempt.id],
      );
      assert.equal(Number(logged.rows[0]!.n), accepted.size, `trial ${trial}: no refused save in answer_log`);
      acceptedInAll += accepted.size;
      refusedInAll += saveResults.length - accepted.size;
    }
    console.log(`submit racing saves: ${acceptedInAll} saves before the submit, ${refusedInAll} after it`);
  });

  test('(d) a void on A is effective on B within 1 s', async () => {
    const { a, b } = nodes;
    const judge = await makeAccountWithRoles(a.app, ['judge']);
    const f = await makeContestWithRound(a.app, { questions: 2, maxAttempts: 1 });
    const cheat = await makeParticipant(a.app, f.slug, { fullName: 'Bị Hủy Bài' });
    const honest = await makeParticipant(a.app, f.slug, { fullName: 'Trung Thực' });
    const voided = await takeRound(a, f.roundId, cheat.cookie, { takeMs: 5_000 });
    await takeRound(a, f.roundId, honest.cookie, { rightCount: 1, takeMs: 5_000 });
    await within(1000, 'both on B', async () => (await board(b, f.roundId)).total === 2);
    const mine = async () =>
      ok<{ round: { me: { best: unknown } | null } }>(
        await call(b.app, 'GET', `/api/rounds/${f.roundId}`, { cookie: cheat.cookie }),
      ).round.me;
    assert.notEqual((await mine())?.best, null, 'B counts the attempt before the void');

    ok(
      await call(a.app, 'POST', `/api/attempts/${voided.id}/void`, {
        cookie: judge.cookie,
        payload: { reason: 'copied answers' },
      }),
    );
    const took = await within(1000, 'the void on A seen on B', async () => {
      const seen = await board(b, f.roundId);
      return seen.total === 1 && !seen.entries.some((e) => e.participantId === cheat.id);
    });
    assert.equal((await mine())?.best, null, 'B no longer counts it for the participant');
    const me = ok<{ entry: unknown }>(
      await call(b.app, 'GET', `/api/rounds/${f.roundId}/leaderboard/me`, { cookie: cheat.cookie }),
    );
    assert.equal(me.entry, null);
    assert.equal((await getAttempt(b.app, voided.id, cheat.cookie)).status, 'voided');
    assert.deepEqual(
      (await board(b, f.roundId)).entries.map((e) => e.participantId),
      [honest.id],
    );
    console.log(`void on A effective on B after ${took} ms`);
  });

  test('(e) a role taken away on A is effective on B within 1 s', async () => {
    const { a, b } = nodes;
    const admin = await makeAccountWithRoles(a.app, ['admin']);
    const organiser = await makeOrganiser(a.app);
    // B serves the organiser first, so that the session and its roles are in B's cache.
    ok(await call(b.app, 'GET', '/api/banks', { cookie: organiser.cookie }));
    ok(
      await call(a.app, 'PUT', `/api/admin/users/${organiser.id}/roles`, {
        cookie: admin.cookie,
        payload: { roles: ['participant'] },
      }),
    );
    const took = await within(
      1000,
      'the role change on A seen by B',
      async () => (await call(b.app, 'GET', '/api/banks', { cookie: organiser.cookie })).statusCode === 403,
    );
    refusal(
      await call(b.app, 'POST', '/api/banks', {
        cookie: organiser.cookie,
        payload: { name: 'Not any more' },
      }),
      403,
    );
    console.log(`role change on A effective on B after ${took} ms`);
  });

  test('(g) a socket on B gets the push of a submission on A; a burst of 50 on A is coalesced on B', async () => {
    const { a, b } = nodes;
    const f = await makeContestWithRound(a.app, { questions: 2, maxAttempts: 1 });
    const topic = `round:${f.roundId}:leaderboard`;
    const isBoard = (m: WsMessage) => m.type === 'leaderboard' && m.topic === topic;
    const socket = await injectSocket(b.app, '/api/ws');
    sockets.push(socket);
    const box = inbox(socket);
    socket.send(JSON.stringify({ type: 'subscribe', topic }));
    assert.equal((await box.next(isBoard)).total, 0);

    const first = await makeParticipant(a.app, f.slug, { fullName: 'Trên nút A' });
    const at = Date.now();
    await takeRound(a, f.roundId, first.cookie, { takeMs: 7_000 });
    const push = await box.next((m) => isBoard(m) && m.total === 1, 3000);
    assert.deepEqual(push.entries, [
      { rank: 1, participantId: first.id, name: 'Trên nút A', unit: null, score: 2, durationMs: 7_000 },
    ]);
    console.log(`push on B ${Date.now() - at} ms after the submission on A`);

    const players = await Promise.all(Array.from({ length: 50 }, () => makeParticipant(a.app, f.slug)));
    const ready = [];
    for (const p of players) {
      const attempt = await startAttempt(a.app, f.roundId, p.cookie);
      await answerAttempt(a.app, attempt, p.cookie, 1);
      ready.push({ attempt, p });
    }
    const from = box.messages.length;
    const started = Date.now();
    await Promise.all(ready.map(({ attempt, p }) => submit(a.app, attempt.id, p.cookie)));
    const burstMs = Date.now() - started;
    const last = await box.next((m) => isBoard(m) && m.total === 51, 5000, from);
    assert.equal(last.entries?.length, 50, 'the last push has the top 50');
    await sleep(Math.max(300, 1000 - (Date.now() - started)));
    const pushTimes = box.times.slice(from).filter((_, i) => isBoard(box.messages[from + i]!));
    const spanMs = Date.now() - started;
    // At most one push per 250 ms window on B: far fewer than one per submission.
    assert.ok(
      pushTimes.length >= 1 && pushTimes.length <= Math.ceil(spanMs / 250) + 1 && pushTimes.length < 50 / 4,
      `${pushTimes.length} pushes on B for 50 submissions on A (burst ${burstMs} ms, span ${spanMs} ms)`,
    );
    for (let i = 1; i < pushTimes.length; i++) {
      assert.ok(
        pushTimes[i]! - pushTimes[i - 1]! >= 200,
        `pushes ${pushTimes[i]! - pushTimes[i - 1]!} ms apart`,
      );
    }
    for (const t0 of pushTimes) {
      const inASecond = pushTimes.filter((t) => t >= t0 && t < t0 + 1000).length;
      assert.ok(inASecond <= 4, `${inASecond} pushes within a second`);
    }
    console.log(`burst of 50 submissions on A (${burstMs} ms): ${pushTimes.length} pushes on B`);
    await closeSocket(socket);
  });

  test('the audit log verifies after the races', async () => {
    const admin = await makeAccountWithRoles(nodes.b.app, ['admin']);
    const verdict = ok<{ ok: boolean; reason: string | null }>(
      await call(nodes.b.app, 'GET', '/api/audit/verify', { cookie: admin.cookie }),
    );
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
  });
});

describe('(c) the overdue sweeper running on both nodes', () => {
  let nodes: Nodes;
  before(async () => {
    nodes = await twoNodes({ sweepIntervalMs: 20 });
  });
  after(async () => {
    await nodes?.close();
  });

  test('finalises each overdue attempt exactly once; the audit log verifies', async () => {
    const { a, b, clock } = nodes;
    const f = await makeContestWithRound(a.app, { questions: 2, maxAttempts: 1, timeLimitSec: 60 });
    const ids: number[] = [];
    for (let i = 0; i < 16; i++) {
      const t = i % 2 === 0 ? a : b;
      const p = await makeParticipant(a.app, f.slug);
      const attempt = await startAttempt(t.app, f.roundId, p.cookie);
      await answerAttempt(t.app, attempt, p.cookie, i % 3);
      ids.push(attempt.id);
    }
    clock.advance(60_000 + 2_000 + 1);
    const statuses = async () =>
      Promise.all(ids.map(async (id) => (await a.app.repos.attempts.get(id))!.status));
    await within(5000, 'every attempt finalised by the sweepers', async () =>
      (await statuses()).every((s) => s !== 'in_progress'),
    );
    await sleep(300); // more sweeps on both nodes: none may finalise again
    assert.deepEqual(new Set(await statuses()), new Set(['expired']));

    const { rows } = await a.app.database.query<{ target_id: string; action: string; n: number }>(
      `SELECT target_id, action, count(*) AS n FROM audit_log
        WHERE action IN ('attempt.expire', 'attempt.submit') GROUP BY target_id, action`,
    );
    const expires = new Map(
      rows.filter((r) => r.action === 'attempt.expire').map((r) => [r.target_id, Number(r.n)]),
    );
    assert.deepEqual(
      ids.map((id) => expires.get(String(id)) ?? 0),
      ids.map(() => 1),
      'one attempt.expire entry per attempt',
    );
    assert.equal(rows.filter((r) => r.action === 'attempt.submit').length, 0);

    const admin = await makeAccountWithRoles(b.app, ['admin']);
    const verdict = ok<{ ok: boolean; answerLogs: number }>(
      await call(b.app, 'GET', '/api/audit/verify', { cookie: admin.cookie }),
    );
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
    assert.ok(verdict.answerLogs >= ids.length, `answer logs checked: ${verdict.answerLogs}`);
  });
});

/** A participant of its own (makeParticipant reuses accounts across contests: their budgets too). */
async function freshParticipant(t: TestApp, slug: string): Promise<Account> {
  const account = await registerAccount(t.app);
  await enter(t.app, slug, account.cookie);
  return account;
}

describe('(f) rate limits shared by both nodes', () => {
  let nodes: Nodes;
  before(async () => {
    nodes = await twoNodes({
      rateLimits: { login: 4, register: 1000, socketOpen: 1000, attemptStart: 2, answerSave: 6 },
    });
  });
  after(async () => {
    await nodes?.close();
  });

  test('attempt starts: the allowance is not doubled by spreading them over both nodes', async () => {
    const { a, b } = nodes;
    const f = await makeContestWithRound(a.app, { questions: 2, maxAttempts: 5 });
    const p = await freshParticipant(a, f.slug);
    for (const t of [a, b]) {
      const attempt = await startAttempt(t.app, f.roundId, p.cookie);
      await submit(t.app, attempt.id, p.cookie);
    }
    for (const t of [a, b]) {
      refusal(
        await call(t.app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }),
        429,
        'RATE_LIMITED',
      );
    }
    assert.equal((await a.app.repos.attempts.ofParticipant(f.roundId, p.id)).length, 2);
  });

  test('answer saves: 6 a minute in all, 3 on each node, then 429 on both', async () => {
    const { a, b } = nodes;
    const f = await makeContestWithRound(a.app, { questions: 2, maxAttempts: 1 });
    const p = await freshParticipant(a, f.slug);
    const attempt = await startAttempt(a.app, f.roundId, p.cookie);
    const q = attempt.questions[0]!;
    for (let i = 0; i < 6; i++) {
      ok(await saveAnswer((i % 2 === 0 ? a : b).app, attempt.id, q.id, [q.options[i % 3]!.id], p.cookie));
    }
    for (const t of [a, b]) {
      refusal(await saveAnswer(t.app, attempt.id, q.id, [q.options[0]!.id], p.cookie), 429, 'RATE_LIMITED');
    }
  });

  test('logins from one IP: 4 a minute over both nodes', async () => {
    const { a, b } = nodes;
    const email = `limited-${process.pid}-${Date.now()}@example.test`;
    ok(
      await call(a.app, 'POST', '/api/auth/register', {
        payload: { email, password: 'correct horse battery', name: 'N' },
      }),
      201,
    );
    const login = (t: TestApp) =>
      call(t.app, 'POST', '/api/auth/login', { payload: { email, password: 'correct horse battery' } });
    for (const t of [a, b, a, b]) assert.equal((await login(t)).statusCode, 200);
    for (const t of [a, b]) refusal(await login(t), 429, 'RATE_LIMITED');
  });
});
