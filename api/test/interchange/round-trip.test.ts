import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportQuestions, INTERCHANGE_FORMATS, parseQuestions } from '../../src/interchange/index.ts';
import type { InterchangeFormat, QuestionDraft } from '../../src/interchange/types.ts';
import { BANK, questionsOf, VI_LABELS } from './samples.ts';

/** The fields each format cannot carry; everything else must come back exactly. */
const LOST: Record<InterchangeFormat, (keyof QuestionDraft)[]> = {
  csv: [],
  xlsx: [],
  gift: [],
  'moodle-xml': ['difficulty'],
  aiken: ['points', 'tags', 'difficulty', 'explanation'],
};

const without = (q: QuestionDraft, fields: (keyof QuestionDraft)[]): QuestionDraft => {
  const copy = { ...q };
  for (const f of fields) delete copy[f];
  return copy;
};

for (const format of INTERCHANGE_FORMATS) {
  test(`${format}: export then import gives back the same questions`, async () => {
    const exported = await exportQuestions(format, BANK);
    const expectedGone = format === 'aiken' ? [1, 2, 3] : [];
    assert.deepEqual(exported.notRepresentable, expectedGone);
    const parsed = await parseQuestions(format, exported.data, { trueFalseLabels: VI_LABELS });
    const expected = BANK.filter((_, i) => !expectedGone.includes(i)).map((q) => without(q, LOST[format]));
    assert.deepEqual(questionsOf(parsed), expected);
    assert.deepEqual(
      parsed.items.flatMap((i) => i.warnings),
      [],
      'a clean export reads back without warnings',
    );
  });
}

test('true/false round-trips with the English labels too', async () => {
  const tf: QuestionDraft[] = [
    {
      type: 'truefalse',
      stem: 'The Earth is round.',
      options: [
        { text: 'True', correct: true },
        { text: 'False', correct: false },
      ],
    },
    {
      type: 'truefalse',
      stem: 'Two is odd.',
      options: [
        { text: 'True', correct: false },
        { text: 'False', correct: true },
      ],
    },
  ];
  for (const format of ['gift', 'moodle-xml', 'csv', 'xlsx'] as const) {
    const parsed = await parseQuestions(format, (await exportQuestions(format, tf)).data);
    assert.deepEqual(questionsOf(parsed), tf, format);
  }
});

test('more than six options get extra spreadsheet columns and come back', async () => {
  const wide: QuestionDraft[] = [
    {
      type: 'multiple',
      stem: 'Chọn các nguyên âm',
      options: [...'abcdefgh'].map((c) => ({ text: c, correct: 'aei'.includes(c) })),
    },
  ];
  for (const format of INTERCHANGE_FORMATS.filter((f) => f !== 'aiken')) {
    const parsed = await parseQuestions(format, (await exportQuestions(format, wide)).data);
    assert.deepEqual(questionsOf(parsed), wide, format);
  }
});

test('multiple response with one right option stays multiple response', async () => {
  const one: QuestionDraft[] = [
    {
      type: 'multiple',
      stem: 'Chọn số chẵn',
      options: [
        { text: '1', correct: false },
        { text: '2', correct: true },
        { text: '3', correct: false },
      ],
    },
  ];
  for (const format of INTERCHANGE_FORMATS.filter((f) => f !== 'aiken')) {
    const parsed = await parseQuestions(format, (await exportQuestions(format, one)).data);
    assert.deepEqual(questionsOf(parsed), one, format);
  }
});

test('texts with every character a format treats specially survive GIFT and Moodle XML', async () => {
  const tricky = [
    '**đậm** và _nghiêng_ và snake_case_name',
    'a  b   c (spaces kept)',
    'line one\n  indented line two\n\nafter a blank line',
    '&lt; is not <, &amp;amp; stays',
    '[plain] is not a format marker here',
    '// not a comment',
    '$CATEGORY: not a category',
    '::not a title::',
    'tab\there',
    '50% ~ 100% = #1 {x} \\ :',
    '<p>literal tags</p>',
    '****',
    '_',
  ];
  const qs: QuestionDraft[] = tricky.map((t, i) => ({
    type: 'single',
    stem: t,
    options: [
      { text: t, correct: true },
      { text: `khác ${i}`, correct: false },
    ],
    explanation: t,
  }));
  for (const format of ['gift', 'moodle-xml', 'csv', 'xlsx'] as const) {
    const parsed = await parseQuestions(format, (await exportQuestions(format, qs)).data);
    assert.deepEqual(questionsOf(parsed), qs, format);
  }
});

test('a tag containing the spreadsheet tag separator is reported, not split', async () => {
  const qs: QuestionDraft[] = [
    {
      type: 'single',
      stem: 'Q',
      options: [
        { text: 'a', correct: true },
        { text: 'b', correct: false },
      ],
      tags: ['a|b'],
    },
    BANK[0]!,
  ];
  for (const format of ['csv', 'xlsx'] as const) {
    const exported = await exportQuestions(format, qs);
    assert.deepEqual(exported.notRepresentable, [0]);
    assert.deepEqual(
      questionsOf(await parseQuestions(format, exported.data, { trueFalseLabels: VI_LABELS })),
      [BANK[0]],
    );
  }
  const gift = await exportQuestions('gift', qs);
  assert.deepEqual(questionsOf(await parseQuestions('gift', gift.data)), qs);
});

test('bank rows with null difficulty and explanation export like absent fields', async () => {
  const row = {
    type: 'single' as const,
    stem: 'Q',
    options: [
      { text: 'a', correct: true },
      { text: 'b', correct: false },
    ],
    points: 1,
    tags: [],
    difficulty: null,
    explanation: null,
  };
  for (const format of INTERCHANGE_FORMATS) {
    const parsed = await parseQuestions(format, (await exportQuestions(format, [row])).data);
    const expected =
      format === 'aiken'
        ? { type: row.type, stem: 'Q', options: row.options }
        : { type: row.type, stem: 'Q', options: row.options, points: 1 };
    assert.deepEqual(questionsOf(parsed), [expected], format);
  }
});

test('export metadata names the file type', async () => {
  const kinds = await Promise.all(
    INTERCHANGE_FORMATS.map(async (f) => [f, (await exportQuestions(f, BANK)).extension]),
  );
  assert.deepEqual(Object.fromEntries(kinds), {
    csv: 'csv',
    xlsx: 'xlsx',
    gift: 'txt',
    aiken: 'txt',
    'moodle-xml': 'xml',
  });
});
