// What every parser shares once it has read a question: building the draft, running the platform's
// own validation on it (reported on the item, never thrown), the file-level limits, and the
// conventions for true/false labels and Moodle category paths.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { QuestionInputSchema } from '../schemas/contests.ts';
import { checkQuestion } from '../services/banks.ts';
import { cleanText } from './text.ts';
import {
  MAX_BYTES,
  MAX_QUESTIONS,
  type ExportableQuestion,
  type InterchangeFormat,
  type ParsedItem,
  type ParseOptions,
  type ParseResult,
  type QuestionDraft,
} from './types.ts';

export const DEFAULT_TRUE_FALSE_LABELS: readonly [string, string] = ['True', 'False'];

export const trueFalseLabels = (options: ParseOptions): readonly [string, string] =>
  options.trueFalseLabels ?? DEFAULT_TRUE_FALSE_LABELS;

/** True/false options in the platform's order: the "true" label first. */
export const trueFalseOptions = (answerIsTrue: boolean, labels: readonly [string, string]) => [
  { text: labels[0], correct: answerIsTrue },
  { text: labels[1], correct: !answerIsTrue },
];

const TRUE_WORDS = new Set(['true', 't', 'đúng', 'yes', 'có', 'vrai', 'wahr']);
const FALSE_WORDS = new Set(['false', 'f', 'sai', 'no', 'không', 'faux', 'falsch']);

/**
 * Whether a true/false question's answer is "true", for formats that only say TRUE or FALSE. The
 * option texts decide when they are recognisable ("Đúng", "False", ...); otherwise the first option
 * is taken as "true", the platform's order.
 */
export function answerIsTrue(q: ExportableQuestion): boolean {
  const correct = q.options.findIndex((o) => o.correct);
  const text = (q.options[correct]?.text ?? '').trim().normalize('NFC').toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return correct === 0;
}

/** Builds a draft without undefined or empty optional fields (so drafts compare structurally). */
export function makeDraft(q: {
  type: QuestionDraft['type'];
  stem: string;
  options: { text: string; correct: boolean }[];
  points?: number | undefined;
  tags?: string[] | undefined;
  difficulty?: number | null | undefined;
  explanation?: string | null | undefined;
}): QuestionDraft {
  const draft: QuestionDraft = {
    type: q.type,
    stem: q.stem,
    options: q.options.map((o) => ({ text: o.text, correct: o.correct })),
  };
  if (q.points !== undefined) draft.points = q.points;
  const tags = [...new Set((q.tags ?? []).map(cleanText).filter((t) => t !== ''))];
  if (tags.length > 0) draft.tags = tags;
  if (q.difficulty !== undefined && q.difficulty !== null) draft.difficulty = q.difficulty;
  if (q.explanation !== undefined && q.explanation !== null && q.explanation !== '')
    draft.explanation = q.explanation;
  return draft;
}

const letter = (i: number) => String.fromCharCode(65 + i);

function describePath(path: string): string {
  const [field, index, sub] = path.split('/').slice(1);
  if (field === 'options' && index !== undefined)
    return `Option ${letter(Number(index))}${sub === 'correct' ? ' (correct)' : ''}`;
  if (field === 'tags' && index !== undefined) return `Tag ${Number(index) + 1}`;
  if (field === undefined || field === '') return 'Question';
  return field.charAt(0).toUpperCase() + field.slice(1);
}

function describeError(e: ValueError): string {
  const limit = (key: string) => (e.schema as Record<string, unknown>)[key];
  switch (e.type) {
    case ValueErrorType.StringMinLength:
      return limit('minLength') === 1
        ? 'is empty'
        : `is shorter than ${String(limit('minLength'))} characters`;
    case ValueErrorType.StringMaxLength:
      return `is longer than ${String(limit('maxLength'))} characters`;
    case ValueErrorType.ArrayMaxItems:
      return `has more than ${String(limit('maxItems'))} entries`;
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return `must be greater than ${String(limit('exclusiveMinimum'))}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${String(limit('minimum'))}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${String(limit('maximum'))}`;
    case ValueErrorType.Integer:
      return 'must be a whole number';
    default:
      return e.message;
  }
}

// Compiled once: a 10,000-question file is validated in a few milliseconds.
const questionSchema = TypeCompiler.Compile(QuestionInputSchema);

/** The platform's rules for a question (the same checks as the bank routes), as messages. */
export function validateDraft(q: QuestionDraft): string[] {
  const errors: string[] = [];
  try {
    checkQuestion(q);
  } catch (err) {
    errors.push(err instanceof Error ? err.message : String(err));
  }
  if (questionSchema.Check(q)) return errors;
  for (const e of questionSchema.Errors(q)) {
    // checkQuestion already explains a question with fewer than two options.
    if (e.path === '/options' && e.type === ValueErrorType.ArrayMinItems) continue;
    errors.push(`${describePath(e.path)} ${describeError(e)}`);
  }
  return [...new Set(errors)];
}

/** A fresh item; parsers fill it in and hand it to finishItem. */
export const newItem = (index: number, at: { line?: number; row?: number }): ParsedItem => ({
  index,
  ...(at.line !== undefined ? { line: at.line } : {}),
  ...(at.row !== undefined ? { row: at.row } : {}),
  errors: [],
  warnings: [],
});

/** Attaches the question and runs the platform's validation on it. */
export function finishItem(item: ParsedItem, question: QuestionDraft): ParsedItem {
  item.question = question;
  item.errors.push(...validateDraft(question));
  return item;
}

export function skipItem(item: ParsedItem, kind: SkipKind, detail?: string): ParsedItem {
  item.skipped = {
    kind,
    reason: detail ?? SKIP_REASONS[kind] ?? `${kind} questions are not supported by the platform`,
  };
  return item;
}

export type SkipKind =
  | 'essay'
  | 'matching'
  | 'numerical'
  | 'shortanswer'
  | 'missing-word'
  | 'description'
  | 'cloze'
  | (string & {});

const SKIP_REASONS: Record<string, string> = {
  essay: 'Essay questions are not supported by the platform',
  matching: 'Matching questions are not supported by the platform',
  numerical: 'Numerical questions are not supported by the platform',
  shortanswer: 'Short-answer questions are not supported by the platform',
  'missing-word': 'Missing-word questions (text after the answers) are not supported by the platform',
  description: 'A description (text without answers) is not a question',
  cloze: 'Cloze (embedded answers) questions are not supported by the platform',
};

/** Applies the file-level rules shared by every format: question limit, empty files. */
export function finishResult(
  format: InterchangeFormat,
  items: ParsedItem[],
  errors: string[] = [],
  warnings: string[] = [],
): ParseResult {
  if (items.length > MAX_QUESTIONS) {
    return {
      format,
      items: [],
      errors: [
        ...errors,
        `The file has ${items.length} questions; at most ${MAX_QUESTIONS.toLocaleString('en')} can be imported at once`,
      ],
      warnings,
    };
  }
  if (items.length === 0 && errors.length === 0) errors.push('No questions were found in the file');
  return { format, items, errors, warnings };
}

export const fileError = (format: InterchangeFormat, error: string): ParseResult => ({
  format,
  items: [],
  errors: [error],
  warnings: [],
});

/** The size check every upload goes through first. */
export const tooLarge = (format: InterchangeFormat, bytes: Uint8Array): ParseResult | null =>
  bytes.length <= MAX_BYTES
    ? null
    : fileError(
        format,
        `The file is larger than ${MAX_BYTES / 1024 / 1024} MB (${bytes.length.toLocaleString('en')} bytes); split it into smaller files`,
      );

/** Tags are at most 60 characters on the platform. */
export const MAX_TAG_LENGTH = 60;

/**
 * A Moodle category path ("$course$/top/Lớp 10/Đại số", "//" standing for a "/" inside a name)
 * as tags, one per level: the context prefix and the "top" level Moodle adds are left out.
 */
export function categoryTags(path: string): string[] {
  const parts = path
    .replace(/\/\//g, '\ue011')
    .split('/')
    .map((p) => cleanText(p.replace(/\ue011/g, '/')));
  if (parts.length > 0 && /^\$[a-z]+\$$/.test(parts[0]!)) {
    parts.shift();
    if (parts[0] === 'top') parts.shift();
  }
  return parts.filter((p) => p !== '');
}

/** Shortens tags that the platform would refuse, with a note for the file's warnings. */
export function clipTags(tags: string[], where: string, warnings: string[]): string[] {
  return tags.map((t) => {
    if (t.length <= MAX_TAG_LENGTH) return t;
    warnings.push(
      `${where}: the category name "${t}" is longer than ${MAX_TAG_LENGTH} characters and was shortened`,
    );
    return t.slice(0, MAX_TAG_LENGTH).trim();
  });
}

/** Only questions that can be imported as they are. */
export const importableQuestions = (result: ParseResult): QuestionDraft[] =>
  result.errors.length > 0
    ? []
    : result.items.flatMap((i) => (i.question && !i.skipped && i.errors.length === 0 ? [i.question] : []));

/** A percentage as a GIFT/Moodle answer weight: 100/3 -> "33.33333", Moodle's own precision. */
export const weight = (w: number): string => (Number.isInteger(w) ? String(w) : w.toFixed(5));
