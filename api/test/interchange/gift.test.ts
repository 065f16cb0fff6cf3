import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuestions } from '../../src/interchange/index.ts';
import { parseGift } from '../../src/interchange/gift.ts';
import type { ParsedItem } from '../../src/interchange/types.ts';
import { moodleFixture, VI_LABELS } from './samples.ts';

const only = (text: string, labels?: readonly [string, string]): ParsedItem => {
  const result = parseGift(text, labels ? { trueFalseLabels: labels } : {});
  assert.deepEqual(result.errors, []);
  assert.equal(result.items.length, 1, JSON.stringify(result.items));
  return result.items[0]!;
};

const opts = (...spec: [string, boolean][]) => spec.map(([text, correct]) => ({ text, correct }));

test("Moodle's GIFT fixture: every question is imported or skipped with its kind and line", async () => {
  const source = moodleFixture('questions.gift.txt');
  const result = await parseQuestions('gift', source);
  assert.deepEqual(result.errors, []);
  // One item per question in the file: the lines that start a question ("::title::").
  const starts = source
    .toString('utf8')
    .split('\n')
    .flatMap((l, i) => (l.startsWith('::') ? [i + 1] : []));
  assert.deepEqual(
    result.items.map((i) => i.line),
    starts,
  );
  assert.deepEqual(
    result.items.map((i) => [i.line, i.skipped?.kind ?? i.question?.type]),
    [
      [2, 'essay'],
      [5, 'matching'],
      [14, 'single'],
      [22, 'multiple'],
      [31, 'numerical'],
      [34, 'shortanswer'],
      [41, 'truefalse'],
      [46, 'truefalse'],
      [49, 'truefalse'],
    ],
  );
  assert.ok(result.items.every((i) => i.errors.length === 0));
  const [, , q2, colours, , , q1, tsl1, tsl2] = result.items.map((i) => i.question);
  assert.deepEqual(q2, {
    type: 'single',
    stem: "What's between orange and green in the spectrum?",
    options: opts(['yellow', true], ['red', false], ['blue', false]),
  });
  // Positive weights (%50%) mark the right options of a multiple-response question.
  assert.deepEqual(
    colours?.options,
    opts(['yellow', true], ['red', false], ['off-beige', true], ['blue', false]),
  );
  assert.equal(colours?.type, 'multiple');
  assert.deepEqual(q1, {
    type: 'truefalse',
    stem: '42 is the Absolute Answer to everything.',
    options: opts(['True', false], ['False', true]),
    explanation: "This is, of course, a Hitchiker's Guide to the Galaxy reference.",
  });
  assert.deepEqual(tsl1, {
    type: 'truefalse',
    stem: 'TSL is blablabla.',
    options: opts(['True', true], ['False', false]),
  });
  assert.deepEqual(tsl2, tsl1);
  // The stray '";' after Q1's braces (a leftover of the PHP test strings) is reported, not silently eaten.
  assert.ok(result.items[6]!.warnings.some((w) => w.includes('";')));
  // Per-answer feedback has no home on the platform: said so.
  assert.ok(result.items[2]!.warnings.some((w) => w.startsWith('Feedback on individual answers')));
});

test('categories and [tag:] comments become tags; [points:] and [difficulty:] are read', () => {
  const result = parseGift(
    [
      '$CATEGORY: $course$/top/Lớp 10/Đại số',
      '',
      '// [tag:phương trình] [tag:a\\]b]',
      '// [points:2.5] [difficulty:4]',
      'Nghiệm của x + 1 = 0?{=-1 ~1}',
      '',
      '$CATEGORY: Hình học',
      'Tam giác có mấy cạnh?{=3 ~4}',
      '',
      '$CATEGORY: $course$/top',
      '',
      'Không có nhãn{T}',
    ].join('\n'),
  );
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.items.map((i) => [i.line, i.question?.tags, i.question?.points, i.question?.difficulty]),
    [
      [5, ['Lớp 10', 'Đại số', 'phương trình', 'a]b'], 2.5, 4],
      [8, ['Hình học'], undefined, undefined],
      [12, undefined, undefined, undefined],
    ],
  );
});

test('escapes, titles, format markers and multi-line questions', () => {
  const item = only(
    [
      '::Tiêu đề \\: có dấu::[html]Chọn <b>đúng</b>&nbsp;nhất:',
      'a \\{b\\} \\= c \\~ d \\# e \\\\ f\\ng{',
      '  =[plain]<i>nguyên văn</i> # phản hồi',
      '  ~[markdown]**x**',
      '  ~sai &amp; sai',
      '  ####[html]Giải <i>thích</i>',
      '}',
    ].join('\n'),
  );
  assert.deepEqual(item.question, {
    type: 'single',
    stem: 'Chọn **đúng** nhất: a {b} = c ~ d # e \\ f g',
    options: opts(['<i>nguyên văn</i>', true], ['**x**', false], ['sai & sai', false]),
    explanation: 'Giải _thích_',
  });
});

test('true/false takes the labels it is given, and T/F/TRUE/FALSE in any case', () => {
  for (const [word, right] of [
    ['T', true],
    ['true', true],
    ['F', false],
    ['FALSE', false],
  ] as const) {
    assert.deepEqual(
      only(`Câu hỏi{${word}}`, VI_LABELS).question?.options,
      opts(['Đúng', right], ['Sai', !right]),
    );
  }
});

test('types the platform has not got are skipped with their kind and line', () => {
  const result = parseGift(
    [
      '// comment lines and blank lines do not count',
      '',
      'Write an essay{}',
      '',
      'When was Hồ Chí Minh born?{#1890}',
      '',
      'Match{=a -> 1 =b -> 2 =c -> 3}',
      '',
      'Capital of France?{=Paris =paris}',
      '',
      'The sky is {~green =blue} today.',
      '',
      'Only a description, no answers.',
      '',
      'A real one{=yes ~no}',
    ].join('\n'),
  );
  assert.deepEqual(
    result.items.map((i) => [i.index, i.line, i.skipped?.kind ?? i.question?.type]),
    [
      [0, 3, 'essay'],
      [1, 5, 'numerical'],
      [2, 7, 'matching'],
      [3, 9, 'shortanswer'],
      [4, 11, 'missing-word'],
      [5, 13, 'description'],
      [6, 15, 'single'],
    ],
  );
  for (const item of result.items.slice(0, 6)) {
    assert.equal(item.question, undefined);
    assert.match(item.skipped!.reason, /not supported|not a question/);
  }
});

test('broken questions get an error with a line; the ones after them still import', () => {
  const result = parseGift(
    [
      'Unclosed brace{=a ~b',
      '',
      'Closing first} then {=a ~b}',
      '',
      'Nested{=a {b} ~c}',
      '',
      'Two questions{=a ~b}',
      'without a blank line{=c ~d}',
      '',
      'Two right answers in a single choice{=a =b ~c}',
      '',
      'Only one option{=a ~}',
      '',
      'Fine{=a ~b}',
    ].join('\n'),
  );
  const [unclosed, closing, nested, glued, twoRight, oneOption, fine] = result.items;
  assert.match(unclosed!.errors[0]!, /^Line 1: .*never closed/);
  assert.match(closing!.errors[0]!, /^Line 3: "}" without an opening "{"/);
  assert.match(nested!.errors[0]!, /^Line 5: a second "{"/);
  assert.match(glued!.errors[0]!, /^Line 8: .*blank line/);
  assert.deepEqual(twoRight!.errors, [
    'A single-choice or true/false question needs exactly one correct option',
  ]);
  assert.ok(twoRight!.question, 'a question that fails validation is still shown in the preview');
  assert.deepEqual(oneOption!.errors, ['Option B is empty']);
  assert.deepEqual(fine!.errors, []);
  assert.equal(fine!.question?.stem, 'Fine');
});

test('partial credit in a single choice and a title without its closing :: are warned about', () => {
  const partial = only('Q{=a ~%50%b ~c}');
  assert.deepEqual(partial.question?.options, opts(['a', true], ['b', false], ['c', false]));
  assert.match(partial.warnings[0]!, /50% credit/);
  const untitled = only('::no end Q{=a ~b}');
  assert.match(untitled.warnings[0]!, /title is not closed/);
  assert.equal(untitled.question?.stem, 'no end Q');
});

test('HTML in GIFT text without a format marker is recognised by its tags and entities', () => {
  const item = only('Ch&#7885;n <em>m&#x1ED9;t</em>&hellip;{=&lt;a&gt; ~b &amp; c}');
  assert.equal(item.question?.stem, 'Chọn _một_…');
  assert.deepEqual(item.question?.options, opts(['<a>', true], ['b & c', false]));
  assert.equal(only('x < y & y > z{=a ~b}').question?.stem, 'x < y & y > z');
});

test('an image in an [html] question is left out with a warning', () => {
  const item = only('[html]Xem hình <img src="@@PLUGINFILE@@/a.png" alt="a>b">:{=a ~b}');
  assert.equal(item.question?.stem, 'Xem hình :');
  assert.match(item.warnings.join(' '), /images could not be imported/);
});
