// Exports of a finalised round (issue: exports, public results). Everything here reads the frozen
// final ranking (final_rankings), never the live results, so that what is exported and published
// is exactly what the snapshot hash covers. The XLSX and CSV files stream: final_rankings is read
// in keyset pages and each page is compressed and sent before the next is read, so a
// 100,000-participant round never sits in memory; the writer waits when the client reads slowly.
// The XLSX goes through our own writer (xlsx-writer.ts): exceljs's took ~12 s for 100,000 rows.
import { PassThrough, Readable } from 'node:stream';
import type { ContestRow, RankingExportRow, Repositories, RoundRow, UnitRow } from '@quizarena/db';
import { conflict, notFound } from '../errors.ts';
import { OutputClosedError, XlsxStreamWriter } from './xlsx-writer.ts';
import { roundWithContest } from './lookups.ts';
import {
  allocatePrizes,
  unitPrizes,
  type BoundaryTie,
  type FinalRow,
  type UnitParticipation,
} from '../rules/final-ranking.ts';

export interface ExportDeps {
  repos: Repositories;
  now: () => number;
  /** Where failures after the response has started go (the status line is already sent). */
  onStreamError?: (err: unknown) => void;
}

/** Rows read from SQL per query while streaming. */
export const EXPORT_PAGE = 2000;
/** Rows of each group in the public results. */
export const PUBLIC_TOP = 50;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

// ---------------------------------------------------------------------------------------------
// Time in the contest's time zone
// ---------------------------------------------------------------------------------------------

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Local times in one IANA time zone, fast enough for 100,000 rows: the UTC offset is asked of
 * Intl once per quarter hour (every offset and transition in use falls on a quarter hour) and the
 * fields are then plain arithmetic.
 */
export function zoneClock(timeZone: string) {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' });
  const cache = new Map<number, number>();
  const offsetMinutes = (t: number): number => {
    const bucket = Math.floor(t / 900_000);
    let minutes = cache.get(bucket);
    if (minutes === undefined) {
      const name = fmt.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
      const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(name);
      minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
      cache.set(bucket, minutes);
    }
    return minutes;
  };
  const label = (minutes: number): string => {
    if (minutes === 0) return 'GMT';
    const abs = Math.abs(minutes);
    return `GMT${minutes < 0 ? '-' : '+'}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60)}` : ''}`;
  };
  const local = (t: number) => new Date(t + offsetMinutes(t) * 60_000);
  const date = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

  return {
    timeZone,
    /** "2026-11-26 21:05:07.123 GMT+7" */
    format(t: number): string {
      const d = local(t);
      return `${date(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} ${label(offsetMinutes(t))}`;
    },
    /** The local calendar date, "2026-11-26". */
    date: (t: number): string => date(local(t)),
    /** The instant the local day of `t` began (DST-aware). */
    startOfDay(t: number): number {
      const l = t + offsetMinutes(t) * 60_000;
      const midnight = l - (((l % 86_400_000) + 86_400_000) % 86_400_000);
      const guess = midnight - offsetMinutes(t) * 60_000;
      return midnight - offsetMinutes(guess) * 60_000;
    },
  };
}
export type ZoneClock = ReturnType<typeof zoneClock>;

/** "mm:ss.SSS" (minutes go past 59 rather than wrapping into hours). */
export function formatDuration(ms: number): string {
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180) with formula-injection protection
// ---------------------------------------------------------------------------------------------

export type Cell = string | number | null;

/**
 * A CSV field: text that a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return, OWASP's list) gets a leading "'"; fields with a quote, comma or line break are
 * quoted with quotes doubled. Numbers we produce are written as they are.
 */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly Cell[]): string => `${cells.map(csvField).join(',')}\r\n`;

// ---------------------------------------------------------------------------------------------
// The Ranking table's columns
// ---------------------------------------------------------------------------------------------

interface Column {
  header: string;
  width: number;
  value: (row: RankingExportRow) => Cell;
}

function rankingColumns(contest: ContestRow, unitNames: Map<string, string>, clock: ZoneClock): Column[] {
  const columns: Column[] = [{ header: 'Hạng / Rank', width: 8, value: (r) => r.rank }];
  for (const field of contest.registrationFields) {
    const raw = (r: RankingExportRow): string | null => {
      const v = r.fields[field.key];
      return v === undefined || v === '' ? null : v;
    };
    if (field.type === 'unit') {
      // The unit's name reads well; its code tells apart units with the same name.
      columns.push({
        header: field.label,
        width: 32,
        value: (r) => {
          const c = raw(r);
          return c === null ? null : (unitNames.get(c) ?? c);
        },
      });
      columns.push({ header: `${field.label} (mã / code)`, width: 14, value: raw });
    } else {
      columns.push({ header: field.label, width: field.key === 'fullName' ? 28 : 18, value: raw });
    }
  }
  columns.push(
    { header: 'Điểm / Score', width: 9, value: (r) => r.score },
    { header: 'Số câu đúng / Correct answers', width: 12, value: (r) => r.correctCount },
    { header: 'Dự đoán / Prediction', width: 12, value: (r) => r.prediction },
    { header: 'Độ lệch dự đoán / Prediction distance', width: 14, value: (r) => r.predictionDistance },
    {
      header: 'Thời gian làm bài / Duration (mm:ss.SSS)',
      width: 14,
      value: (r) => formatDuration(r.durationMs),
    },
    { header: 'Nộp bài lúc / Submitted at', width: 30, value: (r) => clock.format(r.submittedAt) },
    { header: 'Giải / Prize', width: 24, value: (r) => r.prize },
  );
  return columns;
}

// ---------------------------------------------------------------------------------------------
// Streaming helpers
// ---------------------------------------------------------------------------------------------

/** Lets other requests in between pages of a long export. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const asFinalRow = (r: RankingExportRow): FinalRow => ({
  userId: r.userId,
  attemptId: r.attemptId,
  groupKey: r.groupKey,
  score: r.score,
  correctCount: r.correctCount,
  durationMs: r.durationMs,
  submittedAt: r.submittedAt,
  allCorrect: false,
  prediction: r.prediction,
  rank: r.rank,
  predictionDistance: r.predictionDistance,
  decidedBy: null,
});

export interface GroupTie extends BoundaryTie {
  groupKey: string;
  rows: RankingExportRow[];
}

export function createExportService(deps: ExportDeps) {
  const { repos, now } = deps;
  const reports = repos.reports;

  const loadRound = (roundId: number) => roundWithContest(repos, roundId);

  /** The round with its active finalisation; 409 NOT_FINALIZED while its results are open. */
  const loadFinalised = async (roundId: number) => {
    const { round, contest } = await loadRound(roundId);
    const finalisation = round.resultsStatus === 'open' ? undefined : await reports.finalisation(roundId);
    if (!finalisation) throw conflict('NOT_FINALIZED', 'Finalise the round before exporting its results');
    return { round, contest, finalisation };
  };

  /** Group keys of a finalisation in the contest's order ('' alone when it has no groups). */
  const groupsOf = async (contest: ContestRow, finalisationId: number) => {
    const present = await reports.finalGroups(finalisationId);
    const order = new Map(contest.groups.map((g, i) => [g.key, i]));
    return present
      .map((p) => ({ ...p, name: contest.groups.find((g) => g.key === p.groupKey)?.name ?? null }))
      .sort(
        (a, b) =>
          (order.get(a.groupKey) ?? 1e9) - (order.get(b.groupKey) ?? 1e9) ||
          (a.groupKey < b.groupKey ? -1 : 1),
      );
  };

  /**
   * Ties across a prize band boundary in one group, recomputed from the frozen ranks (the
   * finalisation stores who won, not the ties). Reads pages until the bands are used up.
   */
  const boundaryTies = async (
    finalisationId: number,
    groupKey: string,
    round: RoundRow,
  ): Promise<GroupTie[]> => {
    const places = round.prizeBands.reduce((s, b) => s + b.count, 0);
    if (places === 0) return [];
    const rows: RankingExportRow[] = [];
    const pageSize = Math.max(EXPORT_PAGE, places * 2);
    for (;;) {
      const page = await reports.rankingPage(finalisationId, groupKey, rows.at(-1)?.position ?? 0, pageSize);
      rows.push(...page);
      const complete = page.length < pageSize;
      // Without the whole list, leave out the last rank: more rows may share it on the next page.
      const lastRank = rows.at(-1)?.rank;
      const considered = complete ? rows : rows.filter((r) => r.rank !== lastRank);
      const allocation = allocatePrizes(considered.map(asFinalRow), round.prizeBands);
      const used = allocation.awards.length + allocation.ties.reduce((s, t) => s + t.places, 0);
      if (complete || used >= places) {
        const byUser = new Map(rows.map((r) => [r.userId, r]));
        return allocation.ties.map((t) => ({
          ...t,
          groupKey,
          rows: t.userIds.map((id) => byUser.get(id)!).filter(Boolean),
        }));
      }
    }
  };

  /** Participation per unit of a finalisation, with collective prize ranks. */
  const unitTable = async (contest: ContestRow, finalisationId: number) => {
    const [counts, unitRows] = await Promise.all([
      reports.unitCounts({ finalisationId }),
      repos.contests.units(contest.id),
    ]);
    return buildUnitTable(counts, unitRows);
  };

  const filename = (contest: ContestRow, round: RoundRow, ext: string) =>
    `ket-qua-${contest.slug}-vong-${round.id}.${ext}`;

  const unitNameMap = async (contestId: number) =>
    new Map((await repos.contests.units(contestId)).map((u) => [u.code, u.name]));

  /** Every row of a finalisation in export order: groups in the contest's order, then position. */
  async function* rankingRows(
    contest: ContestRow,
    finalisationId: number,
  ): AsyncGenerator<RankingExportRow[]> {
    for (const g of await groupsOf(contest, finalisationId)) {
      let after = 0;
      for (;;) {
        const page = await reports.rankingPage(finalisationId, g.groupKey, after, EXPORT_PAGE);
        if (page.length === 0) break;
        yield page;
        after = page.at(-1)!.position;
        if (page.length < EXPORT_PAGE) break;
      }
    }
  }

  async function writeWorkbook(
    out: PassThrough,
    parts: Awaited<ReturnType<typeof loadFinalised>>,
  ): Promise<void> {
    const { round, contest, finalisation } = parts;
    const clock = zoneClock(contest.timeZone);
    const unitNames = await unitNameMap(contest.id);
    const columns = rankingColumns(contest, unitNames, clock);
    const book = new XlsxStreamWriter(out, { creator: 'Quizarena', created: now() });

    // Ranking: pages read from SQL as the output drains.
    await book.sheet('Ranking', { widths: columns.map((c) => c.width), freezeHeader: true });
    book.row(
      columns.map((c) => c.header),
      { bold: true },
    );
    const values = columns.map((c) => c.value);
    for await (const page of rankingRows(contest, finalisation.id)) {
      for (const r of page) book.row(values.map((value) => value(r)));
      await book.flush();
      await tick();
    }

    // Prizes: winners by group and band, then ties across a band boundary for the judges.
    const groups = await groupsOf(contest, finalisation.id);
    const groupName = (key: string) =>
      key === '' ? '' : (groups.find((g) => g.groupKey === key)?.name ?? key);
    await book.sheet('Prizes', { widths: [14, 26, 8, 28, 30, 9, 14, 30], freezeHeader: true });
    const personCells = (r: RankingExportRow) => [
      r.rank,
      r.name,
      r.unit,
      r.score,
      formatDuration(r.durationMs),
      clock.format(r.submittedAt),
    ];
    const personHeaders = [
      'Hạng / Rank',
      'Họ và tên / Name',
      'Đơn vị / Unit',
      'Điểm / Score',
      'Thời gian / Duration',
      'Nộp bài lúc / Submitted at',
    ];
    book.row(['Bảng / Group', 'Giải / Prize', ...personHeaders], { bold: true });
    for (const w of await reports.winners(finalisation.id)) {
      book.row([groupName(w.groupKey), w.prize, ...personCells(w)]);
    }
    const ties: GroupTie[] = [];
    for (const g of groups) ties.push(...(await boundaryTies(finalisation.id, g.groupKey, round)));
    book.row([]);
    book.row(
      [
        ties.length === 0
          ? 'Không có đồng hạng ở ranh giới giải / No ties across a prize boundary'
          : 'Đồng hạng ở ranh giới giải, Ban Giám khảo quyết định / Ties across a prize boundary, for the judges to decide',
      ],
      { bold: true },
    );
    if (ties.length > 0) {
      book.row(['Bảng / Group', 'Giải / Prize', ...personHeaders, 'Số suất còn lại / Places left'], {
        bold: true,
      });
      for (const t of ties) {
        for (const r of t.rows) book.row([groupName(t.groupKey), t.prize, ...personCells(r), t.places]);
      }
    }

    // Units: participants, headcount, rate and the collective prize ranks.
    await book.sheet('Units', { widths: [14, 36, 14, 12, 12, 10, 12, 12], freezeHeader: true });
    book.row(
      [
        'Mã đơn vị / Unit code',
        'Tên đơn vị / Unit',
        'Đơn vị cấp trên / Parent',
        'Số người tham gia / Participants',
        'Biên chế / Headcount',
        'Tỉ lệ / Rate',
        'Hạng theo số người / Rank by participants',
        'Hạng theo tỉ lệ / Rank by rate',
      ],
      { bold: true },
    );
    const table = await unitTable(contest, finalisation.id);
    for (const u of table.units) {
      book.row([
        u.unitCode,
        u.unitName,
        u.parentCode,
        u.participants,
        u.headcount,
        { percent: u.rate },
        u.rankByCount,
        u.rankByRate,
      ]);
    }
    if (table.withoutUnit > 0) {
      book.row([null, 'Không có đơn vị / No unit', null, table.withoutUnit, null, null, null, null]);
    }

    // Round: settings, the prediction's actual value and the snapshot it all comes from.
    await book.sheet('Round', { widths: [40, 90] });
    book.row(['Mục / Item', 'Giá trị / Value'], { bold: true });
    // The audit log's head at finalisation: a copy of this file outside the server then anchors
    // the log (npm run audit:verify would show the entry missing or changed).
    const auditEntry = await repos.audit.finalisationEntry(round.id, finalisation.id);
    const at = (t: number | null) => (t === null ? null : clock.format(t));
    const yes = (b: boolean) => (b ? 'Có / Yes' : 'Không / No');
    const settings: [string, Cell][] = [
      ['Cuộc thi / Contest', contest.title],
      ['Mã cuộc thi / Contest slug', contest.slug],
      ['Vòng thi / Round', round.title],
      ['Mã vòng / Round id', round.id],
      ['Múi giờ / Time zone', contest.timeZone],
      ['Mở lúc / Opens at', at(round.opensAt)],
      ['Đóng lúc / Closes at', at(round.closesAt)],
      ['Thời gian làm bài (giây) / Time limit (s)', round.timeLimitSec],
      ['Số câu hỏi / Questions', round.questionCount],
      ['Số lượt thi tối đa / Attempts allowed', round.maxAttempts],
      ['Trộn câu hỏi / Shuffle questions', yes(round.shuffleQuestions)],
      ['Trộn phương án / Shuffle options', yes(round.shuffleOptions)],
      ['Tính điểm từng phần / Partial credit', yes(round.partialCredit)],
      ['Câu hỏi dự đoán / Prediction question', round.predictionPrompt],
      ['Loại dự đoán / Prediction kind', finalisation.predictionKind],
      ['Giá trị thực của dự đoán / Actual prediction value', finalisation.actualValue],
      ['Số người đúng tất cả / All correct', finalisation.allCorrect],
      ['Số người tham gia / Participants', finalisation.participants],
      ['Cơ cấu giải / Prize bands', round.prizeBands.map((b) => `${b.name}: ${b.count}`).join('; ') || null],
      [
        'Thứ tự xếp hạng / Ranking rules',
        'Điểm giảm dần; độ lệch dự đoán tăng dần; thời gian tăng dần; nộp sớm hơn / score desc; prediction distance asc; duration asc; submitted at asc',
      ],
      ['Mã băm bản chốt (SHA-256) / Snapshot hash (SHA-256)', finalisation.hash],
      ['Mã bản chốt / Finalisation id', finalisation.id],
      ['Mục nhật ký kiểm toán của bản chốt / Audit log entry of the finalisation', auditEntry?.id ?? null],
      ['Mã băm mục nhật ký (SHA-256) / Audit log entry hash (SHA-256)', auditEntry?.hash ?? null],
      ['Người chốt / Finalised by (name)', finalisation.creatorName],
      ['Email người chốt / Finalised by (email)', finalisation.creatorEmail],
      ['Chốt lúc / Finalised at', at(finalisation.createdAt)],
      ['Công bố lúc / Published at', at(finalisation.publishedAt)],
      ['Xuất lúc / Exported at', at(now())],
    ];
    for (const [k, v] of settings) book.row([k, v]);
    await book.finish();
  }

  /** Runs a writer into a fresh stream; a failure midway aborts the download (never a half file). */
  const streamOut = (write: (out: PassThrough) => Promise<void>): PassThrough => {
    const out = new PassThrough();
    write(out).catch((err: unknown) => {
      // The client went away: nothing to report, nobody to tell.
      if (err instanceof OutputClosedError) return;
      deps.onStreamError?.(err);
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    });
    return out;
  };

  return {
    /** The XLSX workbook of a finalised round: Ranking, Prizes, Units and Round sheets. */
    async rankingXlsx(roundId: number) {
      const parts = await loadFinalised(roundId);
      return {
        filename: filename(parts.contest, parts.round, 'xlsx'),
        contentType: XLSX_TYPE,
        stream: streamOut((out) => writeWorkbook(out, parts)),
      };
    },

    /** The Ranking sheet as CSV: UTF-8 with a BOM (for Excel), CRLF, RFC 4180 quoting. */
    async rankingCsv(roundId: number) {
      const { contest, round, finalisation } = await loadFinalised(roundId);
      const clock = zoneClock(contest.timeZone);
      const columns = rankingColumns(contest, await unitNameMap(contest.id), clock);
      async function* lines(): AsyncGenerator<string> {
        yield `\uFEFF${csvLine(columns.map((c) => c.header))}`;
        for await (const page of rankingRows(contest, finalisation.id)) {
          yield page.map((r) => csvLine(columns.map((c) => c.value(r)))).join('');
        }
      }
      const stream = Readable.from(lines(), { objectMode: false });
      stream.on('error', (err) => deps.onStreamError?.(err));
      return { filename: filename(contest, round, 'csv'), contentType: CSV_TYPE, stream };
    },

    /** What everyone may see once a judge has published the results. */
    async publicResults(roundId: number) {
      const { round, contest } = await loadRound(roundId);
      if (contest.status === 'draft') throw notFound('ROUND_NOT_FOUND', 'No such round');
      const finalisation =
        round.resultsStatus === 'published' ? await reports.finalisation(roundId) : undefined;
      if (!finalisation)
        throw notFound('RESULTS_NOT_PUBLISHED', 'The results of this round are not published yet');
      const groups = await groupsOf(contest, finalisation.id);
      const winners = await reports.winners(finalisation.id);
      const person = (r: RankingExportRow) => ({
        rank: r.rank,
        name: r.name,
        unit: r.unit,
        score: r.score,
        durationMs: r.durationMs,
        prize: r.prize,
      });
      const [table, localities] = await Promise.all([
        unitTable(contest, finalisation.id),
        reports.localityCounts({ finalisationId: finalisation.id }),
      ]);
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      return {
        round: {
          id: round.id,
          title: round.title,
          contestSlug: contest.slug,
          contestTitle: contest.title,
          timeZone: contest.timeZone,
        },
        finalisedAt: new Date(finalisation.createdAt).toISOString(),
        publishedAt: iso(finalisation.publishedAt),
        hash: finalisation.hash,
        participants: finalisation.participants,
        prediction:
          finalisation.predictionKind === null || finalisation.actualValue === null
            ? null
            : {
                kind: finalisation.predictionKind,
                value: finalisation.actualValue,
                allCorrect: finalisation.allCorrect,
                participants: finalisation.participants,
              },
        groups: await Promise.all(
          groups.map(async (g) => ({
            key: g.groupKey === '' ? null : g.groupKey,
            name: g.name,
            participants: g.rows,
            winners: winners.filter((w) => w.groupKey === g.groupKey).map(person),
            top: (await reports.rankingPage(finalisation.id, g.groupKey, 0, PUBLIC_TOP)).map(person),
          })),
        ),
        participation: {
          byUnit: table.units
            .filter((u) => u.participants > 0)
            .map((u) => ({
              unitCode: u.unitCode,
              unitName: u.unitName,
              participants: u.participants,
              headcount: u.headcount,
              rate: u.rate,
              rankByCount: u.rankByCount,
              rankByRate: u.rankByRate,
            })),
          withoutUnit: table.withoutUnit,
          byLocality: sortLocalities(localities),
        },
      };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;

const vietnamese = new Intl.Collator('vi');

/** Localities most participants first, then in Vietnamese alphabetical order ("not given" last among equals). */
export function sortLocalities<T extends { locality: string | null; participants: number }>(
  rows: readonly T[],
): T[] {
  return [...rows].sort(
    (a, b) =>
      b.participants - a.participants ||
      (a.locality === null ? 1 : b.locality === null ? -1 : vietnamese.compare(a.locality, b.locality)),
  );
}

export interface UnitTableRow {
  unitCode: string;
  unitName: string;
  parentCode: string | null;
  participants: number;
  headcount: number | null;
  /** participants / headcount, null when the headcount is unknown or 0. */
  rate: number | null;
  rankByCount: number;
  rankByRate: number | null;
}

/**
 * Every unit of the contest with its participants (0 included), most participants first, with
 * the collective prize ranks of unitPrizes; participants without a unit are counted apart.
 */
export function buildUnitTable(
  counts: readonly { unitCode: string | null; participants: number }[],
  unitRows: readonly UnitRow[],
) {
  const byCode = new Map<string, number>();
  let withoutUnit = 0;
  for (const c of counts) {
    if (c.unitCode === null) withoutUnit += c.participants;
    else byCode.set(c.unitCode, (byCode.get(c.unitCode) ?? 0) + c.participants);
  }
  const known = new Map(unitRows.map((u) => [u.code, u]));
  const participation: UnitParticipation[] = unitRows.map((u) => ({
    unitCode: u.code,
    unitName: u.name,
    participants: byCode.get(u.code) ?? 0,
    headcount: u.headcount,
  }));
  // A code no longer among the contest's units still counts, under its code.
  for (const [code, n] of byCode) {
    if (!known.has(code))
      participation.push({ unitCode: code, unitName: code, participants: n, headcount: null });
  }
  const prizes = unitPrizes(participation);
  const rateRank = new Map(prizes.byRate.map((r) => [r.unitCode, r]));
  const units: UnitTableRow[] = prizes.byCount.map((u) => {
    const rate = rateRank.get(u.unitCode);
    return {
      unitCode: u.unitCode,
      unitName: u.unitName,
      parentCode: known.get(u.unitCode)?.parentCode || null,
      participants: u.participants,
      headcount: u.headcount,
      rate: rate ? rate.rate : null,
      rankByCount: u.rank,
      rankByRate: rate ? rate.rank : null,
    };
  });
  return { units, withoutUnit };
}
