import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreAttempt, scoreQuestion } from '../../src/rules/scoring.ts';

const single = {
  type: 'single' as const,
  points: 2,
  options: [
    { id: 'a', correct: false },
    { id: 'b', correct: true },
    { id: 'c', correct: false },
  ],
};
const multiple = {
  type: 'multiple' as const,
  points: 3,
  options: [
    { id: 'a', correct: true },
    { id: 'b', correct: true },
    { id: 'c', correct: false },
    { id: 'd', correct: false },
  ],
};

test('single choice is right or wrong', () => {
  assert.deepEqual(scoreQuestion(single, ['b'], false), { points: 2, correct: true });
  assert.deepEqual(scoreQuestion(single, ['a'], false), { points: 0, correct: false });
  assert.deepEqual(scoreQuestion(single, [], false), { points: 0, correct: false });
  assert.deepEqual(scoreQuestion(single, ['a', 'b'], true), { points: 0, correct: false });
});

test('multiple response is all-or-nothing by default', () => {
  assert.deepEqual(scoreQuestion(multiple, ['a', 'b'], false), { points: 3, correct: true });
  assert.deepEqual(scoreQuestion(multiple, ['b', 'a'], false), { points: 3, correct: true });
  assert.deepEqual(scoreQuestion(multiple, ['a'], false), { points: 0, correct: false });
  assert.deepEqual(scoreQuestion(multiple, ['a', 'b', 'c'], false), { points: 0, correct: false });
});

test('partial credit: (right - wrong) / right, never negative', () => {
  assert.deepEqual(scoreQuestion(multiple, ['a'], true), { points: 1.5, correct: false });
  assert.deepEqual(scoreQuestion(multiple, ['a', 'c'], true), { points: 0, correct: false });
  assert.deepEqual(scoreQuestion(multiple, ['c', 'd'], true), { points: 0, correct: false });
  assert.deepEqual(scoreQuestion(multiple, ['a', 'b', 'c'], true), { points: 1.5, correct: false });
  const three = { ...multiple, points: 1, options: [...multiple.options, { id: 'e', correct: true }] };
  assert.deepEqual(scoreQuestion(three, ['a'], true), { points: 0.333, correct: false });
});

test('an attempt adds up points, counts fully right questions and knows all-correct', () => {
  const qs = [
    { ...single, questionId: 1 },
    { ...multiple, questionId: 2 },
  ];
  assert.deepEqual(
    scoreAttempt(
      qs,
      new Map([
        [1, ['b']],
        [2, ['a', 'b']],
      ]),
      false,
    ),
    { score: 5, maxScore: 5, correctCount: 2, allCorrect: true },
  );
  assert.deepEqual(
    scoreAttempt(
      qs,
      new Map([
        [1, ['b']],
        [2, ['a']],
      ]),
      true,
    ),
    {
      score: 3.5,
      maxScore: 5,
      correctCount: 1,
      allCorrect: false,
    },
  );
  assert.deepEqual(scoreAttempt(qs, new Map(), false), {
    score: 0,
    maxScore: 5,
    correctCount: 0,
    allCorrect: false,
  });
});
