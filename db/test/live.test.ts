// The live-game repository and its group-commit writer: PINs unique among live games, guarded
// steps (exactly one of two concurrent tries wins), answers refused when late, twice or from a
// kicked player, streaks reset at the reveal and undone by a skip, joins refused when locked,
// full or taken, and durability: another connection reads a row as soon as its promise resolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createRepositories,
  openDatabase,
  openPostgres,
  type Database,
  type LiveAnswerSave,
  type QuestionSnapshot,
} from '../src/index.ts';
import { openTestStore } from '../src/testing.ts';

const snapshot = (i: number): QuestionSnapshot => ({
  questionId: i,
  type: 'single',
  stem: `Q${i}`,
  options: [
    { id: 'a', text: 'A', correct: true },
    { id: 'b', text: 'B', correct: false },
  ],
  points: 1,
  explanation: null,
});

async function fixture(file = ':memory:') {
  const database = await openTestStore({ file });
  const repos = createRepositories(database);
  const user = await repos.users.create({
    email: 'o@x.org',
    name: 'O',
    passwordHash: 'x',
    roles: ['organiser'],
  });
  const bank = await repos.banks.create(user.id, 'B');
  let pins = ['111111'];
  const newGame = (
    questionCount = 2,
    draw = () => pins.shift() ?? String(200000 + Math.floor(Math.random() * 1e5)),
  ) =>
    repos.live.create(
      {
        ownerId: user.id,
        bankId: bank.id,
        title: 'Game',
        questionTimeSec: 20,
        readingTimeSec: 0,
        shuffleOptions: false,
        streakBonus: true,
        teamMode: false,
        units: [],
        createdAt: 1000,
      },
      Array.from({ length: questionCount }, (_, i) => ({ questionId: i + 1, snapshot: snapshot(i + 1) })),
      draw,
    );
  const join = (gameId: number, nickname: string, maxPlayers = 10_000) =>
    repos.liveWriter.join({
      gameId,
      nickname,
      nicknameKey: nickname.toLowerCase(),
      unit: null,
      tokenHash: `${gameId}-${nickname}-${Math.random()}`,
      joinedAt: 1100,
      maxPlayers,
    });
  const setPins = (next: string[]) => (pins = next);
  return { database, repos, newGame, join, setPins };
}

/** An answer scored as the rules do: 1000 for a right one, +100 per streak step; a wrong one 0. */
const answer = (
  over: Partial<LiveAnswerSave> & Pick<LiveAnswerSave, 'gameId' | 'playerId'>,
): LiveAnswerSave => ({
  position: 0,
  optionIds: ['a'],
  correct: true,
  elapsedMs: 0,
  answeredAt: 5000,
  score: (before) =>
    (over.correct ?? true)
      ? { points: 1000 + 100 * Math.min(before, 5), streak: before + 1 }
      : { points: 0, streak: 0 },
  ...over,
});

test('a PIN is unique among live games and drawn again when in use; it is free once the game ended', async () => {
  const { repos, newGame, setPins, database } = await fixture();
  const first = await newGame();
  assert.equal(first.pin, '111111');
  setPins(['111111', '111111', '222222']);
  const second = await newGame();
  assert.equal(second.pin, '222222');
  assert.equal((await repos.live.byPin('111111'))?.id, first.id);
  const ended = await repos.live.end(first.id, 2000);
  assert.equal(ended?.pin, null);
  assert.equal(ended?.status, 'ended');
  assert.equal(await repos.live.byPin('111111'), undefined);
  setPins(['111111']);
  assert.equal((await newGame()).pin, '111111');
  assert.equal(await repos.live.end(first.id, 3000), null, 'ending twice changes nothing');
  await database.close();
});

test('guarded steps: of two tries at the same step exactly one wins', async () => {
  const { repos, newGame, database } = await fixture();
  const game = await newGame();
  const window = { opensAt: 2000, closesAt: 22_000 };
  const tries = await Promise.all([
    repos.live.openQuestion(game.id, { phase: 'lobby', index: -1 }, 0, window, 2000),
    repos.live.openQuestion(game.id, { phase: 'lobby', index: -1 }, 0, window, 2000),
  ]);
  assert.equal(tries.filter(Boolean).length, 1);
  assert.equal(tries.find(Boolean)?.phase, 'question');
  assert.equal(tries.find(Boolean)?.startedAt, 2000);
  const reveals = await Promise.all([
    repos.live.reveal(game.id, 0, 22_000),
    repos.live.reveal(game.id, 0, 22_001),
  ]);
  assert.equal(reveals.filter(Boolean).length, 1);
  assert.equal(await repos.live.reveal(game.id, 1, 22_002), null, 'not the open question');
  const next = await repos.live.openQuestion(game.id, { phase: 'reveal', index: 0 }, 1, window, 23_000);
  assert.equal(next?.currentIndex, 1);
  assert.equal(next?.startedAt, 2000, 'the start time is kept');
  assert.equal(
    await repos.live.end(game.id, 24_000, { phase: 'reveal', index: 1 }),
    null,
    'not at that step',
  );
  await database.close();
});

test('answers: stored once, refused when closed, late, or from a kicked player; scores and counts move', async () => {
  const { repos, newGame, join, database } = await fixture();
  const game = await newGame();
  const a = await join(game.id, 'An');
  const b = await join(game.id, 'Bình');
  assert.ok(a.ok && b.ok);
  const [pa, pb] = [a.player.id, b.player.id];
  assert.deepEqual(await repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: pa })), {
    ok: false,
    reason: 'closed',
  });
  await repos.live.openQuestion(
    game.id,
    { phase: 'lobby', index: -1 },
    0,
    { opensAt: 2000, closesAt: 22_000 },
    2000,
  );
  const [first, twice] = await Promise.all([
    repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: pa })),
    repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: pa, optionIds: ['b'], correct: false })),
  ]);
  assert.deepEqual(first, { ok: true, points: 1000, streak: 1, score: 1000 });
  assert.deepEqual(twice, { ok: false, reason: 'duplicate' });
  assert.deepEqual(
    await repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: pb, answeredAt: 22_001 })),
    {
      ok: false,
      reason: 'closed',
    },
  );
  assert.deepEqual(
    await repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: pb, answeredAt: 1999 })),
    {
      ok: false,
      reason: 'closed',
    },
  );
  assert.equal(await repos.live.answeredCount(game.id, 0), 1);
  const kicked = await repos.live.kick(game.id, pb, 3000);
  assert.equal(kicked?.kicked, true);
  assert.equal(await repos.live.kick(game.id, pb, 3001), null, 'kicked once');
  assert.deepEqual(await repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: pb })), {
    ok: false,
    reason: 'kicked',
  });
  const g = await repos.live.get(game.id);
  assert.equal(g?.playerCount, 2);
  assert.equal(g?.kickedCount, 1);
  const player = await repos.live.player(game.id, pa);
  assert.equal(player?.score, 1000);
  assert.equal(player?.correctCount, 1);
  assert.equal(player?.answeredCount, 1);
  await database.close();
});

test('the reveal resets the streak of players who did not answer; a skip undoes what its answers did', async () => {
  const { repos, newGame, join, database } = await fixture();
  const game = await newGame(3);
  const a = await join(game.id, 'A');
  const b = await join(game.id, 'B');
  assert.ok(a.ok && b.ok);
  const w = (t: number) => ({ opensAt: t, closesAt: t + 20_000 });
  await repos.live.openQuestion(game.id, { phase: 'lobby', index: -1 }, 0, w(2000), 2000);
  await Promise.all([
    repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: a.player.id })),
    repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: b.player.id })),
  ]);
  await repos.live.reveal(game.id, 0, 10_000);
  await repos.live.openQuestion(game.id, { phase: 'reveal', index: 0 }, 1, w(11_000), 11_000);
  // Only A answers question 1: B's streak goes back to 0 at the reveal.
  const second = await repos.liveWriter.saveAnswer(
    answer({ gameId: game.id, playerId: a.player.id, position: 1, answeredAt: 12_000 }),
  );
  assert.deepEqual(second, { ok: true, points: 1100, streak: 2, score: 2100 });
  await repos.live.reveal(game.id, 1, 13_000);
  assert.equal((await repos.live.player(game.id, b.player.id))?.streak, 0);
  assert.equal((await repos.live.player(game.id, a.player.id))?.streak, 2);
  // Question 2: A answers (streak 3, +1200), then the host skips it: A is back to 2100, streak 2.
  await repos.live.openQuestion(game.id, { phase: 'reveal', index: 1 }, 2, w(14_000), 14_000);
  const third = await repos.liveWriter.saveAnswer(
    answer({ gameId: game.id, playerId: a.player.id, position: 2, answeredAt: 15_000 }),
  );
  assert.equal(third.ok && third.points, 1200);
  const skipped = await repos.live.skip(game.id, 2, null, 16_000);
  assert.equal(skipped?.status, 'ended', 'skipping the last question ends the game');
  assert.equal(skipped?.pin, null);
  const pa = await repos.live.player(game.id, a.player.id);
  assert.deepEqual([pa?.score, pa?.streak, pa?.correctCount, pa?.answeredCount], [2100, 2, 2, 2]);
  const rows = await repos.live.answers(game.id, 2);
  assert.equal(rows.length, 1, 'the answer row stays');
  assert.equal(rows[0]?.points, 0);
  assert.equal((await repos.live.questions(game.id))[2]?.skipped, true);
  await database.close();
});

test('joins: nickname unique regardless of case, refused when locked, full or ended', async () => {
  const { repos, newGame, join, database } = await fixture();
  const game = await newGame();
  assert.ok((await join(game.id, 'Lan')).ok);
  assert.deepEqual(await join(game.id, 'LAN'), { ok: false, reason: 'taken' });
  // Two joins with one nickname in the same transaction: one wins.
  const both = await Promise.all([join(game.id, 'Mai'), join(game.id, 'mai')]);
  assert.deepEqual(
    both.map((o) => o.ok),
    [true, false],
  );
  assert.deepEqual(await join(game.id, 'Ngọc', 2), { ok: false, reason: 'full' });
  await repos.live.setLocked(game.id, true, 2000);
  assert.deepEqual(await join(game.id, 'Oanh'), { ok: false, reason: 'locked' });
  await repos.live.setLocked(game.id, false, 2001);
  assert.ok((await join(game.id, 'Oanh')).ok);
  await repos.live.end(game.id, 3000);
  assert.deepEqual(await join(game.id, 'Phúc'), { ok: false, reason: 'ended' });
  assert.equal(await repos.live.setLocked(game.id, true, 3001), null);
  assert.equal((await repos.live.get(game.id))?.playerCount, 3);
  assert.deepEqual(
    (await repos.live.latestPlayers(game.id, 2)).map((p) => p.nickname),
    ['Oanh', 'Mai'],
  );
  await database.close();
});

test('durability: once a join or an answer resolves, another connection reads its row', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qa-live-'));
  const file = path.join(dir, 'db.sqlite');
  const { repos, newGame, join, database } = await fixture(file);
  // Another connection: a second handle on the same SQLite file, or a second pool (another
  // node) on the same PostgreSQL database.
  const other: Database = database.kind === 'sqlite' ? openDatabase(file) : await openPostgres(database.url!);
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  try {
    const game = await newGame();
    const joined = await join(game.id, 'Quân');
    assert.ok(joined.ok);
    assert.deepEqual(
      (await other.query('SELECT nickname FROM live_players WHERE id = ?', [joined.player.id])).rows,
      [{ nickname: 'Quân' }],
    );
    await repos.live.openQuestion(
      game.id,
      { phase: 'lobby', index: -1 },
      0,
      { opensAt: 2000, closesAt: 22_000 },
      2000,
    );
    const saved = await repos.liveWriter.saveAnswer(answer({ gameId: game.id, playerId: joined.player.id }));
    assert.ok(saved.ok);
    const { rows } = await other.query<{ points: number; option_ids: unknown }>(
      'SELECT points, option_ids FROM live_answers WHERE player_id = ?',
      [joined.player.id],
    );
    assert.deepEqual(
      rows.map((r) => ({ points: r.points, optionIds: json(r.option_ids) })),
      [{ points: 1000, optionIds: ['a'] }],
    );
    // The step guard holds across connections too: a second connection's reveal after ours changes nothing.
    const secondRepos = createRepositories(other);
    assert.ok(await repos.live.reveal(game.id, 0, 3000));
    assert.equal(await secondRepos.live.reveal(game.id, 0, 3001), null);
  } finally {
    await other.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sweep finds idle games and questions left open past their close', async () => {
  const { repos, newGame, database } = await fixture();
  const game = await newGame();
  const other = await newGame();
  await repos.live.openQuestion(
    other.id,
    { phase: 'lobby', index: -1 },
    0,
    { opensAt: 2000, closesAt: 22_000 },
    2000,
  );
  assert.deepEqual(await repos.live.idle(1500, 10), [game.id]);
  assert.deepEqual(await repos.live.overdue(22_001, 10), [{ id: other.id, index: 0 }]);
  assert.deepEqual(await repos.live.overdue(21_999, 10), []);
  await database.close();
});
