import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuestions } from '../../src/interchange/index.ts';
import { detectSeparator, parseCsv, parseCsvRecords } from '../../src/interchange/csv.ts';
import { VI_LABELS } from './samples.ts';

const HEADER =
  'type,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct,points,tags,difficulty,explanation';

test('RFC 4180 records: quotes, doubled quotes, separators and line breaks inside quotes', () => {
  const { records, error } = parseCsvRecords('a,"b,""c""",d\n"x\ny",,"z"\nlast', ',');
  assert.equal(error, undefined);
  assert.deepEqual(records, [
    { line: 1, cells: ['a', 'b,"c"', 'd'] },
    { line: 2, cells: ['x\ny', '', 'z'] },
    { line: 4, cells: ['last'] },
  ]);
});

test('the separator is detected on the header row', () => {
  assert.equal(detectSeparator(HEADER), ',');
  assert.equal(detectSeparator('type;stem;"a,b,c,d";correct\n1,2,3,4,5'), ';');
  assert.equal(detectSeparator('type\tstem\tcorrect'), '\t');
});

test('rows become questions, with row numbers, in either separator and with a BOM', async () => {
  const semicolon = [
    HEADER.replace(/,/g, ';'),
    'single;"Thủ đô; của Việt Nam?";Hà Nội;Huế;;;;;A;1,5;địa lý | lớp 6;2;"Từ năm ""1976""."',
    ';;;;;;;;;;;;',
    'multiple;"Số nguyên tố\nlà?";2;4;5;;;;A, C;;;;',
    'truefalse;Nước sôi ở 100 °C;;;;;;;A;;;;',
  ].join('\r\n');
  const result = await parseQuestions(
    'csv',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(semicolon)]),
    {
      trueFalseLabels: VI_LABELS,
    },
  );
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.items.map((i) => [i.index, i.row, i.line, i.errors]),
    [
      [0, 2, 2, []],
      [1, 4, 4, []],
      [2, 5, 6, []],
    ],
  );
  assert.deepEqual(
    result.items.map((i) => i.question),
    [
      {
        type: 'single',
        stem: 'Thủ đô; của Việt Nam?',
        options: [
          { text: 'Hà Nội', correct: true },
          { text: 'Huế', correct: false },
        ],
        points: 1.5,
        tags: ['địa lý', 'lớp 6'],
        difficulty: 2,
        explanation: 'Từ năm "1976".',
      },
      {
        type: 'multiple',
        stem: 'Số nguyên tố\nlà?',
        options: [
          { text: '2', correct: true },
          { text: '4', correct: false },
          { text: '5', correct: true },
        ],
      },
      {
        type: 'truefalse',
        stem: 'Nước sôi ở 100 °C',
        options: [
          { text: 'Đúng', correct: true },
          { text: 'Sai', correct: false },
        ],
      },
    ],
  );
});

test('bad rows get errors with their row; good rows still import', () => {
  const result = parseCsv(
    [
      HEADER,
      'single,Q2,a,b,,,,,1,,,,',
      'single,Q3,a,b,,,,,E,,,,',
      'single,Q4,a,b,,,,,,,,,',
      ',Q5,a,b,,,,,A,,,,',
      'choice,Q6,a,b,,,,,A,,,,',
      'single,Q7,a,,c,,,,A,,,,',
      'single,Q8,a,b,,,,,A,nhiều,,,',
      'single,Q9,a,b,,,,,A,,,7,',
      'single,Q10,a,b,,,,,"A,B",,,,',
      'single,Q11,a,b,,,,,AB,,,,',
      'multiple,Q12,a,b,,,,,b,,,,',
    ].join('\n'),
  );
  assert.deepEqual(
    result.items.map((i) => [i.row, i.errors]),
    [
      [2, ['"1" in the correct column is not an option letter (write "A" or "A,C")']],
      [3, ['The correct answer E has no option E']],
      [4, ['The correct answer is empty (option letters such as "A" or "A,C")']],
      [5, ['The type is empty (single, multiple or truefalse)']],
      [6, ['Unknown type "choice" (use single, multiple or truefalse)']],
      [7, ['Option B is empty but option C is not: fill the options from A without gaps']],
      [8, ['The points "nhiều" are not a number']],
      [9, ['Difficulty must be at most 5']],
      [10, ['A single-choice or true/false question needs exactly one correct option']],
      [11, ['"AB" in the correct column is not an option letter (write "A" or "A,C")']],
      [12, []],
    ],
  ); // A row with errors still carries what could be read, so that it can be fixed in the preview.
  const q4 = result.items.find((i) => i.row === 4)!;
  assert.deepEqual(q4.question, {
    type: 'single',
    stem: 'Q4',
    options: [
      { text: 'a', correct: false },
      { text: 'b', correct: false },
    ],
  });
  assert.equal(result.items.find((i) => i.row === 6)!.question?.stem, 'Q6');
});

test('header problems are file-level errors; unknown columns are warnings', () => {
  assert.match(parseCsv('single,Q,a,b,A').errors[0]!, /first row must be the header row/);
  assert.deepEqual(parseCsv('type,stem,option_a,option_b\nsingle,Q,a,b').errors, [
    'The header row lacks the column(s): correct',
  ]);
  assert.deepEqual(parseCsv('type,stem,option_a,option_b,correct,stem\n').errors, [
    'The column "stem" appears twice in the header row',
  ]);
  const extra = parseCsv('Type, Stem ,Option A,option_b,correct,ghi chú\nsingle,Q,a,b,A,x');
  assert.deepEqual(extra.errors, []);
  assert.deepEqual(extra.warnings, [
    'The column "ghi chú" is not one of the template\'s columns and was ignored',
  ]);
  assert.equal(extra.items[0]!.question?.stem, 'Q');
});

test('an unclosed quote is a file-level error with its line', () => {
  const result = parseCsv(`${HEADER}\nsingle,"Q,a,b,,,,,A\nsingle,Q2,a,b,,,,,A`);
  assert.deepEqual(result.errors, ['The quoted cell that starts on line 2 is never closed (a " is missing)']);
  assert.deepEqual(result.items, []);
});

test('empty files and header-only files say so', () => {
  assert.deepEqual(parseCsv('').errors, ['The file is empty']);
  assert.deepEqual(parseCsv(`${HEADER}\n\n`).errors, ['No questions were found in the file']);
});

test('cells guarded against spreadsheet formulas lose their guard', () => {
  const result = parseCsv(`${HEADER}\nsingle,'=1+1,'-x,'@y,,,,,A,,,,\nsingle,'plain,-3,''=z,,,,,A,,,,`);
  assert.deepEqual(
    result.items.map((i) => [i.question?.stem, i.question?.options.map((o) => o.text)]),
    [
      ['=1+1', ['-x', '@y']],
      ["'plain", ['-3', "'=z"]],
    ],
  );
});
