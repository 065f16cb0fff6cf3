// Contests, rounds, entries and question banks: the organiser's authoring rules and the
// participant's view of a contest.
import type {
  ContestGroup,
  ContestRow,
  DrawRule,
  NewUnit,
  RegistrationField,
  Repositories,
  RoundRow,
  UserRow,
  Visibility,
} from '@quizarena/db';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import { canManage, roundWithContest } from './lookups.ts';
import { drawQuestions, DrawUnsatisfiableError } from '../rules/draw.ts';
import { hasRole } from '../plugins/auth.ts';
import { roundState, type AttemptService } from './attempts.ts';
import type { BankService } from './banks.ts';

export interface RoundInput {
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: DrawRule[];
  prediction?: { prompt: string; kind: 'count' | 'percent' };
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  shuffleQuestions?: boolean;
  shuffleOptions?: boolean;
  partialCredit?: boolean;
  prizeBands?: { name: string; count: number }[];
}

export interface ContestInput {
  slug: string;
  title: string;
  description?: string;
  rulesText?: string;
  timeZone?: string;
  registrationFields?: RegistrationField[];
  groups?: ContestGroup[];
  units?: { code: string; name: string; parentCode?: string | null; headcount?: number | null }[];
}

const DEFAULT_FIELDS: RegistrationField[] = [
  { key: 'fullName', label: 'Họ và tên / Full name', type: 'text', required: true },
];

const validTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export function createContestService(deps: {
  repos: Repositories;
  attempts: AttemptService;
  banks: BankService;
  now: () => number;
}) {
  const { repos, attempts, banks, now } = deps;

  const ownContest = async (contestId: number, user: UserRow): Promise<ContestRow> => {
    const contest = await repos.contests.byId(contestId);
    if (!contest || !canManage(user, contest.ownerId)) throw notFound('CONTEST_NOT_FOUND', 'No such contest');
    return contest;
  };

  /** Checks a draw against the banks now (the same matching an attempt start runs). */
  const checkDraw = async (draw: DrawRule[], questionCount: number, user: UserRow) => {
    const total = draw.reduce((s, r) => s + r.count, 0);
    if (total !== questionCount) {
      throw badRequest(
        'BAD_DRAW',
        `The draw rules add up to ${total} questions, not questionCount ${questionCount}`,
      );
    }
    const pools = [];
    for (const rule of draw) {
      await banks.ownBank(rule.bankId, user).catch(() => {
        throw badRequest('BAD_DRAW', `Bank ${rule.bankId} does not exist or is not yours`);
      });
      pools.push({ candidates: await repos.banks.candidateIds(rule), count: rule.count });
    }
    try {
      drawQuestions(pools, 'validation');
    } catch (err) {
      if (err instanceof DrawUnsatisfiableError) {
        throw badRequest('DRAW_UNSATISFIABLE', `The banks cannot satisfy this draw: ${err.message}`);
      }
      throw err;
    }
  };

  const roundView = async (round: RoundRow, contest: ContestRow, user: UserRow | null) => ({
    id: round.id,
    contestId: round.contestId,
    contestSlug: contest.slug,
    contestTitle: contest.title,
    timeZone: contest.timeZone,
    groups: contest.groups,
    title: round.title,
    opensAt: new Date(round.opensAt).toISOString(),
    closesAt: new Date(round.closesAt).toISOString(),
    timeLimitSec: round.timeLimitSec,
    questionCount: round.questionCount,
    maxAttempts: round.maxAttempts,
    prediction:
      round.predictionKind && round.predictionPrompt
        ? { prompt: round.predictionPrompt, kind: round.predictionKind }
        : null,
    showAnswers: round.showAnswers,
    showLeaderboard: round.showLeaderboard,
    state: roundState(round, now()),
    resultsStatus: round.resultsStatus,
    me: user ? await attempts.mine(round, user) : null,
  });

  const entryView = (e: {
    id: number;
    fullName: string;
    unitCode: string | null;
    groupKey: string | null;
    fields: Record<string, string>;
  }) => ({
    id: e.id,
    fullName: e.fullName,
    unitCode: e.unitCode,
    groupKey: e.groupKey,
    fields: e.fields,
  });

  /** Drafts are visible to their owner and admins only. */
  const visibleContest = async (slug: string, user: UserRow | null): Promise<ContestRow> => {
    const contest = await repos.contests.bySlug(slug);
    if (!contest || (contest.status === 'draft' && !(user && canManage(user, contest.ownerId)))) {
      throw notFound('CONTEST_NOT_FOUND', 'No such contest');
    }
    return contest;
  };

  return {
    canManage,
    ownContest,

    async createContest(user: UserRow, input: ContestInput) {
      const fields = [...(input.registrationFields ?? DEFAULT_FIELDS)];
      // Participants pick their group at registration: a contest with groups always asks for it.
      if ((input.groups ?? []).length > 0 && !fields.some((f) => f.key === 'group')) {
        fields.push({
          key: 'group',
          label: 'Bảng thi / Division',
          type: 'select',
          required: true,
          options: input.groups!.map((g) => g.key),
        });
      }
      const keys = new Set<string>();
      for (const f of fields) {
        if (keys.has(f.key)) throw badRequest('BAD_FIELDS', `Registration field ${f.key} appears twice`);
        keys.add(f.key);
        if (f.type === 'select' && (!f.options || f.options.length === 0)) {
          throw badRequest('BAD_FIELDS', `Field ${f.key} is a select and needs options`);
        }
      }
      if (!keys.has('fullName')) {
        throw badRequest('BAD_FIELDS', 'The registration fields must include fullName');
      }
      const groups = input.groups ?? [];
      if (new Set(groups.map((g) => g.key)).size !== groups.length) {
        throw badRequest('BAD_GROUPS', 'Two groups have the same key');
      }
      const unitList: NewUnit[] = (input.units ?? []).map((u) => ({
        code: u.code,
        name: u.name,
        parentCode: u.parentCode ?? null,
        headcount: u.headcount ?? null,
      }));
      const codes = new Set(unitList.map((u) => u.code));
      if (codes.size !== unitList.length) throw badRequest('BAD_UNITS', 'Two units have the same code');
      for (const u of unitList) {
        if (u.parentCode && !codes.has(u.parentCode)) {
          throw badRequest('BAD_UNITS', `Unit ${u.code} names an unknown parent ${u.parentCode}`);
        }
      }
      const timeZone = input.timeZone ?? 'Asia/Ho_Chi_Minh';
      if (!validTimeZone(timeZone)) throw badRequest('BAD_TIME_ZONE', `Unknown time zone ${timeZone}`);
      if (await repos.contests.bySlug(input.slug))
        throw conflict('SLUG_TAKEN', 'Another contest has this slug');
      const row = await repos.contests.create(
        {
          ownerId: user.id,
          slug: input.slug,
          title: input.title.trim(),
          description: input.description ?? '',
          rulesText: input.rulesText ?? '',
          timeZone,
          registrationFields: fields,
          groups,
          status: 'draft',
        },
        unitList,
      );
      return { id: row.id, slug: row.slug };
    },

    async createRound(user: UserRow, contestId: number, input: RoundInput) {
      const contest = await ownContest(contestId, user);
      if (contest.status === 'closed') throw conflict('CONTEST_CLOSED', 'This contest is closed');
      const opensAt = Date.parse(input.opensAt);
      const closesAt = Date.parse(input.closesAt);
      if (!(closesAt > opensAt)) throw badRequest('BAD_SCHEDULE', 'closesAt must come after opensAt');
      await checkDraw(input.draw, input.questionCount, user);
      const round = await repos.contests.createRound({
        contestId,
        title: input.title.trim(),
        opensAt,
        closesAt,
        timeLimitSec: input.timeLimitSec,
        questionCount: input.questionCount,
        maxAttempts: input.maxAttempts,
        shuffleQuestions: input.shuffleQuestions ?? true,
        shuffleOptions: input.shuffleOptions ?? true,
        partialCredit: input.partialCredit ?? false,
        draw: input.draw,
        predictionPrompt: input.prediction?.prompt ?? null,
        predictionKind: input.prediction?.kind ?? null,
        showAnswers: input.showAnswers,
        showLeaderboard: input.showLeaderboard,
        prizeBands: input.prizeBands ?? [],
      });
      return { id: round.id };
    },

    async publish(user: UserRow, contestId: number) {
      const contest = await ownContest(contestId, user);
      const rounds = await repos.contests.roundsOf(contestId);
      if (rounds.length === 0)
        throw conflict('NOT_READY', 'A contest needs at least one round to be published');
      const row = await repos.contests.setStatus(contest.id, 'published');
      return { id: contest.id, slug: contest.slug, status: row!.status };
    },

    async list() {
      const rows = await repos.contests.listVisible();
      return Promise.all(
        rows.map(async (c) => ({
          id: c.id,
          slug: c.slug,
          title: c.title,
          description: c.description,
          status: c.status,
          timeZone: c.timeZone,
          rounds: (await repos.contests.roundsOf(c.id)).length,
        })),
      );
    },

    async detail(slug: string, user: UserRow | null) {
      const contest = await visibleContest(slug, user);
      const [unitRows, roundRows, entry] = await Promise.all([
        repos.contests.units(contest.id),
        repos.contests.roundsOf(contest.id),
        user ? repos.contests.entry(contest.id, user.id) : Promise.resolve(undefined),
      ]);
      return {
        contest: {
          id: contest.id,
          slug: contest.slug,
          title: contest.title,
          description: contest.description,
          rulesText: contest.rulesText,
          status: contest.status,
          timeZone: contest.timeZone,
          registrationFields: contest.registrationFields,
          groups: contest.groups,
          units: unitRows.map((u) => ({ code: u.code, name: u.name, parentCode: u.parentCode })),
          rounds: await Promise.all(roundRows.map((r) => roundView(r, contest, user))),
        },
        entry: entry ? entryView(entry) : null,
        now: new Date(now()).toISOString(),
      };
    },

    async round(roundId: number, user: UserRow | null) {
      const { round, contest } = await roundWithContest(repos, roundId);
      if (contest.status === 'draft' && !(user && canManage(user, contest.ownerId))) {
        throw notFound('ROUND_NOT_FOUND', 'No such round');
      }
      return { round: await roundView(round, contest, user), now: new Date(now()).toISOString() };
    },

    /** Registers (or updates the registration of) a participant; required fields enforced. */
    async enter(slug: string, user: UserRow, fields: Record<string, string>) {
      const contest = await visibleContest(slug, user);
      if (contest.status !== 'published')
        throw conflict('CONTEST_NOT_OPEN', 'This contest is not taking entries');
      const unitCodes = new Set((await repos.contests.units(contest.id)).map((u) => u.code));
      const clean: Record<string, string> = {};
      const problems: string[] = [];
      const declared = new Set(contest.registrationFields.map((f) => f.key));
      for (const key of Object.keys(fields)) {
        if (!declared.has(key)) problems.push(`${key}: not a field of this contest`);
      }
      for (const f of contest.registrationFields) {
        const value = (fields[f.key] ?? '').trim().normalize('NFC');
        if (!value) {
          if (f.required) problems.push(`${f.key}: required`);
          continue;
        }
        if (value.length > 300) problems.push(`${f.key}: too long`);
        else if (f.key === 'group') {
          if (!contest.groups.some((g) => g.key === value))
            problems.push(`group: not one of the contest's groups`);
        } else if (f.type === 'date') {
          const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
          const parsed = d ? new Date(`${value}T00:00:00Z`) : null;
          if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
            problems.push(`${f.key}: expected a date YYYY-MM-DD`);
          } else if (parsed.getTime() > now()) problems.push(`${f.key}: in the future`);
        } else if (f.type === 'phone') {
          if (!/^\+?[0-9 .-]{8,20}$/.test(value) || value.replace(/\D/g, '').length < 8) {
            problems.push(`${f.key}: expected a phone number`);
          }
        } else if (f.type === 'select') {
          if (!f.options?.includes(value)) problems.push(`${f.key}: not one of the choices`);
        } else if (f.type === 'unit') {
          if (!unitCodes.has(value)) problems.push(`${f.key}: unknown unit`);
        }
        clean[f.key] = value;
      }
      if (contest.groups.length > 0 && !clean.group) problems.push('group: required');
      if (problems.length > 0) {
        throw new AppError(400, 'BAD_ENTRY', `Check the registration form: ${problems.join('; ')}`, {
          fields: problems,
        });
      }
      const unitField = contest.registrationFields.find((f) => f.type === 'unit');
      const row = {
        fullName: clean.fullName ?? user.name,
        unitCode: unitField ? (clean[unitField.key] ?? null) : null,
        groupKey: clean.group ?? null,
        fields: clean,
      };
      const existing = await repos.contests.entry(contest.id, user.id);
      if (existing) {
        const rounds = await repos.contests.roundsOf(contest.id);
        for (const r of rounds) {
          if ((await repos.attempts.ofParticipant(r.id, user.id)).length > 0) {
            throw conflict('ENTRY_LOCKED', 'The registration cannot change after an attempt has been taken');
          }
        }
        return { created: false, entry: entryView((await repos.contests.updateEntry(existing.id, row))!) };
      }
      return {
        created: true,
        entry: entryView(
          await repos.contests.createEntry({ contestId: contest.id, userId: user.id, ...row }),
        ),
      };
    },

    /** Who may see a round's leaderboard now. */
    async leaderboardAllowed(roundId: number, user: UserRow | null) {
      const { round, contest } = await roundWithContest(repos, roundId);
      if (user && (hasRole(user, ['judge']) || canManage(user, contest.ownerId))) return round;
      if (contest.status === 'draft') throw notFound('ROUND_NOT_FOUND', 'No such round');
      const t = now();
      const open =
        round.showLeaderboard === 'immediately' ||
        (round.showLeaderboard === 'after_close' && t >= round.closesAt);
      if (!open) throw forbidden('LEADERBOARD_HIDDEN', 'The leaderboard of this round is not shown now');
      return round;
    },
  };
}

export type ContestService = ReturnType<typeof createContestService>;
