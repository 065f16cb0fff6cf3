// Round statistics (participation, score distribution, item analysis), their XLSX, and the
// suspicion flags shown to judges. Statistics read the live counted attempts (round_results),
// which are the finalised ones once a round is finalised (voiding needs a reopen). Large reads go
// page by page: item analysis feeds an accumulator (rules/item-analysis.ts), identity checks keep
// one map entry per distinct value.
import { PassThrough } from 'node:stream';
import type { ContestRow, Repositories, RoundRow, UserRow } from '@quizarena/db';
import { AppError, notFound, unauthorized } from '../errors.ts';
import { roundWithContest } from './lookups.ts';
import { hasRole } from '../plugins/auth.ts';
import { bandOf, createItemAnalysis, extremeGroupSize, type ItemStats } from '../rules/item-analysis.ts';
import { buildUnitTable, sortLocalities, XLSX_TYPE, zoneClock } from './exports.ts';
import { XlsxStreamWriter } from './xlsx-writer.ts';

export interface StatisticsDeps {
  repos: Repositories;
  now: () => number;
  onStreamError?: (err: unknown) => void;
}

/** Counted attempts read per page for the item analysis. */
const ITEM_PAGE = 1000;
/** Identity rows read per page for the flags. */
const IDENTITY_PAGE = 5000;
/** At most this many days in the per-day table (a round is days or weeks long). */
const MAX_DAYS = 400;

export type StatisticsView = 'full' | 'public';

// ---------------------------------------------------------------------------------------------
// Suspicion flags: pure helpers
// ---------------------------------------------------------------------------------------------

export type FlagKind = 'same_id_number' | 'same_phone' | 'same_email' | 'fast_attempt' | 'shared_ip';

export interface Flag {
  kind: FlagKind;
  value: string;
  userIds: number[];
  attemptIds: number[];
}

/** An ID number as typed, without spaces, dots or dashes, upper case. */
export const normaliseIdNumber = (raw: string): string => raw.replace(/[\s.-]/g, '').toUpperCase();

/**
 * A phone number's digits only; a Vietnamese number written internationally (+84 / 0084 ...)
 * becomes its national form (0...), so "+84 912 345 678" and "0912.345.678" match.
 */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  const international = raw.trim().startsWith('+')
    ? digits
    : digits.startsWith('00')
      ? digits.slice(2)
      : null;
  if (international !== null && international.startsWith('84') && international.length >= 10) {
    return `0${international.slice(2)}`;
  }
  return digits;
}

/** Lower case, without a "+tag"; Gmail also ignores dots and answers at googlemail.com. */
export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (at < 1) return email;
  let local = email.slice(0, at).replace(/\+.*$/, '');
  let domain = email.slice(at + 1);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

/** Collects (value -> accounts, attempts) and reports the values shared by two accounts or more. */
export function duplicateCollector(kind: FlagKind) {
  const seen = new Map<string, { users: Set<number>; attempts: Set<number> }>();
  return {
    add(value: string, userId: number, attemptId: number): void {
      if (value === '') return;
      let s = seen.get(value);
      if (!s) seen.set(value, (s = { users: new Set(), attempts: new Set() }));
      s.users.add(userId);
      s.attempts.add(attemptId);
    },
    flags(): Flag[] {
      const out: Flag[] = [];
      for (const [value, s] of seen) {
        if (s.users.size < 2) continue;
        out.push({
          kind,
          value,
          userIds: [...s.users].sort((a, b) => a - b),
          attemptIds: [...s.attempts].sort((a, b) => a - b),
        });
      }
      return out.sort((a, b) => b.userIds.length - a.userIds.length || (a.value < b.value ? -1 : 1));
    },
  };
}

/** Implausibly fast: under max(20 s, 1.5 s per question). */
export const fastThresholdMs = (questionCount: number): number => Math.max(20_000, 1500 * questionCount);
/** ... with at least this share of full marks. */
export const FAST_MIN_SHARE = 0.8;
/** Accounts from one IP before it is worth a look. */
export const SHARED_IP_MIN_ACCOUNTS = 5;

// ---------------------------------------------------------------------------------------------

export function createStatisticsService(deps: StatisticsDeps) {
  const { repos } = deps;
  const reports = repos.reports;

  const loadRound = (roundId: number) => roundWithContest(repos, roundId);

  /** Judges, admins and the contest's owner see everything. */
  const fullAccess = (user: UserRow | null, contest: ContestRow): boolean =>
    !!user && (hasRole(user, ['judge']) || contest.ownerId === user.id);

  /**
   * Which view a caller gets: full for judges, admins and the owner; the public one once the
   * results are published; otherwise 401 (signed out) or 403.
   */
  const access = async (roundId: number, user: UserRow | null) => {
    const { round, contest } = await loadRound(roundId);
    if (fullAccess(user, contest)) return { round, contest, view: 'full' as StatisticsView };
    if (contest.status === 'draft') throw notFound('ROUND_NOT_FOUND', 'No such round');
    if (round.resultsStatus === 'published') return { round, contest, view: 'public' as StatisticsView };
    if (!user) throw unauthorized('Sign in first: the results of this round are not published yet');
    throw new AppError(
      403,
      'FORBIDDEN',
      'Statistics are for judges and the organiser until the results are published',
    );
  };

  /** The full view or a refusal, for the XLSX (same roles as the full view). */
  const fullOnly = async (roundId: number, user: UserRow | null) => {
    const { round, contest } = await loadRound(roundId);
    if (!user) throw unauthorized();
    if (!fullAccess(user, contest)) {
      throw new AppError(
        403,
        'FORBIDDEN',
        'Statistics exports are for judges, admins and the contest organiser',
      );
    }
    return { round, contest };
  };

  const participation = async (round: RoundRow, contest: ContestRow) => {
    const clock = zoneClock(contest.timeZone);
    const span = await reports.attemptSpan(round.id);
    const days = [];
    if (span) {
      let start = clock.startOfDay(span.first);
      while (start <= span.last && days.length < MAX_DAYS) {
        const end = clock.startOfDay(start + 26 * 3_600_000);
        days.push({ label: clock.date(start), start, end });
        start = end;
      }
    }
    const [byDay, counts, unitRows, byLocality, participants] = await Promise.all([
      reports.attemptsPerDay(round.id, days),
      reports.unitCounts({ roundId: round.id }),
      repos.contests.units(contest.id),
      reports.localityCounts({ roundId: round.id }),
      reports.countedTotal(round.id),
    ]);
    const table = buildUnitTable(counts, unitRows);
    return {
      participants,
      attempts: span?.attempts ?? 0,
      byDay: byDay.map((d) => ({ date: d.label, attempts: d.attempts, participants: d.participants })),
      byUnit: table.units.map((u) => ({
        unitCode: u.unitCode,
        unitName: u.unitName,
        participants: u.participants,
        headcount: u.headcount,
        rate: u.rate,
      })),
      withoutUnit: table.withoutUnit,
      byLocality: sortLocalities(byLocality),
    };
  };

  const scores = async (round: RoundRow) => {
    const [desc, maxScore] = await Promise.all([
      reports.scoreHistogram(round.id),
      reports.maxScore(round.id),
    ]);
    const histogram = desc.slice().reverse();
    const n = histogram.reduce((s, h) => s + h.count, 0);
    const mean =
      n === 0 ? null : Math.round((histogram.reduce((s, h) => s + h.score * h.count, 0) / n) * 1000) / 1000;
    // The median from the histogram: the middle value (mean of the two middle ones when even).
    const nth = (k: number): number => {
      let seen = 0;
      for (const h of histogram) {
        seen += h.count;
        if (seen > k) return h.score;
      }
      return histogram.at(-1)?.score ?? 0;
    };
    const median = n === 0 ? null : n % 2 === 1 ? nth((n - 1) / 2) : (nth(n / 2 - 1) + nth(n / 2)) / 2;
    return { maxScore, mean, median, histogram };
  };

  /** Item analysis over the counted attempts, read in pages in ranking order. */
  const items = async (round: RoundRow) => {
    const n = await reports.countedTotal(round.id);
    const k = extremeGroupSize(n);
    const analysis = createItemAnalysis();
    for (let offset = 0; offset < n; offset += ITEM_PAGE) {
      const page = await reports.countedPage(round.id, ITEM_PAGE, offset);
      if (page.length === 0) break;
      const bandOfAttempt = new Map(page.map((a, i) => [a.attemptId, bandOf(offset + i, n, k)]));
      for (const r of await reports.itemResponses(page.map((a) => a.attemptId))) {
        analysis.add({
          band: bandOfAttempt.get(r.attemptId) ?? 'middle',
          position: r.position,
          chosen: r.optionIds,
          question: {
            questionId: r.questionId,
            type: r.snapshot.type,
            stem: r.snapshot.stem,
            options: r.snapshot.options,
          },
        });
      }
    }
    return { attempts: n, groupSize: k, items: analysis.result() };
  };

  const statistics = async (round: RoundRow, contest: ContestRow, view: StatisticsView) => {
    const base: {
      view: StatisticsView;
      round: {
        id: number;
        title: string;
        contestSlug: string;
        timeZone: string;
        questionCount: number;
        resultsStatus: string;
      };
      participation: Awaited<ReturnType<typeof participation>>;
      scores: Awaited<ReturnType<typeof scores>>;
      itemAnalysis?: Awaited<ReturnType<typeof items>>;
    } = {
      view,
      round: {
        id: round.id,
        title: round.title,
        contestSlug: contest.slug,
        timeZone: contest.timeZone,
        questionCount: round.questionCount,
        resultsStatus: round.resultsStatus,
      },
      participation: await participation(round, contest),
      scores: await scores(round),
    };
    if (view === 'full') base.itemAnalysis = await items(round);
    return base;
  };

  return {
    async statistics(roundId: number, user: UserRow | null) {
      const { round, contest, view } = await access(roundId, user);
      return statistics(round, contest, view);
    },

    /** The full statistics as an XLSX workbook (small tables: written with the streaming writer too). */
    async statisticsXlsx(roundId: number, user: UserRow | null) {
      const { round, contest } = await fullOnly(roundId, user);
      const stats = await statistics(round, contest, 'full');
      const out = new PassThrough();
      const write = async () => {
        // The exports' own writer, dated by the server's clock: the same data gives the same bytes.
        const book = new XlsxStreamWriter(out, { creator: 'Quizarena', created: deps.now() });
        const sheets: (() => Promise<void>)[] = [];
        const sheet = (
          name: string,
          headers: string[],
          widths: number[],
          rows: (string | number | null)[][],
          percentCols: number[] = [],
        ) => {
          sheets.push(async () => {
            await book.sheet(name, { widths, freezeHeader: true });
            book.row(headers, { bold: true });
            for (const values of rows) {
              book.row(
                percentCols.length === 0
                  ? values
                  : values.map((v, i) =>
                      percentCols.includes(i + 1) ? { percent: typeof v === 'number' ? v : null } : v,
                    ),
              );
            }
            await book.flush();
          });
        };
        const p = stats.participation;
        sheet(
          'Days',
          ['Ngày / Date', 'Lượt thi / Attempts', 'Người thi / Participants'],
          [14, 14, 14],
          p.byDay.map((d) => [d.date, d.attempts, d.participants]),
        );
        sheet(
          'Units',
          [
            'Mã đơn vị / Unit code',
            'Tên đơn vị / Unit',
            'Số người tham gia / Participants',
            'Biên chế / Headcount',
            'Tỉ lệ / Rate',
          ],
          [14, 36, 14, 12, 10],
          [
            ...p.byUnit.map((u) => [u.unitCode, u.unitName, u.participants, u.headcount, u.rate]),
            ...(p.withoutUnit > 0 ? [[null, 'Không có đơn vị / No unit', p.withoutUnit, null, null]] : []),
          ],
          [5],
        );
        sheet(
          'Localities',
          ['Địa phương / Locality', 'Số người tham gia / Participants'],
          [30, 14],
          p.byLocality.map((l) => [l.locality ?? '(không ghi / not given)', l.participants]),
        );
        sheet(
          'Scores',
          ['Điểm / Score', 'Số người / Participants'],
          [10, 14],
          stats.scores.histogram.map((h) => [h.score, h.count]),
        );
        const itemList: ItemStats[] = stats.itemAnalysis?.items ?? [];
        sheet(
          'Items',
          [
            'Mã câu hỏi / Question id',
            'Câu hỏi / Question',
            'Loại / Type',
            'Lượt trả lời / Responses',
            'Đúng / Correct',
            'Độ khó (tỉ lệ đúng) / Facility',
            'Tỉ lệ đúng nhóm cao / Top 27% facility',
            'Tỉ lệ đúng nhóm thấp / Bottom 27% facility',
            'Độ phân biệt / Discrimination',
            'Bỏ trống / Unanswered',
            'Cảnh báo / Flags',
          ],
          [10, 60, 10, 12, 10, 12, 12, 12, 12, 12, 36],
          itemList.map((i) => [
            i.questionId,
            i.stem,
            i.type,
            i.responses,
            i.correct,
            i.facility,
            i.top.facility,
            i.bottom.facility,
            i.discrimination,
            i.unanswered,
            i.flags.join(', ') || null,
          ]),
          [6, 7, 8],
        );
        sheet(
          'Options',
          [
            'Mã câu hỏi / Question id',
            'Mã phương án / Option id',
            'Phương án / Option',
            'Đáp án đúng / Keyed',
            'Số lần chọn / Chosen',
            'Nhóm cao chọn / Chosen by top 27%',
            'Nhóm thấp chọn / Chosen by bottom 27%',
          ],
          [10, 12, 50, 10, 10, 12, 12],
          itemList.flatMap((i) =>
            i.options.map((o) => [
              i.questionId,
              o.id,
              o.text,
              o.correct ? 'x' : null,
              o.chosen,
              o.chosenTop,
              o.chosenBottom,
            ]),
          ),
        );
        for (const write of sheets) await write();
        await book.finish();
      };
      write().catch((err: unknown) => {
        deps.onStreamError?.(err);
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      return {
        filename: `thong-ke-${contest.slug}-vong-${round.id}.xlsx`,
        contentType: XLSX_TYPE,
        stream: out,
      };
    },

    /** Suspicion flags for the judges: they inform, judges decide. */
    async flags(roundId: number) {
      const { round, contest } = await loadRound(roundId);
      const phoneKeys = new Set(
        contest.registrationFields.filter((f) => f.type === 'phone' || f.key === 'phone').map((f) => f.key),
      );
      const ids = duplicateCollector('same_id_number');
      const phones = duplicateCollector('same_phone');
      const emails = duplicateCollector('same_email');
      let after = 0;
      for (;;) {
        const page = await reports.identities(round.id, after, IDENTITY_PAGE);
        for (const p of page) {
          const idNumber = p.fields.idNumber;
          if (idNumber) ids.add(normaliseIdNumber(idNumber), p.userId, p.attemptId);
          for (const key of phoneKeys) {
            const phone = p.fields[key];
            if (phone) phones.add(normalisePhone(phone), p.userId, p.attemptId);
          }
          emails.add(normaliseEmail(p.email), p.userId, p.attemptId);
          const typed = p.fields.email;
          if (typed && normaliseEmail(typed) !== normaliseEmail(p.email))
            emails.add(normaliseEmail(typed), p.userId, p.attemptId);
        }
        if (page.length < IDENTITY_PAGE) break;
        after = page.at(-1)!.userId;
      }
      const limit = fastThresholdMs(round.questionCount);
      const fast: Flag[] = (await reports.fastAttempts(round.id, limit, FAST_MIN_SHARE)).map((a) => ({
        kind: 'fast_attempt',
        value: `${(a.durationMs / 1000).toFixed(3)} s, ${a.score}/${a.maxScore}`,
        userIds: [a.userId],
        attemptIds: [a.attemptId],
      }));
      const shared: Flag[] = (await reports.sharedIps(round.id, SHARED_IP_MIN_ACCOUNTS)).map((s) => ({
        kind: 'shared_ip',
        value: s.ip,
        userIds: [...new Set(s.attempts.map((a) => a.userId))].sort((a, b) => a - b),
        attemptIds: s.attempts.map((a) => a.attemptId),
      }));
      return {
        flags: [...ids.flags(), ...phones.flags(), ...emails.flags(), ...fast, ...shared],
        thresholds: {
          fastUnderMs: limit,
          fastMinShare: FAST_MIN_SHARE,
          sharedIpMinAccounts: SHARED_IP_MIN_ACCOUNTS,
        },
      };
    },
  };
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;
