// Leaderboards over HTTP: provisional order (score desc, duration asc, submitted asc) with times
// set on the server clock, shared ranks for exact ties, paging, the participant's own entry,
// group boards, visibility rules, the rebuild from SQL at start-up; and the same happy path with
// Redis as the ranking store and event bus.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  answerAttempt,
  call,
  cleanRedis,
  HOUR,
  makeAccountWithRoles,
  makeApp,
  makeContestWithRound,
  makeOrganiser,
  makeParticipant,
  ok,
  REDIS_URL,
  redisPrefix,
  refusal,
  startAttempt,
  submit,
  takeRound,
  tempDatabase,
  type Account,
  type ContestFixture,
  type LeaderboardEntry,
  type LeaderboardPage,
  type TestApp,
} from '../helpers.ts';

interface MePage {
  total: number;
  entry: LeaderboardEntry | null;
}

const lb = async (t: TestApp, roundId: number, query = '', cookie?: string) =>
  ok<LeaderboardPage>(
    await call(t.app, 'GET', `/api/rounds/${roundId}/leaderboard${query}`, cookie ? { cookie } : {}),
  );

/**
 * Seven participants whose results exercise every ordering rule:
 *   P2 3 pts 30 s | P4 = P5 3 pts 45 s, same submit time (tie) | P6 3 pts 50 s, earlier than
 *   P7 3 pts 50 s | P1 3 pts 60 s | P3 2 pts 10 s
 */
async function playScenario(t: TestApp, f: ContestFixture, fields?: (i: number) => Record<string, string>) {
  const { app, clock } = t;
  const p: Account[] = [];
  for (let i = 1; i <= 7; i++)
    p.push(await makeParticipant(app, f.slug, fields ? fields(i) : { fullName: `P${i}` }));
  const [p1, p2, p3, p4, p5, p6, p7] = p as [Account, Account, Account, Account, Account, Account, Account];

  // P4 and P5: started and submitted at the same instants.
  const a4 = await startAttempt(app, f.roundId, p4.cookie);
  const a5 = await startAttempt(app, f.roundId, p5.cookie);
  await answerAttempt(app, a4, p4.cookie);
  await answerAttempt(app, a5, p5.cookie);
  clock.advance(45_000);
  await submit(app, a4.id, p4.cookie);
  await submit(app, a5.id, p5.cookie);

  await takeRound(t, f.roundId, p2.cookie, { takeMs: 30_000 });

  // P6 and P7: the same duration; P6 submits first.
  const a6 = await startAttempt(app, f.roundId, p6.cookie);
  await answerAttempt(app, a6, p6.cookie);
  clock.advance(1_000);
  const a7 = await startAttempt(app, f.roundId, p7.cookie);
  await answerAttempt(app, a7, p7.cookie);
  clock.advance(49_000);
  await submit(app, a6.id, p6.cookie);
  clock.advance(1_000);
  await submit(app, a7.id, p7.cookie);

  await takeRound(t, f.roundId, p1.cookie, { takeMs: 60_000 });
  await takeRound(t, f.roundId, p3.cookie, { takeMs: 10_000, rightCount: 2 });
  return { p1, p2, p3, p4, p5, p6, p7 };
}

describe('leaderboards', async () => {
  const t = await makeApp();
  after(t.close);
  const { app, clock } = t;
  let organiser: Account;
  let f: ContestFixture;
  let players: Awaited<ReturnType<typeof playScenario>>;

  before(async () => {
    organiser = await makeOrganiser(app);
    f = await makeContestWithRound(app, { organiser, questions: 3, showLeaderboard: 'immediately' });
    players = await playScenario(t, f);
  });

  test('order: score desc, then duration asc, then submitted-at asc; exact ties share a rank', async () => {
    const { p1, p2, p3, p4, p5, p6, p7 } = players;
    const page = await lb(t, f.roundId);
    assert.equal(page.total, 7);
    const tied = [p4.id, p5.id].sort((a, b) => a - b);
    assert.deepEqual(
      page.entries.map((e) => [e.rank, e.participantId, e.score, e.durationMs]),
      [
        [1, p2.id, 3, 30_000],
        [2, tied[0], 3, 45_000],
        [2, tied[1], 3, 45_000],
        [4, p6.id, 3, 50_000],
        [5, p7.id, 3, 50_000],
        [6, p1.id, 3, 60_000],
        [7, p3.id, 2, 10_000],
      ],
    );
    const first = page.entries[0]!;
    assert.deepEqual(Object.keys(first).sort(), [
      'durationMs',
      'name',
      'participantId',
      'rank',
      'score',
      'unit',
    ]);
    assert.equal(first.name, 'P2', 'the name from the registration');
    assert.equal(first.unit, null);
  });

  test('limit and offset page through the board; a page starting inside a tie keeps the shared rank', async () => {
    const { p2 } = players;
    const two = await lb(t, f.roundId, '?limit=2');
    assert.equal(two.total, 7);
    assert.deepEqual(
      two.entries.map((e) => e.rank),
      [1, 2],
    );
    assert.equal(two.entries[0]!.participantId, p2.id);
    const mid = await lb(t, f.roundId, '?limit=1&offset=2');
    assert.deepEqual(
      mid.entries.map((e) => e.rank),
      [2],
    );
    const tail = await lb(t, f.roundId, '?limit=50&offset=5');
    assert.deepEqual(
      tail.entries.map((e) => e.rank),
      [6, 7],
    );
    const beyond = await lb(t, f.roundId, '?offset=100');
    assert.deepEqual(beyond, { total: 7, entries: [] });
    for (const q of ['?limit=0', '?limit=101', '?offset=-1', '?limit=abc', '?group=bad!key']) {
      refusal(await call(app, 'GET', `/api/rounds/${f.roundId}/leaderboard${q}`), 400);
    }
    refusal(await call(app, 'GET', '/api/rounds/999999/leaderboard'), 404, 'ROUND_NOT_FOUND');
  });

  test('/me: the participant’s own entry and rank; null without a result; 401 anonymous', async () => {
    const { p5, p3 } = players;
    const me5 = ok<MePage>(
      await call(app, 'GET', `/api/rounds/${f.roundId}/leaderboard/me`, { cookie: p5.cookie }),
    );
    assert.equal(me5.total, 7);
    assert.equal(me5.entry?.participantId, p5.id);
    assert.equal(me5.entry?.rank, 2);
    const me3 = ok<MePage>(
      await call(app, 'GET', `/api/rounds/${f.roundId}/leaderboard/me`, { cookie: p3.cookie }),
    );
    assert.equal(me3.entry?.rank, 7);
    const newcomer = await makeParticipant(app, f.slug);
    assert.deepEqual(
      ok<MePage>(
        await call(app, 'GET', `/api/rounds/${f.roundId}/leaderboard/me`, { cookie: newcomer.cookie }),
      ),
      {
        total: 7,
        entry: null,
      },
    );
    refusal(await call(app, 'GET', `/api/rounds/${f.roundId}/leaderboard/me`), 401, 'UNAUTHENTICATED');
  });

  test('an attempt in progress is not on the board until it is final', async () => {
    const g = await makeContestWithRound(app, { organiser });
    const p = await makeParticipant(app, g.slug);
    const attempt = await startAttempt(app, g.roundId, p.cookie);
    assert.equal((await lb(t, g.roundId)).total, 0);
    await submit(app, attempt.id, p.cookie);
    assert.equal((await lb(t, g.roundId)).total, 1);
  });

  test('group boards rank each group apart (?group=), and /me?group= too', async () => {
    const g = await makeContestWithRound(app, {
      organiser,
      questions: 3,
      registrationFields: [
        { key: 'fullName', label: 'Name', type: 'text', required: true },
        { key: 'unit', label: 'Unit', type: 'unit', required: false },
        { key: 'group', label: 'Group', type: 'select', required: true, options: ['A', 'B'] },
      ],
      groups: [
        { key: 'A', name: 'Students' },
        { key: 'B', name: 'Teachers' },
      ],
      units: [{ code: 'HUE', name: 'Thừa Thiên Huế' }],
    });
    // P1..P7 as above; odd ones in group A, even ones in B; P1 gives a unit.
    const ps = await playScenario(t, g, (i) => ({
      fullName: `P${i}`,
      group: i % 2 ? 'A' : 'B',
      ...(i === 1 ? { unit: 'HUE' } : {}),
    }));
    const a = await lb(t, g.roundId, '?group=A');
    assert.deepEqual(
      a.entries.map((e) => [e.rank, e.participantId]),
      [
        [1, ps.p5.id],
        [2, ps.p7.id],
        [3, ps.p1.id],
        [4, ps.p3.id],
      ],
    );
    assert.equal(a.total, 4);
    assert.equal(
      a.entries.find((e) => e.participantId === ps.p1.id)?.unit,
      'Thừa Thiên Huế',
      'the unit name, not its code',
    );
    const b = await lb(t, g.roundId, '?group=B');
    assert.deepEqual(
      b.entries.map((e) => [e.rank, e.participantId]),
      [
        [1, ps.p2.id],
        [2, ps.p4.id],
        [3, ps.p6.id],
      ],
    );
    assert.equal((await lb(t, g.roundId)).total, 7, 'everyone is on the overall board');
    assert.deepEqual(await lb(t, g.roundId, '?group=C'), { total: 0, entries: [] });
    const me = ok<MePage>(
      await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard/me?group=B`, { cookie: ps.p4.cookie }),
    );
    assert.equal(me.total, 3);
    assert.equal(me.entry?.rank, 2);
  });

  test("'never': 403 LEADERBOARD_HIDDEN to participants and the public, shown to the organiser, judges and admins", async () => {
    const g = await makeContestWithRound(app, {
      organiser,
      showLeaderboard: 'never',
      closesAt: clock.now + HOUR,
    });
    const p = await makeParticipant(app, g.slug);
    await takeRound(t, g.roundId, p.cookie, { takeMs: 1_000 });
    refusal(await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard`), 403, 'LEADERBOARD_HIDDEN');
    refusal(
      await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard`, { cookie: p.cookie }),
      403,
      'LEADERBOARD_HIDDEN',
    );
    refusal(
      await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard/me`, { cookie: p.cookie }),
      403,
      'LEADERBOARD_HIDDEN',
    );
    assert.equal((await lb(t, g.roundId, '', organiser.cookie)).total, 1);
    const judge = await makeAccountWithRoles(app, ['judge']);
    assert.equal((await lb(t, g.roundId, '', judge.cookie)).total, 1);
    const admin = await makeAccountWithRoles(app, ['admin']);
    assert.equal((await lb(t, g.roundId, '', admin.cookie)).total, 1);
    const otherOrganiser = await makeOrganiser(app);
    refusal(
      await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard`, { cookie: otherOrganiser.cookie }),
      403,
      'LEADERBOARD_HIDDEN',
    );
    const saved = clock.now;
    try {
      clock.advance(2 * HOUR);
      refusal(
        await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard`, { cookie: p.cookie }),
        403,
        'LEADERBOARD_HIDDEN',
      );
    } finally {
      clock.set(saved);
    }
  });

  test("'after_close': hidden while the round is open, visible once it has closed", async () => {
    const g = await makeContestWithRound(app, {
      organiser,
      showLeaderboard: 'after_close',
      closesAt: clock.now + HOUR,
    });
    const p = await makeParticipant(app, g.slug);
    await takeRound(t, g.roundId, p.cookie, { takeMs: 1_000 });
    refusal(
      await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard`, { cookie: p.cookie }),
      403,
      'LEADERBOARD_HIDDEN',
    );
    const saved = clock.now;
    try {
      clock.set(saved + HOUR);
      assert.equal((await lb(t, g.roundId, '', p.cookie)).total, 1);
      assert.equal((await lb(t, g.roundId)).total, 1, 'to the public as well');
      assert.equal(
        ok<MePage>(await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard/me`, { cookie: p.cookie }))
          .entry?.rank,
        1,
      );
    } finally {
      clock.set(saved);
    }
  });

  test('a draft round’s board is 404 to the public', async () => {
    const g = await makeContestWithRound(app, { organiser, publish: false });
    refusal(await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard`), 404, 'ROUND_NOT_FOUND');
    ok(await call(app, 'GET', `/api/rounds/${g.roundId}/leaderboard`, { cookie: organiser.cookie }));
  });
});

describe('rankings are rebuilt from SQL at start-up', () => {
  test('a second server on the same database shows the same boards', async () => {
    const db = await tempDatabase();
    try {
      const first = await makeApp({ ...db.store });
      let before: LeaderboardPage;
      let groupBefore: LeaderboardPage;
      let roundId: number;
      try {
        const f = await makeContestWithRound(first.app, {
          questions: 3,
          registrationFields: [
            { key: 'fullName', label: 'Name', type: 'text', required: true },
            { key: 'group', label: 'Group', type: 'select', required: true, options: ['A', 'B'] },
          ],
          groups: [
            { key: 'A', name: 'A' },
            { key: 'B', name: 'B' },
          ],
        });
        roundId = f.roundId;
        for (let i = 0; i < 4; i++) {
          const p = await makeParticipant(first.app, f.slug, { fullName: `R${i}`, group: i % 2 ? 'B' : 'A' });
          await takeRound(first, f.roundId, p.cookie, { rightCount: i % 4, takeMs: 1_000 * (i + 1) });
        }
        before = await lb(first, roundId);
        groupBefore = await lb(first, roundId, '?group=B');
        assert.equal(before.total, 4);
      } finally {
        await first.close();
      }
      const second = await makeApp({ ...db.store }, first.clock);
      try {
        assert.deepEqual(await lb(second, roundId), before);
        assert.deepEqual(await lb(second, roundId, '?group=B'), groupBefore);
      } finally {
        await second.close();
      }
    } finally {
      await db.remove();
    }
  });
});

describe('with Redis (ranking store and event bus)', () => {
  test('attempts and leaderboards work the same, and a restart rebuilds the Redis boards from SQL', async () => {
    const prefix = redisPrefix();
    const db = await tempDatabase();
    try {
      // A Redis that cannot be reached makes makeApp throw: this test fails rather than skips.
      const t1 = await makeApp({ redisUrl: REDIS_URL, redisPrefix: prefix, ...db.store });
      let roundId: number;
      let before: LeaderboardPage;
      let players: Awaited<ReturnType<typeof playScenario>>;
      try {
        assert.ok(t1.app.redis, 'the app is using Redis');
        const f = await makeContestWithRound(t1.app, { questions: 3 });
        roundId = f.roundId;
        players = await playScenario(t1, f);
        before = await lb(t1, roundId);
        const tied = [players.p4.id, players.p5.id].sort((a, b) => a - b);
        assert.deepEqual(
          before.entries.map((e) => [e.rank, e.participantId]),
          [
            [1, players.p2.id],
            [2, tied[0]],
            [2, tied[1]],
            [4, players.p6.id],
            [5, players.p7.id],
            [6, players.p1.id],
            [7, players.p3.id],
          ],
        );
        const me = ok<MePage>(
          await call(t1.app, 'GET', `/api/rounds/${roundId}/leaderboard/me`, { cookie: players.p6.cookie }),
        );
        assert.equal(me.entry?.rank, 4);
        const keys = await t1.app.redis!.keys(`${prefix}rank:*`);
        assert.ok(keys.length > 0, 'the board lives in Redis under the configured prefix');
        // Wipe the projection: the next start must rebuild it from SQL.
        await t1.app.redis!.del(...keys);
      } finally {
        await t1.close();
      }
      const t2 = await makeApp({ redisUrl: REDIS_URL, redisPrefix: prefix, ...db.store }, t1.clock);
      try {
        assert.deepEqual(await lb(t2, roundId), before);
        const health = ok<{ redis: string }>(await call(t2.app, 'GET', '/api/health'));
        assert.equal(health.redis, 'ok');
      } finally {
        await t2.close();
      }
    } finally {
      await cleanRedis(prefix);
      await db.remove();
    }
  });
});
