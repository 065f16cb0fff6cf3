// Shared set-up for the report tests (exports, statistics, public results, flags): a contest with
// every standard registration field plus a custom one, units with headcounts, two groups, and a
// round with prize bands, all made through the API. Also XLSX reading helpers.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import {
  call,
  DAY,
  makeContestWithRound,
  ok,
  roundBody,
  type ContestFixture,
  type QuestionInput,
  type RoundOptions,
  type TestApp,
} from '../helpers.ts';

export const REPORT_FIELDS = [
  { key: 'fullName', label: 'Họ và tên / Full name', type: 'text', required: true },
  { key: 'dateOfBirth', label: 'Ngày sinh / Date of birth', type: 'date', required: false },
  { key: 'phone', label: 'Số điện thoại / Phone', type: 'phone', required: false },
  { key: 'idNumber', label: 'Số CCCD / Citizen ID number', type: 'text', required: false },
  { key: 'unit', label: 'Đơn vị / Unit', type: 'unit', required: false },
  { key: 'locality', label: 'Địa phương / Locality', type: 'text', required: false },
  { key: 'group', label: 'Bảng thi / Division', type: 'select', required: true, options: ['A', 'B'] },
  { key: 'school', label: 'Trường / School', type: 'text', required: false },
];

export const REPORT_GROUPS = [
  { key: 'A', name: 'Bảng A: Học sinh / Pupils' },
  { key: 'B', name: 'Bảng B: Sinh viên / Students' },
];

// Roots leave parentCode out and an unknown headcount is left out rather than sent as null: the
// API's validator coerces a null there to "" and 0 (see the note in the issue reply).
export const REPORT_UNITS = [
  { code: 'HN', name: 'Thành phố Hà Nội' },
  { code: 'HN-CVA', name: 'Trường THPT Chu Văn An', parentCode: 'HN', headcount: 10 },
  { code: 'DN-LQD', name: 'Trường THPT chuyên Lê Quý Đôn', headcount: 4 },
  { code: 'HUE', name: 'Thừa Thiên Huế', headcount: 0 },
];

export interface ReportRound {
  fixture: ContestFixture;
  roundId: number;
}

/**
 * A contest with REPORT_FIELDS, REPORT_GROUPS and REPORT_UNITS, and a round with the given prize
 * bands (created through the API after the fixture's own round, which stays unused).
 */
export async function makeReportRound(
  t: TestApp,
  opts: RoundOptions & {
    questions?: QuestionInput[] | number;
    prizeBands?: { name: string; count: number }[];
    slug?: string;
  } = {},
): Promise<ReportRound> {
  const units = REPORT_UNITS;
  const fixture = await makeContestWithRound(t.app, {
    questions: opts.questions ?? 3,
    ...(opts.slug ? { slug: opts.slug } : {}),
    registrationFields: REPORT_FIELDS,
    groups: REPORT_GROUPS,
    units,
  });
  const count = typeof opts.questions === 'object' ? opts.questions.length : (opts.questions ?? 3);
  const { round } = ok<{ round: { id: number } }>(
    await call(t.app, 'POST', `/api/contests/${fixture.contestId}/rounds`, {
      cookie: fixture.organiser.cookie,
      payload: {
        ...roundBody(fixture.bankId, count, { closesAt: t.clock.now + DAY, ...opts }, t.app.now()),
        prizeBands: opts.prizeBands ?? [],
      },
    }),
    201,
  );
  return { fixture, roundId: round.id };
}

export type CellValue = string | number | boolean | null;

/** A sheet's rows as plain values (1-based columns 1..width), header first. */
export function sheetRows(sheet: ExcelJS.Worksheet, width: number): CellValue[][] {
  const rows: CellValue[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const values: CellValue[] = [];
    for (let c = 1; c <= width; c++) {
      const v = row.getCell(c).value;
      values.push(v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : v);
    }
    rows.push(values);
  }
  return rows;
}

export async function loadWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return workbook;
}

/** An instant as the contest's clock shows it, for a zone at UTC+7 without DST (Asia/Ho_Chi_Minh). */
export const hcmTime = (iso: string): string =>
  `${new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().replace('T', ' ').replace('Z', '')} GMT+7`;

/** Finalises through the API after moving the clock past the close and grace. */
export async function finalise(
  t: TestApp,
  roundId: number,
  cookie: string,
): Promise<{ hash: string; id: number }> {
  t.clock.advance(DAY + 2_001);
  return ok<{ finalisation: { hash: string; id: number } }>(
    await call(t.app, 'POST', `/api/rounds/${roundId}/finalize`, { cookie }),
  ).finalisation;
}

export const get = (app: FastifyInstance, url: string, cookie?: string) =>
  call(app, 'GET', url, cookie ? { cookie } : {});
