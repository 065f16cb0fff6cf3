import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrangeAttempt, drawQuestions, DrawUnsatisfiableError } from '../../src/rules/draw.ts';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('draws the requested count from each pool, without repeats', () => {
  const drawn = drawQuestions(
    [
      { candidates: range(1, 21), count: 5 },
      { candidates: range(21, 41), count: 3 },
    ],
    'seed-a',
  );
  assert.equal(drawn.length, 8);
  assert.equal(new Set(drawn).size, 8);
  assert.ok(drawn.slice(0, 5).every((q) => q >= 1 && q <= 20));
  assert.ok(drawn.slice(5).every((q) => q >= 21 && q <= 40));
});

test('the same seed gives the same draw; other seeds give other draws', () => {
  const pools = [{ candidates: range(1, 101), count: 10 }];
  assert.deepEqual(drawQuestions(pools, 'x'), drawQuestions(pools, 'x'));
  const distinct = new Set(range(0, 20).map((i) => drawQuestions(pools, `s${i}`).join(',')));
  assert.ok(distinct.size > 15, `draws should vary with the seed (${distinct.size} distinct of 20)`);
});

test('overlapping pools are resolved for every seed when a valid draw exists', () => {
  // Pool 1 {1..5}, pool 2 {1..3}: greedy could give 1..3 to pool 1 and starve pool 2.
  const pools = [
    { candidates: [1, 2, 3, 4, 5], count: 2 },
    { candidates: [1, 2, 3], count: 3 },
  ];
  for (let i = 0; i < 200; i++) {
    const drawn = drawQuestions(pools, `seed-${i}`);
    assert.deepEqual(new Set(drawn.slice(2)), new Set([1, 2, 3]));
    assert.ok(drawn.slice(0, 2).every((q) => q === 4 || q === 5));
  }
});

test('refuses a draw the pools cannot satisfy', () => {
  assert.throws(() => drawQuestions([{ candidates: [1, 2], count: 3 }], 's'), DrawUnsatisfiableError);
  assert.throws(
    () =>
      drawQuestions(
        [
          { candidates: [1, 2], count: 2 },
          { candidates: [1, 2], count: 1 },
        ],
        's',
      ),
    (err: unknown) => err instanceof DrawUnsatisfiableError && err.needed === 3 && err.found === 2,
  );
});

test('every question is drawn about as often as the others', () => {
  const counts = new Map<number, number>();
  for (let i = 0; i < 4000; i++) {
    for (const q of drawQuestions([{ candidates: range(1, 11), count: 2 }], `u${i}`)) {
      counts.set(q, (counts.get(q) ?? 0) + 1);
    }
  }
  // Expected 800 each; a fair draw stays well inside ±20 %.
  for (const q of range(1, 11))
    assert.ok(Math.abs(counts.get(q)! - 800) < 160, `question ${q}: ${counts.get(q)}`);
});

test('arrangement shuffles questions and options by seed, but keeps true/false in order', () => {
  const qs = range(1, 11).map((id) => ({
    id,
    type: id === 1 ? 'truefalse' : 'single',
    optionIds: id === 1 ? ['t', 'f'] : ['a', 'b', 'c', 'd'],
  }));
  const a = arrangeAttempt(qs, 'k', { shuffleQuestions: true, shuffleOptions: true });
  assert.deepEqual(a, arrangeAttempt(qs, 'k', { shuffleQuestions: true, shuffleOptions: true }));
  assert.deepEqual(new Set(a.map((x) => x.questionId)), new Set(range(1, 11)));
  assert.deepEqual(a.find((x) => x.questionId === 1)!.optionIds, ['t', 'f']);
  const plain = arrangeAttempt(qs, 'k', { shuffleQuestions: false, shuffleOptions: false });
  assert.deepEqual(
    plain.map((x) => x.questionId),
    range(1, 11),
  );
  assert.deepEqual(plain[1]!.optionIds, ['a', 'b', 'c', 'd']);
});
