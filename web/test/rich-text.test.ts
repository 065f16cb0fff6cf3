import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageMarkup, plainText, renderRich } from '../src/lib/rich-text.ts';

const IMG = `/api/images/${'a'.repeat(64)}.png`;

test('bold, italic and line breaks become markup', () => {
  assert.equal(
    renderRich('Chủ tịch **Hồ Chí Minh**\nsinh *năm* 1890'),
    'Chủ tịch <strong>Hồ Chí Minh</strong><br>sinh <em>năm</em> 1890',
  );
});

test('HTML in the text is escaped, never interpreted', () => {
  assert.equal(
    renderRich('<script>alert(1)</script> & "x" \'y\''),
    '&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;x&#34; &#39;y&#39;',
  );
  assert.equal(renderRich('**<b onmouseover=x>**'), '<strong>&#60;b onmouseover=x&#62;</strong>');
});

test('images: only uploaded ones become <img>, with an escaped alt', () => {
  assert.equal(
    renderRich(`Xem ảnh: ![Bản đồ "1945"](${IMG}) rồi trả lời`),
    `Xem ảnh: <img class="rich-img" src="${IMG}" alt="Bản đồ &#34;1945&#34;" loading="lazy"> rồi trả lời`,
  );
  assert.equal(renderRich('![x](https://evil.example/a.png)'), '![x](https://evil.example/a.png)');
  assert.equal(renderRich('![x](javascript:alert(1))'), '![x](javascript:alert(1))');
  assert.equal(renderRich(`![x](${IMG}" onerror="x)`), `![x](${IMG}&#34; onerror=&#34;x)`);
});

test('arithmetic and lone asterisks stay as they are', () => {
  assert.equal(renderRich('2 * 3 = 6 and 4 * 5'), '2 * 3 = 6 and 4 * 5');
  assert.equal(renderRich('a**b'), 'a**b');
  assert.equal(renderRich('snake_case_name'), 'snake_case_name');
});

test('plainText drops the markup and keeps the words', () => {
  assert.equal(plainText(`**Đậm** và *nghiêng* ![Ảnh](${IMG})`), 'Đậm và nghiêng Ảnh');
  assert.equal(imageMarkup(IMG, 'a]b\nc'), `![a b c](${IMG})`);
});
