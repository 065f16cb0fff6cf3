import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { parseQuestions, xlsxTemplate } from '../../src/interchange/index.ts';
import { MAX_UNZIPPED_BYTES } from '../../src/interchange/xlsx.ts';
import { TEMPLATE_COLUMNS } from '../../src/interchange/table.ts';

async function workbook(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Sheet1');
  for (const row of rows) sheet.addRow(row);
  wb.addWorksheet('Ignored').addRow(['type', 'stem']);
  const data: unknown = await wb.xlsx.writeBuffer();
  return Buffer.from(data as Uint8Array);
}

test('the template has the header, example rows that import cleanly, and an instructions sheet', async () => {
  const template = await xlsxTemplate();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ExcelJS.Buffer);
  assert.deepEqual(
    wb.worksheets.map((s) => s.name),
    ['Câu hỏi - Questions', 'Hướng dẫn - Instructions'],
  );
  const header = wb.worksheets[0]!.getRow(1).values as ExcelJS.CellValue[];
  assert.deepEqual(header.slice(1), TEMPLATE_COLUMNS);
  assert.ok(wb.worksheets[1]!.actualRowCount >= TEMPLATE_COLUMNS.length - 5);

  const parsed = await parseQuestions('xlsx', template);
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(
    parsed.items.map((i) => [i.row, i.question?.type, i.errors]),
    [
      [2, 'single', []],
      [3, 'multiple', []],
      [4, 'truefalse', []],
    ],
  );
});

test('cells of every kind: numbers, rich text, formulas, hyperlinks; only the first sheet; row numbers', async () => {
  const data = await workbook([
    [
      'Type',
      'stem',
      'option_a',
      'option_b',
      'option_c',
      'correct',
      'points',
      'tags',
      'difficulty',
      'explanation',
    ],
    [
      'single',
      {
        richText: [
          { text: 'Chọn ' },
          { text: 'số lớn ', font: { bold: true } },
          { text: 'nhất', font: { italic: true } },
        ],
      },
      3.5,
      { formula: '1+1', result: 2 },
      { text: 'liên kết', hyperlink: 'https://example.org' },
      'A',
      2,
      'toán|số học',
      3,
      null,
    ],
    [],
    ['multiple', 'Câu\nhai dòng', 'x', 'y', 'z', 'A,C', null, null, null, 'Vì thế'],
    ['truefalse', 'Đúng hay sai?', null, null, null, 'B'],
    ['single', 'Sai chữ cái', 'a', 'b', null, 'C'],
  ]);
  const result = await parseQuestions('xlsx', data);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.items.map((i) => [i.index, i.row, i.errors]),
    [
      [0, 2, []],
      [1, 4, []],
      [2, 5, []],
      [3, 6, ['The correct answer C has no option C']],
    ],
  );
  assert.deepEqual(result.items[0]!.question, {
    type: 'single',
    stem: 'Chọn **số lớn** _nhất_',
    options: [
      { text: '3.5', correct: true },
      { text: '2', correct: false },
      { text: 'liên kết', correct: false },
    ],
    points: 2,
    tags: ['toán', 'số học'],
    difficulty: 3,
  });
  assert.deepEqual(result.items[1]!.question?.stem, 'Câu\nhai dòng');
  assert.deepEqual(result.items[2]!.question?.options, [
    { text: 'True', correct: false },
    { text: 'False', correct: true },
  ]);
});

test('files that are not workbooks get a clear error', async () => {
  const csv = await parseQuestions('xlsx', Buffer.from('type,stem\nsingle,Q'));
  assert.match(csv.errors[0]!, /not an Excel workbook/);
  const broken = await parseQuestions(
    'xlsx',
    Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]),
  );
  assert.match(broken.errors[0]!, /damaged/);
  const truncated = (await xlsxTemplate()).subarray(0, 2000);
  assert.equal((await parseQuestions('xlsx', truncated)).errors.length, 1);
});

test('a workbook that would unpack to too much is refused before unpacking', async () => {
  // A ZIP whose central directory declares one entry larger than the limit.
  const local = Buffer.from([0x50, 0x4b, 0x03, 0x04, ...new Array<number>(26).fill(0)]);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt32LE(MAX_UNZIPPED_BYTES + 1, 24);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(local.length, 16);
  const result = await parseQuestions('xlsx', Buffer.concat([local, central, end]));
  assert.match(result.errors[0]!, /unpacks to more than 100 MB/);
});

test('a sheet without the header row is refused', async () => {
  const result = await parseQuestions('xlsx', await workbook([['single', 'Q', 'a', 'b', 'A']]));
  assert.match(result.errors[0]!, /header row/);
});
