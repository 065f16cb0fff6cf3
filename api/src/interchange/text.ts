// Text plumbing for every format: bytes to clean Unicode, HTML entities, and the conversion between
// HTML and the light formatting the platform stores.
//
// Stored text is plain Unicode (NFC, "\n" line breaks, no trailing spaces, trimmed) with two
// Markdown-style marks: **bold** and _italic_. HTML is only an interchange format here:
//   htmlToText: <b>/<strong> -> **, <i>/<em> -> _, <br> -> "\n", block ends (</p>, </div>, <li>,
//     ...) -> "\n", other tags dropped (images with a warning), entities decoded, runs of HTML
//     whitespace collapsed as a browser would.
//   textToHtml: the inverse; htmlToText(textToHtml(t)) === t for every canonical t (cleanText).
// Plain-text formats (Aiken, CSV, XLSX, GIFT [plain]) keep text literally: "<b>" there is text.

/** Decoding outcome: a file that is not text gets a message a user can act on. */
export type Decoded = { ok: true; text: string } | { ok: false; error: string };

/** Bytes to text: strips a BOM, refuses invalid UTF-8 and binary files, normalises to NFC and "\n". */
export function decodeText(bytes: Uint8Array): Decoded {
  let body = bytes;
  let encoding = 'utf-8';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) body = bytes.subarray(3);
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [body, encoding] = [bytes.subarray(2), 'utf-16le'];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [body, encoding] = [bytes.subarray(2), 'utf-16be'];
  else if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return {
      ok: false,
      error: 'This is a ZIP file (an .xlsx workbook?), not a text file: choose the XLSX format',
    };
  }
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    const at = encoding === 'utf-8' ? firstInvalidUtf8(body) : -1;
    const where = at < 0 ? '' : ` (line ${lineAt(body, at)}, byte ${at + 1})`;
    return {
      ok: false,
      error:
        `The file is not valid ${encoding === 'utf-8' ? 'UTF-8' : 'UTF-16'} text${where}. Save it as UTF-8 ` +
        '(in Excel: "CSV UTF-8"; in Notepad: encoding "UTF-8") and upload it again',
    };
  }
  if (text.includes('\u0000')) return { ok: false, error: 'The file is binary, not text' };
  return { ok: true, text: normaliseNewlines(text).normalize('NFC') };
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i;
    for (let k = 1; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    const d = b[i + 1]!;
    if (
      (c === 0xe0 && d < 0xa0) ||
      (c === 0xed && d >= 0xa0) ||
      (c === 0xf0 && d < 0x90) ||
      (c === 0xf4 && d >= 0x90)
    ) {
      return i;
    }
    i += n + 1;
  }
  return -1;
}

function lineAt(b: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (b[i] === 0x0a) line++;
  return line;
}

/** C0 controls other than tab, LF and CR, DEL, and the BOM: never part of a stored text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/g;

export const normaliseNewlines = (s: string): string => s.replace(/\r\n?/g, '\n');

/**
 * The canonical form of every stored text: NFC, "\n" newlines, no control characters other than
 * tab and newline, no BOM, no-break spaces as spaces, no trailing blanks on a line, trimmed.
 */
export function cleanText(s: string): string {
  return normaliseNewlines(s)
    .normalize('NFC')
    .replace(CONTROL_CHARS, '')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

// HTML 4 Latin-1 entities in code point order, U+00A0 to U+00FF (Vietnamese letters written by
// old editors as &agrave; &ocirc; ... are among them).
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc ' +
  'Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml ' +
  'aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc ' +
  'otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

const ENTITIES = new Map<string, string>([
  ...LATIN1.split(' ').map((name, i): [string, string] => [name, String.fromCodePoint(0xa0 + i)]),
  ...Object.entries({
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    Dstrok: 'Đ',
    dstrok: 'đ',
    OElig: 'Œ',
    oelig: 'œ',
    Scaron: 'Š',
    scaron: 'š',
    Yuml: 'Ÿ',
    fnof: 'ƒ',
    circ: 'ˆ',
    tilde: '˜',
    ensp: '\u2002',
    emsp: '\u2003',
    thinsp: '\u2009',
    zwnj: '\u200c',
    zwj: '\u200d',
    lrm: '\u200e',
    rlm: '\u200f',
    ndash: '–',
    mdash: '—',
    lsquo: '‘',
    rsquo: '’',
    sbquo: '‚',
    ldquo: '“',
    rdquo: '”',
    bdquo: '„',
    dagger: '†',
    Dagger: '‡',
    bull: '•',
    hellip: '…',
    permil: '‰',
    prime: '′',
    Prime: '″',
    lsaquo: '‹',
    rsaquo: '›',
    euro: '€',
    trade: '™',
    larr: '←',
    uarr: '↑',
    rarr: '→',
    darr: '↓',
    harr: '↔',
    rArr: '⇒',
    hArr: '⇔',
    minus: '−',
    radic: '√',
    infin: '∞',
    ne: '≠',
    le: '≤',
    ge: '≥',
    asymp: '≈',
    sum: '∑',
    prod: '∏',
    pi: 'π',
    alpha: 'α',
    beta: 'β',
    gamma: 'γ',
    delta: 'δ',
    Delta: 'Δ',
    theta: 'θ',
    lambda: 'λ',
    mu: 'μ',
    sigma: 'σ',
    Omega: 'Ω',
    omega: 'ω',
  }),
]);

/** Decodes named (the common ones) and numeric character references; unknown names stay as they are. */
export function decodeEntities(s: string): string {
  return s.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g,
    (m, dec, hex, name) => {
      if (name !== undefined) return ENTITIES.get(name) ?? m;
      const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(cp);
    },
  );
}

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const HTML_HINT =
  /<\/?(?:p|br|b|strong|i|em|u|s|span|div|sub|sup|ul|ol|li|img|a|h[1-6]|table|tbody|thead|tr|td|th|font|code|pre|blockquote|hr)\b[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/;

/** Whether text in an "auto" format (GIFT without a marker, Moodle auto-format) is meant as HTML. */
export const looksLikeHtml = (s: string): boolean => HTML_HINT.test(s);

const BREAK = '\ue010';
const BLOCKS = new Set([
  'p',
  'div',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'tr',
  'table',
  'tbody',
  'thead',
  'blockquote',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'dl',
  'dt',
  'dd',
  'figure',
  'figcaption',
  'hr',
  'center',
]);
const MEDIA = new Set(['img', 'audio', 'video', 'iframe', 'object', 'embed', 'svg', 'math', 'canvas']);
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9:-]*)(?:"[^"]*"|'[^']*'|[^'">])*>/g;

export interface Converted {
  text: string;
  warnings: string[];
}

/** HTML to the platform's light formatting (see the header of this module). */
export function htmlToText(html: string): Converted {
  const dropped = new Set<string>();
  let s = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/[ \t\n\r\f]+/g, ' ')
    .replace(TAG, (_m, close: string, name: string) => {
      const tag = name.toLowerCase();
      if (tag === 'b' || tag === 'strong') return '**';
      if (tag === 'i' || tag === 'em') return '_';
      if (tag === 'br') return '\n';
      if (tag === 'li') return close ? BREAK : `${BREAK}- `;
      if (BLOCKS.has(tag)) return BREAK;
      if (MEDIA.has(tag) && !close) dropped.add(tag === 'img' ? 'images' : `<${tag}> content`);
      return '';
    });
  s = s
    .replace(/ *([\n\ue010]) */g, '$1')
    .replace(/\ue010+/g, (m, offset: number, all: string) =>
      offset === 0 || offset + m.length === all.length ? '' : '\n',
    );
  const text = cleanText(decodeEntities(s));
  return {
    text,
    warnings: [...dropped].map((what) => `HTML ${what} could not be imported and were left out`),
  };
}

/** The platform's text as HTML: the exact inverse of htmlToText for canonical text. */
export function textToHtml(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\p{L}\p{N}_*])_([^\s_](?:[^\n_]*[^\s_])?)_(?![\p{L}\p{N}_])/gu, '$1<em>$2</em>')
    .replace(/\t/g, '&#9;')
    .replace(/(^|\n)( +)/g, (_m, start: string, spaces: string) => start + '&nbsp;'.repeat(spaces.length))
    .replace(/ {2,}/g, (spaces) => ' ' + '&nbsp;'.repeat(spaces.length - 1))
    .replace(/\n/g, '<br>');
}

/** A text on one line, shortened: for question names and messages. */
export function excerpt(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
