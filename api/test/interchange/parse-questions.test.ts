import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  importableQuestions,
  INTERCHANGE_FORMATS,
  MAX_BYTES,
  MAX_QUESTIONS,
  parseQuestions,
} from '../../src/interchange/index.ts';
import type { InterchangeFormat } from '../../src/interchange/types.ts';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const HEADER = 'type,stem,option_a,option_b,correct';

/** One single-choice question in each text format, with the stem given. */
const oneQuestion: Record<Exclude<InterchangeFormat, 'xlsx'>, (stem: string) => string> = {
  gift: (stem) => `${stem}{=Hà Nội ~Huế}`,
  aiken: (stem) => `${stem}\nA) Hà Nội\nB) Huế\nANSWER: A`,
  csv: (stem) => `${HEADER}\nsingle,${stem},Hà Nội,Huế,A`,
  'moodle-xml': (stem) =>
    `<quiz><question type="multichoice"><questiontext format="html"><text>${stem}</text></questiontext>` +
    '<answer fraction="100"><text>Hà Nội</text></answer><answer fraction="0"><text>Huế</text></answer></question></quiz>',
};
const TEXT_FORMATS = Object.keys(oneQuestion) as (keyof typeof oneQuestion)[];

test('a BOM is ignored and NFD text becomes NFC, in every text format', async () => {
  const stemNfd = 'Thủ đô của Việt Nam'.normalize('NFD');
  for (const format of TEXT_FORMATS) {
    const result = await parseQuestions(
      format,
      Buffer.concat([BOM, Buffer.from(oneQuestion[format](stemNfd))]),
    );
    assert.deepEqual(result.errors, [], format);
    const [q] = importableQuestions(result);
    assert.equal(q?.stem, 'Thủ đô của Việt Nam', format);
    assert.equal(q?.stem, q?.stem.normalize('NFC'));
    assert.deepEqual(
      q?.options.map((o) => o.text),
      ['Hà Nội', 'Huế'],
      format,
    );
  }
});

test('HTML entities are decoded where the format is HTML', async () => {
  const stem = 'Ch&#7885;n &quot;&agrave;&quot; &amp;amp; &hellip;';
  for (const format of ['gift', 'moodle-xml'] as const) {
    const source =
      format === 'moodle-xml' ? oneQuestion[format](stem.replace(/&/g, '&amp;')) : oneQuestion[format](stem);
    const [q] = importableQuestions(await parseQuestions(format, Buffer.from(source)));
    assert.equal(q?.stem, 'Chọn "à" &amp; …', format);
  }
  // Aiken and CSV are plain text: what is written is what is stored.
  const [plain] = importableQuestions(
    await parseQuestions('aiken', Buffer.from(oneQuestion.aiken('a &amp; <b>b</b>'))),
  );
  assert.equal(plain?.stem, 'a &amp; <b>b</b>');
});

test('invalid UTF-8 is a clear file-level error in every text format', async () => {
  for (const format of TEXT_FORMATS) {
    const bytes = Buffer.concat([Buffer.from(oneQuestion[format]('Vi')), Buffer.from([0xea, 0xf2, 0x74])]);
    const result = await parseQuestions(format, bytes);
    assert.equal(result.items.length, 0, format);
    assert.match(result.errors[0]!, /not valid UTF-8/, format);
  }
});

test('files over 10 MB are refused before they are read, in every format', async () => {
  const big = Buffer.alloc(MAX_BYTES + 1, 0x61);
  for (const format of INTERCHANGE_FORMATS) {
    const result = await parseQuestions(format, big);
    assert.deepEqual(
      result.errors,
      ['The file is larger than 10 MB (10,485,761 bytes); split it into smaller files'],
      format,
    );
    assert.deepEqual(result.items, []);
  }
});

test('more than 10,000 questions is a file-level error', async () => {
  const n = MAX_QUESTIONS + 1;
  const csv = [HEADER, ...Array.from({ length: n }, (_, i) => `single,Q${i},a,b,A`)].join('\n');
  const gift = Array.from({ length: n }, (_, i) => `Q${i}{=a ~b}`).join('\n\n');
  for (const [format, text] of [
    ['csv', csv],
    ['gift', gift],
  ] as const) {
    const result = await parseQuestions(format, Buffer.from(text));
    assert.deepEqual(
      result.errors,
      ['The file has 10001 questions; at most 10,000 can be imported at once'],
      format,
    );
    assert.deepEqual(result.items, []);
  }
  const atLimit = await parseQuestions(
    'gift',
    Buffer.from(Array.from({ length: MAX_QUESTIONS }, (_, i) => `Q${i}{=a ~b}`).join('\n\n')),
  );
  assert.equal(importableQuestions(atLimit).length, MAX_QUESTIONS);
});

test('a file without questions says so', async () => {
  for (const format of TEXT_FORMATS) {
    const result = await parseQuestions(
      format,
      Buffer.from(format === 'moodle-xml' ? '<quiz/>' : format === 'csv' ? HEADER : '\n\n'),
    );
    assert.deepEqual(result.errors, ['No questions were found in the file'], format);
  }
});

test('importableQuestions keeps only clean items, and nothing when the file has an error', async () => {
  const result = await parseQuestions('gift', Buffer.from('Good{=a ~b}\n\nBad{=a =b}\n\nEssay{}'));
  assert.deepEqual(
    importableQuestions(result).map((q) => q.stem),
    ['Good'],
  );
  assert.deepEqual(importableQuestions({ ...result, errors: ['x'] }), []);
});
