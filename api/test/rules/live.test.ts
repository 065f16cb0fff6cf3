import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generatePin,
  isRightAnswer,
  isValidChoice,
  normaliseNickname,
  rankByScore,
  rankTeams,
  scoreLiveAnswer,
  speedPoints,
  streakBonus,
} from '../../src/rules/live.ts';

const single = {
  type: 'single' as const,
  points: 1,
  options: [
    { id: 'a', correct: false },
    { id: 'b', correct: true },
    { id: 'c', correct: false },
  ],
};
const multiple = {
  type: 'multiple' as const,
  points: 1,
  options: [
    { id: 'a', correct: true },
    { id: 'b', correct: true },
    { id: 'c', correct: false },
  ],
};

test('speed points: 1000 at once, 750 at half the limit, 500 at the limit, rounded', () => {
  assert.equal(speedPoints(0, 20_000), 1000);
  assert.equal(speedPoints(10_000, 20_000), 750);
  assert.equal(speedPoints(20_000, 20_000), 500);
  assert.equal(speedPoints(1, 20_000), 1000); // 999.975
  assert.equal(speedPoints(3_333, 20_000), 917); // 916.675
  assert.equal(speedPoints(7_000, 5_000), 500, 'clamped to the limit');
  assert.equal(speedPoints(-50, 5_000), 1000, 'clamped at zero');
});

test('the streak bonus grows by 100 per right answer in a row and stops at 500', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map(streakBonus), [0, 100, 200, 300, 400, 500, 500, 500]);
});

test('a right answer scores by speed and extends the streak; a wrong one scores 0 and resets it', () => {
  const base = { elapsedMs: 10_000, limitMs: 20_000, streakBonus: true };
  assert.deepEqual(scoreLiveAnswer({ ...base, correct: true, streakBefore: 0 }), { points: 750, streak: 1 });
  assert.deepEqual(scoreLiveAnswer({ ...base, correct: true, streakBefore: 1 }), { points: 850, streak: 2 });
  assert.deepEqual(scoreLiveAnswer({ ...base, correct: true, streakBefore: 7 }), { points: 1250, streak: 8 });
  assert.deepEqual(scoreLiveAnswer({ ...base, correct: false, streakBefore: 4 }), { points: 0, streak: 0 });
  assert.deepEqual(scoreLiveAnswer({ ...base, streakBonus: false, correct: true, streakBefore: 4 }), {
    points: 750,
    streak: 5,
  });
});

test('a game of five answers with the bonus on: right, right, wrong, right, right', () => {
  let streak = 0;
  const points = [true, true, false, true, true].map((correct) => {
    const s = scoreLiveAnswer({
      correct,
      elapsedMs: 0,
      limitMs: 20_000,
      streakBefore: streak,
      streakBonus: true,
    });
    streak = s.streak;
    return s.points;
  });
  assert.deepEqual(points, [1000, 1100, 0, 1000, 1100]);
});

test('rightness: the right option; multiple response only with exactly the right set', () => {
  assert.equal(isRightAnswer(single, ['b']), true);
  assert.equal(isRightAnswer(single, ['a']), false);
  assert.equal(isRightAnswer(multiple, ['b', 'a']), true);
  assert.equal(isRightAnswer(multiple, ['a']), false);
  assert.equal(isRightAnswer(multiple, ['a', 'b', 'c']), false);
});

test('a choice names existing options, none twice, exactly one unless multiple response', () => {
  assert.equal(isValidChoice(single, ['a']), true);
  assert.equal(isValidChoice(single, []), false);
  assert.equal(isValidChoice(single, ['a', 'b']), false);
  assert.equal(isValidChoice(single, ['z']), false);
  assert.equal(isValidChoice(multiple, ['a', 'c']), true);
  assert.equal(isValidChoice(multiple, ['a', 'a']), false);
  assert.equal(isValidChoice({ type: 'truefalse', options: single.options }, ['a', 'b']), false);
});

test('nicknames are trimmed, NFC, 1-20 characters, unique regardless of case', () => {
  assert.deepEqual(normaliseNickname('  Lan  '), { ok: true, nickname: 'Lan', key: 'lan' });
  assert.deepEqual(normaliseNickname('Minh   Anh'), { ok: true, nickname: 'Minh Anh', key: 'minh anh' });
  // "Ngọc" typed with a combining dot below (NFD) is the same nickname as the precomposed one.
  const nfd = 'Ngo\u0323c';
  const nfc = 'Ng\u1ecdc';
  const a = normaliseNickname(nfd);
  const b = normaliseNickname(nfc.toUpperCase());
  assert.ok(a.ok && b.ok);
  assert.equal(a.nickname, nfc);
  assert.equal(a.key, b.key);
  assert.equal(normaliseNickname('x'.repeat(20)).ok, true);
  assert.equal(normaliseNickname('x'.repeat(21)).ok, false);
  assert.equal(normaliseNickname('🙂'.repeat(20)).ok, true, 'characters, not UTF-16 units');
  assert.equal(normaliseNickname('   ').ok, false);
  assert.equal(normaliseNickname('').ok, false);
  assert.equal(normaliseNickname('a\u0000b').ok, false);
  assert.equal(normaliseNickname('a\u200bb').ok, false, 'no invisible format characters');
});

test('ranks: score desc, ties share a rank (1, 2, 2, 4), join order kept within a tie', () => {
  const ranked = rankByScore([
    { id: 1, score: 500 },
    { id: 2, score: 900 },
    { id: 3, score: 500 },
    { id: 4, score: 100 },
    { id: 5, score: 900 },
  ]);
  assert.deepEqual(
    ranked.map((r) => [r.id, r.rank]),
    [
      [2, 1],
      [5, 1],
      [1, 3],
      [3, 3],
      [4, 5],
    ],
  );
  assert.deepEqual(rankByScore([]), []);
});

test('teams rank by the average score of their players; empty units come last', () => {
  const standings = rankTeams(
    [
      { unit: 'A', score: 1000 },
      { unit: 'A', score: 0 },
      { unit: 'B', score: 600 },
      { unit: 'C', score: 500 },
      { unit: 'C', score: 500 },
      { unit: null, score: 5000 },
    ],
    ['A', 'B', 'C', 'D'],
  );
  assert.deepEqual(standings, [
    { rank: 1, unit: 'B', players: 1, score: 600, average: 600 },
    { rank: 2, unit: 'A', players: 2, score: 1000, average: 500 },
    { rank: 2, unit: 'C', players: 2, score: 1000, average: 500 },
    { rank: 4, unit: 'D', players: 0, score: 0, average: 0 },
  ]);
  assert.equal(
    rankTeams(
      [
        { unit: 'A', score: 1 },
        { unit: 'A', score: 2 },
        { unit: 'A', score: 2 },
      ],
      ['A'],
    )[0]!.average,
    1.7,
  );
});

test('PINs are six digits over the whole range', () => {
  assert.equal(
    generatePin(() => 0),
    '100000',
  );
  assert.equal(
    generatePin(() => 0.999999999),
    '999999',
  );
  for (let i = 0; i < 1000; i++) assert.match(generatePin(Math.random), /^[1-9]\d{5}$/);
});
