// The organiser's side of contests and banks beyond creating them: their own lists (drafts and
// what is shared with them), sharing with other organisers, the contest editor's view, the units
// CSV, and the live dashboard of a contest.
import type { ContestRow, Repositories, ShareKind, UserRow } from '@quizarena/db';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { canManage } from './lookups.ts';
import { hasRole } from '../plugins/auth.ts';
import { roundEdit, type ContestService } from './contests.ts';
import type { BankService } from './banks.ts';
import { zoneClock } from './exports.ts';
import { detectSeparator, parseCsvRecords } from '../interchange/csv.ts';
import { decodeText } from '../interchange/text.ts';

/** Days of participation the dashboard charts. */
export const DASHBOARD_DAYS = 30;
export const MAX_UNITS_CSV_BYTES = 2 * 1024 * 1024;

const UNIT_CODE = /^[A-Za-z0-9_.-]{1,40}$/;
/** Accepted header names per column (English, Vietnamese with and without diacritics). */
const UNIT_HEADERS: Record<'code' | 'name' | 'parentCode' | 'headcount', string[]> = {
  code: ['code', 'unit_code', 'ma', 'mã', 'ma_don_vi', 'mã đơn vị'],
  name: ['name', 'unit_name', 'ten', 'tên', 'ten_don_vi', 'tên đơn vị'],
  parentCode: ['parent_code', 'parent', 'parentcode', 'ma_cha', 'mã cha', 'đơn vị cha', 'don_vi_cha'],
  headcount: ['headcount', 'members', 'so_nguoi', 'số người', 'quân số', 'quan_so', 'so_luong', 'số lượng'],
};

export interface UnitLine {
  code: string;
  name: string;
  parentCode: string | null;
  headcount: number | null;
}

/** Reads a units CSV (code, name, parent code, headcount) into units, with problems per row. */
export function parseUnitsCsv(bytes: Buffer) {
  const decoded = decodeText(bytes);
  if (!decoded.ok) return { units: [], errors: [{ row: 0, message: decoded.error }], warnings: [] };
  const { records, error } = parseCsvRecords(decoded.text, detectSeparator(decoded.text));
  if (error) return { units: [], errors: [{ row: 0, message: error }], warnings: [] };
  const errors: { row: number; message: string }[] = [];
  const warnings: { row: number; message: string }[] = [];
  const rows = records.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = rows[0]?.cells.map((c) => c.trim().toLocaleLowerCase('vi').normalize('NFC')) ?? [];
  const col = (k: keyof typeof UNIT_HEADERS) => header.findIndex((h) => UNIT_HEADERS[k].includes(h));
  const at = {
    code: col('code'),
    name: col('name'),
    parentCode: col('parentCode'),
    headcount: col('headcount'),
  };
  if (at.code < 0 || at.name < 0) {
    return {
      units: [],
      errors: [
        { row: 1, message: 'The first row must name the columns: code, name, parent_code, headcount' },
      ],
      warnings,
    };
  }
  const units: UnitLine[] = [];
  const seen = new Map<string, number>();
  for (const record of rows.slice(1)) {
    const row = record.line;
    const cell = (i: number) => (i >= 0 ? (record.cells[i] ?? '').trim() : '');
    const code = cell(at.code);
    const name = cell(at.name);
    const parent = cell(at.parentCode);
    const count = cell(at.headcount).replace(/[\s.,](?=\d{3}\b)/g, '');
    if (!UNIT_CODE.test(code)) {
      errors.push({ row, message: `"${code}" is not a valid code (letters, digits, _ . -, at most 40)` });
      continue;
    }
    if (!name) {
      errors.push({ row, message: `Unit ${code} has no name` });
      continue;
    }
    if (seen.has(code)) {
      errors.push({ row, message: `Code ${code} already appears on row ${seen.get(code)}` });
      continue;
    }
    let headcount: number | null = null;
    if (count) {
      if (!/^\d{1,9}$/.test(count))
        errors.push({ row, message: `Headcount "${count}" is not a whole number` });
      else headcount = Number(count);
    }
    seen.set(code, row);
    units.push({ code, name: name.slice(0, 300), parentCode: parent || null, headcount });
  }
  for (const u of units) {
    if (u.parentCode && !seen.has(u.parentCode)) {
      errors.push({
        row: seen.get(u.code)!,
        message: `Unit ${u.code} names an unknown parent ${u.parentCode}`,
      });
    }
    if (u.parentCode === u.code)
      errors.push({ row: seen.get(u.code)!, message: `Unit ${u.code} is its own parent` });
  }
  // A chain of parents that comes back to where it started would make the tree endless.
  const parentOf = new Map(units.map((u) => [u.code, u.parentCode]));
  for (const u of units) {
    let at = u.parentCode;
    for (let steps = 0; at && at !== u.code && steps <= units.length; steps++) at = parentOf.get(at) ?? null;
    if (at === u.code && u.parentCode !== u.code) {
      errors.push({
        row: seen.get(u.code)!,
        message: `Unit ${u.code} is its own ancestor (a cycle of parents)`,
      });
    }
  }
  if (rows.length <= 1) warnings.push({ row: 1, message: 'The file has no units below its header' });
  return { units, errors, warnings };
}

export function createAuthoringService(deps: {
  repos: Repositories;
  contests: ContestService;
  banks: BankService;
  now: () => number;
}) {
  const { repos, contests, banks, now } = deps;

  /** The bank or contest whose shares are read or changed, checked for the user. */
  const shareTarget = async (kind: ShareKind, id: number, user: UserRow, change: boolean) => {
    const row = kind === 'bank' ? await banks.ownBank(id, user) : await contests.ownContest(id, user);
    if (change && !canManage(user, row.ownerId)) {
      throw forbidden('NOT_OWNER', `Only the owner of this ${kind} can change who it is shared with`);
    }
    return row;
  };

  const contestEdit = async (contest: ContestRow, user: UserRow) => {
    const [unitRows, ownerName, entries] = await Promise.all([
      repos.contests.units(contest.id),
      repos.authoring.ownerName(contest.ownerId),
      repos.authoring.entryCount(contest.id),
    ]);
    return {
      id: contest.id,
      slug: contest.slug,
      title: contest.title,
      description: contest.description,
      rulesText: contest.rulesText,
      status: contest.status,
      timeZone: contest.timeZone,
      registrationFields: contest.registrationFields,
      groups: contest.groups,
      units: unitRows.map((u) => ({
        code: u.code,
        name: u.name,
        parentCode: u.parentCode,
        headcount: u.headcount,
      })),
      ownerId: contest.ownerId,
      ownerName,
      shared: contest.ownerId !== user.id,
      canShare: canManage(user, contest.ownerId),
      entries,
    };
  };

  return {
    async shares(kind: ShareKind, id: number, user: UserRow) {
      await shareTarget(kind, id, user, false);
      return repos.authoring.shares(kind, id);
    },
    async share(kind: ShareKind, id: number, user: UserRow, email: string) {
      const row = await shareTarget(kind, id, user, true);
      const target = await repos.users.findByEmail(email.trim().toLowerCase());
      if (!target) throw notFound('USER_NOT_FOUND', `No account has the email ${email}`);
      if (!hasRole(target, ['organiser'])) {
        throw badRequest(
          'NOT_ORGANISER',
          `${target.name} is not an organiser: an admin must give the role first`,
        );
      }
      if (target.id === row.ownerId) throw badRequest('ALREADY_OWNER', `${target.name} owns this ${kind}`);
      await repos.authoring.share(kind, id, target.id);
      return { userId: target.id, email: target.email, name: target.name };
    },
    async unshare(kind: ShareKind, id: number, user: UserRow, userId: number) {
      await shareTarget(kind, id, user, true);
      if (!(await repos.authoring.unshare(kind, id, userId))) {
        throw notFound('SHARE_NOT_FOUND', `This ${kind} is not shared with user ${userId}`);
      }
    },

    /** Contests the organiser owns or edits with others (every contest for admins). */
    async contests(user: UserRow) {
      const rows = await repos.authoring.contests(hasRole(user, ['admin']) ? null : user.id);
      return rows.map((c) => ({
        ...c,
        shared: c.ownerId !== user.id,
        createdAt: new Date(c.createdAt).toISOString(),
      }));
    },

    async contest(user: UserRow, contestId: number) {
      const contest = await contests.ownContest(contestId, user);
      const rounds = await repos.contests.roundsOf(contest.id);
      const counts = await repos.authoring.attemptCounts(rounds.map((r) => r.id));
      return {
        contest: await contestEdit(contest, user),
        rounds: rounds.map((r) => roundEdit(r, counts.get(r.id) ?? 0, now())),
      };
    },

    async updateContest(
      user: UserRow,
      contestId: number,
      input: Parameters<ContestService['updateContest']>[2],
    ) {
      const row = await contests.updateContest(user, contestId, input);
      return contestEdit(row, user);
    },

    async unitsPreview(user: UserRow, contestId: number, bytes: Buffer) {
      await contests.ownContest(contestId, user);
      if (bytes.length > MAX_UNITS_CSV_BYTES) {
        throw new AppError(413, 'FILE_TOO_LARGE', 'A units file may be at most 2 MB');
      }
      return parseUnitsCsv(bytes);
    },

    /** Live figures of a contest: entries, attempts in progress, submissions, and by day. */
    async dashboard(user: UserRow, contestId: number) {
      const contest = await repos.contests.byId(contestId);
      if (!contest) throw notFound('CONTEST_NOT_FOUND', 'No such contest');
      if (!hasRole(user, ['judge'])) await contests.ownContest(contestId, user);
      const t = now();
      const clock = zoneClock(contest.timeZone);
      const today = clock.startOfDay(t);
      // Far enough back to cover DASHBOARD_DAYS local days whatever the offset changes.
      const since = today - (DASHBOARD_DAYS - 1) * 86_400_000 - 2 * 3_600_000;
      const figures = await repos.authoring.dashboard(contest.id, today, since);
      const rounds = await repos.contests.roundsOf(contest.id);
      const perRound = new Map(figures.perRound.map((r) => [r.roundId, r]));
      const days = new Map<string, { date: string; entries: number; submissions: number }>();
      for (let d = 0; d < DASHBOARD_DAYS; d++) {
        const date = clock.date(today - (DASHBOARD_DAYS - 1 - d) * 86_400_000 + 43_200_000);
        days.set(date, { date, entries: 0, submissions: 0 });
      }
      for (const b of figures.entryBuckets) {
        const day = days.get(clock.date(b.bucket * 900_000));
        if (day) day.entries += b.n;
      }
      for (const b of figures.submitBuckets) {
        const day = days.get(clock.date(b.bucket * 900_000));
        if (day) day.submissions += b.n;
      }
      const sum = (k: 'inProgress' | 'submitted' | 'submittedToday') =>
        figures.perRound.reduce((s, r) => s + Number(r[k] ?? 0), 0);
      return {
        now: new Date(t).toISOString(),
        timeZone: contest.timeZone,
        entries: figures.entries,
        inProgress: sum('inProgress'),
        submittedToday: sum('submittedToday'),
        submitted: sum('submitted'),
        rounds: rounds.map((r) => {
          const f = perRound.get(r.id);
          return {
            id: r.id,
            title: r.title,
            state: roundEdit(r, 0, t).state,
            inProgress: Number(f?.inProgress ?? 0),
            submitted: Number(f?.submitted ?? 0),
            participants: Number(f?.participants ?? 0),
          };
        }),
        participation: [...days.values()],
      };
    },
  };
}

export type AuthoringService = ReturnType<typeof createAuthoringService>;
