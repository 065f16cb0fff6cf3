import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanText, decodeEntities, decodeText, htmlToText, textToHtml } from '../../src/interchange/text.ts';

test('decodeText strips a UTF-8 BOM, normalises NFD to NFC and CRLF to LF', () => {
  const nfd = 'Tiếng Việt'.normalize('NFD');
  assert.notEqual(nfd, 'Tiếng Việt');
  const decoded = decodeText(
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${nfd}\r\ndòng 2\rdòng 3`)]),
  );
  assert.deepEqual(decoded, { ok: true, text: 'Tiếng Việt\ndòng 2\ndòng 3' });
});

test('decodeText reads UTF-16 with a BOM (Excel "Unicode text")', () => {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Câu hỏi', 'utf16le')]);
  assert.deepEqual(decodeText(le), { ok: true, text: 'Câu hỏi' });
});

test('decodeText refuses invalid UTF-8 saying where, and binary files', () => {
  // "Việt" in Windows-1258 is not UTF-8.
  const legacy = Buffer.concat([Buffer.from('line one\nVi'), Buffer.from([0xea, 0xf2]), Buffer.from('t')]);
  const decoded = decodeText(legacy);
  assert.equal(decoded.ok, false);
  assert.match(
    decoded.ok ? '' : decoded.error,
    /not valid UTF-8 text \(line 2, byte 12\)\. Save it as UTF-8/,
  );
  for (const bad of [
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
    [0xe1, 0xba],
  ]) {
    assert.equal(decodeText(Buffer.from(bad)).ok, false, bad.join(' '));
  }
  assert.match(JSON.stringify(decodeText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))), /XLSX format/);
  assert.match(JSON.stringify(decodeText(Buffer.from('a\u0000b'))), /binary/);
});

test('entities: common names, Latin-1 letters, numeric, unknown left alone', () => {
  assert.equal(
    decodeEntities(
      '&lt;b&gt; &amp; &quot;x&quot; &nbsp;&agrave;&ocirc;&dstrok; &#7879; &#x1EA1; &hellip; &bogus; &amp;lt;',
    ),
    '<b> & "x" \u00a0àôđ ệ ạ … &bogus; &lt;',
  );
});

test('htmlToText keeps bold, italic and line breaks, drops the rest, collapses whitespace', () => {
  assert.deepEqual(
    htmlToText(
      '<p dir="ltr">Chọn   <b>một</b>\n   đáp <EM>án</EM>:</p><ul><li>A</li><li>B</li></ul><p>x&nbsp;&nbsp;y<br/>z <span style="color:red">đỏ</span></p>',
    ),
    { text: 'Chọn **một** đáp _án_:\n- A\n- B\nx  y\nz đỏ', warnings: [] },
  );
  assert.deepEqual(htmlToText('<script>alert(1)</script><style>p{}</style><!-- c -->Hi <img src="a.png">'), {
    text: 'Hi',
    warnings: ['HTML images could not be imported and were left out'],
  });
});

test('textToHtml is the exact inverse of htmlToText on stored text', () => {
  const samples = [
    'Plain',
    '**đậm** _nghiêng_ **_cả hai_**',
    'snake_case and 2*3*4 and ** lone',
    'line\nbreaks\n\nand a blank one',
    '  leading and   inner spaces',
    'tab\tand <tags> & &amp; entities',
    'Tiếng Việt có dấu: ươ ằ ẵ ỹ',
  ].map(cleanText);
  for (const s of samples) assert.equal(htmlToText(textToHtml(s)).text, s, s);
  assert.equal(textToHtml('**a** _b_ x_y_z'), '<strong>a</strong> <em>b</em> x_y_z');
});

test('cleanText trims, removes control characters and trailing blanks, NFC', () => {
  assert.equal(cleanText('\ufeff  a\u0007 \t\r\n b\u00a0c  \n'), 'a\n b c');
  assert.equal(cleanText('e\u0301'), 'é');
});
