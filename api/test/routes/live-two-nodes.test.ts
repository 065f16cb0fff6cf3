// Contract test of live games across two API nodes (docs/api.md "Live games": "every step
// travels over the EventBus, so hosts and players may be on different API nodes"): two buildApp
// instances on one SQLite file and one Redis (event bus), the host on node A and three players on
// node B. The game runs to the end, counts reach the host, results reach the players, a kick on A
// closes the player's socket on B, and a question left to its timer is revealed exactly once
// although both nodes hold sockets of the game. The real clock, since the close timers must fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanRedis,
  makeApp,
  makeOrganiser,
  REDIS_URL,
  redisPrefix,
  sleep,
  tempDatabase,
  type TestApp,
  type TestClock,
} from '../helpers.ts';
import {
  answer,
  answerKeys,
  assertNoKeyBeforeReveal,
  createGame,
  makeBank,
  questionOf,
  resultOf,
  revealOf,
  single,
  SocketPool,
  type CountFrame,
  type EndedFrame,
  type LobbyFrame,
  type RevealFrame,
  type ResultFrame,
} from './live-fixtures.ts';

type Joined = Awaited<ReturnType<SocketPool['join']>>;

/** The wall clock, shaped as a test clock (both nodes read it). */
const wallClock = (): TestClock => ({
  get now() {
    return Date.now();
  },
  advance: () => Date.now(),
  set: () => Date.now(),
});

test('live game across two nodes: host on A, players on B, over Redis', async () => {
  const prefix = redisPrefix();
  const db = await tempDatabase();
  const clock = wallClock();
  const config = { redisUrl: REDIS_URL, redisPrefix: prefix, ...db.store };
  let a: TestApp | null = null;
  let b: TestApp | null = null;
  let pool: SocketPool | null = null;
  try {
    a = await makeApp(config, clock);
    b = await makeApp(config, clock);
    pool = new SocketPool(a.app);
    const org = await makeOrganiser(a.app);
    const { bankId } = await makeBank(a.app, org, [single(1), single(2), single(3)]);
    const game = await createGame(a.app, org.cookie, { bankId, questionTimeSec: 5, readingTimeSec: 0 });
    const keys = await answerKeys(b.app, game.id, org.cookie);

    const host = await pool.host(game.id, org.cookie, a.app);
    const players: Joined[] = [];
    for (const n of ['B one', 'B two', 'B three']) players.push(await pool.join(game.pin!, n, {}, b.app));
    const [p1, p2, p3] = players as [Joined, Joined, Joined];
    // Joins on B reach the host's lobby on A.
    const lobby = await host.next<LobbyFrame>((f) => f.type === 'lobby' && f.count === 3);
    assert.deepEqual(lobby.players.map((p) => p.nickname).sort(), ['B one', 'B three', 'B two']);

    // Question 0: everyone answers on B; counts reach A; the early close reveals it.
    host.send({ type: 'start' });
    for (const p of players) await questionOf(p.s, 0);
    await answer(p1.s, 0, keys[0]!.right);
    await answer(p2.s, 0, keys[0]!.right);
    await host.next<CountFrame>(
      (f) => f.type === 'count' && f.index === 0 && (f as CountFrame).answered >= 2,
    );
    await answer(p3.s, 0, [keys[0]!.wrong[0]!]);
    const r0 = await revealOf(host, 0);
    assert.deepEqual([r0.answered, r0.correct, r0.players], [3, 2, 3]);
    for (const p of players) {
      const r = await resultOf(p.s, 0);
      assert.equal(r.correct, p !== p3, p.player.nickname);
      assert.ok(p === p3 ? r.points === 0 : r.points > 500 && r.points <= 1000, `${r.points}`);
    }

    // Question 1: nobody answers; both nodes' timers reach closesAt (5 s); one reveal only.
    host.send({ type: 'next' });
    const q1 = await questionOf(host, 1);
    for (const p of players) await questionOf(p.s, 1);
    const closesAt = Date.parse(q1.closesAt);
    const r1 = await host.next<RevealFrame>((f) => f.type === 'reveal' && f.index === 1, 0, 5000 + 3000);
    assert.ok(Date.now() >= closesAt, 'revealed at closesAt, not before');
    for (const p of players) assert.equal((await resultOf(p.s, 1)).chosen, null);
    assert.equal(r1.answered, 0);

    // Question 2: a kick on A closes the player's socket on B; the two left answer.
    host.send({ type: 'next' });
    for (const p of players) await questionOf(p.s, 2);
    host.send({ type: 'kick', playerId: p3.player.id });
    await p3.s.next('kicked');
    await p3.s.waitClosed();
    await answer(p1.s, 2, keys[2]!.right);
    await answer(p2.s, 2, [keys[2]!.wrong[0]!]);
    const r2 = await revealOf(host, 2);
    assert.equal(r2.players, 2);
    assert.equal(r2.last, true);
    const res1 = await resultOf(p1.s, 2);
    assert.equal(res1.rank, 1);

    host.send({ type: 'next' });
    const ended = await host.next<EndedFrame>('ended');
    assert.deepEqual(
      ended.podium.map((e) => e.nickname),
      ['B one', 'B two'],
    );
    for (const p of [p1, p2]) {
      const e = await p.s.next<EndedFrame>('ended');
      assert.equal(e.score, ended.podium.find((x) => x.playerId === p.player.id)?.score);
    }

    // Let both nodes' timers and any late events run out, then count: one reveal per question
    // on the host, one result per question per player.
    await sleep(1500);
    for (const i of [0, 1, 2]) {
      assert.equal(host.all<RevealFrame>('reveal').filter((f) => f.index === i).length, 1, `reveals of ${i}`);
      for (const p of i === 2 ? [p1, p2] : players) {
        const n = p.s.all<ResultFrame>('result').filter((f) => f.index === i).length;
        assert.equal(n, 1, `${p.player.nickname}: results of ${i}`);
      }
    }
    assert.equal(host.all('ended').length, 1);
    assertNoKeyBeforeReveal([host, ...players.map((p) => p.s)]);
  } finally {
    await pool?.closeAll();
    await b?.close();
    await a?.close();
    await cleanRedis(prefix);
    await db.remove();
  }
});
