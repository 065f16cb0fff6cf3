// Two API nodes over one SQLite file and one Redis: the host on node A, three players on node B.
// Counts reach the host across nodes, results reach the players, a kick made on A closes the
// player's socket on B, and each question is revealed exactly once although both nodes' close
// timers fire at closesAt (the guarded step lets one win).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanRedis,
  cutSubscription,
  makeApp,
  makeClock,
  makeOrganiser,
  REDIS_URL,
  redisPrefix,
  singleQuestion,
  sleep,
  tempDatabase,
  type TempDatabase,
  type Account,
  type TestApp,
} from '../helpers.ts';
import { liveTopic, type LiveEvent } from '../../src/live/events.ts';
import { createGame, makeBank, openLive, problems, type Frame, type LiveSocket } from './live-helpers.ts';

describe('a live game across two nodes', () => {
  let db: TempDatabase;
  const prefix = redisPrefix();
  const clock = makeClock();
  let a: TestApp;
  let b: TestApp;
  const sockets: LiveSocket[] = [];
  const events: LiveEvent[] = [];
  let stopListening: () => Promise<void> = async () => undefined;
  let organiser: Account;
  let game: { id: number; pin: string };
  let host: LiveSocket;
  const players: LiveSocket[] = [];
  const seats: { id: number }[] = [];

  before(async () => {
    db = await tempDatabase();
    const shared = { ...db.store, redisUrl: REDIS_URL, redisPrefix: prefix };
    a = await makeApp(shared, clock);
    b = await makeApp(shared, clock);
    organiser = await makeOrganiser(a.app);
    const bank = await makeBank(a.app, organiser, [singleQuestion(1), singleQuestion(2)]);
    const created = await createGame(a.app, organiser, {
      bankId: bank.bankId,
      questions: { mode: 'all' },
      readingTimeSec: 0,
      questionTimeSec: 10,
    });
    game = { id: created.id, pin: created.pin! };
    stopListening = await a.app.events.subscribe(liveTopic(game.id), (_t, payload) =>
      events.push(payload as LiveEvent),
    );
  });
  after(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await stopListening();
    await a.close();
    await b.close();
    await cleanRedis(prefix);
    await db.remove();
  });

  const rightOf = (q: Frame, i: number) =>
    (q.options as { id: string; text: string }[]).find((o) => o.text === `Right ${i}`)!.id;

  test('players on B join; the host on A sees them', async () => {
    host = await openLive(a.app, organiser.cookie);
    sockets.push(host);
    host.send({ type: 'host', gameId: game.id });
    await host.expect('game');
    for (const nickname of ['Xuân', 'Hạ', 'Thu']) {
      const s = await openLive(b.app);
      sockets.push(s);
      players.push(s);
      s.send({ type: 'join', pin: game.pin, nickname });
      seats.push((await s.expect('joined')).player as { id: number });
    }
    await host.next((f) => f.type === 'lobby' && f.count === 3);
  });

  test('answers on B reach A as counts; both timers fire at the close, one reveal is made', async () => {
    host.send({ type: 'start' });
    const q = await host.expect('question');
    for (const p of players) await p.expect('question');
    players[0]!.send({ type: 'answer', index: 0, optionIds: [rightOf(q, 1)] });
    await players[0]!.expect('answered');
    clock.advance(5000);
    players[1]!.send({ type: 'answer', index: 0, optionIds: [rightOf(q, 1)] });
    await players[1]!.expect('answered');
    assert.equal((await host.next((f) => f.type === 'count' && f.answered === 2)).players, 3);

    clock.advance(5001); // past closesAt: A (host) and B (players) both try the reveal
    const reveal = await host.expect('reveal');
    assert.equal(reveal.answered, 2);
    const results = await Promise.all(players.map((p) => p.expect('result')));
    assert.deepEqual(
      results.map((r) => [r.points, r.rank]),
      [
        [1000, 1],
        [750, 2],
        [0, 3],
      ],
    );
    await sleep(600); // both timers have fired by now
    assert.equal(events.filter((e) => e.kind === 'reveal' && e.index === 0).length, 1);
    assert.equal(host.frames.filter((f) => f.type === 'reveal').length, 1);
  });

  test('a kick on A closes the player’s socket on B; the game ends for the others', async () => {
    const kicked = players[2]!;
    const closed = new Promise<number>((resolve) =>
      kicked.socket.once('close', (code: number) => resolve(code)),
    );
    host.send({ type: 'kick', playerId: seats[2]!.id });
    await kicked.expect('kicked');
    assert.equal(await closed, 4001);
    await host.next((f) => f.type === 'lobby' && f.count === 2);

    host.send({ type: 'next' });
    const q = await host.expect('question');
    await players[0]!.expect('question');
    // Both players left answer on B: the early close happens there, and reaches A.
    for (const p of players.slice(0, 2)) {
      p.send({ type: 'answer', index: 1, optionIds: [rightOf(q, 2)] });
      await p.expect('answered');
    }
    const reveal = await host.expect('reveal');
    assert.equal(reveal.last, true);
    assert.equal(reveal.players, 2);
    host.send({ type: 'next' });
    const ended = await host.expect('ended');
    assert.equal((ended.podium as unknown[]).length, 2);
    const mine = await Promise.all(players.slice(0, 2).map((p) => p.expect('ended')));
    assert.deepEqual(
      mine.map((e) => [e.rank, e.score]),
      [
        [1, 2000],
        [2, 1750],
      ],
    );
    await sleep(300);
    assert.equal(events.filter((e) => e.kind === 'reveal').length, 2);
    assert.equal(events.filter((e) => e.kind === 'ended').length, 1);
    assert.deepEqual(problems, []);
  });
});

describe('a live game when node B’s subscription is cut', () => {
  test('a start made on A while B was away reaches B’s players once B is back', async () => {
    const db = await tempDatabase();
    const prefix = redisPrefix();
    const clock = makeClock();
    const shared = { ...db.store, redisUrl: REDIS_URL, redisPrefix: prefix };
    const a = await makeApp(shared, clock);
    const b = await makeApp(shared, clock);
    const sockets: LiveSocket[] = [];
    try {
      const organiser = await makeOrganiser(a.app);
      const bank = await makeBank(a.app, organiser, [singleQuestion(1)]);
      // The start has to fall in the gap: when its event reached B after all (B reconnected
      // first), the case was not made and is tried again with another game.
      let missedOnce = false;
      for (let tries = 0; tries < 5 && !missedOnce; tries++) {
        const created = await createGame(a.app, organiser, {
          bankId: bank.bankId,
          questions: { mode: 'all' },
          readingTimeSec: 0,
          questionTimeSec: 30,
        });
        const host = await openLive(a.app, organiser.cookie);
        const player = await openLive(b.app);
        sockets.push(host, player);
        host.send({ type: 'host', gameId: created.id });
        await host.expect('game');
        player.send({ type: 'join', pin: created.pin, nickname: `Đông ${tries}` });
        await player.expect('joined');
        await host.next((f) => f.type === 'lobby' && f.count === 1);

        const cut = await cutSubscription(b.app, liveTopic(created.id));
        host.send({ type: 'start' });
        await host.expect('question');
        assert.deepEqual(await cut.back, ['lost', 'back']);
        missedOnce = cut.missed();
        const q = await player.expect('question');
        assert.equal(q.index, 0);
      }
      assert.ok(missedOnce, 'a start fell in the gap at least once in 5 tries');
      assert.deepEqual(problems, []);
    } finally {
      await Promise.all(sockets.map((s) => s.close()));
      await a.close();
      await b.close();
      await cleanRedis(prefix);
      await db.remove();
    }
  });
});
