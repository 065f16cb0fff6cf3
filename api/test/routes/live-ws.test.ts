// Contract tests of /api/live/ws (docs/api.md "Live games (host-paced)"), through injectWS on a
// test clock so that points are exact: the host and player flows through a game of three
// questions, speed points (1000 at once, 750 at half the limit, 500 at the limit), multiple
// response, the streak bonus on and off, skip, early close, a reload with the token, the end and
// its podium, and every refusal. Every test also checks the raw JSON of every frame its sockets
// got: no answer key before a reveal.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QuestionInput } from '../helpers.ts';
import { call, makeAdmin, makeApp, makeOrganiser, ok, type Account } from '../helpers.ts';
import {
  answer,
  answerKeys,
  assertNoKeyBeforeReveal,
  at,
  createGame,
  makeBank,
  multiple,
  questionOf,
  resultOf,
  revealOf,
  single,
  SocketPool,
  speed,
  trueFalse,
  type CountFrame,
  type EndedFrame,
  type GameFrame,
  type JoinedFrame,
  type Key,
  type LiveGame,
  type LiveSocket,
  type LobbyFrame,
  type QuestionFrame,
} from './live-fixtures.ts';

const LIMIT = 20_000;
const READING = 5_000;

describe('live games over the WebSocket', async () => {
  const t = await makeApp();
  const { app, clock } = t;
  const pool = new SocketPool(app);
  after(async () => {
    await pool.closeAll();
    await t.close();
  });
  const organiser: Promise<Account> = makeOrganiser(app);

  /** A game of these questions by the organiser, with its answer keys. */
  async function newGame(
    questions: QuestionInput[],
    settings: Record<string, unknown> = {},
  ): Promise<{ game: LiveGame; keys: Key[]; org: Account }> {
    const org = await organiser;
    const { bankId } = await makeBank(app, org, questions);
    const game = await createGame(app, org.cookie, { bankId, ...settings });
    return { game, keys: await answerKeys(app, game.id, org.cookie), org };
  }

  /** Waits until the host's lobby shows `count` players and returns that frame. */
  const lobbyWith = (host: LiveSocket, count: number) =>
    host.next<LobbyFrame>((f) => f.type === 'lobby' && f.count === count);

  test('host and players through a game of three questions: speed points, reveal, results, ranks, podium', async () => {
    const { game, keys, org } = await newGame([single(1), multiple(2), trueFalse(3)]);
    const host = await pool.open('host', org.cookie);
    host.send({ type: 'host', gameId: game.id });
    const hostGame = await host.next<GameFrame>('game');
    assert.equal(hostGame.game.id, game.id);
    assert.equal(hostGame.game.phase, 'lobby');
    assert.equal(hostGame.game.pin, game.pin);
    assert.equal((await host.next<LobbyFrame>('lobby')).count, 0, 'the current phase follows `game`');

    // ping -> pong with the server clock.
    host.send({ type: 'ping' });
    assert.deepEqual(await host.next('pong'), { type: 'pong', now: new Date(clock.now).toISOString() });

    const a = await pool.join(game.pin!, 'An');
    const b = await pool.join(game.pin!, 'Bảo');
    const c = await pool.join(game.pin!, 'Chi');
    assert.equal(a.player.nickname, 'An');
    assert.equal(a.player.unit, null);
    assert.equal(a.player.score, 0);
    assert.equal(typeof a.player.token, 'string');
    assert.ok(a.player.token.length >= 16, 'a token hard to guess');
    assert.equal(new Set([a.player.id, b.player.id, c.player.id]).size, 3);
    const playerGame = await a.s.next<GameFrame>('game');
    assert.equal(playerGame.game.id, game.id);
    assert.equal(playerGame.game.phase, 'lobby');
    const lobby = await lobbyWith(host, 3);
    assert.equal(lobby.locked, false);
    assert.deepEqual(lobby.players.map((p) => p.nickname).sort(), ['An', 'Bảo', 'Chi']);
    assert.deepEqual(
      lobby.players.find((p) => p.nickname === 'An'),
      { id: a.player.id, nickname: 'An', unit: null },
    );
    const players = [a, b, c];

    // Question 0 (single): at t=0, at half the limit, at the limit.
    const start = clock.now;
    host.send({ type: 'start' });
    const q0 = await questionOf(host, 0);
    for (const p of players) assert.deepEqual(await questionOf(p.s, 0), q0, 'the same frame to everyone');
    assert.equal(q0.total, 3);
    assert.equal(q0.kind, 'single');
    assert.equal(q0.stem, single(1).stem);
    assert.deepEqual(
      q0.options.map((o) => o.id),
      keys[0]!.order,
    );
    assert.deepEqual(
      q0.options.map((o) => o.text),
      single(1).options.map((o) => o.text),
    );
    assert.equal(q0.now, new Date(start).toISOString());
    assert.equal(q0.readingMs, READING);
    assert.equal(q0.limitMs, LIMIT);
    assert.equal(Date.parse(q0.opensAt), start + READING);
    assert.equal(Date.parse(q0.closesAt), start + READING + LIMIT);

    at(clock, q0, 0);
    await answer(a.s, 0, keys[0]!.right);
    const count1 = await host.next<CountFrame>((f) => f.type === 'count' && f.answered === 1);
    assert.deepEqual(count1, { type: 'count', index: 0, answered: 1, players: 3 });
    at(clock, q0, LIMIT / 2);
    await answer(b.s, 0, keys[0]!.right);
    at(clock, q0, LIMIT);
    const beforeLast = host.mark();
    await answer(c.s, 0, keys[0]!.right);
    // Everyone answered: the reveal comes at once, without `next`.
    const r0 = await revealOf(host, 0, beforeLast);
    assert.equal(r0.total, 3);
    assert.deepEqual(r0.correctOptionIds, keys[0]!.right);
    assert.deepEqual(
      [...r0.distribution].sort(
        (x, y) => keys[0]!.order.indexOf(x.optionId) - keys[0]!.order.indexOf(y.optionId),
      ),
      keys[0]!.order.map((id) => ({ optionId: id, count: keys[0]!.right.includes(id) ? 3 : 0 })),
    );
    assert.equal(r0.answered, 3);
    assert.equal(r0.correct, 3);
    assert.equal(r0.players, 3);
    assert.equal(r0.teams, null);
    assert.equal(r0.last, false);
    assert.deepEqual(r0.top, [
      { rank: 1, playerId: a.player.id, nickname: 'An', unit: null, score: 1000 },
      { rank: 2, playerId: b.player.id, nickname: 'Bảo', unit: null, score: 750 },
      { rank: 3, playerId: c.player.id, nickname: 'Chi', unit: null, score: 500 },
    ]);
    const expected0 = [
      { p: a, points: 1000, rank: 1 },
      { p: b, points: 750, rank: 2 },
      { p: c, points: 500, rank: 3 },
    ];
    for (const { p, points, rank } of expected0) {
      assert.deepEqual(await resultOf(p.s, 0), {
        type: 'result',
        index: 0,
        total: 3,
        correctOptionIds: keys[0]!.right,
        chosen: keys[0]!.right,
        correct: true,
        points,
        streak: 1,
        score: points,
        rank,
        players: 3,
        last: false,
      });
    }

    // Question 1 (multiple response): right only with exactly the right set.
    host.send({ type: 'next' });
    const q1 = await questionOf(host, 1);
    assert.equal(q1.kind, 'multiple');
    for (const p of players) await questionOf(p.s, 1);
    at(clock, q1, 0);
    await answer(a.s, 1, keys[1]!.right);
    await answer(b.s, 1, [keys[1]!.right[0]!]);
    await answer(c.s, 1, keys[1]!.order);
    const r1 = await revealOf(host, 1);
    assert.equal(r1.correct, 1);
    assert.equal(r1.answered, 3);
    assert.deepEqual([...r1.correctOptionIds].sort(), [...keys[1]!.right].sort());
    const ra1 = await resultOf(a.s, 1);
    assert.deepEqual(
      { correct: ra1.correct, points: ra1.points, score: ra1.score, streak: ra1.streak, rank: ra1.rank },
      { correct: true, points: 1000, score: 2000, streak: 2, rank: 1 },
    );
    for (const [p, score] of [
      [b, 750],
      [c, 500],
    ] as const) {
      const r = await resultOf(p.s, 1);
      assert.deepEqual(
        { correct: r.correct, points: r.points, score: r.score, streak: r.streak },
        { correct: false, points: 0, score, streak: 0 },
        p.player.nickname,
      );
    }

    // Question 2 (true/false): a wrong answer, a right one at t=5 s, none; the host closes it.
    host.send({ type: 'next' });
    const q2 = await questionOf(host, 2);
    assert.equal(q2.kind, 'truefalse');
    at(clock, q2, 0);
    await answer(a.s, 2, keys[2]!.wrong);
    at(clock, q2, 5000);
    await answer(b.s, 2, keys[2]!.right);
    host.send({ type: 'next' });
    const r2 = await revealOf(host, 2);
    assert.equal(r2.last, true);
    assert.equal(r2.answered, 2);
    assert.equal(r2.correct, 1);
    const points = speed(5000, LIMIT);
    assert.equal(points, 875);
    assert.deepEqual(
      r2.top.map((e) => [e.nickname, e.score, e.rank]),
      [
        ['An', 2000, 1],
        ['Bảo', 1625, 2],
        ['Chi', 500, 3],
      ],
    );
    const rc2 = await resultOf(c.s, 2);
    assert.deepEqual(
      { chosen: rc2.chosen, correct: rc2.correct, points: rc2.points, score: rc2.score, last: rc2.last },
      { chosen: null, correct: false, points: 0, score: 500, last: true },
    );
    const rb2 = await resultOf(b.s, 2);
    assert.deepEqual([rb2.points, rb2.score, rb2.rank], [875, 1625, 2]);

    // After the last reveal, `next` ends the game: a podium of three, each player their own place.
    host.send({ type: 'next' });
    const ended = await host.next<EndedFrame>('ended');
    assert.deepEqual(ended.podium, [
      { rank: 1, playerId: a.player.id, nickname: 'An', unit: null, score: 2000 },
      { rank: 2, playerId: b.player.id, nickname: 'Bảo', unit: null, score: 1625 },
      { rank: 3, playerId: c.player.id, nickname: 'Chi', unit: null, score: 500 },
    ]);
    assert.deepEqual(ended.top, ended.podium);
    assert.equal(ended.players, 3);
    assert.equal(ended.teams, null);
    for (const [p, rank, score] of [
      [a, 1, 2000],
      [b, 2, 1625],
      [c, 3, 500],
    ] as const) {
      const e = await p.s.next<EndedFrame>('ended');
      assert.deepEqual([e.rank, e.score], [rank, score], p.player.nickname);
      assert.deepEqual(e.podium, ended.podium);
    }
    const final = ok<{ game: LiveGame }>(
      await call(app, 'GET', `/api/live/games/${game.id}`, { cookie: org.cookie }),
    );
    assert.equal(final.game.status, 'ended');
    assert.equal(final.game.pin, null);
    assertNoKeyBeforeReveal([host, ...players.map((p) => p.s)]);
  });

  test('early close: when every player answered the reveal comes before closesAt, without `next`', async () => {
    const { game, keys, org } = await newGame([single(1), single(2)]);
    const host = await pool.host(game.id, org.cookie);
    const a = await pool.join(game.pin!, 'Early A');
    const b = await pool.join(game.pin!, 'Early B');
    host.send({ type: 'start' });
    const q0 = await questionOf(host, 0);
    at(clock, q0, 1000);
    await answer(a.s, 0, keys[0]!.right);
    assert.equal(host.all('reveal').length, 0, 'not before everyone answered');
    await answer(b.s, 0, [keys[0]!.wrong[0]!]);
    const r = await revealOf(host, 0);
    assert.ok(clock.now < Date.parse(q0.closesAt));
    assert.equal(r.answered, 2);
    assert.equal((await resultOf(a.s, 0)).points, speed(1000, LIMIT));
    assertNoKeyBeforeReveal([host, a.s, b.s]);
  });

  test('the question closes by itself at closesAt (server clock), and nobody who did not answer scores', async () => {
    const { game, keys, org } = await newGame([single(1), single(2)]);
    const host = await pool.host(game.id, org.cookie);
    const a = await pool.join(game.pin!, 'Timer A');
    const b = await pool.join(game.pin!, 'Timer B');
    host.send({ type: 'start' });
    const q0 = await questionOf(host, 0);
    at(clock, q0, 0);
    await answer(a.s, 0, keys[0]!.right);
    at(clock, q0, LIMIT + 1);
    const r = await revealOf(host, 0);
    assert.equal(r.answered, 1);
    const rb = await resultOf(b.s, 0);
    assert.deepEqual([rb.chosen, rb.points, rb.score, rb.rank], [null, 0, 0, 2]);
    assert.equal((await resultOf(a.s, 0)).score, 1000);
    assertNoKeyBeforeReveal([host, a.s, b.s]);
  });

  test('streak bonus on: +100, +200, ... capped at +500; a wrong answer resets it', async () => {
    const questions = Array.from({ length: 9 }, (_, i) => single(i + 1));
    const { game, keys, org } = await newGame(questions, { streakBonus: true });
    const host = await pool.host(game.id, org.cookie);
    const p = await pool.join(game.pin!, 'Streaky');
    // Seven right, one wrong, one right; each at t=0 (1000 by speed).
    const plan = [true, true, true, true, true, true, true, false, true];
    const expectedPoints = [1000, 1100, 1200, 1300, 1400, 1500, 1500, 0, 1000];
    const expectedStreak = [1, 2, 3, 4, 5, 6, 7, 0, 1];
    let score = 0;
    host.send({ type: 'start' });
    for (const [i, right] of plan.entries()) {
      const q = await questionOf(p.s, i);
      at(clock, q, 0);
      await answer(p.s, i, right ? keys[i]!.right : [keys[i]!.wrong[0]!]);
      const r = await resultOf(p.s, i);
      score += expectedPoints[i]!;
      assert.deepEqual(
        { points: r.points, streak: r.streak, score: r.score, correct: r.correct },
        { points: expectedPoints[i], streak: expectedStreak[i], score, correct: right },
        `question ${i}`,
      );
      await revealOf(host, i);
      host.send({ type: 'next' });
    }
    const ended = await p.s.next<EndedFrame>('ended');
    assert.equal(ended.score, score);
    assert.equal(ended.rank, 1);
    assert.deepEqual(ended.podium.length, 1, 'a podium of as many as played');
    assertNoKeyBeforeReveal([host, p.s]);
  });

  test('streak bonus off: every right answer at t=0 scores 1000; ties share a rank', async () => {
    const { game, keys, org } = await newGame([single(1), single(2), single(3)]);
    const host = await pool.host(game.id, org.cookie);
    const a = await pool.join(game.pin!, 'Tie A');
    const b = await pool.join(game.pin!, 'Tie B');
    const c = await pool.join(game.pin!, 'Tie C');
    host.send({ type: 'start' });
    for (let i = 0; i < 3; i++) {
      const q = await questionOf(host, i);
      at(clock, q, 0);
      await answer(a.s, i, keys[i]!.right);
      await answer(b.s, i, keys[i]!.right);
      await answer(c.s, i, [keys[i]!.wrong[0]!]);
      const r = await revealOf(host, i);
      assert.deepEqual(
        r.top.map((e) => [e.nickname, e.rank, e.score]),
        [
          ['Tie A', 1, 1000 * (i + 1)],
          ['Tie B', 1, 1000 * (i + 1)],
          ['Tie C', 3, 0],
        ],
      );
      for (const p of [a, b]) {
        const res = await resultOf(p.s, i);
        assert.deepEqual([res.points, res.streak, res.rank], [1000, i + 1, 1]);
      }
      host.send({ type: 'next' });
    }
    const ended = await host.next<EndedFrame>('ended');
    assert.deepEqual(
      ended.podium.map((e) => [e.nickname, e.rank]),
      [
        ['Tie A', 1],
        ['Tie B', 1],
        ['Tie C', 3],
      ],
    );
    assert.equal((await c.s.next<EndedFrame>('ended')).rank, 3);
    assertNoKeyBeforeReveal([host, a.s, b.s, c.s]);
  });

  test("skip voids a question: nobody's score moves, streaks untouched; skipping the last ends the game", async () => {
    const { game, keys, org } = await newGame([single(1), single(2), single(3), single(4)], {
      streakBonus: true,
    });
    const host = await pool.host(game.id, org.cookie);
    const a = await pool.join(game.pin!, 'Skip A');
    const b = await pool.join(game.pin!, 'Skip B');
    host.send({ type: 'start' });
    const q0 = await questionOf(host, 0);
    at(clock, q0, 0);
    await answer(a.s, 0, keys[0]!.right);
    await answer(b.s, 0, keys[0]!.right);
    await revealOf(host, 0);
    // `skip` is only for an open question.
    await host.refused({ type: 'skip' }, 'BAD_STATE');

    host.send({ type: 'next' });
    const q1 = await questionOf(host, 1);
    at(clock, q1, 0);
    await answer(a.s, 1, keys[1]!.right); // answered, then voided
    const from = { host: host.mark(), a: a.s.mark(), b: b.s.mark() };
    host.send({ type: 'skip' });
    for (const [s, mark] of [
      [host, from.host],
      [a.s, from.a],
      [b.s, from.b],
    ] as const) {
      assert.deepEqual(await s.next('skipped', mark), { type: 'skipped', index: 1 }, s.label);
      // The next question follows by itself; no reveal or result of the skipped one.
      await questionOf(s, 2, mark);
      assert.equal(s.all('reveal', mark).length + s.all('result', mark).length, 0, s.label);
    }
    const q2 = await questionOf(host, 2);
    at(clock, q2, 0);
    await answer(a.s, 2, keys[2]!.right);
    await answer(b.s, 2, keys[2]!.right);
    // Both had one right in a row before the skip: the skipped question neither broke nor grew it.
    for (const p of [a, b]) {
      const r = await resultOf(p.s, 2);
      assert.deepEqual(
        { points: r.points, streak: r.streak, score: r.score },
        { points: 1100, streak: 2, score: 2100 },
        p.player.nickname,
      );
    }
    host.send({ type: 'next' });
    await questionOf(host, 3);
    const last = { host: host.mark(), a: a.s.mark() };
    host.send({ type: 'skip' });
    await host.next('skipped', last.host);
    const ended = await host.next<EndedFrame>('ended', last.host);
    assert.deepEqual(
      ended.podium.map((e) => e.score),
      [2100, 2100],
    );
    assert.equal((await a.s.next<EndedFrame>('ended', last.a)).score, 2100);
    assertNoKeyBeforeReveal([host, a.s, b.s]);
  });

  test('a reload mid-question: joined with the same player, game + question with answered: true; the score is kept to the end', async () => {
    const { game, keys, org } = await newGame([single(1), single(2), single(3)]);
    const host = await pool.host(game.id, org.cookie);
    const a = await pool.join(game.pin!, 'Reloader');
    const b = await pool.join(game.pin!, 'Stayer');

    // A reload in the lobby: the same player, game + lobby phase.
    a.s.socket.terminate();
    const lobbyAgain = await pool.join(game.pin!, 'ignored', { token: a.player.token });
    assert.deepEqual(
      { id: lobbyAgain.player.id, nickname: lobbyAgain.player.nickname, score: lobbyAgain.player.score },
      { id: a.player.id, nickname: 'Reloader', score: 0 },
    );
    let s = lobbyAgain.s;
    await lobbyWith(host, 2);

    host.send({ type: 'start' });
    const q0 = await questionOf(s, 0);
    at(clock, q0, 0);
    await answer(s, 0, keys[0]!.right);
    await answer(b.s, 0, keys[0]!.right);
    await resultOf(s, 0);
    host.send({ type: 'next' });
    const q1 = await questionOf(s, 1);
    at(clock, q1, 2000);
    await answer(s, 1, keys[1]!.right);

    // The network drops; a new socket joins with the token (nickname and unit ignored).
    s.socket.terminate();
    const back = await pool.open('reloaded');
    back.send({ type: 'join', pin: game.pin, nickname: 'Someone Else', token: lobbyAgain.player.token });
    const joined = await back.next<JoinedFrame>('joined');
    assert.equal(joined.player.id, a.player.id);
    assert.equal(joined.player.nickname, 'Reloader');
    // (joined.player.score before the reveal: see the next test.)
    const g = await back.next<GameFrame>('game');
    assert.equal(g.game.phase, 'question');
    assert.equal(g.game.index, 1);
    const q = await questionOf(back, 1);
    assert.equal(q.answered, true);
    assert.equal(q.opensAt, q1.opensAt);
    assert.equal(q.closesAt, q1.closesAt);
    assert.ok(back.frames.indexOf(g) < back.frames.indexOf(q), '`game` first, then the phase');
    await back.refused({ type: 'answer', index: 1, optionIds: keys[1]!.right }, 'ALREADY_ANSWERED');
    s = back;

    // A player who has not answered yet reloads: the question without `answered: true`.
    b.s.socket.terminate();
    const b2 = await pool.join(game.pin!, 'Stayer', { token: b.player.token });
    const qb = await questionOf(b2.s, 1);
    assert.notEqual(qb.answered, true);
    await answer(b2.s, 1, [keys[1]!.wrong[0]!]);
    const r1 = await resultOf(s, 1);
    assert.equal(r1.score, 1000 + speed(2000, LIMIT));

    // A reload during the reveal gets the player's own result again.
    s.socket.terminate();
    const again = await pool.join(game.pin!, 'x', { token: a.player.token });
    assert.equal(again.player.score, r1.score, 'the score so far');
    const gr = await again.s.next<GameFrame>('game');
    assert.equal(gr.game.phase, 'reveal');
    const rr = await resultOf(again.s, 1);
    assert.equal(rr.score, r1.score);
    s = again.s;

    host.send({ type: 'next' });
    await questionOf(s, 2);
    host.send({ type: 'end' });
    const ended = await s.next<EndedFrame>('ended');
    assert.equal(ended.score, 1000 + speed(2000, LIMIT));
    assert.equal(ended.rank, 1);
    // After the end, the token still names the player and the score.
    const afterEnd = ok<{ game: LiveGame }>(
      await call(app, 'GET', `/api/live/games/${game.id}`, { cookie: org.cookie }),
    ).game;
    assert.equal(afterEnd.status, 'ended');
    assertNoKeyBeforeReveal([host, a.s, lobbyAgain.s, back, b.s, b2.s, again.s]);
  });

  test('a reload before the reveal does not tell whether the answer was right: `joined` has the score before the open question', async () => {
    const { game, keys, org } = await newGame([single(1), single(2)]);
    const host = await pool.host(game.id, org.cookie);
    const p = await pool.join(game.pin!, 'Peeker');
    await pool.join(game.pin!, 'Slow');
    host.send({ type: 'start' });
    const q = await questionOf(p.s, 0);
    at(clock, q, 0);
    await answer(p.s, 0, keys[0]!.right);
    p.s.socket.terminate();
    const back = await pool.join(game.pin!, 'Peeker', { token: p.player.token });
    // A right answer would show as 1000 here, a wrong one as 0: the key, before the reveal.
    assert.equal(back.player.score, 0);
  });

  test('a token not known in the game is a new join', async () => {
    const { game, org } = await newGame([single(1)]);
    const host = await pool.host(game.id, org.cookie);
    const p = await pool.join(game.pin!, 'Fresh', { token: 'not-a-token-of-this-game-0000000000' });
    assert.equal(p.player.nickname, 'Fresh');
    assert.equal(p.player.score, 0);
    await lobbyWith(host, 1);
    // A token of another game is not known in this one either.
    const { game: second } = await newGame([single(1)]);
    const q = await pool.join(second.pin!, 'Other game', { token: p.player.token });
    assert.notEqual(q.player.id, p.player.id);
    assert.equal(q.player.nickname, 'Other game');
    assert.notEqual(q.player.token, p.player.token);
  });

  describe('join refusals', () => {
    test('GAME_NOT_FOUND for a wrong PIN and for the PIN of an ended game', async () => {
      const { game, org } = await newGame([single(1)]);
      const s = await pool.open('wrong pin');
      const wrong = game.pin === '999999' ? '999998' : '999999';
      await s.refused({ type: 'join', pin: wrong, nickname: 'X' }, 'GAME_NOT_FOUND');
      ok(await call(app, 'POST', `/api/live/games/${game.id}/end`, { cookie: org.cookie }));
      await s.refused({ type: 'join', pin: game.pin, nickname: 'X' }, 'GAME_NOT_FOUND');
      assert.equal(s.closed, false, 'refusals leave the socket open');
    });

    test('nicknames: trimmed, 1-20 characters, unique regardless of case and after NFC', async () => {
      const { game, org } = await newGame([single(1)]);
      const host = await pool.host(game.id, org.cookie);
      const first = await pool.join(game.pin!, '  José Ánh  ');
      assert.equal(first.player.nickname, 'José Ánh', 'trimmed');
      const s = await pool.open('nicknames');
      const join = (nickname: string) => ({ type: 'join', pin: game.pin, nickname });
      await s.refused(join('José Ánh'), 'NICKNAME_TAKEN');
      await s.refused(join('JOSÉ ÁNH'), 'NICKNAME_TAKEN');
      await s.refused(join('josé ánh'), 'NICKNAME_TAKEN');
      // The same letters decomposed (e + combining acute): NFC makes them the same nickname.
      await s.refused(join('Jose\u0301 A\u0301nh'), 'NICKNAME_TAKEN');
      await s.refused(join('   '), 'BAD_NICKNAME');
      await s.refused(join(''), 'BAD_NICKNAME');
      await s.refused(join('x'.repeat(21)), 'BAD_NICKNAME');
      // 20 characters are fine, also when they are 20 NFC characters written decomposed.
      const twenty = await pool.join(game.pin!, 'y'.repeat(20));
      assert.equal(twenty.player.nickname, 'y'.repeat(20));
      const decomposed = await pool.join(game.pin!, 'e\u0301'.repeat(20));
      assert.equal(decomposed.player.nickname, 'é'.repeat(20));
      assert.equal(decomposed.player.nickname.normalize('NFC'), decomposed.player.nickname);
      await lobbyWith(host, 3);
    });

    test('ALREADY_JOINED: a socket joins once, and a host socket may not join', async () => {
      const { game, org } = await newGame([single(1)]);
      const host = await pool.host(game.id, org.cookie);
      const p = await pool.join(game.pin!, 'Once');
      await p.s.refused({ type: 'join', pin: game.pin, nickname: 'Twice' }, 'ALREADY_JOINED');
      await host.refused({ type: 'join', pin: game.pin, nickname: 'Host' }, 'ALREADY_JOINED');
      await host.refused({ type: 'host', gameId: game.id }, 'ALREADY_JOINED');
      await p.s.refused({ type: 'host', gameId: game.id }, 'ALREADY_JOINED');
    });

    test('team mode: a unit of the game is required (BAD_UNIT), and shows in the standings', async () => {
      const { game, keys, org } = await newGame([single(1)], { teamMode: true, units: ['Đỏ', 'Xanh'] });
      const host = await pool.host(game.id, org.cookie);
      const s = await pool.open('no unit');
      await s.refused({ type: 'join', pin: game.pin, nickname: 'No unit' }, 'BAD_UNIT');
      await s.refused({ type: 'join', pin: game.pin, nickname: 'Bad unit', unit: 'Tím' }, 'BAD_UNIT');
      const red = await pool.join(game.pin!, 'Red 1', { unit: 'Đỏ' });
      assert.equal(red.player.unit, 'Đỏ');
      const red2 = await pool.join(game.pin!, 'Red 2', { unit: 'Đỏ' });
      const blue = await pool.join(game.pin!, 'Blue 1', { unit: 'Xanh' });
      const lobby = await lobbyWith(host, 3);
      assert.equal(lobby.players.find((p) => p.id === blue.player.id)?.unit, 'Xanh');
      host.send({ type: 'start' });
      const q = await questionOf(host, 0);
      at(clock, q, 0);
      await answer(red.s, 0, keys[0]!.right);
      await answer(red2.s, 0, [keys[0]!.wrong[0]!]);
      at(clock, q, LIMIT);
      await answer(blue.s, 0, keys[0]!.right);
      const r = await revealOf(host, 0);
      assert.deepEqual(r.teams, [
        { rank: 1, unit: 'Đỏ', players: 2, score: 1000, average: 500 },
        { rank: 1, unit: 'Xanh', players: 1, score: 500, average: 500 },
      ]);
      assert.equal(r.top.find((e) => e.playerId === red.player.id)?.unit, 'Đỏ');
      host.send({ type: 'next' });
      const ended = await host.next<EndedFrame>('ended');
      assert.equal(ended.teams?.length, 2);
      assertNoKeyBeforeReveal([host, red.s, red2.s, blue.s]);
    });

    test('without team mode a unit is not taken: the player has none', async () => {
      const { game } = await newGame([single(1)]);
      const p = await pool.join(game.pin!, 'Unitless', { unit: 'Anything' }).catch(() => null);
      // The contract asks for a unit only in team mode; either it is ignored or refused as BAD_UNIT.
      if (p) assert.equal(p.player.unit, null);
    });

    test('LOBBY_LOCKED: no new players while locked, a token rejoin still works; unlock lets them in', async () => {
      const { game, keys, org } = await newGame([single(1), single(2)]);
      const host = await pool.host(game.id, org.cookie);
      const p = await pool.join(game.pin!, 'Inside');
      const from = host.mark();
      host.send({ type: 'lock', locked: true });
      const locked = await host.next<LobbyFrame>((f) => f.type === 'lobby' && f.locked === true, from);
      assert.equal(locked.count, 1);
      const pin = ok<{ game: { locked: boolean } }>(await call(app, 'GET', `/api/live/pin/${game.pin}`));
      assert.equal(pin.game.locked, true);
      const outside = await pool.open('outside');
      await outside.refused({ type: 'join', pin: game.pin, nickname: 'Outside' }, 'LOBBY_LOCKED');

      p.s.socket.terminate();
      const back = await pool.join(game.pin!, 'Inside', { token: p.player.token });
      assert.equal(back.player.id, p.player.id);

      // Locked in a running game too; the player inside plays on.
      host.send({ type: 'start' });
      const q = await questionOf(back.s, 0);
      await outside.refused({ type: 'join', pin: game.pin, nickname: 'Outside' }, 'LOBBY_LOCKED');
      at(clock, q, 0);
      await answer(back.s, 0, keys[0]!.right);
      await resultOf(back.s, 0);

      // Unlocked, a running game takes a late player: game + the current phase.
      const unlockFrom = host.mark();
      host.send({ type: 'lock', locked: false });
      await host.next((f) => f.type === 'lobby' && f.locked === false, unlockFrom).catch(() => undefined);
      host.send({ type: 'next' });
      const q1 = await questionOf(host, 1);
      const late = await pool.join(game.pin!, 'Late');
      const lateGame = await late.s.next<GameFrame>('game');
      assert.equal(lateGame.game.phase, 'question');
      const lq = await questionOf(late.s, 1);
      assert.equal(lq.opensAt, q1.opensAt);
      at(clock, q1, 0);
      await answer(late.s, 1, keys[1]!.right);
      assertNoKeyBeforeReveal([host, back.s, late.s]);
    });
  });

  describe('answer refusals', () => {
    test('NOT_JOINED, NOT_OPEN, TIME_UP, ALREADY_ANSWERED, BAD_OPTION', async () => {
      const { game, keys, org } = await newGame([single(1), multiple(2), trueFalse(3)]);
      const host = await pool.host(game.id, org.cookie);
      const stranger = await pool.open('stranger');
      await stranger.refused({ type: 'answer', index: 0, optionIds: keys[0]!.right }, 'NOT_JOINED');
      const a = await pool.join(game.pin!, 'Refused A');
      const b = await pool.join(game.pin!, 'Refused B');
      // In the lobby nothing is open.
      await a.s.refused({ type: 'answer', index: 0, optionIds: keys[0]!.right }, 'NOT_OPEN');

      host.send({ type: 'start' });
      const q0 = await questionOf(a.s, 0);
      // During the reading time: not open yet.
      at(clock, q0, -1);
      await a.s.refused({ type: 'answer', index: 0, optionIds: keys[0]!.right }, 'NOT_OPEN');
      at(clock, q0, 0);
      // Another index than the open one.
      await a.s.refused({ type: 'answer', index: 1, optionIds: keys[1]!.right }, 'NOT_OPEN');
      // Options of no such id, none, two for a single-choice question.
      await a.s.refused({ type: 'answer', index: 0, optionIds: ['nope'] }, 'BAD_OPTION');
      await a.s.refused({ type: 'answer', index: 0, optionIds: [] }, 'BAD_OPTION');
      await a.s.refused(
        { type: 'answer', index: 0, optionIds: [keys[0]!.right[0], keys[0]!.wrong[0]] },
        'BAD_OPTION',
      );
      await answer(a.s, 0, keys[0]!.right);
      await a.s.refused({ type: 'answer', index: 0, optionIds: keys[0]!.right }, 'ALREADY_ANSWERED');
      await a.s.refused({ type: 'answer', index: 0, optionIds: [keys[0]!.wrong[0]] }, 'ALREADY_ANSWERED');
      // After closesAt: too late.
      at(clock, q0, LIMIT + 1);
      await b.s.refused({ type: 'answer', index: 0, optionIds: keys[0]!.right }, 'TIME_UP');
      const r0 = await revealOf(host, 0);
      assert.equal(r0.answered, 1, 'the refused answers were not counted');
      const rb = await resultOf(b.s, 0);
      assert.equal(rb.chosen, null);
      assert.equal((await resultOf(a.s, 0)).score, 1000);

      host.send({ type: 'next' });
      const q1 = await questionOf(a.s, 1);
      at(clock, q1, 0);
      // Multiple response: an option twice is not a valid choice.
      await a.s.refused(
        { type: 'answer', index: 1, optionIds: [keys[1]!.right[0], keys[1]!.right[0]] },
        'BAD_OPTION',
      );
      // An option id of another question.
      await a.s.refused({ type: 'answer', index: 1, optionIds: [keys[0]!.right[0]] }, 'BAD_OPTION');
      host.send({ type: 'next' });
      await revealOf(host, 1);
      host.send({ type: 'next' });
      const q2 = await questionOf(a.s, 2);
      at(clock, q2, 0);
      await a.s.refused({ type: 'answer', index: 2, optionIds: keys[2]!.order }, 'BAD_OPTION');
      await answer(a.s, 2, keys[2]!.right);
      assertNoKeyBeforeReveal([host, a.s, b.s, stranger]);
    });
  });

  describe('kick', () => {
    test('the player gets `kicked` and the socket closes; the token is refused (KICKED), the nickname stays taken', async () => {
      const { game, keys, org } = await newGame([single(1), single(2)]);
      const host = await pool.host(game.id, org.cookie);
      const bad = await pool.join(game.pin!, 'Troll');
      const good = await pool.join(game.pin!, 'Good');
      await lobbyWith(host, 2);
      host.send({ type: 'start' });
      const q0 = await questionOf(host, 0);
      at(clock, q0, 0);

      const from = host.mark();
      host.send({ type: 'kick', playerId: bad.player.id });
      assert.deepEqual(await bad.s.next('kicked'), { type: 'kicked' });
      await bad.s.waitClosed();

      // The token no longer rejoins: KICKED, and that socket closes too.
      const again = await pool.open('troll again');
      again.send({ type: 'join', pin: game.pin, nickname: 'Troll', token: bad.player.token });
      const err = await again.next<{ type: string; code: string }>('error');
      assert.equal(err.code, 'KICKED');
      await again.waitClosed();
      // The nickname stays taken.
      const other = await pool.open('copycat');
      await other.refused({ type: 'join', pin: game.pin, nickname: 'troll' }, 'NICKNAME_TAKEN');

      // The kicked player is no longer among the players: Good answering closes the question.
      await answer(good.s, 0, keys[0]!.right);
      const r = await revealOf(host, 0, from);
      assert.equal(r.players, 1);
      assert.deepEqual(
        r.top.map((e) => e.playerId),
        [good.player.id],
      );
      assertNoKeyBeforeReveal([host, bad.s, good.s, again, other]);
    });

    test("a kicked player's answer does not count: the others still have the whole time to answer", async () => {
      const { game, keys, org } = await newGame([single(1), single(2)]);
      const host = await pool.host(game.id, org.cookie);
      const bad = await pool.join(game.pin!, 'Quick troll');
      const good = await pool.join(game.pin!, 'Slow good');
      await lobbyWith(host, 2);
      host.send({ type: 'start' });
      const q0 = await questionOf(host, 0);
      at(clock, q0, 0);
      await answer(bad.s, 0, keys[0]!.right);
      host.send({ type: 'kick', playerId: bad.player.id });
      await bad.s.waitClosed();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(host.all('reveal').length, 0, 'no reveal before the player left has answered');
      at(clock, q0, 1000);
      await answer(good.s, 0, keys[0]!.right);
      const r = await revealOf(host, 0);
      assert.deepEqual([r.answered, r.correct, r.players], [1, 1, 1]);
    });

    test('a kick in the lobby takes the player off the lobby list', async () => {
      const { game, org } = await newGame([single(1)]);
      const host = await pool.host(game.id, org.cookie);
      const p = await pool.join(game.pin!, 'Gone');
      await pool.join(game.pin!, 'Stays');
      await lobbyWith(host, 2);
      const from = host.mark();
      host.send({ type: 'kick', playerId: p.player.id });
      await p.s.waitClosed();
      const lobby = await host.next<LobbyFrame>((f) => f.type === 'lobby' && f.count === 1, from);
      assert.deepEqual(
        lobby.players.map((x) => x.nickname),
        ['Stays'],
      );
    });
  });

  describe('host refusals', () => {
    test("NOT_HOST: host commands from a player socket or an unattached one; a `host` frame for another organiser's game", async () => {
      const { game, org } = await newGame([single(1)]);
      await pool.host(game.id, org.cookie);
      const p = await pool.join(game.pin!, 'Not host');
      const loose = await pool.open('unattached', org.cookie);
      const commands = [
        { type: 'start' },
        { type: 'next' },
        { type: 'skip' },
        { type: 'end' },
        { type: 'kick', playerId: p.player.id },
        { type: 'lock', locked: true },
      ];
      for (const c of commands) {
        await p.s.refused(c, 'NOT_HOST');
        await loose.refused(c, 'NOT_HOST');
      }
      const other = await makeOrganiser(app);
      const theirs = await pool.open('other organiser', other.cookie);
      await theirs.refused({ type: 'host', gameId: game.id }, 'NOT_HOST');
      const anonymous = await pool.open('anonymous');
      await anonymous.refused({ type: 'host', gameId: game.id }, 'UNAUTHENTICATED');
      const stranger = await pool.open('unknown game', org.cookie);
      await stranger.refused({ type: 'host', gameId: 999_999 }, 'GAME_NOT_FOUND');
      // Nothing of that moved the game.
      const still = ok<{ game: LiveGame }>(
        await call(app, 'GET', `/api/live/games/${game.id}`, { cookie: org.cookie }),
      );
      assert.deepEqual([still.game.phase, still.game.locked, still.game.playerCount], ['lobby', false, 1]);
    });

    test("an admin may host anybody's game; a second host socket (projector) sees the same frames", async () => {
      const { game, keys, org } = await newGame([single(1)]);
      const admin = await makeAdmin(app);
      const adminHost = await pool.host(game.id, admin.cookie);
      const projector = await pool.host(game.id, org.cookie);
      const p = await pool.join(game.pin!, 'Watched');
      adminHost.send({ type: 'start' });
      const q = await questionOf(projector, 0);
      at(clock, q, 0);
      await answer(p.s, 0, keys[0]!.right);
      const r1 = await revealOf(adminHost, 0);
      const r2 = await revealOf(projector, 0);
      assert.deepEqual(r1, r2);
      assertNoKeyBeforeReveal([adminHost, projector, p.s]);
    });

    test('a host who reconnects gets game + the current phase: the question mid-question, the reveal after it', async () => {
      const { game, keys, org } = await newGame([single(1), single(2)]);
      const host = await pool.host(game.id, org.cookie);
      const p = await pool.join(game.pin!, 'Seen');
      await pool.join(game.pin!, 'Unseen');
      host.send({ type: 'start' });
      const q = await questionOf(host, 0);
      at(clock, q, 0);
      await answer(p.s, 0, keys[0]!.right);
      const again = await pool.host(game.id, org.cookie);
      const g = await again.next<GameFrame>('game');
      assert.deepEqual([g.game.phase, g.game.index, g.game.status], ['question', 0, 'running']);
      const rq = await questionOf(again, 0);
      assert.deepEqual({ ...rq, now: q.now }, q, 'the question as it was sent');
      host.send({ type: 'next' });
      const r = await revealOf(host, 0);
      const later = await pool.host(game.id, org.cookie);
      assert.deepEqual(await revealOf(later, 0), r);
      const pin = ok<{ game: { status: string } }>(await call(app, 'GET', `/api/live/pin/${game.pin}`));
      assert.equal(pin.game.status, 'running');
      assertNoKeyBeforeReveal([host, again, later, p.s]);
    });

    test('BAD_STATE: skip in the lobby; NO_PLAYERS: start with nobody in; start twice', async () => {
      const { game, org } = await newGame([single(1), single(2)]);
      const host = await pool.host(game.id, org.cookie);
      await host.refused({ type: 'skip' }, 'BAD_STATE');
      await host.refused({ type: 'start' }, 'NO_PLAYERS');
      await host.refused({ type: 'next' }, 'NO_PLAYERS');
      await pool.join(game.pin!, 'Somebody');
      host.send({ type: 'start' });
      await questionOf(host, 0);
      await host.refused({ type: 'start' }, 'BAD_STATE');
      host.send({ type: 'end' });
      await host.next('ended');
      await host.refused({ type: 'next' }, 'BAD_STATE').catch(async () => {
        // After the end, GAME_ENDED says the same more precisely.
        const last = host.all<{ type: string; code: string }>('error').at(-1);
        assert.equal(last?.code, 'GAME_ENDED');
      });
    });

    test('`end` from a question: ended with the podium to everyone, each player their rank', async () => {
      const { game, keys, org } = await newGame([single(1), single(2)]);
      const host = await pool.host(game.id, org.cookie);
      const ps = [];
      for (const n of ['E1', 'E2', 'E3', 'E4']) ps.push(await pool.join(game.pin!, n));
      host.send({ type: 'start' });
      const q = await questionOf(host, 0);
      for (const [i, p] of ps.entries()) {
        at(clock, q, i * 2000);
        await answer(p.s, 0, keys[0]!.right);
      }
      await revealOf(host, 0);
      host.send({ type: 'next' });
      await questionOf(host, 1);
      host.send({ type: 'end' });
      const ended = await host.next<EndedFrame>('ended');
      assert.equal(ended.podium.length, 3, 'a podium of three');
      assert.deepEqual(
        ended.podium.map((e) => [e.nickname, e.rank, e.score]),
        [
          ['E1', 1, 1000],
          ['E2', 2, speed(2000, LIMIT)],
          ['E3', 3, speed(4000, LIMIT)],
        ],
      );
      assert.equal(ended.top.length, 4);
      assert.equal(ended.players, 4);
      const e4 = await ps[3]!.s.next<EndedFrame>('ended');
      assert.deepEqual([e4.rank, e4.score], [4, speed(6000, LIMIT)]);
      const g = ok<{ game: LiveGame }>(
        await call(app, 'GET', `/api/live/games/${game.id}`, { cookie: org.cookie }),
      );
      assert.equal(g.game.phase, 'ended');
      assertNoKeyBeforeReveal([host, ...ps.map((p) => p.s)]);
    });
  });

  test('BAD_FRAME for non-JSON, an unknown type and malformed frames; the socket stays usable', async () => {
    const s = await pool.open('bad frames');
    for (const frame of [
      'not json',
      '{"type":"dance"}',
      '[]',
      'null',
      '42',
      '{"type":"join"}',
      '{"type":"answer","index":"zero","optionIds":[]}',
      '{"type":"host"}',
      '{"type":"lock","locked":"yes"}',
    ]) {
      const err = await s.refused(frame, 'BAD_FRAME');
      assert.equal(err.type, 'error');
    }
    s.send({ type: 'ping' });
    const pong = await s.next<{ type: string; now: string }>('pong');
    assert.equal(pong.now, new Date(clock.now).toISOString());
    assert.equal(s.closed, false);
  });

  test('shuffled options: shuffled once, the same order on the host, every phone and a reload', async () => {
    const many = {
      type: 'single' as const,
      stem: 'Shuffle me',
      options: Array.from({ length: 6 }, (_, i) => ({ text: `Option ${i}`, correct: i === 0 })),
    };
    const { game, keys, org } = await newGame([many], { shuffleOptions: true });
    const host = await pool.host(game.id, org.cookie);
    const a = await pool.join(game.pin!, 'Shuf A');
    const b = await pool.join(game.pin!, 'Shuf B');
    host.send({ type: 'start' });
    const qs: QuestionFrame[] = [
      await questionOf(host, 0),
      await questionOf(a.s, 0),
      await questionOf(b.s, 0),
    ];
    for (const q of qs) {
      assert.deepEqual(
        q.options.map((o) => o.id),
        keys[0]!.order,
      );
    }
    a.s.socket.terminate();
    const back = await pool.join(game.pin!, 'Shuf A', { token: a.player.token });
    assert.deepEqual((await questionOf(back.s, 0)).options, qs[0]!.options);
    assertNoKeyBeforeReveal([host, back.s, b.s]);
  });
});
