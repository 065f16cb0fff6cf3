import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuestions } from '../../src/interchange/index.ts';
import { exportAiken, parseAiken } from '../../src/interchange/aiken.ts';
import { moodleFixture } from './samples.ts';

const opts = (texts: string[], right: number) => texts.map((text, i) => ({ text, correct: i === right }));

test("Moodle's Aiken fixture: both questions, text kept literally", async () => {
  const result = await parseQuestions('aiken', moodleFixture('questions.aiken.txt'));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.items.map((i) => ({ line: i.line, errors: i.errors, question: i.question })),
    [
      {
        line: 1,
        errors: [],
        question: {
          type: 'single',
          stem: 'The Moodle project was started by:',
          options: opts(['Petr Skoda', 'Martin Dougiamas', 'Eloy Lafuente', 'Tim Hunt'], 1),
        },
      },
      {
        line: 8,
        errors: [],
        question: {
          type: 'single',
          stem: 'Moodle\'s abilities include handling user input that includes <html class="cool"> & images:',
          options: opts(['True', 'False'], 0),
        },
      },
    ],
  );
});

test('"A." and "A)" labels, a lower-case answer line, multi-line stems, Vietnamese text', () => {
  const result = parseAiken(
    [
      'Câu hỏi dòng một',
      'dòng hai',
      'A. Một',
      'B) Hai',
      'C) Ba',
      'answer: c',
      '',
      '',
      'Câu tiếp theo',
      'A) x',
      'B) y',
      'ANSWER:A',
    ].join('\n'),
  );
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.items.map((i) => i.question),
    [
      { type: 'single', stem: 'Câu hỏi dòng một\ndòng hai', options: opts(['Một', 'Hai', 'Ba'], 2) },
      { type: 'single', stem: 'Câu tiếp theo', options: opts(['x', 'y'], 0) },
    ],
  );
  assert.deepEqual(
    result.items.map((i) => i.line),
    [1, 9],
  );
});

test('a question without ANSWER is an error on that question; the next one still imports', () => {
  const result = parseAiken(
    [
      'First question',
      'A) a',
      'B) b',
      '',
      'Second question',
      'A) c',
      'B) d',
      'ANSWER: B',
      '',
      'Last',
      'A) e',
      'B) f',
    ].join('\n'),
  );
  assert.deepEqual(
    result.items.map((i) => [i.line, i.errors, i.question?.stem]),
    [
      [1, ['No "ANSWER: X" line after the options'], undefined],
      [5, [], 'Second question'],
      [10, ['No "ANSWER: X" line after the options'], undefined],
    ],
  );
});

test('bad answers and stray lines are errors with their line', () => {
  const result = parseAiken(
    [
      'Q1',
      'A) a',
      'B) b',
      'ANSWER: C',
      '',
      'Q2',
      'A) a',
      'B) b',
      'ANSWER: A, B',
      '',
      'Q3',
      'A) a',
      'A) b',
      'ANSWER: A',
      '',
      'ANSWER: A',
      '',
      'A) orphan',
      'B) option',
      'ANSWER: A',
      '',
      'Q6',
      'A) only one',
      'ANSWER: A',
      '',
      'Q7',
      'A) a',
      'B) b',
      'ANSWER:',
    ].join('\n'),
  );
  assert.deepEqual(
    result.items.map((i) => i.errors),
    [
      ['Line 4: ANSWER C is not one of the options'],
      ['Line 9: "ANSWER: A, B" must be one option letter (Aiken has exactly one correct answer)'],
      ['Line 13: option A appears twice'],
      ['Line 16: "ANSWER:" without a question before it'],
      ['Line 18: an option without a question before it'],
      ['A question needs at least two options'],
      ['Line 29: "ANSWER:" has no letter'],
    ],
  );
});

test('export writes single choice only and lists the rest as not representable', () => {
  const { text, notRepresentable } = exportAiken([
    { type: 'single', stem: 'Thủ đô?\nChọn một.', options: opts(['Hà Nội', 'Huế'], 0) },
    { type: 'multiple', stem: 'M', options: opts(['a', 'b'], 0) },
    { type: 'truefalse', stem: 'T', options: opts(['Đúng', 'Sai'], 1) },
    { type: 'single', stem: 'A) reads as an option', options: opts(['a', 'b'], 0) },
    { type: 'single', stem: 'Option on two lines', options: opts(['a\nb', 'c'], 1) },
    { type: 'single', stem: 'Last', options: opts(['x', 'y'], 1), points: 3, tags: ['lost'] },
  ]);
  assert.deepEqual(notRepresentable, [1, 2, 3, 4]);
  assert.equal(text, 'Thủ đô?\nChọn một.\nA. Hà Nội\nB. Huế\nANSWER: A\n\nLast\nA. x\nB. y\nANSWER: B\n');
});
