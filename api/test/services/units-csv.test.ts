// The units CSV reader on its own: how the files organisers actually have (Excel's "CSV UTF-8" with a
// BOM, ";" from Vietnamese-locale Excel, UTF-16 "Unicode text", headers in Vietnamese, columns in
// any order) become units, and which row each problem is reported on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUnitsCsv } from '../../src/services/authoring.ts';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

test('columns in any order, extra columns ignored, header matched without regard to case', () => {
  const res = parseUnitsCsv(utf8('Ghi chú,HEADCOUNT,Name,Code\nbỏ qua,12,Đơn vị A,A\n,,Đơn vị B,B\n'));
  assert.deepEqual(res, {
    units: [
      { code: 'A', name: 'Đơn vị A', parentCode: null, headcount: 12 },
      { code: 'B', name: 'Đơn vị B', parentCode: null, headcount: null },
    ],
    errors: [],
    warnings: [],
  });
});

test('tab separators and UTF-16 with a BOM (Excel "Unicode text")', () => {
  const text = '\uFEFFcode\tname\tparent_code\nHN\tHà Nội\t\nHN-1\tPhường Hàng Bạc\tHN\n';
  const res = parseUnitsCsv(Buffer.from(text, 'utf16le'));
  assert.deepEqual(res.errors, []);
  assert.deepEqual(
    res.units.map((u) => [u.code, u.name, u.parentCode]),
    [
      ['HN', 'Hà Nội', null],
      ['HN-1', 'Phường Hàng Bạc', 'HN'],
    ],
  );
});

test('headcounts with thousands separators; anything else is an error on its row', () => {
  const csv = 'code;name;headcount\nA;A;1.200\nB;B;1 500\nC;C;"2,000"\nD;D;12.5\nE;E;-3\n';
  const res = parseUnitsCsv(utf8(csv));
  assert.deepEqual(
    res.units.map((u) => [u.code, u.headcount]),
    [
      ['A', 1200],
      ['B', 1500],
      ['C', 2000],
      ['D', null],
      ['E', null],
    ],
  );
  assert.deepEqual(
    res.errors.map((e) => e.row),
    [5, 6],
  );
});

test('rows are lines of the file: blank lines count, a quoted name may span lines', () => {
  const csv = 'code,name\n\nA,"Đơn vị\nhai dòng"\n,\nB,\n';
  const res = parseUnitsCsv(utf8(csv));
  assert.deepEqual(res.units, [{ code: 'A', name: 'Đơn vị\nhai dòng', parentCode: null, headcount: null }]);
  assert.deepEqual(res.errors.length, 1);
  assert.equal(res.errors[0]!.row, 6, JSON.stringify(res.errors));
});

test('codes: the same characters as the API accepts, at most 40', () => {
  const ok40 = 'A'.repeat(40);
  const res = parseUnitsCsv(
    utf8(`code,name\n${ok40},Dài\n${ok40}B,Quá dài\nHÀ-NỘI,Có dấu\nX Y,Có dấu cách\n`),
  );
  assert.deepEqual(
    res.units.map((u) => u.code),
    [ok40],
  );
  assert.deepEqual(
    res.errors.map((e) => e.row),
    [3, 4, 5],
  );
});

test('a unit that is its own parent, and a parent that comes later in the file', () => {
  const res = parseUnitsCsv(utf8('code,name,parent_code\nCON,Đơn vị con,CHA\nA,A,A\nCHA,Đơn vị cha,\n'));
  assert.deepEqual(
    res.errors.map((e) => e.row),
    [3],
    'a parent defined further down is fine',
  );
  assert.match(res.errors[0]!.message, /A/);
});

test('files that are not CSV text: a workbook, invalid UTF-8, no header', () => {
  const zip = parseUnitsCsv(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
  assert.deepEqual([zip.units, zip.errors.length], [[], 1]);
  const latin1 = parseUnitsCsv(Buffer.from('code,name\nHN,H\xe0 N\xf4i\n', 'latin1'));
  assert.deepEqual([latin1.units, latin1.errors.length], [[], 1]);
  const headerless = parseUnitsCsv(utf8('HN,Hà Nội\n'));
  assert.deepEqual(
    headerless.errors.map((e) => e.row),
    [1],
  );
  const empty = parseUnitsCsv(utf8('\n\n'));
  assert.equal(empty.units.length, 0);
  assert.equal(empty.errors.length + empty.warnings.length > 0, true, 'an empty file says so');
});

test('long names are kept to 300 characters, as the API accepts', () => {
  const res = parseUnitsCsv(utf8(`code,name\nA,${'Đ'.repeat(400)}\n`));
  assert.equal(res.units[0]!.name.length, 300);
});
