// The streaming XLSX writer: files that exceljs reads back cell for cell (text that needs
// escaping, characters XML forbids, emoji, Vietnamese, numbers, percentages), a zip container
// whose entries check out on their own (CRC-32, sizes, directory), back-pressure against a slow
// reader, and a reader that goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import {
  columnName,
  MAX_CELL_CHARS,
  OutputClosedError,
  XlsxStreamWriter,
  xmlText,
  type XlsxCell,
} from '../../src/services/xlsx-writer.ts';

/** Everything written to a stream, once it ends. */
async function collect(out: PassThrough): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of out) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return workbook;
}

/** A zip read from its central directory, each entry inflated and its CRC and size checked. */
function unzip(bytes: Buffer): Map<string, string> {
  const end = bytes.length - 22;
  assert.equal(bytes.readUInt32LE(end), 0x06054b50, 'end of central directory');
  const count = bytes.readUInt16LE(end + 10);
  let p = bytes.readUInt32LE(end + 16);
  assert.equal(p + bytes.readUInt32LE(end + 12), end, 'the directory ends where the end record starts');
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    assert.equal(bytes.readUInt32LE(p), 0x02014b50);
    const crc = bytes.readUInt32LE(p + 16);
    const compressed = bytes.readUInt32LE(p + 20);
    const size = bytes.readUInt32LE(p + 24);
    const nameLength = bytes.readUInt16LE(p + 28);
    const local = bytes.readUInt32LE(p + 42);
    const name = bytes.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    assert.equal(bytes.readUInt32LE(local), 0x04034b50, `${name}: local header`);
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = inflateRawSync(bytes.subarray(start, start + compressed));
    assert.equal(data.length, size, `${name}: size`);
    assert.equal(crc32(data), crc, `${name}: CRC-32`);
    const descriptor = start + compressed;
    assert.equal(bytes.readUInt32LE(descriptor), 0x08074b50, `${name}: data descriptor`);
    assert.deepEqual(
      [
        bytes.readUInt32LE(descriptor + 4),
        bytes.readUInt32LE(descriptor + 8),
        bytes.readUInt32LE(descriptor + 12),
      ],
      [crc, compressed, size],
    );
    files.set(name, data.toString('utf8'));
    p += 46 + nameLength;
  }
  return files;
}

const cellValue = (sheet: ExcelJS.Worksheet, row: number, col: number) =>
  sheet.getRow(row).getCell(col).value;

test('column names', () => {
  assert.deepEqual([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnName), [
    'A',
    'B',
    'Z',
    'AA',
    'AB',
    'AZ',
    'BA',
    'ZZ',
    'AAA',
  ]);
});

test('XML text: escapes, forbidden characters dropped, Excel escapes kept literal', () => {
  assert.equal(xmlText('Nguyễn Thị Ánh'), 'Nguyễn Thị Ánh');
  assert.equal(xmlText(`a<b & c>d "e" 'f'`), `a&lt;b &amp; c&gt;d "e" 'f'`);
  assert.equal(xmlText('a\u0000b\u0001c\u0008d\u000be\u000cf\u001fg\uffffh\ufffe'), 'abcdefgh');
  assert.equal(xmlText('tab\there\nline'), 'tab\there\nline');
  assert.equal(xmlText('cr\r'), 'cr&#13;');
  assert.equal(xmlText('😀 ok'), '😀 ok');
  assert.equal(xmlText('lone \ud83d high, lone \ude00 low'), 'lone  high, lone  low');
  assert.equal(xmlText('_x0041_ and _xABCD_'), '_x005F_x0041_ and _x005F_xABCD_');
  assert.equal(xmlText('_x004_ and x0041'), '_x004_ and x0041');
});

test('a workbook exceljs reads back: every kind of cell, several sheets, styles and views', async () => {
  const out = new PassThrough();
  const bytes = collect(out);
  const book = new XlsxStreamWriter(out, { creator: 'Quizarena <test>', created: Date.UTC(2026, 2, 2) });
  const texts = [
    'Nguyễn Thị Ánh, Trường THPT chuyên Lê Quý Đôn',
    `<b>&amp; "quoted" 'single'</b>`,
    '=HYPERLINK("http://x.test","Nhấn")',
    'emoji 😀👍🏽 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    '  leading and trailing spaces  ',
    'two\nlines\tand a tab',
    '',
  ];
  const numbers = [0, 1, -2, 3.14159, 1e-7, 123456789012, 0.1 + 0.2];
  await book.sheet('Kết quả', { widths: [10, 40], freezeHeader: true });
  book.row(['Tên / Name', 'Số / Number', 'Tỉ lệ / Rate'], { bold: true });
  for (let i = 0; i < texts.length; i++) book.row([texts[i], numbers[i], { percent: i / 8 }]);
  book.row([null, undefined, { percent: null }, Number.NaN, Infinity, 'after gaps']);
  book.row([]);
  book.row(['control\u0001chars\u001f dropped', 'bad \ud800 surrogate']);
  await book.flush();
  await book.sheet('Second');
  book.row(['only', 2]);
  await book.finish();
  const file = await bytes;

  const workbook = await load(file);
  assert.deepEqual(
    workbook.worksheets.map((s) => s.name),
    ['Kết quả', 'Second'],
  );
  assert.equal(workbook.creator, 'Quizarena <test>');
  const sheet = workbook.getWorksheet('Kết quả')!;
  assert.deepEqual(
    [1, 2, 3].map((c) => cellValue(sheet, 1, c)),
    ['Tên / Name', 'Số / Number', 'Tỉ lệ / Rate'],
  );
  assert.equal(sheet.getRow(1).getCell(1).font?.bold, true);
  assert.notEqual(sheet.getRow(2).getCell(1).font?.bold, true);
  for (let i = 0; i < texts.length; i++) {
    // An empty string is an empty cell.
    assert.equal(cellValue(sheet, i + 2, 1), texts[i] || null, `text ${i}`);
    assert.equal(cellValue(sheet, i + 2, 2), numbers[i], `number ${i}`);
    assert.equal(cellValue(sheet, i + 2, 3), i / 8);
    assert.equal(sheet.getRow(i + 2).getCell(3).numFmt, '0.00%');
  }
  const gaps = texts.length + 2;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((c) => cellValue(sheet, gaps, c)),
    [null, null, null, null, null, 'after gaps'],
  );
  assert.deepEqual(
    [1, 2].map((c) => cellValue(sheet, gaps + 2, c)),
    ['controlchars dropped', 'bad  surrogate'],
  );
  assert.equal(sheet.rowCount, gaps + 2);
  assert.equal(sheet.getColumn(1).width, 10);
  assert.equal(sheet.getColumn(2).width, 40);
  assert.deepEqual(
    sheet.views.map((v) => [v.state, (v as ExcelJS.WorksheetViewFrozen).ySplit]),
    [['frozen', 1]],
  );
  const second = workbook.getWorksheet('Second')!;
  assert.deepEqual([cellValue(second, 1, 1), cellValue(second, 1, 2)], ['only', 2]);
  assert.notEqual(second.views[0]?.state, 'frozen');

  // The container on its own, and what Excel would read where exceljs does not decode.
  const parts = unzip(file);
  assert.deepEqual([...parts.keys()].sort(), [
    '[Content_Types].xml',
    '_rels/.rels',
    'docProps/core.xml',
    'xl/_rels/workbook.xml.rels',
    'xl/styles.xml',
    'xl/workbook.xml',
    'xl/worksheets/sheet1.xml',
    'xl/worksheets/sheet2.xml',
  ]);
  const xml = parts.get('xl/worksheets/sheet1.xml')!;
  assert.match(
    xml,
    /<c r="A6" t="inlineStr"><is><t xml:space="preserve"> {2}leading and trailing spaces {2}<\/t><\/is><\/c>/,
  );
  assert.match(xml, /<c r="B2"><v>0<\/v><\/c>/);
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml), 'no forbidden characters');
});

test('"_xHHHH_" in text is written so that Excel shows it as typed', async () => {
  const out = new PassThrough();
  const bytes = collect(out);
  const book = new XlsxStreamWriter(out);
  await book.sheet('S');
  book.row(['code _x0041_ here']);
  await book.finish();
  const xml = unzip(await bytes).get('xl/worksheets/sheet1.xml')!;
  assert.match(xml, /<t>code _x005F_x0041_ here<\/t>/);
});

test('text longer than a cell can hold is cut at the limit, never inside a surrogate pair', async () => {
  const out = new PassThrough();
  const bytes = collect(out);
  const book = new XlsxStreamWriter(out);
  await book.sheet('S');
  const long = 'a'.repeat(MAX_CELL_CHARS + 10);
  const pair = `${'b'.repeat(MAX_CELL_CHARS - 1)}😀tail`;
  book.row([long, pair]);
  await book.finish();
  const sheet = (await load(await bytes)).getWorksheet('S')!;
  assert.equal(String(cellValue(sheet, 1, 1)).length, MAX_CELL_CHARS);
  assert.equal(cellValue(sheet, 1, 2), 'b'.repeat(MAX_CELL_CHARS - 1));
});

test('sheet names Excel would refuse are refused', async () => {
  const book = new XlsxStreamWriter(new PassThrough());
  for (const name of ['', 'a'.repeat(32), 'a/b', 'a[1]', 'what?', "'quoted'"]) {
    await assert.rejects(book.sheet(name), /invalid or repeated sheet name/);
  }
  await book.sheet('Once');
  await assert.rejects(book.sheet('Once'), /invalid or repeated sheet name/);
});

/** Rows of text that deflate cannot shrink much, so that the output really is large. */
function noisyRow(i: number): XlsxCell[] {
  let s = '';
  for (let k = 0; k < 8; k++) s += ((i * 2654435761 + k * 40503) >>> 0).toString(36);
  return [i, s, `${s}-${i}`];
}

test('a slow reader holds the writer back: buffers stay bounded, and every row arrives', async () => {
  const out = new PassThrough({ highWaterMark: 16 * 1024 });
  const book = new XlsxStreamWriter(out);
  const pages = 60;
  const perPage = 1000;
  let pagesWritten = 0;
  const writing = (async () => {
    await book.sheet('Big');
    for (let p = 0; p < pages; p++) {
      for (let i = 0; i < perPage; i++) book.row(noisyRow(p * perPage + i));
      await book.flush();
      pagesWritten++;
    }
    await book.finish();
  })();
  // Nobody reads yet: the writer must stop after a few pages rather than buffer everything.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(pagesWritten < 5, `the writer waited (${pagesWritten} of ${pages} pages written)`);
  assert.ok(out.writableLength < 2 << 20, `at most a few MiB buffered (${out.writableLength} bytes)`);

  const bytes = await collect(out);
  await writing;
  assert.equal(pagesWritten, pages);
  const sheet = (await load(bytes)).getWorksheet('Big')!;
  assert.equal(sheet.rowCount, pages * perPage);
  for (const i of [0, 1, 12_345, pages * perPage - 1]) {
    assert.deepEqual(
      [1, 2, 3].map((c) => cellValue(sheet, i + 1, c)),
      noisyRow(i),
    );
  }
});

test('a reader that goes away stops the writer with OutputClosedError instead of leaving it waiting', async () => {
  const out = new PassThrough({ highWaterMark: 16 * 1024 });
  const book = new XlsxStreamWriter(out);
  const writing = (async () => {
    await book.sheet('Big');
    for (let p = 0; p < 100; p++) {
      for (let i = 0; i < 1000; i++) book.row(noisyRow(p * 1000 + i));
      await book.flush();
    }
    await book.finish();
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  out.destroy();
  await assert.rejects(writing, OutputClosedError);
});
