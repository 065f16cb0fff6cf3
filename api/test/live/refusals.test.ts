// The live-game engine's refusals and host controls: bad frames, who may host, nickname rules,
// team mode units, lock (a token still rejoins), kick (socket closed with 4001, answers and token
// refused, the others' early close), start with nobody in, steps out of phase, bad options; the
// HTTP side's selection modes and refusals, the QR code and the PIN look-up; the sweep.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  makeApp,
  makeOrganiser,
  ok,
  refusal,
  registerAccount,
  singleQuestion,
  sleep,
  type Account,
} from '../helpers.ts';
import { createGame, makeBank, openLive, problems, type LiveSocket } from './live-helpers.ts';

describe('live game refusals and host controls', async () => {
  const t = await makeApp();
  const { app, clock } = t;
  const sockets: LiveSocket[] = [];
  const open = async (cookie?: string) => {
    const s = await openLive(app, cookie);
    sockets.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t.close();
  });

  let organiser: Account;
  let bank: { bankId: number; ids: number[] };

  before(async () => {
    organiser = await makeOrganiser(app);
    bank = await makeBank(app, organiser, [
      { ...singleQuestion(1), tags: ['toán'] },
      { ...singleQuestion(2), tags: ['văn'] },
      { ...singleQuestion(3), tags: ['toán'] },
    ]);
  });

  const hostOf = async (gameId: number) => {
    const host = await open(organiser.cookie);
    host.send({ type: 'host', gameId });
    await host.expect('game');
    return host;
  };
  const join = async (pin: string, nickname: string, extra: Record<string, unknown> = {}) => {
    const s = await open();
    s.send({ type: 'join', pin, nickname, ...extra });
    return s;
  };

  test('bad frames, hosting rules, ping', async () => {
    const game = await createGame(app, organiser, { bankId: bank.bankId, questions: { mode: 'all' } });
    const s = await open();
    s.send('not json');
    assert.equal((await s.expect('error')).code, 'BAD_FRAME');
    s.send({ type: 'dance' });
    assert.equal((await s.expect('error')).code, 'BAD_FRAME');
    s.send({ type: 'answer', index: 0, optionIds: 'a' });
    assert.equal((await s.expect('error')).code, 'BAD_FRAME');
    s.send({ type: 'ping' });
    assert.equal((await s.expect('pong')).now, new Date(clock.now).toISOString());
    s.send({ type: 'host', gameId: game.id });
    assert.equal((await s.expect('error')).code, 'UNAUTHENTICATED');
    s.send({ type: 'start' });
    assert.equal((await s.expect('error')).code, 'NOT_HOST');
    s.send({ type: 'answer', index: 0, optionIds: ['x'] });
    assert.equal((await s.expect('error')).code, 'NOT_JOINED');

    const other = await makeOrganiser(app);
    const o = await open(other.cookie);
    o.send({ type: 'host', gameId: game.id });
    assert.equal((await o.expect('error')).code, 'NOT_HOST');
    o.send({ type: 'host', gameId: 999_999 });
    assert.equal((await o.expect('error')).code, 'GAME_NOT_FOUND');

    const host = await hostOf(game.id);
    host.send({ type: 'host', gameId: game.id });
    assert.equal((await host.expect('error')).code, 'ALREADY_JOINED');
    host.send({ type: 'join', pin: game.pin, nickname: 'Me' });
    assert.equal((await host.expect('error')).code, 'ALREADY_JOINED');
    host.send({ type: 'skip' });
    assert.equal((await host.expect('error')).code, 'BAD_STATE');
    host.send({ type: 'start' });
    assert.equal((await host.expect('error')).code, 'NO_PLAYERS');
    host.send({ type: 'next' });
    assert.equal((await host.expect('error')).code, 'NO_PLAYERS');
  });

  test('nicknames: trimmed, NFC, unique regardless of case; wrong PINs', async () => {
    const game = await createGame(app, organiser, { bankId: bank.bankId, questions: { mode: 'all' } });
    const pin = game.pin!;
    const first = await join(pin, 'Nguyễn');
    await first.expect('joined');
    const decomposed = await join(pin, '  NGUYE\u0302\u0303N '); // Ễ decomposed, other case
    assert.equal((await decomposed.expect('error')).code, 'NICKNAME_TAKEN');
    const empty = await join(pin, '   ');
    assert.equal((await empty.expect('error')).code, 'BAD_NICKNAME');
    const long = await join(pin, 'x'.repeat(21));
    assert.equal((await long.expect('error')).code, 'BAD_NICKNAME');
    const twenty = await join(pin, 'y'.repeat(20));
    await twenty.expect('joined');
    twenty.send({ type: 'join', pin, nickname: 'again' });
    assert.equal((await twenty.expect('error')).code, 'ALREADY_JOINED');
    const wrong = await join(pin === '999999' ? '999998' : '999999', 'Lạc');
    assert.equal((await wrong.expect('error')).code, 'GAME_NOT_FOUND');
    const garbage = await join('12ab', 'Lạc');
    assert.equal((await garbage.expect('error')).code, 'GAME_NOT_FOUND');
    // An unknown token is a new join.
    const stranger = await join(pin, 'Mới', { token: 'not-a-token' });
    assert.equal(((await stranger.expect('joined')).player as { nickname: string }).nickname, 'Mới');
  });

  test('team mode: a unit is required and must be one of the game’s', async () => {
    const game = await createGame(app, organiser, {
      bankId: bank.bankId,
      questions: { mode: 'all' },
      teamMode: true,
      units: ['Lớp 10A', 'Lớp 10B'],
    });
    const none = await join(game.pin!, 'Hà');
    assert.equal((await none.expect('error')).code, 'BAD_UNIT');
    const wrong = await join(game.pin!, 'Hà', { unit: 'Lớp 11' });
    assert.equal((await wrong.expect('error')).code, 'BAD_UNIT');
    const okJoin = await join(game.pin!, 'Hà', { unit: 'Lớp 10B' });
    assert.equal(((await okJoin.expect('joined')).player as { unit: string }).unit, 'Lớp 10B');
    const pinGame = ok<{ game: { teamMode: boolean; units: string[] } }>(
      await call(app, 'GET', `/api/live/pin/${game.pin}`),
    );
    assert.deepEqual(pinGame.game, {
      title: 'Live bank',
      status: 'lobby',
      locked: false,
      teamMode: true,
      units: ['Lớp 10A', 'Lớp 10B'],
    });
  });

  test('lock: no new players, a token still rejoins; kick: socket closed, answers and token refused', async () => {
    const game = await createGame(app, organiser, {
      bankId: bank.bankId,
      questions: { mode: 'all' },
      readingTimeSec: 0,
    });
    const pin = game.pin!;
    const host = await hostOf(game.id);
    const a = await join(pin, 'A');
    const seatA = (await a.expect('joined')).player as { id: number; token: string };
    const b = await join(pin, 'B');
    const seatB = (await b.expect('joined')).player as { id: number; token: string };
    const c = await join(pin, 'C');
    await c.expect('joined');

    const beforeLock = host.frames.length;
    host.send({ type: 'lock', locked: true });
    await host.next((f) => f.type === 'lobby' && f.locked === true && f.count === 3, undefined, beforeLock);
    const late = await join(pin, 'D');
    assert.equal((await late.expect('error')).code, 'LOBBY_LOCKED');
    await a.close();
    const a2 = await join(pin, 'ignored', { token: seatA.token });
    assert.equal(((await a2.expect('joined')).player as { id: number }).id, seatA.id);

    host.send({ type: 'start' });
    const q = await host.expect('question');
    const right = (q.options as { id: string; text: string }[]).find((o) => o.text === 'Right 1')!.id;
    a2.send({ type: 'answer', index: 0, optionIds: ['nope'] });
    assert.equal((await a2.expect('error')).code, 'BAD_OPTION');
    a2.send({ type: 'answer', index: 0, optionIds: [right, right] });
    assert.equal((await a2.expect('error')).code, 'BAD_OPTION');
    a2.send({ type: 'answer', index: 0, optionIds: [] });
    assert.equal((await a2.expect('error')).code, 'BAD_OPTION');
    a2.send({ type: 'answer', index: 1, optionIds: [right] });
    assert.equal((await a2.expect('error')).code, 'NOT_OPEN');
    a2.send({ type: 'answer', index: 0, optionIds: [right] });
    await a2.expect('answered');
    c.send({ type: 'answer', index: 0, optionIds: [right] });
    await c.expect('answered');
    await sleep(50);
    assert.equal(host.frames.filter((f) => f.type === 'reveal').length, 0, 'B has not answered');

    // Kicking B, the last who had not answered, closes the question: everyone left has answered.
    const closed = new Promise<number>((resolve) => b.socket.once('close', (code: number) => resolve(code)));
    host.send({ type: 'kick', playerId: seatB.id });
    await b.expect('kicked');
    assert.equal(await closed, 4001);
    const reveal = await host.expect('reveal');
    assert.equal(reveal.players, 2);
    assert.equal((reveal.top as unknown[]).length, 2);

    const b2 = await join(pin, 'B', { token: seatB.token });
    assert.equal((await b2.expect('error')).code, 'KICKED');
    const b3 = await join(pin, 'b');
    assert.equal((await b3.expect('error')).code, 'LOBBY_LOCKED');
    // Frames from here on: the lobby frames sent before the lock also say locked: false.
    const mark = host.frames.length;
    host.send({ type: 'lock', locked: false });
    await host.next((f) => f.type === 'lobby' && f.locked === false, undefined, mark);
    const b4 = await join(pin, 'b');
    assert.equal((await b4.expect('error')).code, 'NICKNAME_TAKEN', 'a kicked nickname stays taken');

    const report = ok<{ players: { nickname: string; rank: number | null; kicked: boolean }[] }>(
      await call(app, 'GET', `/api/live/games/${game.id}/report`, { cookie: organiser.cookie }),
    );
    assert.deepEqual(report.players.at(-1), {
      ...report.players.at(-1),
      nickname: 'B',
      rank: null,
      kicked: true,
    });

    host.send({ type: 'end' });
    await host.expect('ended');
    host.send({ type: 'end' });
    assert.equal((await host.expect('error')).code, 'GAME_ENDED');
    host.send({ type: 'lock', locked: true });
    assert.equal((await host.expect('error')).code, 'GAME_ENDED');
    refusal(
      await call(app, 'POST', `/api/live/games/${game.id}/end`, { cookie: organiser.cookie }),
      409,
      'GAME_ENDED',
    );
    refusal(await call(app, 'GET', `/api/live/pin/${pin}`), 404, 'GAME_NOT_FOUND');
  });

  test('HTTP: selection modes, defaults and refusals', async () => {
    const cookie = organiser.cookie;
    const byTag = await createGame(app, organiser, {
      bankId: bank.bankId,
      questions: { mode: 'tags', tags: ['toán'] },
    });
    assert.equal(byTag.questionCount, 2);
    const byIds = await createGame(app, organiser, {
      bankId: bank.bankId,
      questions: { mode: 'ids', ids: [bank.ids[2], bank.ids[0]] },
    });
    const detail = ok<{ questions: { questionId: number }[]; game: { settings: Record<string, unknown> } }>(
      await call(app, 'GET', `/api/live/games/${byIds.id}`, { cookie }),
    );
    assert.deepEqual(
      detail.questions.map((q) => q.questionId),
      [bank.ids[2], bank.ids[0]],
    );
    assert.deepEqual(detail.game.settings, {
      questionTimeSec: 20,
      readingTimeSec: 5,
      shuffleOptions: false,
      streakBonus: false,
      teamMode: false,
      units: [],
    });
    const post = (payload: unknown, who = cookie) =>
      call(app, 'POST', '/api/live/games', { cookie: who, payload });
    refusal(
      await post({ bankId: bank.bankId, questions: { mode: 'tags', tags: ['sử'] } }),
      409,
      'NO_QUESTIONS',
    );
    refusal(
      await post({ bankId: bank.bankId, questions: { mode: 'ids', ids: [999_999] } }),
      400,
      'UNKNOWN_QUESTION',
    );
    refusal(
      await post({ bankId: bank.bankId, questions: { mode: 'all' }, teamMode: true, units: ['x'] }),
      400,
      'UNITS_REQUIRED',
    );
    refusal(
      await post({ bankId: bank.bankId, questions: { mode: 'all' }, questionTimeSec: 4 }),
      400,
      'BAD_REQUEST',
    );
    refusal(await post({ bankId: 999_999, questions: { mode: 'all' } }), 404, 'BANK_NOT_FOUND');
    const other = await makeOrganiser(app);
    refusal(await post({ bankId: bank.bankId, questions: { mode: 'all' } }, other.cookie), 403, 'FORBIDDEN');
    const participant = await registerAccount(app);
    refusal(
      await post({ bankId: bank.bankId, questions: { mode: 'all' } }, participant.cookie),
      403,
      'FORBIDDEN',
    );
    refusal(await call(app, 'GET', '/api/live/games'), 401, 'UNAUTHENTICATED');
    refusal(await call(app, 'GET', `/api/live/games/${byIds.id}`, { cookie: other.cookie }), 403, 'NOT_HOST');
    assert.deepEqual(
      ok<{ games: unknown[] }>(await call(app, 'GET', '/api/live/games', { cookie: other.cookie })).games,
      [],
    );

    const qr = await call(app, 'GET', `/api/live/games/${byIds.id}/qr.svg`, {
      cookie,
      headers: { host: 'quiz.example' },
    });
    assert.equal(qr.statusCode, 200);
    assert.match(String(qr.headers['content-type']), /^image\/svg\+xml/);
    assert.match(qr.body, /^<svg/);
  });

  test('the sweep reveals a question nobody closed and ends games idle for 12 hours', async () => {
    const game = await createGame(app, organiser, {
      bankId: bank.bankId,
      questions: { mode: 'all' },
      readingTimeSec: 0,
    });
    const p = await join(game.pin!, 'Solo');
    await p.expect('joined');
    const host = await hostOf(game.id);
    host.send({ type: 'start' });
    await host.expect('question');
    // Every socket leaves: no node holds the game, nobody's timer closes the question.
    await host.close();
    await p.close();
    await sleep(20);
    clock.advance(25_000);
    assert.deepEqual(await app.services.live.sweep(), { ended: 0, revealed: 1 });
    assert.equal((await app.repos.live.get(game.id))?.phase, 'reveal');
    clock.advance(12 * 3600 * 1000 + 1);
    const swept = await app.services.live.sweep();
    assert.ok(swept.ended >= 1);
    assert.equal((await app.repos.live.get(game.id))?.status, 'ended');
  });

  test('no frame was off its schema or showed the key before a reveal', () => {
    assert.deepEqual(problems, []);
  });
});
