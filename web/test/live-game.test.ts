import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkNickname,
  ClockSync,
  distributionRows,
  initialHostState,
  initialPlayerState,
  normalisePin,
  optionLook,
  parseSeat,
  parseServerFrame,
  podiumOrder,
  questionStage,
  reconnectDelay,
  reduceHost,
  reducePlayer,
  secondsLeft,
  type EndedFrame,
  type LiveGame,
  type QuestionFrame,
  type ResultFrame,
  type RevealFrame,
  type ServerFrame,
} from '../src/lib/live-game.ts';

const game = (over: Partial<LiveGame> = {}): LiveGame => ({
  id: 7,
  title: 'Tìm hiểu lịch sử',
  status: 'lobby',
  phase: 'lobby',
  index: -1,
  pin: '123456',
  joinPath: '/play?pin=123456',
  bankId: 1,
  questionCount: 3,
  playerCount: 0,
  locked: false,
  settings: {
    questionTimeSec: 20,
    readingTimeSec: 5,
    shuffleOptions: false,
    streakBonus: true,
    teamMode: false,
    units: [],
  },
  createdAt: '2026-12-06T10:00:00.000Z',
  startedAt: null,
  endedAt: null,
  ...over,
});

const question = (index: number, over: Partial<QuestionFrame> = {}): QuestionFrame => ({
  type: 'question',
  index,
  total: 3,
  kind: 'single',
  stem: `Câu ${index + 1}`,
  options: [
    { id: 'a', text: 'Một' },
    { id: 'b', text: 'Hai' },
    { id: 'c', text: 'Ba' },
  ],
  opensAt: '2026-12-06T10:00:05.000Z',
  closesAt: '2026-12-06T10:00:25.000Z',
  now: '2026-12-06T10:00:00.000Z',
  readingMs: 5000,
  limitMs: 20000,
  ...over,
});

const result = (index: number, over: Partial<ResultFrame> = {}): ResultFrame => ({
  type: 'result',
  index,
  total: 3,
  correctOptionIds: ['b'],
  chosen: ['b'],
  correct: true,
  points: 870,
  streak: 1,
  score: 870,
  rank: 1,
  players: 3,
  last: false,
  ...over,
});

const entry = (rank: number, nickname: string, score: number) => ({
  rank,
  playerId: nickname,
  nickname,
  unit: null,
  score,
});

const fold = <S>(reduce: (s: S, f: ServerFrame) => S, s: S, frames: ServerFrame[]) =>
  frames.reduce(reduce, s);

test('frames: known ones pass, with option ids made strings; garbage and unknown types do not', () => {
  const q = parseServerFrame(JSON.stringify({ ...question(0), options: [{ id: 1, text: 'x' }] }));
  assert.equal(q?.type, 'question');
  assert.deepEqual(q?.type === 'question' && q.options, [{ id: '1', text: 'x' }]);
  assert.equal(parseServerFrame('not json'), null);
  assert.equal(parseServerFrame(JSON.stringify({ type: 'surprise' })), null);
  assert.equal(parseServerFrame(JSON.stringify({ type: 'question', index: 0 })), null);
  assert.equal(parseServerFrame(JSON.stringify({ type: 'toString' })), null);
  assert.equal(parseServerFrame(new ArrayBuffer(2)), null);
  const r = parseServerFrame(JSON.stringify({ ...result(0), correctOptionIds: [2], chosen: [3] }));
  assert.deepEqual(r?.type === 'result' && [r.correctOptionIds, r.chosen], [['2'], ['3']]);
  const err = parseServerFrame(JSON.stringify({ type: 'error', code: 'TIME_UP' }));
  assert.deepEqual(err, { type: 'error', code: 'TIME_UP', message: '' });
  assert.deepEqual(parseServerFrame(JSON.stringify({ type: 'kicked' })), { type: 'kicked' });
});

test('phone: joined, lobby, question, answered, result, next question, ended', () => {
  let s = fold(reducePlayer, initialPlayerState(), [
    { type: 'joined', player: { id: 1, nickname: 'Lan', unit: null, score: 0, token: 'tok' } },
    { type: 'game', game: game() },
  ]);
  assert.equal(s.view, 'lobby');
  assert.equal(s.me?.nickname, 'Lan');
  s = reducePlayer(s, question(0));
  assert.equal(s.view, 'question');
  assert.equal(s.answered, false);
  s = reducePlayer(s, { type: 'answered', index: 1 });
  assert.equal(s.answered, false, 'an answered frame of another question changes nothing');
  s = reducePlayer(s, { type: 'answered', index: 0 });
  assert.equal(s.answered, true);
  // The same question again (a reconnect) keeps the answer known.
  s = reducePlayer(s, question(0));
  assert.equal(s.answered, true);
  s = reducePlayer(s, result(0));
  assert.equal(s.view, 'result');
  assert.equal(s.score, 870);
  s = reducePlayer(s, question(1));
  assert.equal(s.answered, false);
  assert.equal(s.result, null);
  const ended: EndedFrame = {
    type: 'ended',
    podium: [entry(1, 'Lan', 1800)],
    top: [entry(1, 'Lan', 1800)],
    teams: null,
    players: 3,
    rank: 1,
    score: 1800,
  };
  s = reducePlayer(s, ended);
  assert.equal(s.view, 'ended');
  assert.equal(s.score, 1800);
  assert.equal(s.game?.status, 'ended');
});

test('phone: a rejoin during a question already answered shows it answered; kicked and skipped', () => {
  let s = fold(reducePlayer, initialPlayerState(), [
    { type: 'joined', player: { id: 1, nickname: 'Lan', unit: null, score: 500, token: 'tok' } },
    { type: 'game', game: game({ status: 'running', phase: 'question', index: 1 }) },
    question(1, { answered: true }),
  ]);
  assert.equal(s.view, 'question');
  assert.equal(s.answered, true);
  assert.equal(s.score, 500);
  s = reducePlayer(s, { type: 'skipped', index: 1 });
  assert.equal(s.view, 'skipped');
  s = reducePlayer(s, { type: 'kicked' });
  assert.equal(s.view, 'kicked');
  // Host-only frames leave the phone as it is.
  assert.equal(reducePlayer(s, { type: 'count', index: 1, answered: 2, players: 3 }), s);
});

test('projector: lobby, players joining, question with counts, reveal, ended', () => {
  let s = reduceHost(initialHostState(), { type: 'game', game: game() });
  assert.equal(s.view, 'lobby');
  s = reduceHost(s, {
    type: 'lobby',
    count: 2,
    locked: true,
    players: [{ id: 1, nickname: 'Lan', unit: null }],
  });
  assert.equal(s.game?.locked, true);
  assert.equal(s.game?.playerCount, 2);
  s = reduceHost(s, question(0));
  assert.equal(s.view, 'question');
  assert.deepEqual(s.count, { answered: 0, players: 2 });
  s = reduceHost(s, { type: 'count', index: 0, answered: 1, players: 2 });
  assert.deepEqual(s.count, { answered: 1, players: 2 });
  // A player joining mid-question updates the list, not the screen.
  s = reduceHost(s, { type: 'lobby', count: 3, locked: true, players: [] });
  assert.equal(s.view, 'question');
  s = reduceHost(s, { type: 'count', index: 5, answered: 9, players: 9 });
  assert.deepEqual(s.count, { answered: 1, players: 2 }, 'counts of another question are ignored');
  const reveal: RevealFrame = {
    type: 'reveal',
    index: 0,
    total: 3,
    correctOptionIds: ['b'],
    distribution: [
      { optionId: 'a', count: 1 },
      { optionId: 'b', count: 2 },
    ],
    answered: 3,
    correct: 2,
    players: 3,
    top: [entry(1, 'Lan', 900)],
    teams: null,
    last: false,
  };
  s = reduceHost(s, reveal);
  assert.equal(s.view, 'reveal');
  assert.equal(s.game?.phase, 'reveal');
  s = reduceHost(s, { type: 'ended', podium: [], top: [], teams: null, players: 3 });
  assert.equal(s.view, 'ended');
  assert.equal(s.game?.pin, null);
});

test('projector: a host coming back mid-game goes to the phase frame, not the lobby', () => {
  let s = reduceHost(initialHostState(), {
    type: 'game',
    game: game({ status: 'running', phase: 'reveal', index: 1 }),
  });
  assert.equal(s.view, 'waiting');
  s = reduceHost(s, { type: 'lobby', count: 4, locked: false, players: [] });
  assert.equal(s.view, 'waiting', 'the reveal frame that follows decides');
  s = reduceHost(s, { type: 'lobby', count: 4, locked: false, players: [] });
  assert.equal(s.lobby?.count, 4);
});

test('distribution rows follow the options, with shares and the right ones', () => {
  const rows = distributionRows(question(0).options, {
    distribution: [
      { optionId: 'b', count: 3 },
      { optionId: 'a', count: 1 },
    ],
    correctOptionIds: ['b'],
  });
  assert.deepEqual(
    rows.map((r) => [r.option.id, r.count, r.share, r.correct]),
    [
      ['a', 1, 0.25, false],
      ['b', 3, 0.75, true],
      ['c', 0, 0, false],
    ],
  );
  assert.deepEqual(
    distributionRows([{ id: 'a', text: '' }], { distribution: [], correctOptionIds: [] }).map((r) => r.share),
    [0],
  );
});

test('podium: second, first, third', () => {
  assert.deepEqual(
    podiumOrder(['first', 'second', 'third']).map((p) => [p.entry, p.place]),
    [
      ['second', 2],
      ['first', 1],
      ['third', 3],
    ],
  );
  assert.deepEqual(
    podiumOrder(['only']).map((p) => p.place),
    [1],
  );
});

test('clock: a pong with a short trip beats one with a long trip and beats pushed frames', () => {
  const c = new ClockSync();
  // Before any pong, a pushed frame's now is taken as it is.
  assert.equal(c.push('2026-12-06T10:00:10.000Z', Date.parse('2026-12-06T10:00:08.000Z')), 2000);
  const base = Date.parse('2026-12-06T10:00:00.000Z');
  // Server read 10:00:01.000 in the middle of a 400 ms trip starting at local 10:00:00.000.
  assert.equal(c.pong('2026-12-06T10:00:01.000Z', base, base + 400), 800);
  // A 40 ms trip: better, taken.
  assert.equal(c.pong('2026-12-06T10:00:11.020Z', base + 10_000, base + 10_040), 1000);
  // A slow one afterwards is ignored.
  assert.equal(c.pong('2026-12-06T10:00:30.000Z', base + 20_000, base + 21_000), 1000);
  // Pushed frames no longer move it.
  assert.equal(c.push('2026-12-06T10:01:00.000Z', base), 1000);
  // Garbage leaves it.
  assert.equal(c.pong('nope', base, base + 1), 1000);
});

test('question stages: reading, open, closed, with seconds left', () => {
  const q = question(0);
  const at = (iso: string) => questionStage(q, Date.parse(iso));
  assert.deepEqual(at('2026-12-06T10:00:01.000Z'), { stage: 'reading', remainingMs: 4000, fraction: 1 });
  const open = at('2026-12-06T10:00:15.000Z');
  assert.equal(open.stage, 'open');
  assert.equal(open.remainingMs, 10_000);
  assert.equal(open.fraction, 0.5);
  assert.deepEqual(at('2026-12-06T10:00:25.000Z'), { stage: 'closed', remainingMs: 0, fraction: 0 });
  assert.equal(secondsLeft(19_001), 20);
  assert.equal(secondsLeft(1), 1);
  assert.equal(secondsLeft(0), 0);
  assert.equal(secondsLeft(-5), 0);
});

test('reconnect delays grow and stay under 8 s', () => {
  assert.equal(reconnectDelay(0, 1), 500);
  assert.equal(reconnectDelay(0, 0), 250);
  assert.equal(reconnectDelay(3, 1), 4000);
  assert.equal(reconnectDelay(20, 1), 8000);
  assert.ok(reconnectDelay(20, 0.5) < 8000);
});

test('PIN: six digits, spaces and dashes allowed', () => {
  assert.equal(normalisePin('123456'), '123456');
  assert.equal(normalisePin(' 123 456 '), '123456');
  assert.equal(normalisePin('123-456'), '123456');
  assert.equal(normalisePin('12345'), null);
  assert.equal(normalisePin('1234567'), null);
  assert.equal(normalisePin('12a456'), null);
});

test('nicknames: trimmed, NFC, spaces folded, 1-20 characters, no control characters', () => {
  assert.deepEqual(checkNickname('  Lan   Anh '), { ok: true, nickname: 'Lan Anh' });
  // "Nguyễn" typed decomposed becomes the composed form, and counts as its letters.
  const decomposed = 'Nguye\u0302\u0303n Thi\u0323 Hoa\u0300ng Anh';
  const r = checkNickname(decomposed);
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.nickname, 'Nguyễn Thị Hoàng Anh'.normalize('NFC'));
  assert.deepEqual(checkNickname('   '), { ok: false, reason: 'empty' });
  assert.deepEqual(checkNickname('a'.repeat(21)), { ok: false, reason: 'long' });
  assert.equal(checkNickname('a'.repeat(20)).ok, true);
  assert.deepEqual(checkNickname('a\u200bb'), { ok: false, reason: 'bad' });
});

test('saved seats: read back, damaged ones ignored', () => {
  assert.deepEqual(parseSeat(JSON.stringify({ token: 't', nickname: 'Lan', unit: 'Đội 1' })), {
    token: 't',
    nickname: 'Lan',
    unit: 'Đội 1',
  });
  assert.deepEqual(parseSeat(JSON.stringify({ token: 't', nickname: 'Lan' })), {
    token: 't',
    nickname: 'Lan',
    unit: null,
  });
  assert.equal(parseSeat(null), null);
  assert.equal(parseSeat('{'), null);
  assert.equal(parseSeat(JSON.stringify({ token: '', nickname: 'x' })), null);
  assert.equal(parseSeat(JSON.stringify(['t'])), null);
});

test('options: colour, shape and letter by position', () => {
  assert.deepEqual(optionLook(0), { shape: 'triangle', tone: 0, letter: 'A' });
  assert.deepEqual(optionLook(3), { shape: 'square', tone: 3, letter: 'D' });
  assert.equal(optionLook(6).shape, 'triangle');
  assert.equal(optionLook(6).letter, 'G');
});
