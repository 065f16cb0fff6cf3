// Moodle XML (<quiz><question type="...">...</question></quiz>). Read: multichoice (<single>
// true/false; the fraction attribute weights answers, 100 marks the one right answer of a single
// choice and any positive fraction a right answer of a multiple response), truefalse, category
// (its path becomes tags for the questions after it) and <tags>; every other type is listed as
// skipped. Texts follow their format attribute (html, moodle_auto_format, plain_text, markdown).
// Written: the same types, HTML text, <defaultgrade> for points, <tags>; difficulty has no place
// in Moodle XML and is lost.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  answerIsTrue,
  categoryTags,
  clipTags,
  fileError,
  finishItem,
  finishResult,
  makeDraft,
  newItem,
  skipItem,
  trueFalseLabels,
  weight,
  type SkipKind,
} from './draft.ts';
import { cleanText, CONTROL_CHARS, excerpt, htmlToText, looksLikeHtml, textToHtml } from './text.ts';
import type { ExportableQuestion, ParsedItem, ParseOptions, ParseResult } from './types.ts';

type XmlNode = Record<string, unknown>;

const isNode = (v: unknown): v is XmlNode => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const nodeAt = (v: unknown, key: string): XmlNode | undefined => {
  const child = isNode(v) ? v[key] : undefined;
  return isNode(child) ? child : undefined;
};

function textValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isNode(v)) return textValue(v['#text']);
  return '';
}

/** The <text> of an element such as <questiontext>, <answer> or <name>. */
const innerText = (v: unknown): string => (isNode(v) ? textValue(v['text']) : textValue(v));

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'question' || name === 'answer' || name === 'tag',
});

/** fast-xml-parser leaves numeric character references alone; XML says they are characters. */
function expandCharRefs(xml: string): string {
  const SPECIAL: Record<string, string> = {
    '<': '&lt;',
    '>': '&gt;',
    '&': '&amp;',
    '"': '&quot;',
    "'": '&apos;',
  };
  return xml
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/&#(\d{1,7});|&#x([0-9a-fA-F]{1,6});/g, (m, dec?: string, hex?: string) => {
            const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
            if (cp < 0x20 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return m;
            const ch = String.fromCodePoint(cp);
            return SPECIAL[ch] ?? ch;
          }),
    )
    .join('');
}

/** The line of every <question> element, in document order (comments and CDATA skipped). */
function questionLines(xml: string): number[] {
  const lines: number[] = [];
  const re = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<question\b/g;
  let line = 1;
  let from = 0;
  for (const m of xml.matchAll(re)) {
    for (let i = from; i < m.index; i++) if (xml.charCodeAt(i) === 10) line++;
    from = m.index;
    if (m[0] === '<question') lines.push(line);
  }
  return lines;
}

/** A Moodle text element in the platform's form, by its format attribute. */
function formatted(el: XmlNode | undefined, fallback: string, item: ParsedItem): string {
  if (!el) return '';
  const format = textValue(el['@_format']) || fallback;
  const raw = innerText(el);
  if (el['file'] !== undefined) note(item, 'Attached files (images, ...) are not imported');
  if (format === 'plain_text' || format === 'markdown') return cleanText(raw);
  if (format === 'moodle_auto_format' && !looksLikeHtml(raw)) return cleanText(raw);
  const html = format === 'moodle_auto_format' ? raw.replace(/\r?\n/g, '<br>') : raw;
  const converted = htmlToText(html);
  for (const w of converted.warnings) note(item, w);
  return converted.text;
}

const note = (item: ParsedItem, warning: string) => {
  if (!item.warnings.includes(warning)) item.warnings.push(warning);
};

const FEEDBACK_LOST =
  'Feedback on individual answers is not kept (the platform keeps one explanation per question)';

const SKIP_KINDS: Record<string, SkipKind> = {
  multianswer: 'cloze',
  matching: 'matching',
  match: 'matching',
};

function common(q: XmlNode, item: ParsedItem, category: string[]) {
  const format = textValue(nodeAt(q, 'questiontext')?.['@_format']) || 'html';
  const grade = textValue(q['defaultgrade']).trim();
  const tags = asArray(nodeAt(q, 'tags')?.['tag']).map((t) => cleanText(innerText(t)));
  return {
    format,
    stem: formatted(nodeAt(q, 'questiontext'), 'html', item),
    explanation: formatted(nodeAt(q, 'generalfeedback'), format, item),
    points: grade === '' || !Number.isFinite(Number(grade)) ? undefined : Number(grade),
    tags: [...category, ...tags],
  };
}

function answersOf(q: XmlNode, format: string, item: ParsedItem) {
  let lostFeedback = false;
  const answers = asArray(q['answer'])
    .filter(isNode)
    .map((a) => {
      if (innerText(a['feedback']).trim() !== '') lostFeedback = true;
      const fraction = Number(textValue(a['@_fraction']));
      return {
        text: formatted(a, format, item),
        raw: innerText(a).trim(),
        fraction: Number.isFinite(fraction) ? fraction : 0,
      };
    });
  if (lostFeedback) note(item, FEEDBACK_LOST);
  return answers;
}

function readQuestion(
  q: XmlNode,
  item: ParsedItem,
  category: string[],
  labels: readonly [string, string],
): ParsedItem {
  const type = textValue(q['@_type']);
  if (type === 'multichoice') {
    const base = common(q, item, category);
    const single = !/^(false|0)$/i.test(textValue(q['single']).trim());
    const options = answersOf(q, base.format, item).map((a) => {
      if (single && a.fraction > 0 && a.fraction < 100) {
        note(item, `"${excerpt(a.text)}" gives ${a.fraction}% credit in Moodle; here it counts as wrong`);
      }
      return { text: a.text, correct: single ? a.fraction >= 100 : a.fraction > 0 };
    });
    return finishItem(item, makeDraft({ ...base, type: single ? 'single' : 'multiple', options }));
  }
  if (type === 'truefalse') {
    const base = common(q, item, category);
    const answers = answersOf(q, base.format, item);
    let trueRight = false;
    let falseRight = false;
    answers.forEach((a, k) => {
      const word = a.raw.toLowerCase();
      if (word !== 'true' && word !== 'false')
        note(item, 'The answers are not "true" and "false"; the first one is read as true');
      const meansTrue = word === 'true' ? true : word === 'false' ? false : k === 0;
      if (a.fraction > 0 && meansTrue) trueRight = true;
      if (a.fraction > 0 && !meansTrue) falseRight = true;
    });
    const options = [
      { text: labels[0], correct: trueRight },
      { text: labels[1], correct: falseRight },
    ];
    return finishItem(item, makeDraft({ ...base, type: 'truefalse', options }));
  }
  if (type === '') return skipItem(item, 'unknown', 'The question has no type attribute');
  return skipItem(item, SKIP_KINDS[type] ?? type);
}

export function parseMoodleXml(xml: string, options: ParseOptions = {}): ParseResult {
  const root = xml.search(/<quiz\b/);
  if (root < 0)
    return fileError('moodle-xml', 'This is not a Moodle XML question file: it has no <quiz> element');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml.slice(0, root))) {
    return fileError('moodle-xml', 'DOCTYPE and entity declarations are not allowed in a Moodle XML file');
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    return fileError('moodle-xml', `The file is not well-formed XML (line ${line}, column ${col}): ${msg}`);
  }
  const doc: unknown = parser.parse(expandCharRefs(xml));
  if (!isNode(doc) || !('quiz' in doc)) {
    return fileError('moodle-xml', 'This is not a Moodle XML question file: the root element must be <quiz>');
  }
  const labels = trueFalseLabels(options);
  const lines = questionLines(xml);
  const items: ParsedItem[] = [];
  const warnings: string[] = [];
  let category: string[] = [];
  asArray(nodeAt(doc, 'quiz')?.['question']).forEach((q, i) => {
    const line = lines[i];
    if (!isNode(q)) {
      const item = newItem(items.length, { line });
      item.errors.push('An empty <question> element');
      items.push(item);
      return;
    }
    if (textValue(q['@_type']) === 'category') {
      category = clipTags(categoryTags(innerText(q['category'])), `Line ${line ?? '?'}`, warnings);
      return;
    }
    items.push(readQuestion(q, newItem(items.length, { line }), category, labels));
  });
  return finishResult('moodle-xml', items, [], warnings);
}

// Export ----------------------------------------------------------------------------------------

const escapeXml = (s: string) =>
  s
    .replace(CONTROL_CHARS, '')
    .replace(/[\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

const textEl = (tag: string, text: string, format = 'html', indent = '    ') =>
  `${indent}<${tag} format="${format}">\n${indent}  <text>${escapeXml(format === 'html' ? textToHtml(text) : text)}</text>\n${indent}</${tag}>`;

function xmlQuestion(q: ExportableQuestion, n: number): string {
  const type = q.type === 'truefalse' ? 'truefalse' : 'multichoice';
  const lines = [
    `<!-- question: ${n} -->`,
    `  <question type="${type}">`,
    `    <name>\n      <text>${escapeXml(excerpt(q.stem.replace(/\*\*/g, '')) || `Question ${n}`)}</text>\n    </name>`,
    textEl('questiontext', q.stem),
  ];
  if (q.explanation) lines.push(textEl('generalfeedback', q.explanation));
  if (q.points !== undefined) lines.push(`    <defaultgrade>${q.points}</defaultgrade>`);
  lines.push(
    `    <penalty>${q.type === 'truefalse' ? '1' : '0.3333333'}</penalty>`,
    '    <hidden>0</hidden>',
  );
  // No per-answer <feedback>: the platform has none, and Moodle treats a missing one as empty.
  const answer = (fraction: string, text: string, format = 'html') =>
    `    <answer fraction="${fraction}" format="${format}"><text>${escapeXml(format === 'html' ? textToHtml(text) : text)}</text></answer>`;
  if (q.type === 'truefalse') {
    const isTrue = answerIsTrue(q);
    lines.push(
      answer(isTrue ? '100' : '0', 'true', 'moodle_auto_format'),
      answer(isTrue ? '0' : '100', 'false', 'moodle_auto_format'),
    );
  } else {
    const right = q.options.filter((o) => o.correct).length;
    lines.push(
      `    <single>${q.type === 'single'}</single>`,
      '    <shuffleanswers>true</shuffleanswers>',
      '    <answernumbering>abc</answernumbering>',
    );
    for (const o of q.options) {
      const fraction = !o.correct
        ? q.type === 'multiple'
          ? '-100'
          : '0'
        : q.type === 'multiple'
          ? weight(100 / right)
          : '100';
      lines.push(answer(fraction, o.text));
    }
  }
  if (q.tags && q.tags.length > 0) {
    lines.push(
      '    <tags>',
      ...q.tags.map((t) => `      <tag><text>${escapeXml(t)}</text></tag>`),
      '    </tags>',
    );
  }
  lines.push('  </question>');
  return lines.join('\n');
}

/** Questions as a Moodle XML file (single/multiple as multichoice, true/false as truefalse). */
export function exportMoodleXml(questions: ExportableQuestion[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<quiz>',
    ...questions.map((q, i) => xmlQuestion(q, i + 1)),
    '</quiz>',
    '',
  ].join('\n');
}
