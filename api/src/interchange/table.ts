// The spreadsheet layout shared by CSV and XLSX: one question per row under a header row that names
// the template's columns (in any order, any case):
//   type | stem | option_a .. option_f (option_g .. option_j are read too) | correct | points | tags | difficulty | explanation
// type is single, multiple or truefalse; correct holds option letters ("A" or "A,C"); tags are
// separated by "|"; difficulty is 1-5. A true/false row may leave its options empty: it then gets
// the true/false labels. Text cells are literal (no HTML).
import { finishItem, makeDraft, newItem } from './draft.ts';
import { cleanText } from './text.ts';
import type { ExportableQuestion, ParsedItem, QuestionDraft } from './types.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TEMPLATE_OPTIONS = 6;

export const TEMPLATE_COLUMNS = [
  'type',
  'stem',
  ...[...LETTERS.slice(0, TEMPLATE_OPTIONS)].map((l) => `option_${l.toLowerCase()}`),
  'correct',
  'points',
  'tags',
  'difficulty',
  'explanation',
];

const REQUIRED = ['type', 'stem', 'option_a', 'option_b', 'correct'];
const FIELDS = new Set(['type', 'stem', 'correct', 'points', 'tags', 'difficulty', 'explanation']);

export interface Header {
  /** Column position of each field, option columns as "option_a", ... */
  columns: Map<string, number>;
  /** Option letters present, in alphabetical order. */
  letters: string[];
}

/** Reads the header row; errors here are file-level. */
export function readHeader(cells: string[]): { header?: Header; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const columns = new Map<string, number>();
  cells.forEach((raw, col) => {
    const name = cleanText(raw)
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    if (name === '') return;
    if (!FIELDS.has(name) && !/^option_[a-z]$/.test(name)) {
      warnings.push(`The column "${cleanText(raw)}" is not one of the template's columns and was ignored`);
      return;
    }
    if (columns.has(name)) errors.push(`The column "${name}" appears twice in the header row`);
    else columns.set(name, col);
  });
  const missing = REQUIRED.filter((c) => !columns.has(c));
  if (columns.size === 0) {
    errors.push(
      `The first row must be the header row naming the columns: ${TEMPLATE_COLUMNS.join(', ')} (as in the template)`,
    );
  } else if (missing.length > 0) {
    errors.push(`The header row lacks the column(s): ${missing.join(', ')}`);
  }
  if (errors.length > 0) return { errors, warnings };
  const letters = [...LETTERS].filter((l) => columns.has(`option_${l.toLowerCase()}`));
  return { header: { columns, letters }, errors, warnings };
}

/** Cells that a spreadsheet would run as formulas are written with a leading "'"; undo it. */
const unguard = (s: string) => s.replace(/^'('*[=+\-@])/, '$1');

/** Protects against formula injection when a CSV is opened in a spreadsheet (see unguard). */
export const guardCell = (s: string) =>
  /^'*[=+\-@]/.test(s) && !/^[+-]?\d+(?:[.,]\d+)?$/.test(s) ? `'${s}` : s;

const TYPES: Record<string, QuestionDraft['type']> = {
  single: 'single',
  multiple: 'multiple',
  truefalse: 'truefalse',
  true_false: 'truefalse',
  'true/false': 'truefalse',
  tf: 'truefalse',
};

/** One data row as an item, or null for an empty row. */
export function rowToItem(
  cells: string[],
  header: Header,
  index: number,
  at: { row: number; line?: number },
  labels: readonly [string, string],
): ParsedItem | null {
  if (cells.every((c) => c.trim() === '')) return null;
  const get = (name: string) => {
    const col = header.columns.get(name);
    return col === undefined ? '' : cleanText(unguard(cells[col] ?? ''));
  };
  const item = newItem(index, at);
  const errors = item.errors;

  const typeCell = get('type').toLowerCase().replace(/\s+/g, '');
  const type = TYPES[typeCell];
  if (typeCell === '') errors.push('The type is empty (single, multiple or truefalse)');
  else if (!type) errors.push(`Unknown type "${get('type')}" (use single, multiple or truefalse)`);

  let options: { letter: string; text: string }[] = [];
  let firstEmpty: string | null = null;
  for (const letter of header.letters) {
    const text = get(`option_${letter.toLowerCase()}`);
    if (text === '') firstEmpty ??= letter;
    else if (firstEmpty === null) options.push({ letter, text });
    else if (!errors.some((e) => e.startsWith('Option '))) {
      errors.push(
        `Option ${firstEmpty} is empty but option ${letter} is not: fill the options from A without gaps`,
      );
    }
  }
  if (type === 'truefalse' && options.length === 0) {
    options = [
      { letter: 'A', text: labels[0] },
      { letter: 'B', text: labels[1] },
    ];
  }

  const correctCell = get('correct');
  const right = new Set<string>();
  if (correctCell === '') errors.push('The correct answer is empty (option letters such as "A" or "A,C")');
  for (const token of correctCell.split(/[\s,;|/]+/).filter((t) => t !== '')) {
    const letter = token.toUpperCase();
    if (!/^[A-Z]$/.test(letter))
      errors.push(`"${token}" in the correct column is not an option letter (write "A" or "A,C")`);
    else if (!options.some((o) => o.letter === letter))
      errors.push(`The correct answer ${letter} has no option ${letter}`);
    else right.add(letter);
  }

  const pointsCell = get('points').replace(',', '.');
  const points = pointsCell === '' ? undefined : Number(pointsCell);
  if (points !== undefined && !Number.isFinite(points))
    errors.push(`The points "${get('points')}" are not a number`);

  const difficultyCell = get('difficulty');
  const difficulty = difficultyCell === '' ? undefined : Number(difficultyCell);
  if (difficulty !== undefined && !Number.isFinite(difficulty)) {
    errors.push(`The difficulty "${difficultyCell}" is not a number from 1 to 5`);
  }

  const draft = makeDraft({
    type: type ?? (right.size > 1 ? 'multiple' : 'single'),
    stem: get('stem'),
    options: options.map((o) => ({ text: o.text, correct: right.has(o.letter) })),
    points: points !== undefined && Number.isFinite(points) ? points : undefined,
    tags: get('tags').split('|'),
    difficulty: difficulty !== undefined && Number.isFinite(difficulty) ? difficulty : undefined,
    explanation: get('explanation'),
  });
  if (errors.length > 0 || !type) {
    // What could be read goes with the errors, so the organiser fixes the row in the preview
    // instead of retyping it.
    if (draft.stem !== '' || draft.options.length > 0) item.question = draft;
    return item;
  }
  return finishItem(item, draft);
}

/** The header and the rows of an export; numbers stay numbers for XLSX. */
export function tableRows(questions: ExportableQuestion[]): {
  header: string[];
  rows: (string | number)[][];
} {
  const width = Math.max(TEMPLATE_OPTIONS, ...questions.map((q) => q.options.length));
  const optionColumns = [...LETTERS.slice(0, width)].map((l) => `option_${l.toLowerCase()}`);
  const header = ['type', 'stem', ...optionColumns, 'correct', 'points', 'tags', 'difficulty', 'explanation'];
  const rows = questions.map((q) => [
    q.type,
    q.stem,
    ...Array.from({ length: width }, (_, k) => q.options[k]?.text ?? ''),
    q.options.flatMap((o, k) => (o.correct ? [LETTERS[k]!] : [])).join(','),
    q.points ?? '',
    (q.tags ?? []).join('|'),
    q.difficulty ?? '',
    q.explanation ?? '',
  ]);
  return { header, rows };
}

/** Questions a spreadsheet row cannot carry exactly: a tag containing the "|" separator. */
export const tableProblems = (questions: ExportableQuestion[]): number[] =>
  questions.flatMap((q, i) => ((q.tags ?? []).some((t) => t.includes('|')) ? [i] : []));
