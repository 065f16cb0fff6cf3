// Pure helpers of the question-bank pages: the question rules (the same as the server's
// checkQuestion and QuestionInputSchema, so organisers see problems next to the fields before
// saving or importing), option letters, the import format guessed from a file, the text
// transforms of the formatting toolbar, and the bank table's filters as a URL query. No Svelte,
// no DOM, no HTTP: unit-tested in web/test/organise-banks.test.ts.
import { imageMarkup } from './rich-text.ts';

export type QuestionType = 'single' | 'multiple' | 'truefalse';
export type QuestionStatus = 'active' | 'retired' | 'superseded';
export type QuestionSort = 'newest' | 'oldest' | 'stem' | 'difficulty';
export type ImportFormat = 'csv' | 'xlsx' | 'gift' | 'aiken' | 'moodle-xml';

export const QUESTION_TYPES: readonly QuestionType[] = ['single', 'multiple', 'truefalse'];
export const QUESTION_STATUSES: readonly QuestionStatus[] = ['active', 'retired', 'superseded'];
export const QUESTION_SORTS: readonly QuestionSort[] = ['newest', 'oldest', 'stem', 'difficulty'];
export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'xlsx', 'gift', 'aiken', 'moodle-xml'];
export const DIFFICULTIES: readonly number[] = [1, 2, 3, 4, 5];

/** The server's limits (api/src/schemas/contests.ts QuestionInputSchema, interchange MAX_BYTES). */
export const LIMITS = {
  stem: 5000,
  option: 1000,
  explanation: 5000,
  minOptions: 2,
  maxOptions: 10,
  maxPoints: 1000,
  maxTags: 20,
  tag: 60,
  importBytes: 10 * 1024 * 1024,
  imageBytes: 2 * 1024 * 1024,
} as const;

/** What the API takes to create or edit a question (POST/PUT, and each item of an import). */
export interface QuestionInput {
  type: QuestionType;
  stem: string;
  options: { text: string; correct: boolean }[];
  points?: number;
  tags?: string[];
  difficulty?: number;
  explanation?: string;
}

/** An option being edited: `key` keeps Svelte's keyed lists stable while options move. */
export interface DraftOption {
  key: number;
  text: string;
  correct: boolean;
}

/** A question being edited (the editor page, or one item of an import preview). */
export interface QuestionDraft {
  type: QuestionType;
  stem: string;
  options: DraftOption[];
  /** null while the number field is empty. */
  points: number | null;
  tags: string[];
  difficulty: number | null;
  explanation: string;
}

let nextKey = 1;
export const optionKey = (): number => nextKey++;

export const newOption = (text = '', correct = false): DraftOption => ({ key: optionKey(), text, correct });

/** An empty question of a type; `labels` are the true/false texts in the UI language. */
export function emptyDraft(type: QuestionType, labels: readonly [string, string]): QuestionDraft {
  return {
    type,
    stem: '',
    options:
      type === 'truefalse'
        ? [newOption(labels[0], true), newOption(labels[1], false)]
        : [newOption(), newOption(), newOption(), newOption()],
    points: 1,
    tags: [],
    difficulty: null,
    explanation: '',
  };
}

/** A stored question, or an imported one, as a draft to edit. */
export function draftOf(q: {
  type: QuestionType;
  stem: string;
  options: { text: string; correct: boolean }[];
  points?: number | null;
  tags?: string[] | null;
  difficulty?: number | null;
  explanation?: string | null;
}): QuestionDraft {
  return {
    type: q.type,
    stem: q.stem,
    options: q.options.map((o) => newOption(o.text, o.correct)),
    points: q.points ?? 1,
    tags: [...(q.tags ?? [])],
    difficulty: q.difficulty ?? null,
    explanation: q.explanation ?? '',
  };
}

const clean = (s: string) => s.trim().normalize('NFC');

/** The body the API takes: trimmed texts, empty optional fields left out. */
export function toInput(d: QuestionDraft): QuestionInput {
  const input: QuestionInput = {
    type: d.type,
    stem: d.stem.trim(),
    options: d.options.map((o) => ({ text: o.text.trim(), correct: o.correct })),
  };
  if (d.points !== null && Number.isFinite(d.points)) input.points = d.points;
  const tags = uniqueTags(d.tags);
  if (tags.length > 0) input.tags = tags;
  if (d.difficulty !== null) input.difficulty = d.difficulty;
  if (d.explanation.trim() !== '') input.explanation = d.explanation.trim();
  return input;
}

/**
 * Switches a draft's type. To true/false: the two options become the UI's true/false labels
 * (the first one right unless the second was), and the previous options are returned as `stash`
 * so that switching back restores them. To single choice: only the first right option stays
 * right (radio buttons cannot show more).
 */
export function changeType(
  d: QuestionDraft,
  type: QuestionType,
  labels: readonly [string, string],
  stash: DraftOption[] | null,
): { draft: QuestionDraft; stash: DraftOption[] | null } {
  if (type === d.type) return { draft: d, stash };
  if (type === 'truefalse') {
    const secondRight = d.options.length >= 2 && d.options[1]!.correct && !d.options[0]!.correct;
    return {
      draft: { ...d, type, options: [newOption(labels[0], !secondRight), newOption(labels[1], secondRight)] },
      stash: d.options,
    };
  }
  let options = d.type === 'truefalse' && stash ? stash : d.options;
  if (type === 'single') {
    let seen = false;
    options = options.map((o) => {
      const correct = o.correct && !seen;
      if (o.correct) seen = true;
      return correct === o.correct ? o : { ...o, correct };
    });
  }
  return { draft: { ...d, type, options }, stash: d.type === 'truefalse' ? null : stash };
}

/** Marks option `index` right: the only right one for single choice and true/false. */
export function setCorrect(d: QuestionDraft, index: number, correct: boolean): DraftOption[] {
  return d.options.map((o, i) =>
    d.type === 'multiple' ? (i === index ? { ...o, correct } : o) : { ...o, correct: i === index },
  );
}

/** Moves an option up (-1) or down (+1); out-of-range moves change nothing. */
export function moveOption<T>(options: T[], index: number, delta: -1 | 1): T[] {
  const to = index + delta;
  if (index < 0 || index >= options.length || to < 0 || to >= options.length) return options;
  const next = [...options];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

// ---- Validation ----------------------------------------------------------------------------

/** A problem's code names its message (i18n-banks.ts `qv.<code>`); params fill it. */
export interface Problem {
  code:
    | 'stemRequired'
    | 'stemTooLong'
    | 'tooFewOptions'
    | 'tooManyOptions'
    | 'trueFalseTwo'
    | 'optionRequired'
    | 'optionTooLong'
    | 'optionDuplicate'
    | 'chooseOne'
    | 'onlyOne'
    | 'chooseAtLeastOne'
    | 'pointsInvalid'
    | 'tooManyTags'
    | 'tagTooLong'
    | 'difficultyInvalid'
    | 'explanationTooLong';
  params?: Record<string, string | number>;
}

export interface QuestionProblems {
  stem?: Problem;
  /** About the list of options as a whole: how many, which are right. */
  options?: Problem;
  /** One entry per option (undefined when that option is fine). */
  optionText: (Problem | undefined)[];
  points?: Problem;
  tags?: Problem;
  difficulty?: Problem;
  explanation?: Problem;
}

/** The server's rules, field by field (checkQuestion + the JSON schema of a question). */
export function validateQuestion(d: QuestionDraft): QuestionProblems {
  const p: QuestionProblems = { optionText: d.options.map(() => undefined) };
  const stem = d.stem.trim();
  if (stem === '') p.stem = { code: 'stemRequired' };
  else if (stem.length > LIMITS.stem) p.stem = { code: 'stemTooLong', params: { max: LIMITS.stem } };

  const seen = new Map<string, number>();
  d.options.forEach((o, i) => {
    const text = clean(o.text);
    if (text === '') p.optionText[i] = { code: 'optionRequired' };
    else if (text.length > LIMITS.option)
      p.optionText[i] = { code: 'optionTooLong', params: { max: LIMITS.option } };
    else if (seen.has(text))
      p.optionText[i] = { code: 'optionDuplicate', params: { letter: optionLetter(seen.get(text)!) } };
    else seen.set(text, i);
  });

  const right = d.options.filter((o) => o.correct).length;
  if (d.type === 'truefalse' && d.options.length !== 2) p.options = { code: 'trueFalseTwo' };
  else if (d.options.length < LIMITS.minOptions)
    p.options = { code: 'tooFewOptions', params: { min: LIMITS.minOptions } };
  else if (d.options.length > LIMITS.maxOptions)
    p.options = { code: 'tooManyOptions', params: { max: LIMITS.maxOptions } };
  else if (d.type !== 'multiple' && right === 0) p.options = { code: 'chooseOne' };
  else if (d.type !== 'multiple' && right > 1) p.options = { code: 'onlyOne' };
  else if (d.type === 'multiple' && right === 0) p.options = { code: 'chooseAtLeastOne' };

  if (d.points === null || !Number.isFinite(d.points) || d.points <= 0 || d.points > LIMITS.maxPoints)
    p.points = { code: 'pointsInvalid', params: { max: LIMITS.maxPoints } };

  const tags = uniqueTags(d.tags);
  if (tags.length > LIMITS.maxTags) p.tags = { code: 'tooManyTags', params: { max: LIMITS.maxTags } };
  else {
    const long = tags.find((t) => t.length > LIMITS.tag);
    if (long) p.tags = { code: 'tagTooLong', params: { tag: long, max: LIMITS.tag } };
  }

  if (d.difficulty !== null && !(Number.isInteger(d.difficulty) && d.difficulty >= 1 && d.difficulty <= 5))
    p.difficulty = { code: 'difficultyInvalid' };
  if (d.explanation.trim().length > LIMITS.explanation)
    p.explanation = { code: 'explanationTooLong', params: { max: LIMITS.explanation } };
  return p;
}

/** Every problem of a question, in the order of the form. */
export function problemList(p: QuestionProblems): Problem[] {
  return [p.stem, p.options, ...p.optionText, p.points, p.tags, p.difficulty, p.explanation].filter(
    (x): x is Problem => x !== undefined,
  );
}

export const isValid = (p: QuestionProblems): boolean => problemList(p).length === 0;

// ---- Letters, tags, formats ----------------------------------------------------------------

/** A, B, C… as participants see them (QuestionCard uses the same letters). */
export const optionLetter = (i: number): string =>
  i >= 0 && i < 26 ? String.fromCharCode(65 + i) : String(i + 1);

/** "A, C": the letters of the right options. */
export const correctLetters = (options: { correct: boolean }[]): string =>
  options.flatMap((o, i) => (o.correct ? [optionLetter(i)] : [])).join(', ');

/** Tags as the server stores them: trimmed, NFC, without empties or repeats. */
export function uniqueTags(tags: string[]): string[] {
  return [...new Set(tags.map(clean).filter((t) => t !== ''))];
}

/** "a, b,, c" (commas or semicolons) as tags. */
export const parseTags = (input: string): string[] => uniqueTags(input.split(/[,;]/));

/**
 * The import format a file most likely is, from its name, and for .txt (GIFT or Aiken) from the
 * beginning of its text. null when it cannot tell (the organiser chooses).
 */
export function guessFormat(fileName: string, head = ''): ImportFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName.trim())?.[1]?.toLowerCase() ?? '';
  switch (ext) {
    case 'csv':
      return 'csv';
    case 'xlsx':
      return 'xlsx';
    case 'gift':
      return 'gift';
    case 'aiken':
      return 'aiken';
    case 'xml':
      return 'moodle-xml';
    case 'txt':
      if (/^\s*ANSWER\s*:\s*[A-Z]\s*$/im.test(head)) return 'aiken';
      if (/[{}]|^\s*::/m.test(head)) return 'gift';
      return null;
    default:
      return null;
  }
}

/** "2,5 MB" style sizes for limits and file names. */
export function formatBytes(bytes: number, locale: string): string {
  const nf = (n: number, digits: number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
  if (bytes < 1024) return `${nf(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${nf(bytes / 1024, 0)} KB`;
  return `${nf(bytes / 1024 / 1024, 1)} MB`;
}

// ---- Formatting toolbar --------------------------------------------------------------------

export interface Edit {
  text: string;
  /** The selection after the edit. */
  start: number;
  end: number;
}

const starsBefore = (s: string) => /\**$/.exec(s)![0].length;
const starsAfter = (s: string) => /^\**/.exec(s)![0].length;

/**
 * Toggles bold (`**`) or italic (`*`) on the selection [start, end) of `text`. Spaces at the edges
 * of the selection stay outside the markers (the renderer wants `**word**`, not `** word **`).
 * Markers already around the selection (or selected with it) are removed instead, so the button
 * toggles; bold and italic combine as `***word***`. An empty selection inserts the pair of markers
 * with the cursor between them.
 */
export function wrapSelection(text: string, start: number, end: number, marker: '**' | '*'): Edit {
  const size = marker.length;
  const at = Math.max(0, Math.min(start, end, text.length));
  let s = at;
  let e = Math.min(text.length, Math.max(start, end));
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  if (s === e) {
    return { text: text.slice(0, at) + marker + marker + text.slice(at), start: at + size, end: at + size };
  }
  // Markers selected along with the word: move the selection inside them.
  const inner = Math.min(starsAfter(text.slice(s, e)), starsBefore(text.slice(s, e)));
  if (inner > 0 && e - s > 2 * inner) {
    s += inner;
    e -= inner;
  }
  // How many stars hug the content on both sides: 1 italic, 2 bold, 3 both.
  const around = Math.min(starsBefore(text.slice(0, s)), starsAfter(text.slice(e)));
  const bold = around >= 2;
  const italic = around === 1 || around >= 3;
  const present = marker === '**' ? bold : italic;
  if (present) {
    return {
      text: text.slice(0, s - size) + text.slice(s, e) + text.slice(e + size),
      start: s - size,
      end: e - size,
    };
  }
  return {
    text: text.slice(0, s) + marker + text.slice(s, e) + marker + text.slice(e),
    start: s + size,
    end: e + size,
  };
}

/**
 * Puts an uploaded image at the cursor (replacing any selection), on a line of its own unless the
 * text is empty there, and selects its alt text so the organiser can type a better one.
 */
export function insertImage(text: string, start: number, end: number, url: string, alt: string): Edit {
  const s = Math.max(0, Math.min(start, end, text.length));
  const e = Math.min(text.length, Math.max(start, end));
  const markup = imageMarkup(url, alt);
  const before = text.slice(0, s);
  const after = text.slice(e);
  const lead = before === '' || before.endsWith('\n') ? '' : '\n';
  const trail = after === '' || after.startsWith('\n') ? '' : '\n';
  const altText = markup.slice(2, markup.indexOf(']('));
  const altStart = s + lead.length + 2;
  return {
    text: before + lead + markup + trail + after,
    start: altStart,
    end: altStart + altText.length,
  };
}

/** A file name without its extension, as a first alt text for an uploaded image. */
export const altFromFileName = (name: string): string =>
  name
    .replace(/\.[a-z0-9]+$/i, '')
    .replace(/[_-]+/g, ' ')
    .trim();

// ---- The bank table's filters in the URL ---------------------------------------------------

export const PAGE_SIZE = 50;

export interface BankFilters {
  q: string;
  type: QuestionType | '';
  tag: string;
  difficulty: number | null;
  status: QuestionStatus;
  sort: QuestionSort;
  page: number;
}

export const DEFAULT_FILTERS: BankFilters = {
  q: '',
  type: '',
  tag: '',
  difficulty: null,
  status: 'active',
  sort: 'newest',
  page: 1,
};

const oneOf = <T extends string>(list: readonly T[], value: string | null): T | undefined =>
  list.find((x) => x === value);

/** The filters a URL query asks for; anything invalid falls back to the default. */
export function readFilters(params: URLSearchParams): BankFilters {
  const difficulty = Number(params.get('difficulty'));
  const page = Math.floor(Number(params.get('page')));
  return {
    q: (params.get('q') ?? '').slice(0, 200),
    type: oneOf(QUESTION_TYPES, params.get('type')) ?? '',
    tag: (params.get('tag') ?? '').slice(0, 60),
    difficulty: Number.isInteger(difficulty) && difficulty >= 1 && difficulty <= 5 ? difficulty : null,
    status: oneOf(QUESTION_STATUSES, params.get('status')) ?? DEFAULT_FILTERS.status,
    sort: oneOf(QUESTION_SORTS, params.get('sort')) ?? DEFAULT_FILTERS.sort,
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
}

/** The URL query for filters ("" for the defaults), defaults left out so links stay short. */
export function filtersQuery(f: BankFilters): string {
  const q = new URLSearchParams();
  if (f.q.trim()) q.set('q', f.q.trim());
  if (f.type) q.set('type', f.type);
  if (f.tag) q.set('tag', f.tag);
  if (f.difficulty !== null) q.set('difficulty', String(f.difficulty));
  if (f.status !== DEFAULT_FILTERS.status) q.set('status', f.status);
  if (f.sort !== DEFAULT_FILTERS.sort) q.set('sort', f.sort);
  if (f.page > 1) q.set('page', String(f.page));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The filters as the API's search parameters (GET …/questions and …/export share them). */
export function filterParams(f: BankFilters): Record<string, string> {
  const out: Record<string, string> = { status: f.status };
  if (f.q.trim()) out.q = f.q.trim();
  if (f.type) out.type = f.type;
  if (f.tag) out.tag = f.tag;
  if (f.difficulty !== null) out.difficulty = String(f.difficulty);
  return out;
}

/**
 * The export link of a bank: the current filters, or only the selected questions (with the status
 * they were selected under). The export takes q, type, tag, difficulty, status and ids.
 */
export function exportHref(
  bankId: string | number,
  format: ImportFormat,
  f: BankFilters | null,
  ids: readonly (string | number)[] = [],
): string {
  const q = new URLSearchParams({ format });
  if (ids.length > 0) {
    q.set('ids', ids.join(','));
    // The server exports active questions unless told otherwise: selected retired ones need it.
    if (f) q.set('status', f.status);
  } else if (f) for (const [k, v] of Object.entries(filterParams(f))) q.set(k, v);
  return `/api/banks/${encodeURIComponent(String(bankId))}/export?${q.toString()}`;
}

/** "1 … 4 5 6 … 20": the page numbers to show around the current page (null = a gap). */
export function pageList(current: number, total: number, around = 2): (number | null)[] {
  if (total <= 1) return [1];
  const pages = new Set<number>([1, total]);
  for (let p = current - around; p <= current + around; p++) if (p >= 1 && p <= total) pages.add(p);
  const sorted = [...pages].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  sorted.forEach((p, i) => {
    const prev = sorted[i - 1];
    if (prev !== undefined && p - prev === 2) out.push(prev + 1);
    else if (prev !== undefined && p - prev > 2) out.push(null);
    out.push(p);
  });
  return out;
}

/** "showing 51–100 of 5 230": the first and last row numbers of a page. */
export function pageRange(page: number, total: number, size = PAGE_SIZE): { from: number; to: number } {
  if (total === 0) return { from: 0, to: 0 };
  const from = (page - 1) * size + 1;
  return { from: Math.min(from, total), to: Math.min(page * size, total) };
}

/** A stem shortened for a table cell, on a word boundary when one is near. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * "27/11/2026 09:05": a compact date and time for table cells, in Vietnam's time zone, written the
 * same way in both languages (as the judges' tables do).
 */
export function formatShort(iso: string, timeZone = 'Asia/Ho_Chi_Minh'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')}`;
}
