// Pure rules behind the organiser's live-game pages: the "New game" form (its checks mirror the
// server's, docs/api.md "Live games", so most mistakes are caught before a round trip), the units
// of team mode, and the join address. No Svelte and no DOM here (web/test/organise-live.test.ts).
import { foldAscii } from './organise-contests.ts';

export const QUESTION_TIME = { min: 5, max: 120, default: 20 } as const;
export const READING_TIME = { min: 0, max: 30, default: 5 } as const;
export const MAX_QUESTIONS = 200;
export const UNITS = { min: 2, max: 200 } as const;

export type QuestionMode = 'all' | 'tags' | 'ids';

export interface LiveGameDraft {
  bankId: number | null;
  title: string;
  mode: QuestionMode;
  tags: string[];
  /** In the order they were picked: the game asks them in that order. */
  ids: number[];
  /** As typed: the inputs are text so that a half-typed number is not lost. */
  questionTimeSec: string;
  readingTimeSec: string;
  shuffleOptions: boolean;
  streakBonus: boolean;
  teamMode: boolean;
  /** One unit a line. */
  unitsText: string;
}

export const emptyLiveDraft = (): LiveGameDraft => ({
  bankId: null,
  title: '',
  mode: 'all',
  tags: [],
  ids: [],
  questionTimeSec: String(QUESTION_TIME.default),
  readingTimeSec: String(READING_TIME.default),
  shuffleOptions: false,
  streakBonus: false,
  teamMode: false,
  unitsText: '',
});

export type LiveQuestions =
  { mode: 'all' } | { mode: 'tags'; tags: string[] } | { mode: 'ids'; ids: number[] };

export interface LiveGameBody {
  bankId: number;
  title?: string;
  questions: LiveQuestions;
  questionTimeSec: number;
  readingTimeSec: number;
  shuffleOptions: boolean;
  streakBonus: boolean;
  teamMode: boolean;
  units?: string[];
}

/** The units typed one a line: trimmed, empty lines dropped, repeats (in any case) kept once. */
export function parseUnits(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const name = line.normalize('NFC').replace(/\s+/gu, ' ').trim();
    const key = name.toLocaleLowerCase('vi');
    if (!name || seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

/** Names typed twice (or more) in the units list, as first typed. */
export function repeatedUnits(text: string): string[] {
  const count = new Map<string, { name: string; n: number }>();
  for (const line of text.split(/\r?\n/)) {
    const name = line.normalize('NFC').replace(/\s+/gu, ' ').trim();
    if (!name) continue;
    const key = name.toLocaleLowerCase('vi');
    const c = count.get(key);
    if (c) c.n += 1;
    else count.set(key, { name, n: 1 });
  }
  return [...count.values()].filter((c) => c.n > 1).map((c) => c.name);
}

/** A whole number written in the field, or null (empty, decimals, letters). */
function wholeNumber(text: string): number | null {
  const s = text.trim();
  return /^\d{1,4}$/.test(s) ? Number(s) : null;
}

export type DraftField = 'bankId' | 'tags' | 'ids' | 'questionTimeSec' | 'readingTimeSec' | 'units';

export interface DraftProblem {
  field: DraftField;
  code:
    | 'bankRequired'
    | 'tagsRequired'
    | 'idsRequired'
    | 'tooManyQuestions'
    | 'questionTimeRange'
    | 'readingTimeRange'
    | 'unitsTooFew'
    | 'unitsTooMany'
    | 'unitsRepeated';
  params?: Record<string, string | number>;
}

/** What keeps the form from being sent, one problem per field at most. */
export function liveDraftProblems(d: LiveGameDraft): DraftProblem[] {
  const out: DraftProblem[] = [];
  if (d.bankId === null) out.push({ field: 'bankId', code: 'bankRequired' });
  if (d.mode === 'tags' && d.tags.length === 0) out.push({ field: 'tags', code: 'tagsRequired' });
  if (d.mode === 'ids') {
    if (d.ids.length === 0) out.push({ field: 'ids', code: 'idsRequired' });
    else if (d.ids.length > MAX_QUESTIONS)
      out.push({ field: 'ids', code: 'tooManyQuestions', params: { max: MAX_QUESTIONS } });
  }
  const qt = wholeNumber(d.questionTimeSec);
  if (qt === null || qt < QUESTION_TIME.min || qt > QUESTION_TIME.max)
    out.push({
      field: 'questionTimeSec',
      code: 'questionTimeRange',
      params: { min: QUESTION_TIME.min, max: QUESTION_TIME.max },
    });
  const rt = wholeNumber(d.readingTimeSec);
  if (rt === null || rt < READING_TIME.min || rt > READING_TIME.max)
    out.push({
      field: 'readingTimeSec',
      code: 'readingTimeRange',
      params: { min: READING_TIME.min, max: READING_TIME.max },
    });
  if (d.teamMode) {
    const repeated = repeatedUnits(d.unitsText);
    const units = parseUnits(d.unitsText);
    if (repeated.length > 0)
      out.push({ field: 'units', code: 'unitsRepeated', params: { names: repeated.slice(0, 5).join(', ') } });
    else if (units.length < UNITS.min)
      out.push({ field: 'units', code: 'unitsTooFew', params: { min: UNITS.min } });
    else if (units.length > UNITS.max)
      out.push({ field: 'units', code: 'unitsTooMany', params: { max: UNITS.max, n: units.length } });
  }
  return out;
}

/** The body of POST /api/live/games for a draft without problems. */
export function liveGameBody(d: LiveGameDraft): LiveGameBody {
  if (d.bankId === null) throw new Error('liveGameBody: no bank');
  const questions: LiveQuestions =
    d.mode === 'tags'
      ? { mode: 'tags', tags: [...d.tags] }
      : d.mode === 'ids'
        ? { mode: 'ids', ids: [...d.ids] }
        : { mode: 'all' };
  const title = d.title.trim();
  return {
    bankId: d.bankId,
    ...(title ? { title } : {}),
    questions,
    questionTimeSec: Number(d.questionTimeSec.trim()),
    readingTimeSec: Number(d.readingTimeSec.trim()),
    shuffleOptions: d.shuffleOptions,
    streakBonus: d.streakBonus,
    teamMode: d.teamMode,
    ...(d.teamMode ? { units: parseUnits(d.unitsText) } : {}),
  };
}

/** How many questions the selection holds, as far as the form knows (null: it cannot tell). */
export function selectionCount(
  d: Pick<LiveGameDraft, 'mode' | 'tags' | 'ids'>,
  bank: { questionCount: number; tags: { tag: string; count: number }[] } | null,
): number | null {
  if (d.mode === 'ids') return d.ids.length;
  if (!bank) return null;
  if (d.mode === 'all') return bank.questionCount;
  if (d.tags.length === 0) return 0;
  // A question with two chosen tags counts once: with one tag the count is exact, else unknown.
  if (d.tags.length === 1) return bank.tags.find((t) => t.tag === d.tags[0])?.count ?? 0;
  return null;
}

/** Picks or unpicks a question, keeping the order of picking. */
export function toggleId(ids: readonly number[], id: number, on: boolean): number[] {
  const without = ids.filter((x) => x !== id);
  return on ? [...without, id] : without;
}

/** Moves a picked question one place up (-1) or down (+1). */
export function moveId(ids: readonly number[], id: number, by: -1 | 1): number[] {
  const i = ids.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= ids.length) return [...ids];
  const out = [...ids];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

export interface ContestUnit {
  code: string;
  name: string;
  parentCode: string | null;
}

/**
 * Team names from a contest's units tree: the first level with at least two units (a contest of
 * one province lists its districts), names kept once, at most 200. Empty when no level has two.
 */
export function unitsFromContest(units: readonly ContestUnit[]): string[] {
  const byCode = new Map(units.map((u) => [u.code, u]));
  // Steps up to a top unit; a unit whose parent is missing, or in a cycle, counts as a top one.
  const depthOf = (u: ContestUnit): number => {
    const seen = new Set([u.code]);
    let d = 0;
    for (let p = u.parentCode; p !== null;) {
      const parent = byCode.get(p);
      if (!parent) break;
      if (seen.has(parent.code)) return 0;
      seen.add(parent.code);
      d += 1;
      p = parent.parentCode;
    }
    return d;
  };
  const levels = new Map<number, string[]>();
  for (const u of units) {
    const d = depthOf(u);
    const list = levels.get(d) ?? [];
    list.push(u.name);
    levels.set(d, list);
  }
  for (const d of [...levels.keys()].sort((a, b) => a - b)) {
    const names = parseUnits(levels.get(d)!.join('\n'));
    if (names.length >= UNITS.min) return names.slice(0, UNITS.max);
  }
  return [];
}

/** Case- and accent-insensitive match for the question search box ("ho chi minh" finds "Hồ Chí Minh"). */
export function matchesSearch(text: string, needle: string): boolean {
  const fold = (s: string) => foldAscii(s).toLowerCase();
  const n = fold(needle.trim());
  return n === '' || fold(text).includes(n);
}

/** The address players open: the page's origin and the game's join path. */
export function joinUrl(origin: string, joinPath: string | null): string | null {
  return joinPath ? `${origin.replace(/\/+$/, '')}${joinPath}` : null;
}

/** "123 456": a PIN read aloud in a hall is easier in two halves. */
export const spacedPin = (pin: string): string =>
  pin.length === 6 ? `${pin.slice(0, 3)} ${pin.slice(3)}` : pin;
