// Pure rules behind the organiser's contest pages: slugs and field keys, time-zone arithmetic
// (round schedules are typed as wall time in the contest's zone and stored as UTC), the units tree
// and its CSV, the draw check and the chart scale. No Svelte and no DOM here, so that every rule
// is unit-tested under Node (web/test/organise-contests.test.ts).

// ---- slugs and keys ----------------------------------------------------------------------------

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const FIELD_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
export const GROUP_KEY_PATTERN = /^[A-Za-z0-9_-]{1,20}$/;
export const UNIT_CODE_PATTERN = /^[A-Za-z0-9_.-]{1,40}$/;
export const SLUG_MAX = 80;

/** Latin letters without diacritics: Vietnamese tone and vowel marks go, 'đ' becomes 'd'. */
export function foldAscii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

/** "Tìm hiểu Đường Hồ Chí Minh 2026" -> "tim-hieu-duong-ho-chi-minh-2026" (at most 80 characters). */
export function slugify(title: string): string {
  let slug = foldAscii(title)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > SLUG_MAX) {
    // Cut at a word boundary when there is one, so the slug does not end in half a word.
    const cut = slug.slice(0, SLUG_MAX + 1);
    const at = cut.lastIndexOf('-');
    slug = (at > SLUG_MAX / 2 ? cut.slice(0, at) : slug.slice(0, SLUG_MAX)).replace(/-+$/, '');
  }
  return slug;
}

export const isValidSlug = (slug: string): boolean =>
  slug.length >= 2 && slug.length <= SLUG_MAX && SLUG_PATTERN.test(slug);

/**
 * A registration field key from its label: "Trường học / School" -> "truongHocSchool", unique
 * among `taken` (a number is appended when needed). Keys start with a letter, as the API wants.
 */
export function fieldKeyFromLabel(label: string, taken: Iterable<string> = []): string {
  const words = foldAscii(label)
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let key = words
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
  if (!key) key = 'field';
  if (!/^[A-Za-z]/.test(key)) key = `f${key}`;
  key = key.slice(0, 36);
  const used = new Set(taken);
  if (!used.has(key)) return key;
  for (let n = 2; ; n++) {
    const candidate = `${key}${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** The next free group key: A, B, C, … then G1, G2, … */
export function nextGroupKey(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = 0; i < 26; i++) {
    const key = String.fromCharCode(65 + i);
    if (!used.has(key)) return key;
  }
  for (let n = 1; ; n++) if (!used.has(`G${n}`)) return `G${n}`;
}

// ---- registration fields -----------------------------------------------------------------------

export type FieldType = 'text' | 'date' | 'phone' | 'select' | 'unit';

export interface RegistrationField {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options?: string[];
}

export type StandardKey = 'fullName' | 'dateOfBirth' | 'phone' | 'idNumber' | 'unit' | 'locality' | 'group';

/** The standard fields of DESIGN.md, with the fixed key and type the server gives meaning to. */
export const STANDARD_FIELDS: readonly { key: StandardKey; type: FieldType; label: string }[] = [
  { key: 'fullName', type: 'text', label: 'Họ và tên / Full name' },
  { key: 'dateOfBirth', type: 'date', label: 'Ngày sinh / Date of birth' },
  { key: 'phone', type: 'phone', label: 'Số điện thoại / Phone' },
  { key: 'idNumber', type: 'text', label: 'Số CCCD / Citizen ID number' },
  { key: 'unit', type: 'unit', label: 'Đơn vị / Unit' },
  { key: 'locality', type: 'text', label: 'Địa phương / Locality' },
  { key: 'group', type: 'select', label: 'Bảng thi / Division' },
];

export const STANDARD_KEYS: ReadonlySet<string> = new Set(STANDARD_FIELDS.map((f) => f.key));

// ---- time zones ------------------------------------------------------------------------------

export const DEFAULT_ZONE = 'Asia/Ho_Chi_Minh';

/** The zones offered first; a contest's own zone is added when it is not among them. */
export const COMMON_TIME_ZONES: readonly string[] = [
  'Asia/Ho_Chi_Minh',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Singapore',
  'Asia/Kuala_Lumpur',
  'Asia/Manila',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Seoul',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Australia/Sydney',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Prague',
  'Europe/Moscow',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'UTC',
];

export function isValidTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsFormatters.set(zone, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallAt(ms: number, zone: string): Wall {
  const parts = partsFormatter(zone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    // Some engines print midnight as 24 even with h23.
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

const wallAsUtc = (w: Wall): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** Minutes the zone is ahead of UTC at that instant (420 for Asia/Ho_Chi_Minh). */
export function zoneOffsetMinutes(zone: string, at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((wallAsUtc(wallAt(whole, zone)) - whole) / 60_000);
}

/** 420 -> "GMT+7", 330 -> "GMT+5:30", 0 -> "GMT". */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'GMT';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `GMT${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The wall time of an instant in a zone, as `<input type="datetime-local">` wants it:
 * "2026-12-01T08:00". Empty for an unreadable date.
 */
export function utcToZonedWallTime(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const w = wallAt(ms, zone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/**
 * Which instant a wall time names in a zone. `exact` in general; `ambiguous` when the clocks go
 * back and the time happens twice (the earlier is taken); `gap` when the clocks go forward and the
 * time never happens (it is moved forward by the gap, as Temporal's "compatible" does). Null for
 * text that is not a wall time.
 */
export function resolveWallTime(
  wall: string,
  zone: string,
): { iso: string; kind: 'exact' | 'ambiguous' | 'gap' } | null {
  const m = WALL.exec(wall.trim());
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(asUtc);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  // Offsets in force a day either side cover any transition near this wall time.
  const offsets = new Set([
    zoneOffsetMinutes(zone, asUtc - 86_400_000),
    zoneOffsetMinutes(zone, asUtc),
    zoneOffsetMinutes(zone, asUtc + 86_400_000),
  ]);
  const matches: number[] = [];
  for (const offset of offsets) {
    const candidate = asUtc - offset * 60_000;
    if (zoneOffsetMinutes(zone, candidate) === offset) matches.push(candidate);
  }
  const unique = [...new Set(matches)].sort((a, b) => a - b);
  if (unique.length === 1) return { iso: new Date(unique[0]!).toISOString(), kind: 'exact' };
  if (unique.length > 1) return { iso: new Date(unique[0]!).toISOString(), kind: 'ambiguous' };
  // In a gap: read the wall time with the offset in force before the change, which lands after it.
  const before = zoneOffsetMinutes(zone, asUtc - 86_400_000);
  return { iso: new Date(asUtc - before * 60_000).toISOString(), kind: 'gap' };
}

/** The UTC ISO instant of a wall time in a zone (see resolveWallTime), or null. */
export function zonedWallTimeToUtc(wall: string, zone: string): string | null {
  return resolveWallTime(wall, zone)?.iso ?? null;
}

/** Adds whole days to a wall time, keeping the clock reading ("…T08:00" stays 08:00). */
export function addDaysToWall(wall: string, days: number): string {
  const m = WALL.exec(wall);
  if (!m) return wall;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${m[4]}:${m[5]}`;
}

// ---- units -----------------------------------------------------------------------------------

export interface UnitDraft {
  code: string;
  name: string;
  parentCode: string | null;
  headcount: number | null;
}

export interface UnitRow {
  unit: UnitDraft;
  /** Position in the flat list the tree was built from. */
  index: number;
  depth: number;
  children: number;
  /** Its parent code names no unit (or the parents form a cycle): shown at the top level. */
  orphan: boolean;
}

/**
 * The units as a tree walked depth-first, children in list order under their parent. Units whose
 * parent is missing (or who sit in a cycle) are listed at the top, flagged, so nothing vanishes.
 */
export function buildUnitTree(units: readonly UnitDraft[]): UnitRow[] {
  const byCode = new Map<string, number>();
  units.forEach((u, i) => {
    if (!byCode.has(u.code)) byCode.set(u.code, i);
  });
  const children = new Map<string, number[]>();
  const roots: number[] = [];
  const orphans = new Set<number>();
  units.forEach((u, i) => {
    if (u.parentCode && byCode.has(u.parentCode) && u.parentCode !== u.code) {
      const list = children.get(u.parentCode) ?? [];
      list.push(i);
      children.set(u.parentCode, list);
    } else {
      roots.push(i);
      if (u.parentCode) orphans.add(i);
    }
  });
  const out: UnitRow[] = [];
  const seen = new Set<number>();
  const walk = (i: number, depth: number) => {
    if (seen.has(i)) return;
    seen.add(i);
    const u = units[i]!;
    const kids = byCode.get(u.code) === i ? (children.get(u.code) ?? []) : [];
    out.push({ unit: u, index: i, depth, children: kids.length, orphan: orphans.has(i) });
    for (const k of kids) walk(k, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  // Whatever is left sits in a cycle: show it rather than lose it.
  units.forEach((_, i) => {
    if (!seen.has(i)) {
      orphans.add(i);
      const before = out.length;
      walk(i, 0);
      if (out[before]) out[before] = { ...out[before], orphan: true };
    }
  });
  return out;
}

/** The codes of a unit and of everything under it. */
export function subtreeCodes(units: readonly UnitDraft[], code: string): Set<string> {
  const result = new Set<string>([code]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (u.parentCode && result.has(u.parentCode) && !result.has(u.code)) {
        result.add(u.code);
        grew = true;
      }
    }
  }
  return result;
}

/** Imported units merged into the current ones: same code updates in place, new codes append. */
export function mergeUnits(
  current: readonly UnitDraft[],
  imported: readonly UnitDraft[],
): { units: UnitDraft[]; added: number; updated: number } {
  const units = current.map((u) => ({ ...u }));
  const at = new Map(units.map((u, i) => [u.code, i]));
  let added = 0;
  let updated = 0;
  for (const u of imported) {
    const i = at.get(u.code);
    if (i === undefined) {
      at.set(u.code, units.length);
      units.push({ ...u });
      added++;
    } else {
      units[i] = { ...u };
      updated++;
    }
  }
  return { units, added, updated };
}

export type UnitProblem =
  | { kind: 'code'; code: string }
  | { kind: 'name'; code: string }
  | { kind: 'duplicate'; code: string }
  | { kind: 'parent'; code: string; parentCode: string }
  | { kind: 'cycle'; code: string }
  | { kind: 'headcount'; code: string };

/** What the server would refuse in a list of units (checked before saving). */
export function unitProblems(units: readonly UnitDraft[]): UnitProblem[] {
  const problems: UnitProblem[] = [];
  const codes = new Set<string>();
  for (const u of units) {
    if (!UNIT_CODE_PATTERN.test(u.code)) problems.push({ kind: 'code', code: u.code });
    if (!u.name.trim() || u.name.length > 300) problems.push({ kind: 'name', code: u.code });
    if (u.headcount !== null && !(Number.isInteger(u.headcount) && u.headcount >= 0))
      problems.push({ kind: 'headcount', code: u.code });
    if (codes.has(u.code)) problems.push({ kind: 'duplicate', code: u.code });
    codes.add(u.code);
  }
  for (const u of units) {
    if (u.parentCode && !codes.has(u.parentCode))
      problems.push({ kind: 'parent', code: u.code, parentCode: u.parentCode });
  }
  const parentOf = new Map(units.map((u) => [u.code, u.parentCode]));
  for (const u of units) {
    const seen = new Set<string>([u.code]);
    let p = u.parentCode;
    while (p && parentOf.has(p)) {
      if (seen.has(p)) {
        problems.push({ kind: 'cycle', code: u.code });
        break;
      }
      seen.add(p);
      p = parentOf.get(p) ?? null;
    }
  }
  return problems;
}

/** One CSV record per row of the file, with RFC 4180 quoting; row numbers count from 1. */
export function parseCsv(text: string, delimiter = ','): { row: number; cells: string[] }[] {
  const out: { row: number; cells: string[] }[] = [];
  const src = text.replace(/^\uFEFF/, '');
  let row = 1;
  let startRow = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0]!.trim() === '')) out.push({ row: startRow, cells });
    cells = [];
    cell = '';
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') row++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      row++;
      startRow = row;
    } else cell += c;
    i++;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return out;
}

export interface RowMessage {
  row: number;
  message: string;
}

/** Messages of the client-side parse, as codes with values; the page words them. */
export type UnitsCsvIssue =
  | { row: number; code: 'HEADER' }
  | { row: number; code: 'EMPTY' }
  | { row: number; code: 'CODE'; value: string }
  | { row: number; code: 'NAME' }
  | { row: number; code: 'DUPLICATE'; value: string; first: number }
  | { row: number; code: 'PARENT'; value: string }
  | { row: number; code: 'HEADCOUNT'; value: string }
  | { row: number; code: 'EXTRA' }
  | { row: number; code: 'CYCLE'; value: string };

/**
 * The units CSV (header `code,name,parent_code,headcount`, commas or semicolons) read in the
 * browser, for a contest that has no id yet: the same checks as the server's preview. Parents may
 * come later in the file or be among `knownCodes` (the units already in the form).
 */
export function parseUnitsCsv(
  text: string,
  knownCodes: ReadonlySet<string> = new Set(),
): { units: UnitDraft[]; errors: UnitsCsvIssue[]; warnings: UnitsCsvIssue[] } {
  const errors: UnitsCsvIssue[] = [];
  const warnings: UnitsCsvIssue[] = [];
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  const records = parseCsv(text, delimiter);
  if (records.length === 0) return { units: [], errors: [{ row: 1, code: 'EMPTY' }], warnings };
  const header = records[0]!.cells.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const iCode = col('code');
  const iName = col('name');
  const iParent = col('parent_code', 'parentcode', 'parent');
  const iHead = col('headcount');
  if (iCode < 0 || iName < 0)
    return { units: [], errors: [{ row: records[0]!.row, code: 'HEADER' }], warnings };
  const units: UnitDraft[] = [];
  const rowOf = new Map<string, number>();
  for (const { row, cells } of records.slice(1)) {
    const get = (i: number) => (i >= 0 ? (cells[i] ?? '').trim() : '');
    const code = get(iCode);
    const name = get(iName);
    const parent = get(iParent);
    const head = get(iHead);
    let bad = false;
    if (!UNIT_CODE_PATTERN.test(code)) {
      errors.push({ row, code: 'CODE', value: code });
      bad = true;
    } else if (rowOf.has(code)) {
      errors.push({ row, code: 'DUPLICATE', value: code, first: rowOf.get(code)! });
      bad = true;
    }
    if (!name || name.length > 300) {
      errors.push({ row, code: 'NAME' });
      bad = true;
    }
    let headcount: number | null = null;
    if (head !== '') {
      const n = Number(head.replace(/[\s.,]/g, ''));
      if (!/^\d[\d\s.,]*$/.test(head) || !Number.isSafeInteger(n)) {
        errors.push({ row, code: 'HEADCOUNT', value: head });
        bad = true;
      } else headcount = n;
    }
    if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== '')) {
      warnings.push({ row, code: 'EXTRA' });
    }
    if (bad) continue;
    rowOf.set(code, row);
    units.push({ code, name, parentCode: parent || null, headcount });
  }
  const codes = new Set([...knownCodes, ...units.map((u) => u.code)]);
  for (const u of units) {
    if (u.parentCode && !codes.has(u.parentCode)) {
      errors.push({ row: rowOf.get(u.code)!, code: 'PARENT', value: u.parentCode });
    }
  }
  for (const p of unitProblems(units)) {
    if (p.kind === 'cycle') errors.push({ row: rowOf.get(p.code)!, code: 'CYCLE', value: p.code });
  }
  errors.sort((a, b) => a.row - b.row);
  return { units, errors, warnings };
}

// ---- checklist ---------------------------------------------------------------------------------

export const CHECKLIST_PROBLEMS = [
  'NO_ROUNDS',
  'NO_RULES',
  'DRAW_UNSATISFIABLE',
  'ROUNDS_OVERLAP',
  'NO_UNITS',
  'NO_GROUP_FIELD',
] as const;
export const CHECKLIST_WARNINGS = ['NO_DESCRIPTION', 'ROUND_IN_PAST', 'NO_PREDICTION'] as const;
export type ChecklistCode = (typeof CHECKLIST_PROBLEMS)[number] | (typeof CHECKLIST_WARNINGS)[number];

/** The dictionary key of a checklist code, or null for a code this client does not know yet. */
export function checklistKey(code: string): `check.${ChecklistCode}` | null {
  const known: readonly string[] = [...CHECKLIST_PROBLEMS, ...CHECKLIST_WARNINGS];
  return known.includes(code) ? (`check.${code}` as `check.${ChecklistCode}`) : null;
}

/** Where the organiser fixes a checklist item: a section of the contest page or a round. */
export function checklistTarget(item: { code: string; roundId?: number | string | null }): string {
  if (item.roundId !== null && item.roundId !== undefined) return `/organise/rounds/${item.roundId}`;
  switch (item.code) {
    case 'NO_RULES':
    case 'NO_DESCRIPTION':
      return '#general';
    case 'NO_UNITS':
      return '#units';
    case 'NO_GROUP_FIELD':
      return '#fields';
    default:
      return '#rounds';
  }
}

// ---- rounds ------------------------------------------------------------------------------------

export interface DrawRuleDraft {
  bankId: number | null;
  tags: string[];
  difficulty: number[];
  count: number;
}

export interface DrawPreview {
  rules: { matching: number; count: number; ok: boolean }[];
  total: number;
  satisfiable: boolean;
  message: string | null;
}

export type DrawVerdict =
  | { ok: true; sum: number }
  | {
      ok: false;
      sum: number;
      reason: 'noRules' | 'noBank' | 'badCount' | 'sum' | 'unsatisfiable' | 'pending';
    };

/**
 * Whether a draw may be saved: every rule names a bank and a positive count, the counts add up
 * to the question count, and the latest preview (for these very rules) says the banks can serve
 * it.
 */
export function drawVerdict(
  rules: readonly DrawRuleDraft[],
  questionCount: number,
  preview: DrawPreview | null,
): DrawVerdict {
  const sum = rules.reduce((s, r) => s + (Number.isFinite(r.count) ? r.count : 0), 0);
  if (rules.length === 0) return { ok: false, sum, reason: 'noRules' };
  if (rules.some((r) => r.bankId === null)) return { ok: false, sum, reason: 'noBank' };
  if (rules.some((r) => !Number.isInteger(r.count) || r.count < 1))
    return { ok: false, sum, reason: 'badCount' };
  if (sum !== questionCount) return { ok: false, sum, reason: 'sum' };
  if (!preview) return { ok: false, sum, reason: 'pending' };
  if (!preview.satisfiable || preview.rules.some((r) => !r.ok))
    return { ok: false, sum, reason: 'unsatisfiable' };
  return { ok: true, sum };
}

/** The request body of a draw preview (and of a round's `draw`), without the empty parts. */
export function drawBody(rules: readonly DrawRuleDraft[]): {
  bankId: number;
  tags?: string[];
  difficulty?: number[];
  count: number;
}[] {
  return rules
    .filter((r): r is DrawRuleDraft & { bankId: number } => r.bankId !== null)
    .map((r) => ({
      bankId: r.bankId,
      ...(r.tags.length ? { tags: [...r.tags] } : {}),
      ...(r.difficulty.length ? { difficulty: [...r.difficulty].sort((a, b) => a - b) } : {}),
      count: r.count,
    }));
}

/** 900 -> {minutes: 15, seconds: 0}. */
export function splitSeconds(total: number): { minutes: number; seconds: number } {
  const t = Math.max(0, Math.round(total));
  return { minutes: Math.floor(t / 60), seconds: t % 60 };
}

export const DEFAULT_PRIZE_BANDS: readonly { name: string; count: number }[] = [
  { name: 'Giải Nhất', count: 1 },
  { name: 'Giải Nhì', count: 2 },
  { name: 'Giải Ba', count: 3 },
  { name: 'Giải Khuyến khích', count: 5 },
];

/** Prompts shown to participants; contests speak Vietnamese first, so the defaults do. */
export const DEFAULT_PREDICTION_PROMPTS: Readonly<Record<'count' | 'percent', string>> = {
  count: 'Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi của vòng thi này?',
  percent: 'Dự đoán có bao nhiêu phần trăm người dự thi trả lời đúng tất cả các câu hỏi của vòng thi này?',
};

// ---- charts ------------------------------------------------------------------------------------

/** A round top for an axis and 4-5 ticks of 1, 2 or 5 times a power of ten. */
export function niceScale(max: number): { top: number; ticks: number[] } {
  const m = Math.max(1, max);
  const rough = m / 4;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((k) => k * pow).find((s) => s >= rough) ?? rough);
  const top = Math.max(step, Math.ceil(m / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return { top, ticks };
}

// ---- the contest form --------------------------------------------------------------------------

export interface StandardFieldDraft {
  key: StandardKey;
  type: FieldType;
  enabled: boolean;
  label: string;
  required: boolean;
}

export type CustomFieldType = 'text' | 'date' | 'phone' | 'select';

export interface CustomFieldDraft {
  /** A local identity for keyed lists and ids; never sent. */
  uid: number;
  key: string;
  /** Typed by hand: stop deriving it from the label. */
  keyEdited: boolean;
  label: string;
  type: CustomFieldType;
  required: boolean;
  /** Choices of a select, one per line. */
  options: string;
}

export interface GroupDraft {
  uid: number;
  key: string;
  name: string;
}

export interface ContestDraft {
  title: string;
  slug: string;
  /** Typed by hand (or the contest exists): stop deriving it from the title. */
  slugEdited: boolean;
  timeZone: string;
  description: string;
  rulesText: string;
  standard: StandardFieldDraft[];
  custom: CustomFieldDraft[];
  groups: GroupDraft[];
  units: UnitDraft[];
}

export interface ContestBody {
  slug: string;
  title: string;
  description: string;
  rulesText: string;
  timeZone: string;
  registrationFields: RegistrationField[];
  groups: { key: string; name: string }[];
  units: UnitDraft[];
}

let nextUid = 1;
export const uid = (): number => nextUid++;

export function emptyContestDraft(): ContestDraft {
  return {
    title: '',
    slug: '',
    slugEdited: false,
    timeZone: DEFAULT_ZONE,
    description: '',
    rulesText: '',
    standard: STANDARD_FIELDS.map((f) => ({
      key: f.key,
      type: f.type,
      enabled: f.key === 'fullName',
      label: f.label,
      required: f.key === 'fullName' || f.key === 'group',
    })),
    custom: [],
    groups: [],
    units: [],
  };
}

const CUSTOM_TYPES: readonly string[] = ['text', 'date', 'phone', 'select'];

/** The form for an existing contest: its standard fields switched on, the others custom. */
export function draftFromContest(c: {
  slug: string;
  title: string;
  description: string;
  rulesText: string;
  timeZone: string;
  registrationFields: readonly RegistrationField[];
  groups: readonly { key: string; name: string }[];
  units: readonly { code: string; name: string; parentCode?: string | null; headcount?: number | null }[];
}): ContestDraft {
  const byKey = new Map(c.registrationFields.map((f) => [f.key, f]));
  return {
    title: c.title,
    slug: c.slug,
    slugEdited: true,
    timeZone: c.timeZone || DEFAULT_ZONE,
    description: c.description ?? '',
    rulesText: c.rulesText ?? '',
    standard: STANDARD_FIELDS.map((f) => {
      const found = byKey.get(f.key);
      return {
        key: f.key,
        type: f.type,
        enabled: f.key === 'fullName' || (f.key === 'group' ? c.groups.length > 0 : !!found),
        label: found?.label || f.label,
        required: f.key === 'fullName' || f.key === 'group' || (found?.required ?? false),
      };
    }),
    custom: c.registrationFields
      .filter((f) => !STANDARD_KEYS.has(f.key))
      .map((f) => ({
        uid: uid(),
        key: f.key,
        keyEdited: true,
        label: f.label,
        type: (CUSTOM_TYPES.includes(f.type) ? f.type : 'text') as CustomFieldType,
        required: f.required,
        options: (f.options ?? []).join('\n'),
      })),
    groups: c.groups.map((g) => ({ uid: uid(), key: g.key, name: g.name })),
    units: c.units.map((u) => ({
      code: u.code,
      name: u.name,
      parentCode: u.parentCode ?? null,
      headcount: u.headcount ?? null,
    })),
  };
}

export const optionLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The registration fields to send: the standard ones switched on, in their usual order, then the
 * custom ones. The group field follows the groups (a select of their keys, required), as the
 * server wants one exactly when there are groups.
 */
export function registrationFieldsOf(d: ContestDraft): RegistrationField[] {
  const hasGroups = d.groups.length > 0;
  const out: RegistrationField[] = [];
  for (const f of d.standard) {
    if (f.key === 'group') {
      if (hasGroups) {
        out.push({
          key: 'group',
          label: f.label.trim(),
          type: 'select',
          required: true,
          options: d.groups.map((g) => g.key.trim()),
        });
      }
      continue;
    }
    if (f.key !== 'fullName' && !f.enabled) continue;
    out.push({
      key: f.key,
      label: f.label.trim(),
      type: f.type,
      required: f.key === 'fullName' || f.required,
    });
  }
  for (const f of d.custom) {
    const field: RegistrationField = {
      key: f.key.trim(),
      label: f.label.trim(),
      type: f.type,
      required: f.required,
    };
    if (f.type === 'select') field.options = optionLines(f.options);
    out.push(field);
  }
  return out;
}

export function contestBody(d: ContestDraft): ContestBody {
  return {
    slug: d.slug.trim(),
    title: d.title.trim(),
    description: d.description,
    rulesText: d.rulesText,
    timeZone: d.timeZone,
    registrationFields: registrationFieldsOf(d),
    groups: d.groups.map((g) => ({ key: g.key.trim(), name: g.name.trim() })),
    units: d.units.map((u) => ({ ...u })),
  };
}

/** The parts of `body` that differ from `baseline` (what a PATCH sends). */
export function changedParts(body: ContestBody, baseline: ContestBody): Partial<ContestBody> {
  const out: Partial<Record<keyof ContestBody, unknown>> = {};
  for (const key of Object.keys(body) as (keyof ContestBody)[]) {
    if (JSON.stringify(body[key]) !== JSON.stringify(baseline[key])) out[key] = body[key];
  }
  return out as Partial<ContestBody>;
}

export type DraftProblem =
  | 'required'
  | 'tooLong'
  | 'slug'
  | 'zone'
  | 'keyPattern'
  | 'keyTaken'
  | 'keyReserved'
  | 'options'
  | 'groupKey'
  | 'groupKeyTaken'
  | 'units';

/**
 * What the server would refuse in the form, by where it is: `title`, `slug`, `timeZone`,
 * `standard.<key>.label`, `custom.<uid>.label|key|options`, `group.<uid>.key|name`, `units`.
 */
export function draftProblems(d: ContestDraft): Record<string, DraftProblem> {
  const p: Record<string, DraftProblem> = {};
  const title = d.title.trim();
  if (!title) p.title = 'required';
  else if (title.length > 300) p.title = 'tooLong';
  if (!isValidSlug(d.slug.trim())) p.slug = d.slug.trim() ? 'slug' : 'required';
  if (!isValidTimeZone(d.timeZone)) p.timeZone = 'zone';
  for (const f of d.standard) {
    const active = f.enabled || f.key === 'fullName' || (f.key === 'group' && d.groups.length > 0);
    if (!active) continue;
    if (!f.label.trim()) p[`standard.${f.key}.label`] = 'required';
    else if (f.label.trim().length > 200) p[`standard.${f.key}.label`] = 'tooLong';
  }
  const keys = new Set<string>();
  for (const f of d.custom) {
    const key = f.key.trim();
    if (!f.label.trim()) p[`custom.${f.uid}.label`] = 'required';
    else if (f.label.trim().length > 200) p[`custom.${f.uid}.label`] = 'tooLong';
    if (!FIELD_KEY_PATTERN.test(key)) p[`custom.${f.uid}.key`] = 'keyPattern';
    else if (STANDARD_KEYS.has(key)) p[`custom.${f.uid}.key`] = 'keyReserved';
    else if (keys.has(key)) p[`custom.${f.uid}.key`] = 'keyTaken';
    keys.add(key);
    if (f.type === 'select') {
      const opts = optionLines(f.options);
      if (opts.length === 0 || opts.length > 200 || opts.some((o) => o.length > 200))
        p[`custom.${f.uid}.options`] = 'options';
    }
  }
  const groupKeys = new Set<string>();
  for (const g of d.groups) {
    const key = g.key.trim();
    if (!GROUP_KEY_PATTERN.test(key)) p[`group.${g.uid}.key`] = 'groupKey';
    else if (groupKeys.has(key)) p[`group.${g.uid}.key`] = 'groupKeyTaken';
    groupKeys.add(key);
    if (!g.name.trim()) p[`group.${g.uid}.name`] = 'required';
    else if (g.name.trim().length > 200) p[`group.${g.uid}.name`] = 'tooLong';
  }
  if (unitProblems(d.units).length > 0) p.units = 'units';
  return p;
}

// ---- the round form ------------------------------------------------------------------------

export type Visibility = 'immediately' | 'after_close' | 'never';
export type PredictionChoice = 'none' | 'count' | 'percent';

export interface RuleDraft extends DrawRuleDraft {
  uid: number;
}

export interface PrizeDraft {
  uid: number;
  name: string;
  count: number;
}

export interface RoundDraft {
  title: string;
  /** Wall times in the contest's zone, as datetime-local inputs hold them. */
  opensAt: string;
  closesAt: string;
  limitMinutes: number;
  limitSeconds: number;
  questionCount: number;
  maxAttempts: number;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  rules: RuleDraft[];
  prediction: PredictionChoice;
  predictionPrompt: string;
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  prizes: PrizeDraft[];
}

export interface RoundSource {
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: readonly {
    bankId: number;
    tags?: readonly string[];
    difficulty?: readonly number[];
    count: number;
  }[];
  prediction: { prompt: string; kind: 'count' | 'percent' } | null;
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  prizeBands: readonly { name: string; count: number }[];
}

export interface RoundBody {
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: { bankId: number; tags?: string[]; difficulty?: number[]; count: number }[];
  prediction?: { prompt: string; kind: 'count' | 'percent' };
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  prizeBands: { name: string; count: number }[];
}

/**
 * A new round's form: it opens when the contest's last round closes (rounds must not overlap),
 * or tomorrow at 08:00 in the contest's zone, for a week; 20 questions in 15 minutes, 2 attempts,
 * the usual prizes and a count prediction, as most contests of this kind run.
 */
export function newRoundDraft(opts: {
  zone: string;
  now: number;
  lastClosesAt?: string | null;
  bankId?: number | null;
}): RoundDraft {
  let opens: string;
  if (opts.lastClosesAt && Date.parse(opts.lastClosesAt) > opts.now) {
    opens = utcToZonedWallTime(opts.lastClosesAt, opts.zone);
  } else {
    const today = utcToZonedWallTime(new Date(opts.now).toISOString(), opts.zone).slice(0, 10);
    opens = addDaysToWall(`${today}T08:00`, 1);
  }
  return {
    title: '',
    opensAt: opens,
    closesAt: addDaysToWall(opens, 7),
    limitMinutes: 15,
    limitSeconds: 0,
    questionCount: 20,
    maxAttempts: 2,
    shuffleQuestions: true,
    shuffleOptions: true,
    partialCredit: false,
    rules: [{ uid: uid(), bankId: opts.bankId ?? null, tags: [], difficulty: [], count: 20 }],
    prediction: 'count',
    predictionPrompt: DEFAULT_PREDICTION_PROMPTS.count,
    showAnswers: 'after_close',
    showLeaderboard: 'immediately',
    prizes: DEFAULT_PRIZE_BANDS.map((p) => ({ uid: uid(), ...p })),
  };
}

export function roundDraftFrom(r: RoundSource, zone: string): RoundDraft {
  const limit = splitSeconds(r.timeLimitSec);
  return {
    title: r.title,
    opensAt: utcToZonedWallTime(r.opensAt, zone),
    closesAt: utcToZonedWallTime(r.closesAt, zone),
    limitMinutes: limit.minutes,
    limitSeconds: limit.seconds,
    questionCount: r.questionCount,
    maxAttempts: r.maxAttempts,
    shuffleQuestions: r.shuffleQuestions,
    shuffleOptions: r.shuffleOptions,
    partialCredit: r.partialCredit,
    rules: r.draw.map((d) => ({
      uid: uid(),
      bankId: d.bankId,
      tags: [...(d.tags ?? [])],
      difficulty: [...(d.difficulty ?? [])],
      count: d.count,
    })),
    prediction: r.prediction?.kind ?? 'none',
    predictionPrompt: r.prediction?.prompt ?? '',
    showAnswers: r.showAnswers,
    showLeaderboard: r.showLeaderboard,
    prizes: r.prizeBands.map((p) => ({ uid: uid(), name: p.name, count: p.count })),
  };
}

export const timeLimitOf = (d: RoundDraft): number =>
  Math.round((Number(d.limitMinutes) || 0) * 60 + (Number(d.limitSeconds) || 0));

/** The body of POST/PUT for a round, or null while a date cannot be read. */
export function roundBody(d: RoundDraft, zone: string): RoundBody | null {
  const opensAt = zonedWallTimeToUtc(d.opensAt, zone);
  const closesAt = zonedWallTimeToUtc(d.closesAt, zone);
  if (!opensAt || !closesAt) return null;
  return {
    title: d.title.trim(),
    opensAt,
    closesAt,
    timeLimitSec: timeLimitOf(d),
    questionCount: d.questionCount,
    maxAttempts: d.maxAttempts,
    draw: drawBody(d.rules),
    ...(d.prediction !== 'none'
      ? { prediction: { kind: d.prediction, prompt: d.predictionPrompt.trim() } }
      : {}),
    showAnswers: d.showAnswers,
    showLeaderboard: d.showLeaderboard,
    shuffleQuestions: d.shuffleQuestions,
    shuffleOptions: d.shuffleOptions,
    partialCredit: d.partialCredit,
    prizeBands: d.prizes.map((p) => ({ name: p.name.trim(), count: p.count })),
  };
}

export type RoundProblem =
  'required' | 'tooLong' | 'date' | 'order' | 'closesEarlier' | 'timeLimit' | 'range' | 'attemptsLower';

const isInt = (n: unknown, min: number, max: number): boolean =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

/**
 * What the server would refuse in a round form, by field: `title`, `opensAt`, `closesAt`,
 * `timeLimit`, `questionCount`, `maxAttempts`, `predictionPrompt`, `rule.<uid>.count`,
 * `prize.<uid>.name|count`. The draw itself is judged by drawVerdict. With `started` (a round
 * with attempts), the closing time may only move later and attempts only grow.
 */
export function roundProblems(
  d: RoundDraft,
  zone: string,
  started?: { closesAt: string; maxAttempts: number } | null,
): Record<string, RoundProblem> {
  const p: Record<string, RoundProblem> = {};
  const title = d.title.trim();
  if (!title) p.title = 'required';
  else if (title.length > 300) p.title = 'tooLong';
  const opens = zonedWallTimeToUtc(d.opensAt, zone);
  const closes = zonedWallTimeToUtc(d.closesAt, zone);
  if (!opens) p.opensAt = 'date';
  if (!closes) p.closesAt = 'date';
  else if (opens && Date.parse(closes) <= Date.parse(opens)) p.closesAt = 'order';
  else if (started && Date.parse(closes) < Date.parse(started.closesAt)) p.closesAt = 'closesEarlier';
  const limit = timeLimitOf(d);
  if (!(limit >= 10 && limit <= 86_400) || !Number.isInteger(limit)) p.timeLimit = 'timeLimit';
  if (!isInt(d.questionCount, 1, 500)) p.questionCount = 'range';
  if (!isInt(d.maxAttempts, 1, 100)) p.maxAttempts = 'range';
  else if (started && d.maxAttempts < started.maxAttempts) p.maxAttempts = 'attemptsLower';
  if (d.prediction !== 'none') {
    const prompt = d.predictionPrompt.trim();
    if (!prompt) p.predictionPrompt = 'required';
    else if (prompt.length > 1000) p.predictionPrompt = 'tooLong';
  }
  for (const r of d.rules) if (!isInt(r.count, 1, 500)) p[`rule.${r.uid}.count`] = 'range';
  for (const b of d.prizes) {
    const name = b.name.trim();
    if (!name) p[`prize.${b.uid}.name`] = 'required';
    else if (name.length > 100) p[`prize.${b.uid}.name`] = 'tooLong';
    if (!isInt(b.count, 1, 10_000)) p[`prize.${b.uid}.count`] = 'range';
  }
  return p;
}

/**
 * The body to send for an existing round: instants whose wall time was not touched keep their
 * exact stored value (a round may open at 08:00:30, which the minute-precision input cannot
 * say), and a started round sends back its stored draw as it is, since the server compares it
 * whole and refuses any change (409 ROUND_STARTED).
 */
export function keepUnchanged(
  body: RoundBody,
  stored: RoundSource & { attempts: number },
  zone: string,
): RoundBody {
  const out = { ...body };
  if (utcToZonedWallTime(stored.opensAt, zone) === utcToZonedWallTime(body.opensAt, zone))
    out.opensAt = stored.opensAt;
  if (utcToZonedWallTime(stored.closesAt, zone) === utcToZonedWallTime(body.closesAt, zone))
    out.closesAt = stored.closesAt;
  if (stored.attempts > 0) {
    // A copy in the stored key order: the server compares the draw as JSON text.
    out.draw = JSON.parse(JSON.stringify(stored.draw)) as RoundBody['draw'];
    out.timeLimitSec = stored.timeLimitSec;
    out.questionCount = stored.questionCount;
  }
  return out;
}

/**
 * What the form is compared with to know what changed: the contest as the form would send it,
 * except that registration fields the form normalised in substance (a missing group field, a
 * field that cannot be both) count as a change to save, while a mere reordering does not.
 */
export function baselineOf(
  contest: Parameters<typeof draftFromContest>[0],
  draft: ContestDraft = draftFromContest(contest),
): ContestBody {
  const body = contestBody(draft);
  const canonical = (fields: readonly RegistrationField[]) =>
    JSON.stringify(
      [...fields]
        .map((f) => ({
          key: f.key,
          label: f.label,
          type: f.type,
          required: f.required,
          options: f.options ?? null,
        }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
  if (canonical(body.registrationFields) !== canonical(contest.registrationFields)) {
    return { ...body, registrationFields: contest.registrationFields.map((f) => ({ ...f })) };
  }
  return body;
}
