// Item analysis on hand-made data: facility, the 27% groups, the discrimination index, option
// counts and the two flags, with every expected number worked out by hand in the comments.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyseItems,
  bandOf,
  createItemAnalysis,
  extremeGroupSize,
  isCorrect,
  type ItemQuestion,
  type ScoredAttempt,
} from '../../src/rules/item-analysis.ts';

const question = (n: number): ItemQuestion => ({
  questionId: n,
  type: 'single',
  stem: `Câu ${n}`,
  options: [
    { id: `q${n}r`, text: 'Đúng', correct: true },
    { id: `q${n}a`, text: 'Sai A', correct: false },
    { id: `q${n}b`, text: 'Sai B', correct: false },
  ],
});
const QUESTIONS = [1, 2, 3, 4, 5].map(question);

type Choice = 'R' | 'A' | 'B' | '-';
const attempt = (attemptId: number, plan: string): ScoredAttempt => {
  const choices = plan.split(' ') as Choice[];
  const answers = QUESTIONS.map((q, i) => {
    const c = choices[i]!;
    return {
      question: q,
      position: i,
      chosen: c === '-' ? null : [c === 'R' ? `q${q.questionId}r` : `q${q.questionId}${c.toLowerCase()}`],
    };
  });
  return { attemptId, score: choices.filter((c) => c === 'R').length, answers };
};

// Ten attempts; top 27% = round(2.7) = 3 (P2, P1, P3), bottom 3 = P8, P9, P10.
//            Q1 Q2 Q3 Q4 Q5   score
const PLAN = [
  'R R A A R', // P1  3
  'R R R A R', // P2  4
  'R R B A R', // P3  3
  'R A R B A', // P4  2
  'A R A R -', // P5  2
  'R B R B A', // P6  2
  'A R A A R', // P7  2
  'A A R B A', // P8  1
  'B - R A B', // P9  1
  '- - - R -', // P10 1
];

describe('item analysis', () => {
  test('extreme groups are 27% of the attempts, at least one, never overlapping', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10, 100, 1000].map((n) => extremeGroupSize(n)),
      [0, 0, 1, 1, 1, 3, 27, 270],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => bandOf(i, 5)),
      ['top', 'middle', 'middle', 'middle', 'bottom'],
    );
    assert.deepEqual(
      [0, 1].map((i) => bandOf(i, 2)),
      ['top', 'bottom'],
    );
  });

  test('a response is right only with all and only the keyed options', () => {
    const options = [
      { id: 'a', text: 'a', correct: true },
      { id: 'b', text: 'b', correct: true },
      { id: 'c', text: 'c', correct: false },
    ];
    assert.equal(isCorrect(options, ['b', 'a']), true);
    assert.equal(isCorrect(options, ['a']), false);
    assert.equal(isCorrect(options, ['a', 'b', 'c']), false);
    assert.equal(isCorrect(options, null), false);
    assert.equal(isCorrect([{ id: 'x', text: 'x', correct: false }], []), false, 'no key: never right');
  });

  const items = analyseItems(PLAN.map((p, i) => attempt(i + 1, p)));
  const item = (n: number) => items.find((i) => i.questionId === n)!;

  test('facility, group facilities and discrimination', () => {
    assert.deepEqual(
      items.map((i) => [
        i.questionId,
        i.responses,
        i.correct,
        i.facility,
        i.top.facility,
        i.bottom.facility,
        i.discrimination,
      ]),
      [
        // Q1: right P1 P2 P3 P4 P6; top 3/3, bottom 0/3.
        [1, 10, 5, 0.5, 1, 0, 1],
        // Q2: right P1 P2 P3 P5 P7; top 3/3, bottom 0/3.
        [2, 10, 5, 0.5, 1, 0, 1],
        // Q3: right P2 P4 P6 P8 P9; top 1/3 (P2), bottom 2/3 (P8, P9): D = -1/3.
        [3, 10, 5, 0.5, 0.3333, 0.6667, -0.3333],
        // Q4: right P5 P10; top 0/3, bottom 1/3 (P10).
        [4, 10, 2, 0.2, 0, 0.3333, -0.3333],
        // Q5: right P1 P2 P3 P7; top 3/3, bottom 0/3.
        [5, 10, 4, 0.4, 1, 0, 1],
      ],
    );
    assert.deepEqual(
      items.map((i) => [i.top.responses, i.bottom.responses]),
      Array(5).fill([3, 3]),
    );
  });

  test('option counts overall and in each extreme group, and unanswered', () => {
    const counts = (n: number) =>
      item(n).options.map((o) => [o.id, o.correct, o.chosen, o.chosenTop, o.chosenBottom]);
    // Q1: R 5 (top 3), A 3 (P5 P7 P8; bottom P8), B 1 (P9, bottom), P10 blank.
    assert.deepEqual(counts(1), [
      ['q1r', true, 5, 3, 0],
      ['q1a', false, 3, 0, 1],
      ['q1b', false, 1, 0, 1],
    ]);
    assert.equal(item(1).unanswered, 1);
    // Q4: R 2 (P5, P10), A 5 (P1 P2 P3 P7 P9: top 3, bottom P9), B 3 (P4 P6 P8: bottom P8).
    assert.deepEqual(counts(4), [
      ['q4r', true, 2, 0, 1],
      ['q4a', false, 5, 3, 1],
      ['q4b', false, 3, 0, 1],
    ]);
    assert.equal(item(4).unanswered, 0);
    assert.equal(item(2).unanswered, 2);
  });

  test('flags: negative discrimination, and a possible miskey when the top prefer a wrong option', () => {
    assert.deepEqual(
      items.map((i) => [i.questionId, i.flags]),
      [
        [1, []],
        [2, []],
        // Q3: top chose R, A and B once each: no wrong option beats the key.
        [3, ['negative_discrimination']],
        // Q4: all three of the top chose A, none the key.
        [4, ['negative_discrimination', 'possible_miskey']],
        [5, []],
      ],
    );
  });

  test('the accumulator gives the same answer fed in any order, by band', () => {
    const analysis = createItemAnalysis();
    const ranked = PLAN.map((p, i) => attempt(i + 1, p)).sort(
      (a, b) => b.score - a.score || a.attemptId - b.attemptId,
    );
    for (const [index, a] of [...ranked.entries()].reverse()) {
      for (const answer of a.answers) analysis.add({ band: bandOf(index, ranked.length), ...answer });
    }
    assert.deepEqual(analysis.result(), items);
  });

  test('multiple response: miskey against the least chosen keyed option; one attempt has no groups', () => {
    const multi: ItemQuestion = {
      questionId: 9,
      type: 'multiple',
      stem: 'Chọn các đáp án đúng',
      options: [
        { id: 'x', text: 'x', correct: true },
        { id: 'y', text: 'y', correct: true },
        { id: 'z', text: 'z', correct: false },
      ],
    };
    const a = (id: number, score: number, chosen: string[]): ScoredAttempt => ({
      attemptId: id,
      score,
      answers: [{ question: multi, position: 0, chosen }],
    });
    // Four attempts: top 1 (score 9: x, z), bottom 1 (score 0: x, y).
    const [stats] = analyseItems([
      a(1, 9, ['x', 'z']),
      a(2, 5, ['x', 'y']),
      a(3, 4, ['y']),
      a(4, 0, ['x', 'y']),
    ]);
    assert.equal(stats!.facility, 0.5);
    assert.equal(stats!.discrimination, -1);
    assert.deepEqual(
      stats!.flags,
      ['negative_discrimination', 'possible_miskey'],
      'z (1) beats y (0) among the top',
    );

    const [alone] = analyseItems([a(1, 3, ['x', 'y'])]);
    assert.deepEqual(
      [alone!.facility, alone!.discrimination, alone!.top.responses, alone!.flags],
      [1, null, 0, []],
    );
    assert.deepEqual(analyseItems([]), []);
  });
});
