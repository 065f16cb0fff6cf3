// GIFT, Moodle's text format, read the way Moodle's own qformat_gift reads it: questions are
// separated by blank lines, "//" lines are comments, ::title:: is optional, the answers sit in the
// first {...}, escapes are \~ \= \# \{ \} \: \\ and \n, [html]/[plain]/[markdown]/[moodle] set a
// text's format, "####" starts the general feedback, "$CATEGORY: a/b" tags the questions after it.
// The question type comes from the answers exactly as in Moodle (empty: essay, "#...": numerical,
// any "~": multiple choice, "=" with "->": matching, T/TRUE/F/FALSE: true/false, else short
// answer); multiple choice is single-answer when it has an "=", multiple-response otherwise, where
// options with a positive %weight% are the correct ones. Two deliberate differences: TRUE/FALSE is
// read in any case, and text after the closing brace makes a missing-word question (skipped) only
// when it has a letter or digit; mere punctuation there (a stray '";' as in Moodle's own fixture)
// is dropped with a warning rather than costing the question.
//
// Comment tokens: Moodle itself writes and reads "// [tag:x]" (and [id:...]); Quizarena adds
// "[points:2]" and "[difficulty:3]" in the same style, which Moodle ignores, so a GIFT export
// carries every field of a question.
import {
  answerIsTrue,
  categoryTags,
  clipTags,
  finishItem,
  finishResult,
  makeDraft,
  newItem,
  skipItem,
  trueFalseLabels,
  trueFalseOptions,
  weight,
} from './draft.ts';
import { cleanText, excerpt, htmlToText, looksLikeHtml, textToHtml } from './text.ts';
import type { ExportableQuestion, ParsedItem, ParseOptions, ParseResult } from './types.ts';

// Escaped characters become private-use placeholders while the structure is parsed.
const PLACEHOLDER: Record<string, string> = {
  '\\': '\ue000',
  ':': '\ue001',
  '#': '\ue002',
  '=': '\ue003',
  '{': '\ue004',
  '}': '\ue005',
  '~': '\ue006',
  n: '\ue007',
};
const ORIGINAL: Record<string, string> = {
  '\ue000': '\\',
  '\ue001': ':',
  '\ue002': '#',
  '\ue003': '=',
  '\ue004': '{',
  '\ue005': '}',
  '\ue006': '~',
  '\ue007': '\n',
};
const protect = (s: string) => s.replace(/\\([\\:#={}~n])/g, (_m, c: string) => PLACEHOLDER[c] ?? c);
const restore = (s: string) => s.replace(/[\ue000-\ue007]/g, (c) => ORIGINAL[c] ?? c);

type TextFormat = 'html' | 'plain' | 'markdown' | 'moodle';

interface Block {
  lines: string[];
  lineNos: number[];
  comments: string[];
}

function blocks(text: string): Block[] {
  const found: Block[] = [];
  let current: Block | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') {
      if (current && current.lines.length > 0) found.push(current);
      current = null;
      continue;
    }
    current ??= { lines: [], lineNos: [], comments: [] };
    if (line.startsWith('//')) current.comments.push(line);
    else {
      current.lines.push(line);
      current.lineNos.push(i + 1);
    }
  }
  if (current && current.lines.length > 0) found.push(current);
  return found;
}

function splitFormat(s: string, fallback: TextFormat): { format: TextFormat; text: string } {
  const m = /^\[(html|plain|markdown|moodle)\]/.exec(s);
  return m ? { format: m[1] as TextFormat, text: s.slice(m[0].length) } : { format: fallback, text: s };
}

/** A GIFT text (placeholders still in) in the platform's form. */
function convert(raw: string, format: TextFormat, item: ParsedItem): string {
  const s = restore(raw).trim();
  if (format === 'html' || (format === 'moodle' && looksLikeHtml(s))) {
    const converted = htmlToText(s);
    for (const w of converted.warnings) if (!item.warnings.includes(w)) item.warnings.push(w);
    return converted.text;
  }
  return cleanText(s);
}

const TOKEN = /\[(tag|points|difficulty):((?:\\\]|[^\]])*)\]/g;

function commentTokens(comments: string[], item: ParsedItem) {
  const tags: string[] = [];
  let points: number | undefined;
  let difficulty: number | undefined;
  for (const [, key, raw] of comments.join('\n').matchAll(TOKEN)) {
    const value = (raw ?? '').replace(/\\\]/g, ']').trim();
    if (key === 'tag') tags.push(value);
    else if (key === 'points' && Number.isFinite(Number(value)) && value !== '') points = Number(value);
    else if (key === 'difficulty' && /^\d+$/.test(value)) difficulty = Number(value);
    else item.warnings.push(`The comment token [${key}:${value}] is not a number and was ignored`);
  }
  return { tags, points, difficulty };
}

const FEEDBACK_LOST =
  'Feedback on individual answers is not kept (the platform keeps one explanation per question)';

function parseQuestion(
  block: Block,
  index: number,
  category: string[],
  labels: readonly [string, string],
): ParsedItem {
  const text = protect(block.lines.join('\n'));
  const item = newItem(index, { line: block.lineNos[0]! });
  const lineOf = (pos: number) =>
    block.lineNos[text.slice(0, Math.max(pos, 0)).split('\n').length - 1] ?? block.lineNos[0]!;

  let start = 0;
  if (text.startsWith('::')) {
    const end = text.indexOf('::', 2);
    if (end < 0) {
      item.warnings.push('The title is not closed with "::"; it is read as part of the question text');
      start = 2;
    } else start = end + 2;
  }
  const open = text.indexOf('{', start);
  const close = text.indexOf('}', start);
  if (open < 0 && close < 0) return skipItem(item, 'description');
  if (open < 0 || (close >= 0 && close < open)) {
    item.errors.push(`Line ${lineOf(close)}: "}" without an opening "{" (write \\} for a literal brace)`);
    return item;
  }
  if (close < 0) {
    item.errors.push(`Line ${lineOf(open)}: the answers opened with "{" are never closed with "}"`);
    return item;
  }
  const reopen = text.indexOf('{', open + 1);
  if (reopen >= 0 && reopen < close) {
    item.errors.push(
      `Line ${lineOf(reopen)}: a second "{" before the answers are closed (write \\{ for a literal brace)`,
    );
    return item;
  }
  const after = text.slice(close + 1).trim();
  const stray = after.search(/[{}]/);
  if (stray >= 0) {
    item.errors.push(
      `Line ${lineOf(close + 1 + text.slice(close + 1).indexOf(after) + stray)}: more braces after the answers; ` +
        'separate questions with a blank line',
    );
    return item;
  }

  let answers = text.slice(open + 1, close).trim();
  let general = '';
  const gf = answers.lastIndexOf('####');
  if (gf >= 0) {
    general = answers.slice(gf + 4);
    answers = answers.slice(0, gf).trim();
  }
  const hash = answers.indexOf('#');
  const tfWord = (hash > 0 ? answers.slice(0, hash) : answers).trim().toUpperCase();
  if (answers === '') return skipItem(item, 'essay');
  if (answers.startsWith('#')) return skipItem(item, 'numerical');
  const choice = answers.includes('~');
  if (!choice && answers.includes('=') && answers.includes('->')) return skipItem(item, 'matching');
  const trueFalse = !choice && ['T', 'TRUE', 'F', 'FALSE'].includes(tfWord);
  if (!choice && !trueFalse) return skipItem(item, 'shortanswer');
  if (after !== '') {
    if (/[\p{L}\p{N}]/u.test(after)) return skipItem(item, 'missing-word');
    item.warnings.push(`The text after the answers ("${restore(after)}") was ignored`);
  }

  const stem = splitFormat(text.slice(start, open).trim(), 'moodle');
  const feedback = splitFormat(general.trim(), stem.format);
  const tokens = commentTokens(block.comments, item);
  const base = {
    stem: convert(stem.text, stem.format, item),
    tags: [...category, ...tokens.tags],
    points: tokens.points,
    difficulty: tokens.difficulty,
    explanation: convert(feedback.text, feedback.format, item),
  };

  if (trueFalse) {
    if (
      answers
        .split('#')
        .slice(1)
        .some((f) => f.trim() !== '')
    )
      item.warnings.push(FEEDBACK_LOST);
    return finishItem(
      item,
      makeDraft({ ...base, type: 'truefalse', options: trueFalseOptions(tfWord.startsWith('T'), labels) }),
    );
  }

  const single = answers.includes('=');
  const parts = answers.replace(/=/g, '~=').split('~');
  const head = parts.shift()!.trim();
  if (head !== '') {
    parts.unshift(head);
    item.warnings.push(`"${excerpt(restore(head))}" before the first ~ or = is read as a wrong option`);
  }
  let lostFeedback = false;
  const options = parts.map((part) => {
    let p = part.trim();
    let weight = 0;
    if (p.startsWith('=')) {
      weight = 100;
      p = p.slice(1);
    } else {
      const m = /^%(-?\d+(?:\.\d*)?)%/.exec(p);
      if (m) {
        weight = Number(m[1]);
        p = p.slice(m[0].length);
      }
    }
    const cut = p.indexOf('#');
    if (cut >= 0) {
      if (p.slice(cut + 1).trim() !== '') lostFeedback = true;
      p = p.slice(0, cut);
    }
    const option = splitFormat(p.trim(), stem.format);
    const optionText = convert(option.text, option.format, item);
    if (single && weight > 0 && weight < 100) {
      item.warnings.push(
        `"${excerpt(optionText)}" gives ${weight}% credit in Moodle; here it counts as wrong`,
      );
    }
    return { text: optionText, correct: single ? weight >= 100 : weight > 0 };
  });
  if (lostFeedback) item.warnings.push(FEEDBACK_LOST);
  return finishItem(item, makeDraft({ ...base, type: single ? 'single' : 'multiple', options }));
}

export function parseGift(text: string, options: ParseOptions = {}): ParseResult {
  const labels = trueFalseLabels(options);
  const items: ParsedItem[] = [];
  const warnings: string[] = [];
  let category: string[] = [];
  for (const block of blocks(text)) {
    if (/^\$CATEGORY:/i.test(protect(block.lines[0]!))) {
      const path = restore(protect(block.lines[0]!).slice('$CATEGORY:'.length));
      category = clipTags(categoryTags(path), `Line ${block.lineNos[0]!}`, warnings);
      block.lines.shift();
      block.lineNos.shift();
      if (block.lines.length === 0) continue;
    }
    items.push(parseQuestion(block, items.length, category, labels));
  }
  return finishResult('gift', items, [], warnings);
}

// Export ----------------------------------------------------------------------------------------

const escapeGift = (s: string) => s.replace(/[\\~=#{}:]/g, '\\$&').replace(/\n/g, '\\n');

const hasMarks = (t: string) => /<(?:strong|em)>/.test(textToHtml(t));

function giftQuestion(q: ExportableQuestion, n: number): string {
  const texts = [q.stem, ...q.options.map((o) => o.text), q.explanation ?? ''];
  // One format per question: HTML when a text has formatting to show or could be read as HTML.
  const html = texts.some((t) => hasMarks(t) || looksLikeHtml(t));
  const field = (t: string) => {
    const s = escapeGift(html ? textToHtml(t) : t);
    return s.startsWith('[') || s.startsWith('//') ? `[${html ? 'html' : 'moodle'}]${s}` : s;
  };
  const tokens = [
    ...(q.tags ?? []).map((t) => `[tag:${t.replace(/\s+/g, ' ').replace(/\]/g, '\\]')}]`),
    ...(q.points !== undefined ? [`[points:${q.points}]`] : []),
    ...(q.difficulty !== undefined && q.difficulty !== null ? [`[difficulty:${q.difficulty}]`] : []),
  ];
  const lines = [`// question: ${n}`];
  if (tokens.length > 0) lines.push(`// ${tokens.join(' ')}`);
  const stem = (html ? '[html]' : '') + field(q.stem);
  const general = q.explanation ? `####${field(q.explanation)}` : '';
  if (q.type === 'truefalse') {
    lines.push(`${stem}{${answerIsTrue(q) ? 'TRUE' : 'FALSE'}${general}}`);
    return lines.join('\n');
  }
  lines.push(`${stem}{`);
  const right = q.options.filter((o) => o.correct).length;
  for (const o of q.options) {
    const text = field(o.text);
    if (q.type === 'multiple') lines.push(`\t~%${o.correct ? weight(100 / right) : '-100'}%${text}`);
    else if (o.correct) lines.push(`\t=${text}`);
    else lines.push(`\t~${text.startsWith('%') ? '%0%' : ''}${text}`);
  }
  if (general) lines.push(`\t${general}`);
  lines.push('}');
  return lines.join('\n');
}

/** Questions as GIFT that Moodle imports too; every question type of the platform fits. */
export function exportGift(questions: ExportableQuestion[]): string {
  const parts = [`// Quizarena export: ${questions.length} question(s) in GIFT format`];
  questions.forEach((q, i) => parts.push(giftQuestion(q, i + 1)));
  return `${parts.join('\n\n')}\n`;
}
