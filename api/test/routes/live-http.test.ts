// Contract tests of the live games' HTTP routes (docs/api.md "Live games (host-paced)"): creating
// from a bank (each selection mode, the defaults, every bound and refusal), listing, detail, end,
// the join QR code, the public PIN lookup, the report and its XLSX after a played game, and the
// role checks of every route. Written from the contract; the WebSocket flow is in live-ws.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  makeAccountWithRoles,
  makeAdmin,
  makeApp,
  makeOrganiser,
  ok,
  refusal,
  registerAccount,
  type Account,
} from '../helpers.ts';
import { loadWorkbook, sheetRows, type CellValue } from './report-fixtures.ts';
import {
  answer,
  answerKeys,
  at,
  createGame,
  createGameRaw,
  detail,
  makeBank,
  multiple,
  questionOf,
  resultOf,
  revealOf,
  single,
  SocketPool,
  trueFalse,
  type LiveGame,
} from './live-fixtures.ts';

interface ReportQuestion {
  position: number;
  questionId: number;
  type: string;
  stem: string;
  skipped: boolean;
  answered: number;
  correct: number;
  shareCorrect: number;
  averageMs: number | null;
  options: { id: string; text: string; correct: boolean; count: number }[];
}
interface ReportPlayer {
  rank: number | null;
  playerId: number;
  nickname: string;
  unit: string | null;
  score: number;
  correctCount: number;
  answeredCount: number;
  kicked: boolean;
}
interface Report {
  game: LiveGame;
  questions: ReportQuestion[];
  players: ReportPlayer[];
  teams: { rank: number; unit: string; players: number; score: number; average: number }[] | null;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('live games over HTTP', async () => {
  const t = await makeApp();
  const { app, clock } = t;
  const pool = new SocketPool(app);
  after(async () => {
    await pool.closeAll();
    await t.close();
  });

  let org: Account;
  let other: Account;
  let admin: Account;
  let participant: Account;
  let bankId: number;
  let questionIds: number[];

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    admin = await makeAdmin(app);
    participant = await registerAccount(app);
    ({ bankId, questionIds } = await makeBank(app, org, [
      { ...single(1), tags: ['history'] },
      { ...multiple(2), tags: ['maths', 'hard'] },
      { ...trueFalse(3), tags: ['history', 'easy'] },
      { ...single(4), tags: ['geo'] },
      { ...single(5), tags: ['history'] },
    ]));
    // A retired question is not "active": no selection mode takes it.
    ok(await call(app, 'DELETE', `/api/questions/${questionIds[4]}`, { cookie: org.cookie }));
  });

  describe('create', () => {
    test('{mode: "all"}: every active question of the bank, with the defaults of the contract', async () => {
      const game = await createGame(app, org.cookie, { bankId, title: 'Giờ ra chơi' });
      assert.equal(game.title, 'Giờ ra chơi');
      assert.equal(game.status, 'lobby');
      assert.equal(game.phase, 'lobby');
      assert.equal(game.index, -1);
      assert.match(game.pin ?? '', /^[0-9]{6}$/);
      assert.equal(game.joinPath, `/play?pin=${game.pin}`);
      assert.equal(game.bankId, bankId);
      assert.equal(game.questionCount, 4, 'the retired question is left out');
      assert.equal(game.playerCount, 0);
      assert.equal(game.locked, false);
      const { units, ...settings } = game.settings;
      assert.deepEqual(settings, {
        questionTimeSec: 20,
        readingTimeSec: 5,
        shuffleOptions: false,
        streakBonus: false,
        teamMode: false,
      });
      assert.ok(units === null || (Array.isArray(units) && units.length === 0), `units ${String(units)}`);
      assert.equal(game.createdAt, new Date(clock.now).toISOString());
      assert.equal(game.startedAt, null);
      assert.equal(game.endedAt, null);

      const d = await detail(app, game.id, org.cookie);
      assert.deepEqual(d.game, game);
      assert.deepEqual(
        d.questions.map((q) => q.questionId).sort((a, b) => a - b),
        questionIds.slice(0, 4),
      );
      assert.deepEqual(
        d.questions.map((q) => q.position),
        [0, 1, 2, 3].map((i) => d.questions[0]!.position + i),
        'positions run in order',
      );
      const q1 = d.questions.find((q) => q.questionId === questionIds[0])!;
      assert.equal(q1.type, 'single');
      assert.equal(q1.stem, single(1).stem);
      // Not shuffled by default: the bank's order, with the keys (the host's view).
      assert.deepEqual(
        q1.options.map((o) => ({ text: o.text, correct: o.correct })),
        single(1).options,
      );
      for (const o of q1.options) assert.equal(typeof o.id, 'string');
    });

    test('{mode: "tags"}: active questions with any of the tags', async () => {
      const game = await createGame(app, org.cookie, {
        bankId,
        questions: { mode: 'tags', tags: ['history', 'maths'] },
      });
      assert.equal(game.questionCount, 3, 'questions 1, 2 and 3 (5 is retired)');
      const d = await detail(app, game.id, org.cookie);
      assert.deepEqual(
        d.questions.map((q) => q.questionId).sort((a, b) => a - b),
        questionIds.slice(0, 3),
      );
      const geo = await createGame(app, org.cookie, { bankId, questions: { mode: 'tags', tags: ['geo'] } });
      assert.equal(geo.questionCount, 1);
    });

    test('{mode: "ids"}: those questions, in that order', async () => {
      const ids = [questionIds[3]!, questionIds[0]!, questionIds[2]!];
      const game = await createGame(app, org.cookie, { bankId, questions: { mode: 'ids', ids } });
      assert.equal(game.questionCount, 3);
      const d = await detail(app, game.id, org.cookie);
      assert.deepEqual(
        [...d.questions].sort((a, b) => a.position - b.position).map((q) => q.questionId),
        ids,
      );
    });

    test('the settings given are kept; the bounds of the contract are accepted', async () => {
      const game = await createGame(app, org.cookie, {
        bankId,
        questionTimeSec: 5,
        readingTimeSec: 0,
        shuffleOptions: true,
        streakBonus: true,
        teamMode: true,
        units: ['Lớp 10A', 'Lớp 10B'],
      });
      assert.deepEqual(game.settings, {
        questionTimeSec: 5,
        readingTimeSec: 0,
        shuffleOptions: true,
        streakBonus: true,
        teamMode: true,
        units: ['Lớp 10A', 'Lớp 10B'],
      });
      const upper = await createGame(app, org.cookie, { bankId, questionTimeSec: 120, readingTimeSec: 30 });
      assert.equal(upper.settings.questionTimeSec, 120);
      assert.equal(upper.settings.readingTimeSec, 30);
      // shuffleOptions: once at creation; the detail shows the same options, in some order.
      const d = await detail(app, game.id, org.cookie);
      const q1 = d.questions.find((q) => q.questionId === questionIds[0])!;
      assert.deepEqual(
        q1.options.map((o) => o.text).sort(),
        single(1)
          .options.map((o) => o.text)
          .sort(),
      );
      assert.deepEqual((await detail(app, game.id, org.cookie)).questions, d.questions, 'shuffled once');
    });

    test('400 for each bound and malformed body', async () => {
      const base = { bankId, questions: { mode: 'all' } };
      const bad: [string, unknown][] = [
        ['questionTimeSec 4', { ...base, questionTimeSec: 4 }],
        ['questionTimeSec 121', { ...base, questionTimeSec: 121 }],
        ['questionTimeSec 10.5', { ...base, questionTimeSec: 10.5 }],
        ['readingTimeSec -1', { ...base, readingTimeSec: -1 }],
        ['readingTimeSec 31', { ...base, readingTimeSec: 31 }],
        ['no bankId', { questions: { mode: 'all' } }],
        ['no questions', { bankId }],
        ['unknown mode', { bankId, questions: { mode: 'random' } }],
        ['tags without tags', { bankId, questions: { mode: 'tags' } }],
        ['ids without ids', { bankId, questions: { mode: 'ids' } }],
        ['ids not integers', { bankId, questions: { mode: 'ids', ids: ['a'] } }],
        [
          '201 ids',
          { bankId, questions: { mode: 'ids', ids: Array.from({ length: 201 }, (_, i) => i + 1) } },
        ],
        ['one unit', { ...base, teamMode: true, units: ['A'] }],
        ['an empty unit', { ...base, teamMode: true, units: ['A', ''] }],
        ['the same unit twice', { ...base, teamMode: true, units: ['A', 'A'] }],
        ['201 units', { ...base, teamMode: true, units: Array.from({ length: 201 }, (_, i) => `U${i}`) }],
        ['streakBonus not a boolean', { ...base, streakBonus: 'yes' }],
      ];
      for (const [label, body] of bad) {
        const res = await createGameRaw(app, org.cookie, body);
        assert.equal(res.statusCode, 400, `${label}: ${res.statusCode} ${res.body}`);
        refusal(res, 400);
      }
    });

    test('400 UNITS_REQUIRED: team mode without units', async () => {
      refusal(
        await createGameRaw(app, org.cookie, { bankId, questions: { mode: 'all' }, teamMode: true }),
        400,
        'UNITS_REQUIRED',
      );
    });

    test("404 BANK_NOT_FOUND, 403 FORBIDDEN for another organiser's bank", async () => {
      refusal(
        await createGameRaw(app, org.cookie, { bankId: 999_999, questions: { mode: 'all' } }),
        404,
        'BANK_NOT_FOUND',
      );
      refusal(
        await createGameRaw(app, other.cookie, { bankId, questions: { mode: 'all' } }),
        403,
        'FORBIDDEN',
      );
    });

    test('a bank shared with the caller works; an admin may use any bank', async () => {
      const sharee = await makeOrganiser(app);
      refusal(await createGameRaw(app, sharee.cookie, { bankId, questions: { mode: 'all' } }), 403);
      ok(
        await call(app, 'POST', `/api/banks/${bankId}/shares`, {
          cookie: org.cookie,
          payload: { email: sharee.email },
        }),
        201,
      );
      const game = await createGame(app, sharee.cookie, { bankId });
      assert.equal(game.questionCount, 4);
      // The sharee is the host of their own game.
      assert.equal((await detail(app, game.id, sharee.cookie)).game.id, game.id);
      const byAdmin = await createGame(app, admin.cookie, { bankId });
      assert.equal(byAdmin.bankId, bankId);
    });

    test('409 NO_QUESTIONS: an empty selection', async () => {
      refusal(
        await createGameRaw(app, org.cookie, { bankId, questions: { mode: 'tags', tags: ['nothing'] } }),
        409,
        'NO_QUESTIONS',
      );
      const empty = await makeBank(app, org, []);
      refusal(
        await createGameRaw(app, org.cookie, { bankId: empty.bankId, questions: { mode: 'all' } }),
        409,
        'NO_QUESTIONS',
      );
      // Only retired questions: nothing active.
      const retired = await makeBank(app, org, [single(9)]);
      ok(await call(app, 'DELETE', `/api/questions/${retired.questionIds[0]}`, { cookie: org.cookie }));
      refusal(
        await createGameRaw(app, org.cookie, { bankId: retired.bankId, questions: { mode: 'all' } }),
        409,
        'NO_QUESTIONS',
      );
    });

    test('400 UNKNOWN_QUESTION: an id that is not an active question of the bank', async () => {
      const elsewhere = await makeBank(app, org, [single(8)]);
      for (const id of [questionIds[4]!, elsewhere.questionIds[0]!, 999_999]) {
        refusal(
          await createGameRaw(app, org.cookie, {
            bankId,
            questions: { mode: 'ids', ids: [questionIds[0], id] },
          }),
          400,
          'UNKNOWN_QUESTION',
        );
      }
    });

    test('who may create: a participant 403, anonymous 401, a judge 403', async () => {
      refusal(await createGameRaw(app, participant.cookie, { bankId, questions: { mode: 'all' } }), 403);
      refusal(
        await createGameRaw(app, undefined, { bankId, questions: { mode: 'all' } }),
        401,
        'UNAUTHENTICATED',
      );
      const judge = await makeAccountWithRoles(app, ['judge']);
      refusal(await createGameRaw(app, judge.cookie, { bankId, questions: { mode: 'all' } }), 403);
    });
  });

  describe('list, detail, end', () => {
    test("the list: the caller's games, newest first; an admin sees everybody's", async () => {
      const mine = await makeOrganiser(app);
      const own = await makeBank(app, mine, [single(1)]);
      const first = await createGame(app, mine.cookie, { bankId: own.bankId, title: 'First' });
      clock.advance(1000);
      const second = await createGame(app, mine.cookie, { bankId: own.bankId, title: 'Second' });
      const theirs = await createGame(app, org.cookie, { bankId, title: 'Theirs' });

      const list = ok<{ games: LiveGame[] }>(
        await call(app, 'GET', '/api/live/games', { cookie: mine.cookie }),
      );
      assert.deepEqual(
        list.games.map((g) => g.id),
        [second.id, first.id],
      );
      assert.deepEqual(list.games[0], second);

      const all = ok<{ games: LiveGame[] }>(
        await call(app, 'GET', '/api/live/games', { cookie: admin.cookie }),
      );
      const ids = all.games.map((g) => g.id);
      for (const id of [first.id, second.id, theirs.id]) assert.ok(ids.includes(id), `admin sees ${id}`);
      assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), 'newest first');

      refusal(await call(app, 'GET', '/api/live/games', { cookie: participant.cookie }), 403);
      refusal(await call(app, 'GET', '/api/live/games'), 401, 'UNAUTHENTICATED');
    });

    test('detail: its host and an admin; 404 for an unknown game', async () => {
      const game = await createGame(app, org.cookie, { bankId });
      assert.equal((await detail(app, game.id, admin.cookie)).game.id, game.id);
      refusal(await call(app, 'GET', '/api/live/games/999999', { cookie: org.cookie }), 404);
    });

    test('end: from the lobby; the PIN is freed; 409 GAME_ENDED the second time', async () => {
      const game = await createGame(app, org.cookie, { bankId });
      clock.advance(5000);
      const { game: ended } = ok<{ game: LiveGame }>(
        await call(app, 'POST', `/api/live/games/${game.id}/end`, { cookie: org.cookie }),
      );
      assert.equal(ended.status, 'ended');
      assert.equal(ended.phase, 'ended');
      assert.equal(ended.pin, null);
      assert.equal(ended.joinPath, null);
      assert.equal(ended.endedAt, new Date(clock.now).toISOString());
      refusal(await call(app, 'GET', `/api/live/pin/${game.pin}`), 404, 'GAME_NOT_FOUND');
      refusal(
        await call(app, 'POST', `/api/live/games/${game.id}/end`, { cookie: org.cookie }),
        409,
        'GAME_ENDED',
      );
      assert.equal((await detail(app, game.id, org.cookie)).game.status, 'ended');
      // An admin may end anybody's game.
      const another = await createGame(app, org.cookie, { bankId });
      ok(await call(app, 'POST', `/api/live/games/${another.id}/end`, { cookie: admin.cookie }));
    });

    test('end: from a running question (players are told)', async () => {
      const game = await createGame(app, org.cookie, { bankId });
      const host = await pool.host(game.id, org.cookie);
      const { s } = await pool.join(game.pin!, 'Sắp về');
      host.send({ type: 'start' });
      await questionOf(s, 0);
      ok(await call(app, 'POST', `/api/live/games/${game.id}/end`, { cookie: org.cookie }));
      const ended = await s.next('ended');
      assert.equal(ended.score, 0);
      await host.next('ended');
    });
  });

  describe('QR code and PIN lookup', () => {
    test("qr.svg: an SVG of the absolute join URL, from the request's origin", async () => {
      const game = await createGame(app, org.cookie, { bankId });
      const svg = await call(app, 'GET', `/api/live/games/${game.id}/qr.svg`, {
        cookie: org.cookie,
        headers: { host: 'quiz.example.test' },
      });
      assert.equal(svg.statusCode, 200, svg.body);
      assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
      assert.match(svg.body, /<svg[\s>]/);
      assert.match(svg.body, /<\/svg>\s*$/);
      // A different origin encodes a different URL, so a different picture.
      const elsewhere = await call(app, 'GET', `/api/live/games/${game.id}/qr.svg`, {
        cookie: org.cookie,
        headers: { host: 'other-hall.example.test' },
      });
      assert.equal(elsewhere.statusCode, 200);
      assert.notEqual(elsewhere.body, svg.body);
      const byAdmin = await call(app, 'GET', `/api/live/games/${game.id}/qr.svg`, {
        cookie: admin.cookie,
        headers: { host: 'quiz.example.test' },
      });
      assert.equal(byAdmin.body, svg.body, 'the same game and origin give the same code');
    });

    test("pin lookup: public, the game's public fields; 404 for a wrong PIN", async () => {
      const game = await createGame(app, org.cookie, {
        bankId,
        title: 'Đố vui',
        teamMode: true,
        units: ['Đỏ', 'Xanh'],
      });
      const { game: found } = ok<{ game: Record<string, unknown> }>(
        await call(app, 'GET', `/api/live/pin/${game.pin}`),
      );
      assert.deepEqual(
        {
          title: found.title,
          status: found.status,
          locked: found.locked,
          teamMode: found.teamMode,
          units: found.units,
        },
        { title: 'Đố vui', status: 'lobby', locked: false, teamMode: true, units: ['Đỏ', 'Xanh'] },
      );
      // A wrong PIN (a six-digit one no live game holds, and a malformed one).
      const pins = new Set(
        ok<{ games: LiveGame[] }>(
          await call(app, 'GET', '/api/live/games', { cookie: admin.cookie }),
        ).games.map((g) => g.pin),
      );
      let wrong = 100000;
      while (pins.has(String(wrong))) wrong++;
      refusal(await call(app, 'GET', `/api/live/pin/${wrong}`), 404, 'GAME_NOT_FOUND');
      const malformed = await call(app, 'GET', '/api/live/pin/12ab');
      assert.ok([400, 404].includes(malformed.statusCode), `${malformed.statusCode} ${malformed.body}`);
    });

    test('the PIN is six digits and unique among live games', async () => {
      const games = [];
      for (let i = 0; i < 25; i++) games.push(await createGame(app, org.cookie, { bankId }));
      const live = ok<{ games: LiveGame[] }>(
        await call(app, 'GET', '/api/live/games', { cookie: admin.cookie }),
      ).games.filter((g) => g.status !== 'ended');
      const pins = live.map((g) => g.pin);
      for (const pin of pins) assert.match(pin ?? '', /^[0-9]{6}$/);
      assert.equal(new Set(pins).size, pins.length, 'no two live games share a PIN');
      for (const g of games.slice(0, 3)) {
        const { game } = ok<{ game: { title: string } }>(await call(app, 'GET', `/api/live/pin/${g.pin}`));
        assert.equal(game.title, g.title);
      }
    });
  });

  describe('report', () => {
    // A team game of three questions: q0 right by Ann (t=0) and Binh (t=10 s) and wrong by Chi;
    // q1 skipped after Ann answered; q2 right by Binh (t=0), wrong by Ann, none from Chi. Dan
    // is kicked in the lobby.
    let game: LiveGame;
    let names: Map<string, number>;

    before(async () => {
      const bank = await makeBank(app, org, [single(1), single(2), multiple(3)]);
      game = await createGame(app, org.cookie, {
        bankId: bank.bankId,
        title: 'Report game',
        teamMode: true,
        units: ['A', 'B'],
      });
      const keys = await answerKeys(app, game.id, org.cookie);
      const host = await pool.host(game.id, org.cookie);
      const ann = await pool.join(game.pin!, 'Ann', { unit: 'A' });
      const binh = await pool.join(game.pin!, 'Binh', { unit: 'A' });
      const chi = await pool.join(game.pin!, 'Chi', { unit: 'B' });
      const dan = await pool.join(game.pin!, 'Dan', { unit: 'B' });
      names = new Map([
        ['Ann', ann.player.id],
        ['Binh', binh.player.id],
        ['Chi', chi.player.id],
        ['Dan', dan.player.id],
      ]);
      host.send({ type: 'kick', playerId: dan.player.id });
      await dan.s.waitClosed();

      host.send({ type: 'start' });
      const q0 = await questionOf(host, 0);
      at(clock, q0, 0);
      await answer(ann.s, 0, keys[0]!.right);
      at(clock, q0, 10_000);
      await answer(binh.s, 0, keys[0]!.right);
      await answer(chi.s, 0, [keys[0]!.wrong[0]!]);
      await revealOf(host, 0);

      host.send({ type: 'next' });
      const q1 = await questionOf(host, 1);
      at(clock, q1, 0);
      await answer(ann.s, 1, keys[1]!.right);
      host.send({ type: 'skip' });
      const q2 = await questionOf(host, 2);
      at(clock, q2, 0);
      await answer(binh.s, 2, keys[2]!.right);
      await answer(ann.s, 2, [keys[2]!.wrong[0]!]);
      host.send({ type: 'next' });
      await revealOf(host, 2);
      await resultOf(chi.s, 2);
      host.send({ type: 'next' });
      await host.next('ended');
    });

    test('report: per question share right and distribution, per player score, teams', async () => {
      const report = ok<Report>(
        await call(app, 'GET', `/api/live/games/${game.id}/report`, { cookie: org.cookie }),
      );
      assert.equal(report.game.id, game.id);
      assert.equal(report.game.status, 'ended');

      const qs = [...report.questions].sort((a, b) => a.position - b.position);
      assert.equal(qs.length, 3);
      const [r0, r1, r2] = qs as [ReportQuestion, ReportQuestion, ReportQuestion];
      assert.equal(r0.skipped, false);
      assert.equal(r0.answered, 3);
      assert.equal(r0.correct, 2);
      assert.ok(Math.abs(r0.shareCorrect - 2 / 3) < 0.01, `shareCorrect ${r0.shareCorrect}`);
      assert.equal(r0.averageMs, 5000);
      assert.equal(r0.type, 'single');
      assert.equal(r0.stem, single(1).stem);
      assert.deepEqual(
        r0.options.map((o) => [o.text, o.correct, o.count]),
        [
          ['Right 1', true, 2],
          ['Wrong 1a', false, 1],
          ['Wrong 1b', false, 0],
          ['Wrong 1c', false, 0],
        ],
      );
      assert.equal(r1.skipped, true);
      assert.equal(r2.skipped, false);
      assert.equal(r2.answered, 2);
      assert.equal(r2.correct, 1);
      assert.ok(Math.abs(r2.shareCorrect - 1 / 3) < 0.01, `shareCorrect ${r2.shareCorrect}`);
      assert.equal(r2.averageMs, 0);

      const byName = new Map(report.players.map((p) => [p.nickname, p]));
      assert.deepEqual(
        report.players.map((p) => p.nickname),
        ['Binh', 'Ann', 'Chi', 'Dan'],
        'ranked by score, the kicked player last',
      );
      const binh = byName.get('Binh')!;
      assert.deepEqual(binh, {
        rank: 1,
        playerId: names.get('Binh'),
        nickname: 'Binh',
        unit: 'A',
        score: 750 + 1000,
        correctCount: 2,
        answeredCount: 2,
        kicked: false,
      });
      const ann = byName.get('Ann')!;
      assert.equal(ann.rank, 2);
      assert.equal(ann.score, 1000, 'the skipped question scored nothing');
      assert.equal(ann.correctCount, 1);
      assert.ok([2, 3].includes(ann.answeredCount), `Ann answered ${ann.answeredCount}`);
      const chi = byName.get('Chi')!;
      assert.deepEqual(
        {
          rank: chi.rank,
          score: chi.score,
          correctCount: chi.correctCount,
          answeredCount: chi.answeredCount,
        },
        { rank: 3, score: 0, correctCount: 0, answeredCount: 1 },
      );
      const dan = byName.get('Dan')!;
      assert.deepEqual(
        { rank: dan.rank, kicked: dan.kicked, score: dan.score },
        { rank: null, kicked: true, score: 0 },
      );

      assert.ok(report.teams, 'teams in team mode');
      const [a, b] = report.teams;
      assert.deepEqual(
        { rank: a?.rank, unit: a?.unit, players: a?.players, score: a?.score, average: a?.average },
        { rank: 1, unit: 'A', players: 2, score: 2750, average: 1375 },
      );
      assert.equal(b?.unit, 'B');
      assert.equal(b?.rank, 2);
      assert.equal(b?.score, 0);
    });

    test('report.xlsx: sheets Players, Questions, Teams, read back with exceljs', async () => {
      const res = await call(app, 'GET', `/api/live/games/${game.id}/report.xlsx`, { cookie: org.cookie });
      assert.equal(res.statusCode, 200, res.body.slice(0, 200));
      assert.match(String(res.headers['content-type']), new RegExp(`^${XLSX.replace(/\./g, '\\.')}`));
      const book = await loadWorkbook(res.rawPayload);
      const names = book.worksheets.map((w) => w.name);
      for (const sheet of ['Players', 'Questions', 'Teams'])
        assert.ok(names.includes(sheet), `${sheet} in ${names}`);

      const rowsOf = (name: string): CellValue[][] => {
        const sheet = book.getWorksheet(name)!;
        return sheetRows(sheet, Math.max(sheet.columnCount, 1));
      };
      const players = rowsOf('Players');
      assert.equal(players.length, 1 + 4, 'a header and four players');
      const rowWith = (rows: CellValue[][], text: string) => rows.find((r) => r.includes(text));
      assert.ok(
        rowWith(players, 'Binh')?.includes(1750),
        `Binh's row ${JSON.stringify(rowWith(players, 'Binh'))}`,
      );
      assert.ok(rowWith(players, 'Ann')?.includes(1000));
      assert.ok(rowWith(players, 'Dan'), 'the kicked player is listed');
      const order = players.slice(1).map((r) => ['Binh', 'Ann', 'Chi', 'Dan'].find((n) => r.includes(n)));
      assert.deepEqual(order, ['Binh', 'Ann', 'Chi', 'Dan']);

      const questions = rowsOf('Questions');
      assert.ok(questions.length >= 4, 'a header and three questions');
      for (const stem of [single(1).stem, single(2).stem, multiple(3).stem]) {
        assert.ok(rowWith(questions, stem), `${stem} in Questions`);
      }
      const teams = rowsOf('Teams');
      assert.ok(rowWith(teams, 'A')?.includes(1375), `team A ${JSON.stringify(rowWith(teams, 'A'))}`);
      assert.ok(rowWith(teams, 'B'));
    });

    test('report without team mode: teams null, no Teams sheet', async () => {
      const bank = await makeBank(app, org, [single(1)]);
      const g = await createGame(app, org.cookie, { bankId: bank.bankId });
      ok(await call(app, 'POST', `/api/live/games/${g.id}/end`, { cookie: org.cookie }));
      const report = ok<Report>(
        await call(app, 'GET', `/api/live/games/${g.id}/report`, { cookie: org.cookie }),
      );
      assert.equal(report.teams, null);
      assert.deepEqual(report.players, []);
      assert.equal(report.questions.length, 1);
      const res = await call(app, 'GET', `/api/live/games/${g.id}/report.xlsx`, { cookie: admin.cookie });
      assert.equal(res.statusCode, 200);
      const book = await loadWorkbook(res.rawPayload);
      assert.equal(book.getWorksheet('Teams'), undefined);
      assert.ok(book.getWorksheet('Players'));
    });
  });

  describe('role checks on every route', () => {
    test('another organiser 403/404, a participant 403, anonymous 401; the pin lookup is public', async () => {
      const game = await createGame(app, org.cookie, { bankId });
      const routes: ['GET' | 'POST', string][] = [
        ['GET', `/api/live/games/${game.id}`],
        ['GET', `/api/live/games/${game.id}/qr.svg`],
        ['GET', `/api/live/games/${game.id}/report`],
        ['GET', `/api/live/games/${game.id}/report.xlsx`],
        ['POST', `/api/live/games/${game.id}/end`],
      ];
      for (const [method, url] of routes) {
        const theirs = await call(app, method, url, { cookie: other.cookie });
        assert.ok(
          [403, 404].includes(theirs.statusCode),
          `other organiser ${method} ${url}: ${theirs.statusCode}`,
        );
        refusal(theirs, theirs.statusCode);
        const res = await call(app, method, url, { cookie: participant.cookie });
        refusal(res, 403);
        refusal(await call(app, method, url), 401, 'UNAUTHENTICATED');
      }
      // Nothing of that changed the game; its host and an admin still get every route.
      for (const [method, url] of routes.filter(([m]) => m === 'GET')) {
        assert.equal(
          (await call(app, method, url, { cookie: admin.cookie })).statusCode,
          200,
          `admin ${url}`,
        );
        assert.equal((await call(app, method, url, { cookie: org.cookie })).statusCode, 200, `host ${url}`);
      }
      assert.equal(
        ok<{ game: { status: string } }>(await call(app, 'GET', `/api/live/pin/${game.pin}`)).game.status,
        'lobby',
      );
      const listed = ok<{ games: LiveGame[] }>(
        await call(app, 'GET', '/api/live/games', { cookie: other.cookie }),
      );
      assert.equal(
        listed.games.some((g) => g.id === game.id),
        false,
        "not in another organiser's list",
      );
    });
  });
});
