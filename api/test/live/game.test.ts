// The live-game engine end to end through injectWS, on a test clock so that points are exact: a
// host and two players through a game of three questions (single choice, multiple response,
// true/false) with the streak bonus: the reading time, early close when everyone answered, the
// close at the limit by the timer, a skip, the players' own results and ranks, a reload with the
// token mid-question (and after the end) that keeps the score; then the report and its XLSX read
// back with exceljs. Every frame is checked against the schemas and, before a reveal, for the key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { call, makeApp, makeOrganiser, ok, type Account } from '../helpers.ts';
import { createGame, makeBank, openLive, problems, type Frame, type LiveSocket } from './live-helpers.ts';

describe('a live game, host and two players', async () => {
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
  let game: { id: number; pin: string };
  let host: LiveSocket;
  let an: LiveSocket;
  let binh: LiveSocket;
  const seats: Record<string, { id: number; token: string }> = {};
  /** Each question's frame as the host got it. */
  const questions: Frame[] = [];

  before(async () => {
    organiser = await makeOrganiser(app);
    const bank = await makeBank(app, organiser, [
      {
        type: 'single',
        stem: 'Thủ đô của Việt Nam?',
        options: [
          { text: 'Hà Nội', correct: true },
          { text: 'Huế', correct: false },
          { text: 'Đà Nẵng', correct: false },
        ],
      },
      {
        type: 'multiple',
        stem: 'Số nguyên tố?',
        options: [
          { text: '2', correct: true },
          { text: '3', correct: true },
          { text: '4', correct: false },
        ],
      },
      {
        type: 'truefalse',
        stem: 'Trái Đất quay quanh Mặt Trời',
        options: [
          { text: 'Đúng', correct: true },
          { text: 'Sai', correct: false },
        ],
      },
    ]);
    const created = await createGame(app, organiser, {
      bankId: bank.bankId,
      title: 'Lớp 10A',
      questions: { mode: 'all' },
      streakBonus: true,
    });
    assert.equal(created.phase, 'lobby');
    assert.equal(created.index, -1);
    assert.match(created.pin ?? '', /^[0-9]{6}$/);
    assert.equal(created.joinPath, `/play?pin=${created.pin}`);
    assert.equal(created.questionCount, 3);
    game = { id: created.id, pin: created.pin! };
  });

  const optionOf = (q: Frame, text: string) =>
    (q.options as { id: string; text: string }[]).find((o) => o.text === text)!.id;

  test('the host attaches and sees the lobby; players join with the PIN', async () => {
    host = await open(organiser.cookie);
    host.send({ type: 'host', gameId: game.id });
    assert.equal(((await host.expect('game')).game as { id: number }).id, game.id);
    assert.equal((await host.expect('lobby')).count, 0);

    an = await open();
    an.send({ type: 'join', pin: game.pin, nickname: '  An  ' });
    const joined = (await an.expect('joined')).player as { id: number; nickname: string; token: string };
    assert.equal(joined.nickname, 'An');
    seats.an = joined;
    assert.equal(((await an.expect('game')).game as { phase: string }).phase, 'lobby');

    binh = await open();
    binh.send({ type: 'join', pin: game.pin, nickname: 'Bình' });
    seats.binh = (await binh.expect('joined')).player as { id: number; token: string };
    await binh.expect('game');

    const lobby = await host.next((f) => f.type === 'lobby' && f.count === 2);
    assert.deepEqual(
      (lobby.players as { nickname: string }[]).map((p) => p.nickname),
      ['Bình', 'An'],
    );
  });

  test('question 1: not open during the reading time; a right answer at once scores 1000; all answered closes it', async () => {
    host.send({ type: 'start' });
    const q = await host.expect('question');
    questions.push(q);
    assert.equal(q.index, 0);
    assert.equal(q.readingMs, 5000);
    assert.equal(q.limitMs, 20_000);
    assert.equal(Date.parse(q.opensAt as string), clock.now + 5000);
    const qa = await an.expect('question');
    await binh.expect('question');
    an.send({ type: 'answer', index: 0, optionIds: [optionOf(qa, 'Hà Nội')] });
    assert.equal((await an.expect('error')).code, 'NOT_OPEN');

    clock.advance(5000); // answers open
    an.send({ type: 'answer', index: 0, optionIds: [optionOf(qa, 'Hà Nội')] });
    assert.equal((await an.expect('answered')).index, 0);
    an.send({ type: 'answer', index: 0, optionIds: [optionOf(qa, 'Huế')] });
    assert.equal((await an.expect('error')).code, 'ALREADY_ANSWERED');
    assert.equal((await host.next((f) => f.type === 'count' && f.answered === 1)).players, 2);

    clock.advance(10_000); // half the limit
    binh.send({ type: 'answer', index: 0, optionIds: [optionOf(qa, 'Huế')] });
    await binh.expect('answered');

    const reveal = await host.expect('reveal');
    assert.equal(reveal.index, 0);
    assert.deepEqual(reveal.correctOptionIds, [optionOf(qa, 'Hà Nội')]);
    assert.equal(reveal.answered, 2);
    assert.equal(reveal.correct, 1);
    assert.equal(reveal.last, false);
    const dist = new Map(
      (reveal.distribution as { optionId: string; count: number }[]).map((d) => [d.optionId, d.count]),
    );
    assert.equal(dist.get(optionOf(qa, 'Hà Nội')), 1);
    assert.equal(dist.get(optionOf(qa, 'Huế')), 1);
    assert.equal(dist.get(optionOf(qa, 'Đà Nẵng')), 0);
    assert.deepEqual(
      (reveal.top as { nickname: string; score: number; rank: number }[]).map((e) => [
        e.rank,
        e.nickname,
        e.score,
      ]),
      [
        [1, 'An', 1000],
        [2, 'Bình', 0],
      ],
    );

    const ra = await an.expect('result');
    assert.deepEqual(
      [ra.correct, ra.points, ra.streak, ra.score, ra.rank, ra.players],
      [true, 1000, 1, 1000, 1, 2],
    );
    const rb = await binh.expect('result');
    assert.deepEqual([rb.correct, rb.points, rb.streak, rb.score, rb.rank], [false, 0, 0, 0, 2]);
    assert.deepEqual(rb.chosen, [optionOf(qa, 'Huế')]);

    // A reload during the reveal shows the player's own result again, and the host's reveal.
    await binh.close();
    binh = await open();
    binh.send({ type: 'join', pin: game.pin, token: seats.binh!.token });
    await binh.expect('joined');
    await binh.expect('game');
    const again = await binh.expect('result');
    assert.deepEqual([again.index, again.rank, again.score, again.chosen], [0, 2, 0, rb.chosen]);
    const projector = await open(organiser.cookie);
    projector.send({ type: 'host', gameId: game.id });
    assert.equal(((await projector.expect('game')).game as { phase: string }).phase, 'reveal');
    assert.equal((await projector.expect('reveal')).answered, 2);
    await projector.close();
  });

  test('question 2: a reload keeps the seat; the timer closes it at the limit; late answers are TIME_UP', async () => {
    host.send({ type: 'next' });
    const q = await host.expect('question');
    questions.push(q);
    assert.equal(q.kind, 'multiple');
    await an.expect('question');
    await binh.expect('question');
    clock.advance(5000);

    // Bình's phone reloads: a new socket with the token is the same player, question shown.
    await binh.close();
    binh = await open();
    binh.send({ type: 'join', pin: game.pin, nickname: 'ignored', token: seats.binh!.token });
    const again = (await binh.expect('joined')).player as { id: number; score: number };
    assert.equal(again.id, seats.binh!.id);
    await binh.expect('game');
    const shown = await binh.expect('question');
    assert.equal(shown.index, 1);
    assert.equal(shown.answered, undefined);

    // An: exactly the right set, at half the limit: 750 + 100 (second right in a row).
    clock.advance(10_000);
    an.send({ type: 'answer', index: 1, optionIds: [optionOf(q, '3'), optionOf(q, '2')] });
    await an.expect('answered');

    // An reloads too, after answering: the question comes back marked answered.
    await an.close();
    an = await open();
    an.send({ type: 'join', pin: game.pin, token: seats.an!.token });
    // Its score is the one of the last reveal: 1850 would tell the answer was right.
    assert.equal(((await an.expect('joined')).player as { score: number }).score, 1000);
    await an.expect('game');
    assert.equal((await an.expect('question')).answered, true);

    // Nobody else answers: the timer closes the question at closesAt (the clock is the test's).
    clock.advance(10_001);
    binh.send({ type: 'answer', index: 1, optionIds: [optionOf(q, '2')] });
    assert.equal((await binh.expect('error')).code, 'TIME_UP');
    const reveal = await host.expect('reveal');
    assert.equal(reveal.answered, 1);
    const ra = await an.expect('result');
    assert.deepEqual([ra.points, ra.streak, ra.score, ra.rank], [850, 2, 1850, 1]);
    const rb = await binh.expect('result');
    assert.deepEqual([rb.chosen, rb.correct, rb.points, rb.score, rb.rank], [null, false, 0, 0, 2]);
  });

  test('question 3 skipped: nobody scores; it was the last, so the game ends with the podium', async () => {
    host.send({ type: 'next' });
    const q = await host.expect('question');
    questions.push(q);
    await an.expect('question');
    await binh.expect('question');
    clock.advance(5000);
    binh.send({ type: 'answer', index: 2, optionIds: [optionOf(q, 'Đúng')] });
    await binh.expect('answered');
    an.send({ type: 'skip' });
    assert.equal((await an.expect('error')).code, 'NOT_HOST');
    host.send({ type: 'skip' });
    assert.equal((await host.expect('skipped')).index, 2);
    await binh.expect('skipped');
    const ended = await host.expect('ended');
    assert.equal(ended.rank, undefined);
    assert.deepEqual(
      (ended.podium as { nickname: string; score: number }[]).map((e) => [e.nickname, e.score]),
      [
        ['An', 1850],
        ['Bình', 0],
      ],
    );
    const ea = await an.expect('ended');
    assert.deepEqual([ea.rank, ea.score, ea.players], [1, 1850, 2]);
    const eb = await binh.expect('ended');
    assert.deepEqual([eb.rank, eb.score], [2, 0], 'the skipped right answer gave nothing');
    host.send({ type: 'next' });
    assert.equal((await host.expect('error')).code, 'GAME_ENDED');
  });

  test('after the end a token still rejoins, to the final standings; the PIN is free', async () => {
    const late = await open();
    late.send({ type: 'join', pin: game.pin, token: seats.an!.token });
    await late.expect('joined');
    const g = (await late.expect('game')).game as { status: string; pin: string | null };
    assert.deepEqual([g.status, g.pin], ['ended', null]);
    assert.deepEqual([(await late.expect('ended')).rank], [1]);
    const stranger = await open();
    stranger.send({ type: 'join', pin: game.pin, nickname: 'Chi' });
    assert.equal((await stranger.expect('error')).code, 'GAME_NOT_FOUND');
  });

  test('the report, and its XLSX read back', async () => {
    const report = ok<{
      game: { status: string };
      questions: {
        position: number;
        skipped: boolean;
        answered: number;
        correct: number;
        shareCorrect: number;
        averageMs: number | null;
        options: { text: string; count: number }[];
      }[];
      players: {
        rank: number | null;
        nickname: string;
        score: number;
        correctCount: number;
        answeredCount: number;
        kicked: boolean;
      }[];
      teams: unknown;
    }>(await call(app, 'GET', `/api/live/games/${game.id}/report`, { cookie: organiser.cookie }));
    assert.equal(report.game.status, 'ended');
    assert.deepEqual(
      report.questions.map((q) => [
        q.position,
        q.skipped,
        q.answered,
        q.correct,
        q.shareCorrect,
        q.averageMs,
      ]),
      [
        [0, false, 2, 1, 0.5, 0],
        [1, false, 1, 1, 0.5, 10_000],
        [2, true, 1, 1, 0.5, 0],
      ],
    );
    assert.deepEqual(
      report.players.map((p) => [p.rank, p.nickname, p.score, p.correctCount, p.answeredCount, p.kicked]),
      [
        [1, 'An', 1850, 2, 2, false],
        [2, 'Bình', 0, 0, 1, false],
      ],
    );
    assert.equal(report.teams, null);

    const res = await call(app, 'GET', `/api/live/games/${game.id}/report.xlsx`, {
      cookie: organiser.cookie,
    });
    assert.equal(res.statusCode, 200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    assert.deepEqual(
      book.worksheets.map((w) => w.name),
      ['Players', 'Questions'],
    );
    const players = book.getWorksheet('Players')!;
    const cells = (row: number) => [1, 2, 3, 4, 5, 6].map((c) => players.getRow(row).getCell(c).value);
    assert.deepEqual(cells(2), [1, 'An', null, 1850, 2, 2]);
    assert.deepEqual(cells(3), [2, 'Bình', null, 0, 0, 1]);
    const qs = book.getWorksheet('Questions')!;
    assert.equal(qs.getRow(2).getCell(2).value, 'Thủ đô của Việt Nam?');
    assert.equal(qs.getRow(2).getCell(7).value, 0.5);
    assert.equal(qs.getRow(4).getCell(4).value, 'x', 'question 3 skipped');
  });

  test('no frame was off its schema or showed the key before a reveal', () => {
    assert.deepEqual(problems, []);
  });
});
