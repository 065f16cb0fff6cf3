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
import { canEdit, roundWithContest } from './lookups.ts';
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

/** What participants and organisers alike see of a round. */
function roundCommon(round: RoundRow, t: number) {
  return {
    id: round.id,
    contestId: round.contestId,
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
    state: roundState(round, t),
    resultsStatus: round.resultsStatus,
  };
}

/** A round as its organiser entered it (RoundEdit in docs/api.md). */
export function roundEdit(round: RoundRow, attempts: number, t: number) {
  return {
    ...roundCommon(round, t),
    draw: round.draw,
    shuffleQuestions: round.shuffleQuestions,
    shuffleOptions: round.shuffleOptions,
    partialCredit: round.partialCredit,
    prizeBands: round.prizeBands,
    attempts,
  };
}

/** Two draws are the same rules when each rule asks the same (key order and tag order aside). */
export function sameDraw(a: DrawRule[], b: DrawRule[]): boolean {
  const norm = (rules: DrawRule[]) =>
    JSON.stringify(
      rules.map((r) => [
        r.bankId,
        r.count,
        [...(r.tags ?? [])].sort(),
        [...(r.difficulty ?? [])].sort((x, y) => x - y),
      ]),
    );
  return norm(a) === norm(b);
}

/** Checks and normalises the parts of a contest that must agree with each other. */
export function checkContestShape(
  registrationFields: RegistrationField[],
  groups: ContestGroup[],
  units: ContestInput['units'] & object,
  timeZone: string,
) {
  const fields = [...registrationFields];
  // Participants pick their group at registration: a contest with groups always asks for it, and
  // the field offers exactly the groups there are.
  const groupField = fields.findIndex((f) => f.key === 'group');
  if (groups.length > 0) {
    const field: RegistrationField = {
      key: 'group',
      label: groupField >= 0 ? fields[groupField]!.label : 'Bảng thi / Division',
      type: 'select',
      required: true,
      options: groups.map((g) => g.key),
    };
    if (groupField >= 0) fields[groupField] = field;
    else fields.push(field);
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
  if (new Set(groups.map((g) => g.key)).size !== groups.length) {
    throw badRequest('BAD_GROUPS', 'Two groups have the same key');
  }
  const unitList: NewUnit[] = units.map((u) => ({
    code: u.code,
    name: u.name.trim(),
    parentCode: u.parentCode ?? null,
    headcount: u.headcount ?? null,
  }));
  const codes = new Set(unitList.map((u) => u.code));
  if (codes.size !== unitList.length) throw badRequest('BAD_UNITS', 'Two units have the same code');
  const parents = new Map(unitList.map((u) => [u.code, u.parentCode]));
  for (const u of unitList) {
    if (u.parentCode && !codes.has(u.parentCode)) {
      throw badRequest('BAD_UNITS', `Unit ${u.code} names an unknown parent ${u.parentCode}`);
    }
    // Walk up: a cycle would make the tree endless.
    let at: string | null | undefined = u.parentCode;
    for (let steps = 0; at; steps++) {
      if (at === u.code || steps > unitList.length) {
        throw badRequest('BAD_UNITS', `Unit ${u.code} is its own ancestor`);
      }
      at = parents.get(at);
    }
  }
  if (!validTimeZone(timeZone)) throw badRequest('BAD_TIME_ZONE', `Unknown time zone ${timeZone}`);
  return { fields, groups, units: unitList, timeZone };
}

export function createContestService(deps: {
  repos: Repositories;
  attempts: AttemptService;
  banks: BankService;
  now: () => number;
}) {
  const { repos, attempts, banks, now } = deps;

  const ownContest = async (contestId: number, user: UserRow): Promise<ContestRow> => {
    const contest = await repos.contests.byId(contestId);
    if (!contest || !(await canEdit(repos, 'contest', user, contest))) {
      throw notFound('CONTEST_NOT_FOUND', 'No such contest');
    }
    return contest;
  };

  /** Drafts are seen only by those who edit them. */
  const hiddenDraft = async (contest: ContestRow, user: UserRow | null): Promise<boolean> =>
    contest.status === 'draft' && !(user && (await canEdit(repos, 'contest', user, contest)));

  /**
   * How many active questions each rule matches now, and whether the rules can all be met at once
   * (rules may share questions: the same matching an attempt start runs decides).
   */
  const drawReport = async (draw: DrawRule[]) => {
    const pools = [];
    const rules = [];
    for (const rule of draw) {
      const candidates = await repos.banks.candidateIds(rule);
      pools.push({ candidates, count: rule.count });
      rules.push({ matching: candidates.length, count: rule.count, ok: candidates.length >= rule.count });
    }
    let message: string | null = null;
    try {
      drawQuestions(pools, 'validation');
    } catch (err) {
      if (!(err instanceof DrawUnsatisfiableError)) throw err;
      message = err.message;
    }
    return { rules, total: draw.reduce((s, r) => s + r.count, 0), satisfiable: message === null, message };
  };

  /** Checks a draw the user is saving: their banks, active ones, adding up, satisfiable now. */
  const checkDraw = async (draw: DrawRule[], questionCount: number, user: UserRow | null) => {
    const total = draw.reduce((s, r) => s + r.count, 0);
    if (total !== questionCount) {
      throw badRequest(
        'BAD_DRAW',
        `The draw rules add up to ${total} questions, not questionCount ${questionCount}`,
      );
    }
    for (const rule of draw) {
      if (!user) continue;
      const bank = await banks.ownBank(rule.bankId, user).catch(() => {
        throw badRequest('BAD_DRAW', `Bank ${rule.bankId} does not exist or is not yours`);
      });
      if (bank.status === 'retired') throw badRequest('BAD_DRAW', `Bank "${bank.name}" is retired`);
    }
    const report = await drawReport(draw);
    if (!report.satisfiable) {
      throw badRequest('DRAW_UNSATISFIABLE', `The banks cannot satisfy this draw: ${report.message}`);
    }
  };

  /** Everything that stops a contest from going live, and what merely deserves a look. */
  const checklist = async (contest: ContestRow) => {
    type Item = { code: string; message: string; roundId: number | null };
    const problems: Item[] = [];
    const warnings: Item[] = [];
    const roundRows = await repos.contests.roundsOf(contest.id);
    const t = now();
    if (roundRows.length === 0) {
      problems.push({ code: 'NO_ROUNDS', message: 'The contest has no rounds', roundId: null });
    }
    if (!contest.rulesText.trim()) {
      problems.push({ code: 'NO_RULES', message: 'The rules text is empty', roundId: null });
    }
    if (!contest.description.trim()) {
      warnings.push({ code: 'NO_DESCRIPTION', message: 'The description is empty', roundId: null });
    }
    if (contest.registrationFields.some((f) => f.type === 'unit')) {
      if ((await repos.contests.units(contest.id)).length === 0) {
        problems.push({
          code: 'NO_UNITS',
          message: 'Participants must pick a unit, but the contest has no units',
          roundId: null,
        });
      }
    }
    if (contest.groups.length > 0 && !contest.registrationFields.some((f) => f.key === 'group')) {
      problems.push({
        code: 'NO_GROUP_FIELD',
        message: 'The contest has groups but no registration field "group" to pick one',
        roundId: null,
      });
    }
    let latest: RoundRow | null = null;
    for (const round of roundRows) {
      // roundsOf orders by opening time: a round opening before an earlier one closes overlaps it.
      if (latest && round.opensAt < latest.closesAt) {
        problems.push({
          code: 'ROUNDS_OVERLAP',
          message: `"${round.title}" opens before "${latest.title}" closes`,
          roundId: round.id,
        });
      }
      if (!latest || round.closesAt > latest.closesAt) latest = round;
      if (round.closesAt <= t) {
        warnings.push({
          code: 'ROUND_IN_PAST',
          message: `"${round.title}" has already closed`,
          roundId: round.id,
        });
        continue;
      }
      const report = await drawReport(round.draw);
      if (!report.satisfiable || report.total !== round.questionCount) {
        problems.push({
          code: 'DRAW_UNSATISFIABLE',
          message: `"${round.title}": ${report.message ?? `the rules draw ${report.total} questions, not ${round.questionCount}`}`,
          roundId: round.id,
        });
      }
      if (!round.predictionKind) {
        warnings.push({
          code: 'NO_PREDICTION',
          message: `"${round.title}" has no prediction question to break ties`,
          roundId: round.id,
        });
      }
    }
    return { ready: problems.length === 0, problems, warnings };
  };

  const roundView = async (round: RoundRow, contest: ContestRow, user: UserRow | null) => ({
    ...roundCommon(round, now()),
    contestSlug: contest.slug,
    contestTitle: contest.title,
    timeZone: contest.timeZone,
    groups: contest.groups,
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
    if (!contest || (await hiddenDraft(contest, user))) {
      throw notFound('CONTEST_NOT_FOUND', 'No such contest');
    }
    return contest;
  };

  return {
    ownContest,
    checkDraw,

    async createContest(user: UserRow, input: ContestInput) {
      const shape = checkContestShape(
        input.registrationFields ?? DEFAULT_FIELDS,
        input.groups ?? [],
        input.units ?? [],
        input.timeZone ?? 'Asia/Ho_Chi_Minh',
      );
      if (await repos.contests.bySlug(input.slug))
        throw conflict('SLUG_TAKEN', 'Another contest has this slug');
      const row = await repos.contests.create(
        {
          ownerId: user.id,
          slug: input.slug,
          title: input.title.trim(),
          description: input.description ?? '',
          rulesText: input.rulesText ?? '',
          timeZone: shape.timeZone,
          registrationFields: shape.fields,
          groups: shape.groups,
          status: 'draft',
        },
        shape.units,
      );
      return { id: row.id, slug: row.slug };
    },

    /** Changes a contest: any field of the create body; units given replace the whole tree. */
    async updateContest(user: UserRow, contestId: number, input: Partial<ContestInput>) {
      const contest = await ownContest(contestId, user);
      if (input.slug !== undefined && input.slug !== contest.slug) {
        if (contest.status !== 'draft') {
          throw conflict('CONTEST_PUBLISHED', 'The address (slug) of a published contest cannot change');
        }
        if (await repos.authoring.slugTaken(input.slug, contest.id)) {
          throw conflict('SLUG_TAKEN', 'Another contest has this slug');
        }
      }
      const currentUnits = await repos.contests.units(contest.id);
      const groupsGiven = input.groups !== undefined;
      const shape = checkContestShape(
        input.registrationFields ??
          (groupsGiven
            ? contest.registrationFields.filter((f) => f.key !== 'group')
            : contest.registrationFields),
        input.groups ?? contest.groups,
        input.units ?? currentUnits,
        input.timeZone ?? contest.timeZone,
      );
      if (input.units || input.groups) {
        const used = await repos.authoring.usedCodes(contest.id);
        const keptUnits = new Set(shape.units.map((u) => u.code));
        const lostUnit = [...used.units].find((c) => !keptUnits.has(c));
        if (input.units && lostUnit) {
          throw conflict(
            'UNIT_IN_USE',
            `Unit ${lostUnit} is chosen by participants' entries and cannot be removed`,
          );
        }
        const keptGroups = new Set(shape.groups.map((g) => g.key));
        const lostGroup = [...used.groups].find((g) => !keptGroups.has(g));
        if (input.groups && lostGroup) {
          throw conflict(
            'GROUP_IN_USE',
            `Group ${lostGroup} is chosen by participants' entries and cannot be removed`,
          );
        }
      }
      const row = await repos.authoring.updateContest(
        contest.id,
        {
          ...(input.slug !== undefined ? { slug: input.slug } : {}),
          ...(input.title !== undefined ? { title: input.title.trim() } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.rulesText !== undefined ? { rulesText: input.rulesText } : {}),
          timeZone: shape.timeZone,
          registrationFields: shape.fields,
          groups: shape.groups,
        },
        input.units ? shape.units : undefined,
      );
      return row;
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

    /** The organiser's view of a round, with its settings as entered. */
    roundEdit: (round: RoundRow, attemptCount: number) => roundEdit(round, attemptCount, now()),

    async getRoundForEdit(user: UserRow, roundId: number) {
      const { round, contest } = await roundWithContest(repos, roundId);
      await ownContest(contest.id, user).catch(() => {
        throw notFound('ROUND_NOT_FOUND', 'No such round');
      });
      return {
        round: roundEdit(round, await repos.authoring.attemptCount(round.id), now()),
        contest: {
          id: contest.id,
          slug: contest.slug,
          title: contest.title,
          timeZone: contest.timeZone,
          status: contest.status,
        },
      };
    },

    /**
     * Replaces a round's settings. Once attempts exist, only what cannot change an attempt already
     * made may change: the title, a later close, more attempts, visibility and prizes.
     */
    async updateRound(user: UserRow, roundId: number, input: RoundInput) {
      const { round, contest } = await roundWithContest(repos, roundId);
      await ownContest(contest.id, user).catch(() => {
        throw notFound('ROUND_NOT_FOUND', 'No such round');
      });
      const opensAt = Date.parse(input.opensAt);
      const closesAt = Date.parse(input.closesAt);
      if (!(closesAt > opensAt)) throw badRequest('BAD_SCHEDULE', 'closesAt must come after opensAt');
      if (round.resultsStatus !== 'open') {
        throw conflict(
          'ROUND_FINALIZED',
          'The judges have finalised this round: they must reopen its results first',
        );
      }
      const started = await repos.authoring.attemptCount(round.id);
      const next = {
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
      };
      if (started > 0) {
        const locked: string[] = [];
        if (next.opensAt !== round.opensAt) locked.push('opensAt');
        if (next.closesAt < round.closesAt) locked.push('closesAt (only a later close)');
        if (next.timeLimitSec !== round.timeLimitSec) locked.push('timeLimitSec');
        if (next.questionCount !== round.questionCount) locked.push('questionCount');
        if (next.maxAttempts < round.maxAttempts) locked.push('maxAttempts (only more)');
        if (next.shuffleQuestions !== round.shuffleQuestions) locked.push('shuffleQuestions');
        if (next.shuffleOptions !== round.shuffleOptions) locked.push('shuffleOptions');
        if (next.partialCredit !== round.partialCredit) locked.push('partialCredit');
        if (!sameDraw(next.draw, round.draw)) locked.push('draw');
        if (
          next.predictionKind !== round.predictionKind ||
          next.predictionPrompt !== round.predictionPrompt
        ) {
          locked.push('prediction');
        }
        if (locked.length > 0) {
          throw conflict(
            'ROUND_STARTED',
            `${started} attempt(s) exist: these settings can no longer change: ${locked.join(', ')}`,
          );
        }
      } else if (sameDraw(next.draw, round.draw)) {
        // The rules are as they were: a co-editor need not have access to their banks.
        await checkDraw(input.draw, input.questionCount, null);
      } else {
        await checkDraw(input.draw, input.questionCount, user);
      }
      const row = await repos.authoring.updateRound(round.id, next);
      return roundEdit(row, started, now());
    },

    async deleteRound(user: UserRow, roundId: number) {
      const { round, contest } = await roundWithContest(repos, roundId);
      await ownContest(contest.id, user).catch(() => {
        throw notFound('ROUND_NOT_FOUND', 'No such round');
      });
      if (round.resultsStatus !== 'open') {
        throw conflict('ROUND_FINALIZED', 'The judges have finalised this round: it cannot be deleted');
      }
      const started = await repos.authoring.attemptCount(round.id);
      if (started > 0) {
        throw conflict(
          'ROUND_HAS_ATTEMPTS',
          `${started} attempt(s) were made in this round: it cannot be deleted`,
        );
      }
      await repos.authoring.deleteRound(round.id);
    },

    async checklist(user: UserRow, contestId: number) {
      return checklist(await ownContest(contestId, user));
    },

    async drawPreview(user: UserRow, draw: DrawRule[], questionCount?: number) {
      const retired = new Map<number, string>();
      for (const rule of draw) {
        const bank = await banks.ownBank(rule.bankId, user).catch(() => {
          throw badRequest('BAD_DRAW', `Bank ${rule.bankId} does not exist or is not yours`);
        });
        if (bank.status === 'retired') retired.set(bank.id, bank.name);
      }
      const drawn = await drawReport(draw);
      // The banks can serve the rules, but the rules must also make up the round's question count.
      const report =
        drawn.message === null && questionCount !== undefined && drawn.total !== questionCount
          ? { ...drawn, message: `The rules draw ${drawn.total} questions, not ${questionCount}` }
          : drawn;
      if (retired.size === 0) return report;
      // A retired bank cannot be used in a new draw: the preview says so, as saving would.
      return {
        ...report,
        rules: report.rules.map((r, i) => (retired.has(draw[i]!.bankId) ? { ...r, ok: false } : r)),
        satisfiable: false,
        message: `Retired banks cannot be drawn from: ${[...retired.values()].join(', ')}`,
      };
    },

    async publish(user: UserRow, contestId: number) {
      const contest = await ownContest(contestId, user);
      const { problems } = await checklist(contest);
      if (problems.length > 0) {
        throw conflict(
          'PUBLISH_BLOCKED',
          `The contest cannot be published yet: ${problems.map((p) => `${p.code} (${p.message})`).join('; ')}`,
        );
      }
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
      if (await hiddenDraft(contest, user)) {
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
          await repos.contests.createEntry({
            contestId: contest.id,
            userId: user.id,
            createdAt: now(),
            ...row,
          }),
        ),
      };
    },

    /** Who may see a round's leaderboard now. */
    async leaderboardAllowed(roundId: number, user: UserRow | null) {
      const { round, contest } = await roundWithContest(repos, roundId);
      if (user && (hasRole(user, ['judge']) || (await canEdit(repos, 'contest', user, contest))))
        return round;
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
