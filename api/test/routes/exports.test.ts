// Exports of a finalised round (XLSX with Ranking, Prizes, Units and Round sheets; CSV of the
// Ranking), read back with exceljs and the project's CSV parser, every column checked; the public
// results before and after publishing; role refusals; a 10,000-participant export.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateParticipantsIn } from '@quizarena/seed';
import { parseCsvRecords } from '../../src/interchange/csv.ts';
import {
  answerAttempt,
  call,
  makeAccountWithRoles,
  makeApp,
  makeParticipant,
  ok,
  refusal,
  startAttempt,
  submit,
  takeRound,
  type Account,
} from '../helpers.ts';
import {
  finalise,
  get,
  hcmTime,
  loadWorkbook,
  makeReportRound,
  REPORT_GROUPS,
  sheetRows,
  type CellValue,
  type ReportRound,
} from './report-fixtures.ts';

const RANKING_HEADER = [
  'Hạng / Rank',
  'Họ và tên / Full name',
  'Ngày sinh / Date of birth',
  'Số điện thoại / Phone',
  'Số CCCD / Citizen ID number',
  'Đơn vị / Unit',
  'Đơn vị / Unit (mã / code)',
  'Địa phương / Locality',
  'Bảng thi / Division',
  'Trường / School',
  'Điểm / Score',
  'Số câu đúng / Correct answers',
  'Dự đoán / Prediction',
  'Độ lệch dự đoán / Prediction distance',
  'Thời gian làm bài / Duration (mm:ss.SSS)',
  'Nộp bài lúc / Submitted at',
  'Giải / Prize',
];

const BANDS = [
  { name: 'Giải Nhất / First prize', count: 1 },
  { name: 'Giải Nhì / Second prize', count: 1 },
  { name: 'Giải Ba / Third prize', count: 5 },
];

const UNIT_NAMES: Record<string, string> = {
  HN: 'Thành phố Hà Nội',
  'HN-CVA': 'Trường THPT Chu Văn An',
  'DN-LQD': 'Trường THPT chuyên Lê Quý Đôn',
};

interface Person {
  label: string;
  fields: Record<string, string>;
  right: number;
  takeMs: number;
  prediction: number;
}

// Actual = 5 (A1, A2, A4, B1, B2 get all 3 right). Group A: A2 (distance 1), A1 and A4 (distance
// 2; A1 faster), A3 (score 2). Group B: B1 and B2 tie on every rule (started and submitted together),
// across the 1-place First prize: a boundary tie; B3 then gets the Second prize.
const PEOPLE: Person[] = [
  {
    label: 'A1',
    fields: {
      fullName: 'Nguyễn Thị Ánh',
      dateOfBirth: '2008-02-03',
      phone: '0912 345 678',
      idNumber: '001308000001',
      unit: 'HN-CVA',
      locality: 'Hà Nội',
      group: 'A',
      school: 'Trường "Chu Văn An", Hà Nội',
    },
    right: 3,
    takeMs: 65_432,
    prediction: 3,
  },
  {
    label: 'A2',
    fields: {
      fullName: '=HYPERLINK("http://x.test","Nhấn")',
      phone: '+84 912 000 111',
      unit: 'DN-LQD',
      locality: 'Đà Nẵng',
      group: 'A',
    },
    right: 3,
    takeMs: 70_000,
    prediction: 6,
  },
  {
    label: 'A3',
    fields: { fullName: 'Trần Văn Bình', unit: 'HN-CVA', group: 'A', school: '-Trường lạ' },
    right: 2,
    takeMs: 30_000,
    prediction: 3,
  },
  {
    label: 'A4',
    fields: { fullName: 'Lê Thị Cúc', unit: 'HN', locality: '@Huế', group: 'A' },
    right: 3,
    takeMs: 80_000,
    prediction: 3,
  },
  {
    label: 'B3',
    fields: { fullName: 'Hoàng Thu Hà', group: 'B', dateOfBirth: '2004-12-31' },
    right: 1,
    takeMs: 40_000,
    prediction: 0,
  },
];
const TIED: Person[] = [
  {
    label: 'B1',
    fields: { fullName: 'Phạm Minh Đức', unit: 'HN-CVA', group: 'B' },
    right: 3,
    takeMs: 50_000,
    prediction: 4,
  },
  {
    label: 'B2',
    fields: { fullName: 'Vũ Ngọc Lan', unit: 'DN-LQD', group: 'B' },
    right: 3,
    takeMs: 50_000,
    prediction: 4,
  },
];

describe('exports of a finalised round', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let r: ReportRound;
  let judge: Account;
  let participant: Account;
  let hash: string;
  const submitted = new Map<string, string>();
  const account = new Map<string, Account>();

  before(async () => {
    judge = await makeAccountWithRoles(app, ['judge'], 'judge');
    r = await makeReportRound(t, {
      questions: 3,
      prediction: { prompt: 'Bao nhiêu người đúng tất cả?', kind: 'count' },
      prizeBands: BANDS,
    });
    for (const p of [...PEOPLE, ...TIED])
      account.set(p.label, await makeParticipant(app, r.fixture.slug, p.fields));
    participant = account.get('A1')!;
    for (const p of PEOPLE) {
      const s = await takeRound(t, r.roundId, account.get(p.label)!.cookie, {
        rightCount: p.right,
        takeMs: p.takeMs,
        prediction: p.prediction,
      });
      assert.equal(s.durationMs, p.takeMs);
      submitted.set(p.label, s.submittedAt);
    }
    const started = [];
    for (const p of TIED) {
      const a = await startAttempt(app, r.roundId, account.get(p.label)!.cookie);
      await answerAttempt(app, a, account.get(p.label)!.cookie, p.right);
      started.push(a);
    }
    t.clock.advance(50_000);
    for (const [i, p] of TIED.entries()) {
      const s = await submit(app, started[i]!.id, account.get(p.label)!.cookie, { prediction: p.prediction });
      submitted.set(p.label, s.submittedAt);
    }
  });

  test('exports refuse the signed out, participants, unknown rounds and rounds not finalised', async () => {
    for (const path of ['results.xlsx', 'results.csv']) {
      refusal(await get(app, `/api/rounds/${r.roundId}/${path}`), 401, 'UNAUTHENTICATED');
      refusal(await get(app, `/api/rounds/${r.roundId}/${path}`, participant.cookie), 403, 'FORBIDDEN');
      refusal(
        await get(app, `/api/rounds/${r.fixture.roundId}/${path}`, r.fixture.organiser.cookie),
        403,
        'FORBIDDEN',
      );
      refusal(await get(app, `/api/rounds/999999/${path}`, judge.cookie), 404, 'ROUND_NOT_FOUND');
      refusal(await get(app, `/api/rounds/${r.roundId}/${path}`, judge.cookie), 409, 'NOT_FINALIZED');
    }
  });

  test('public results: 404 for an unknown round and before publishing', async () => {
    refusal(await get(app, '/api/rounds/999999/public-results'), 404, 'ROUND_NOT_FOUND');
    refusal(await get(app, `/api/rounds/${r.roundId}/public-results`), 404, 'RESULTS_NOT_PUBLISHED');
    hash = (await finalise(t, r.roundId, judge.cookie)).hash;
    refusal(
      await get(app, `/api/rounds/${r.roundId}/public-results`, participant.cookie),
      404,
      'RESULTS_NOT_PUBLISHED',
    );
  });

  /** The Ranking rows expected, in order: group A then B. */
  const expectedRanking = (): CellValue[][] => {
    const byLabel = new Map([...PEOPLE, ...TIED].map((p) => [p.label, p]));
    const order: [string, number, number, string | null][] = [
      // label, rank, distance, prize
      ['A2', 1, 1, 'Giải Nhất / First prize'],
      ['A1', 2, 2, 'Giải Nhì / Second prize'],
      ['A4', 3, 2, 'Giải Ba / Third prize'],
      ['A3', 4, 2, 'Giải Ba / Third prize'],
      ['B1', 1, 1, null],
      ['B2', 1, 1, null],
      ['B3', 3, 5, 'Giải Nhì / Second prize'],
    ];
    return order.map(([label, rank, distance, prize]) => {
      const p = byLabel.get(label)!;
      const f = p.fields;
      const d = p.takeMs;
      const duration = `${String(Math.floor(d / 60_000)).padStart(2, '0')}:${String(Math.floor((d % 60_000) / 1000)).padStart(2, '0')}.${String(d % 1000).padStart(3, '0')}`;
      return [
        rank,
        f.fullName ?? null,
        f.dateOfBirth ?? null,
        f.phone ?? null,
        f.idNumber ?? null,
        f.unit ? UNIT_NAMES[f.unit]! : null,
        f.unit ?? null,
        f.locality ?? null,
        f.group ?? null,
        f.school ?? null,
        p.right,
        p.right,
        p.prediction,
        distance,
        duration,
        hcmTime(submitted.get(label)!),
        prize,
      ];
    });
  };

  test('the XLSX has the Ranking with every registration field, in the contest time zone', async () => {
    const res = await get(app, `/api/rounds/${r.roundId}/results.xlsx`, judge.cookie);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(
      res.headers['content-type'],
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    assert.match(
      String(res.headers['content-disposition']),
      new RegExp(`^attachment; filename="ket-qua-${r.fixture.slug}-vong-${r.roundId}\\.xlsx"`),
    );
    const workbook = await loadWorkbook(res.rawPayload);
    assert.deepEqual(
      workbook.worksheets.map((s) => s.name),
      ['Ranking', 'Prizes', 'Units', 'Round'],
    );

    const ranking = sheetRows(workbook.getWorksheet('Ranking')!, RANKING_HEADER.length);
    assert.deepEqual(ranking[0], RANKING_HEADER);
    assert.deepEqual(ranking.slice(1), expectedRanking());
    // Spot checks, written out: Vietnamese text, the time zone format, mm:ss.SSS.
    assert.equal(ranking[2]![1], 'Nguyễn Thị Ánh');
    assert.equal(ranking[2]![15], '2026-03-02 15:01:05.432 GMT+7');
    assert.equal(ranking[2]![14], '01:05.432');
    assert.equal(ranking[1]![1], '=HYPERLINK("http://x.test","Nhấn")', 'XLSX cells are text, never formulas');

    const prizes = sheetRows(workbook.getWorksheet('Prizes')!, 9);
    const person = (
      label: string,
      rank: number,
      name: string,
      unit: string | null,
      score: number,
      ms: string,
    ) => [rank, name, unit, score, ms, hcmTime(submitted.get(label)!)];
    const [groupA, groupB] = REPORT_GROUPS.map((g) => g.name);
    assert.deepEqual(prizes.slice(0, 7), [
      [
        'Bảng / Group',
        'Giải / Prize',
        'Hạng / Rank',
        'Họ và tên / Name',
        'Đơn vị / Unit',
        'Điểm / Score',
        'Thời gian / Duration',
        'Nộp bài lúc / Submitted at',
        null,
      ],
      [
        groupA,
        'Giải Nhất / First prize',
        ...person(
          'A2',
          1,
          '=HYPERLINK("http://x.test","Nhấn")',
          'Trường THPT chuyên Lê Quý Đôn',
          3,
          '01:10.000',
        ),
        null,
      ],
      [
        groupA,
        'Giải Nhì / Second prize',
        ...person('A1', 2, 'Nguyễn Thị Ánh', 'Trường THPT Chu Văn An', 3, '01:05.432'),
        null,
      ],
      [
        groupA,
        'Giải Ba / Third prize',
        ...person('A4', 3, 'Lê Thị Cúc', 'Thành phố Hà Nội', 3, '01:20.000'),
        null,
      ],
      [
        groupA,
        'Giải Ba / Third prize',
        ...person('A3', 4, 'Trần Văn Bình', 'Trường THPT Chu Văn An', 2, '00:30.000'),
        null,
      ],
      [groupB, 'Giải Nhì / Second prize', ...person('B3', 3, 'Hoàng Thu Hà', null, 1, '00:40.000'), null],
      [null, null, null, null, null, null, null, null, null],
    ]);
    assert.match(String(prizes[7]![0]), /Ties across a prize boundary/);
    assert.deepEqual(prizes.slice(8), [
      [
        'Bảng / Group',
        'Giải / Prize',
        'Hạng / Rank',
        'Họ và tên / Name',
        'Đơn vị / Unit',
        'Điểm / Score',
        'Thời gian / Duration',
        'Nộp bài lúc / Submitted at',
        'Số suất còn lại / Places left',
      ],
      [
        groupB,
        'Giải Nhất / First prize',
        ...person('B1', 1, 'Phạm Minh Đức', 'Trường THPT Chu Văn An', 3, '00:50.000'),
        1,
      ],
      [
        groupB,
        'Giải Nhất / First prize',
        ...person('B2', 1, 'Vũ Ngọc Lan', 'Trường THPT chuyên Lê Quý Đôn', 3, '00:50.000'),
        1,
      ],
    ]);

    const units = sheetRows(workbook.getWorksheet('Units')!, 8);
    assert.deepEqual(units, [
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
      ['HN-CVA', 'Trường THPT Chu Văn An', 'HN', 3, 10, 0.3, 1, 2],
      ['DN-LQD', 'Trường THPT chuyên Lê Quý Đôn', null, 2, 4, 0.5, 2, 1],
      ['HN', 'Thành phố Hà Nội', null, 1, null, null, 3, null],
      ['HUE', 'Thừa Thiên Huế', null, 0, 0, null, 4, null],
      [null, 'Không có đơn vị / No unit', null, 1, null, null, null, null],
    ]);
    assert.equal(workbook.getWorksheet('Units')!.getRow(2).getCell(6).numFmt, '0.00%');

    const round = new Map(
      sheetRows(workbook.getWorksheet('Round')!, 2)
        .slice(1)
        .map(([k, v]) => [String(k), v]),
    );
    const judgeUser = await app.repos.users.findByEmail(judge.email);
    assert.equal(round.get('Mã băm bản chốt (SHA-256) / Snapshot hash (SHA-256)'), hash);
    assert.equal(round.get('Giá trị thực của dự đoán / Actual prediction value'), 5);
    assert.equal(round.get('Số người đúng tất cả / All correct'), 5);
    assert.equal(round.get('Số người tham gia / Participants'), 7);
    assert.equal(round.get('Người chốt / Finalised by (name)'), judgeUser!.name);
    assert.equal(round.get('Email người chốt / Finalised by (email)'), judge.email);
    assert.match(String(round.get('Chốt lúc / Finalised at')), /^2026-03-0\d \d\d:\d\d:\d\d\.\d{3} GMT\+7$/);
    assert.equal(round.get('Múi giờ / Time zone'), 'Asia/Ho_Chi_Minh');
    assert.equal(round.get('Câu hỏi dự đoán / Prediction question'), 'Bao nhiêu người đúng tất cả?');
    assert.equal(
      round.get('Cơ cấu giải / Prize bands'),
      'Giải Nhất / First prize: 1; Giải Nhì / Second prize: 1; Giải Ba / Third prize: 5',
    );
    assert.equal(round.get('Số câu hỏi / Questions'), 3);
    assert.equal(round.get('Công bố lúc / Published at'), null);
  });

  test('the CSV is the Ranking sheet: BOM, RFC 4180 quoting, formula injection neutralised', async () => {
    const res = await get(app, `/api/rounds/${r.roundId}/results.csv`, judge.cookie);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(
      String(res.headers['content-disposition']),
      new RegExp(`filename="ket-qua-${r.fixture.slug}-vong-${r.roundId}\\.csv"`),
    );
    const bytes = res.rawPayload;
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'CRLF line ends');
    assert.ok(
      text.includes('"\'=HYPERLINK(""http://x.test"",""Nhấn"")"'),
      'quotes doubled inside a quoted field',
    );
    // The project's parser reads LF records (its importer normalises line ends first).
    const { records, error } = parseCsvRecords(text.replace(/\r\n/g, '\n'), ',');
    assert.equal(error, undefined);
    const rows = records.map((rec) => rec.cells).filter((cells) => cells.some((c) => c !== ''));
    assert.deepEqual(rows[0], RANKING_HEADER);
    const guard = (v: CellValue): string => {
      if (v === null) return '';
      const s = String(v);
      return typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
    };
    assert.deepEqual(
      rows.slice(1),
      expectedRanking().map((row) => row.map(guard)),
    );
    assert.equal(rows[1]![1], '\'=HYPERLINK("http://x.test","Nhấn")');
    assert.equal(rows[1]![3], "'+84 912 000 111");
    assert.equal(rows[2]![9], 'Trường "Chu Văn An", Hà Nội');
    assert.equal(rows[3]![7], "'@Huế");
    assert.equal(rows[4]![9], "'-Trường lạ");
  });

  test('public results after publishing: winners and top per group, participation, prediction, hash', async () => {
    ok(await call(app, 'POST', `/api/rounds/${r.roundId}/publish-results`, { cookie: judge.cookie }));
    const body = ok<{
      hash: string;
      participants: number;
      prediction: { kind: string; value: number; allCorrect: number } | null;
      groups: {
        key: string | null;
        name: string | null;
        participants: number;
        winners: {
          rank: number;
          name: string;
          unit: string | null;
          prize: string | null;
          score: number;
          durationMs: number;
        }[];
        top: { rank: number; name: string; prize: string | null }[];
      }[];
      participation: {
        byUnit: {
          unitCode: string;
          participants: number;
          rate: number | null;
          rankByCount: number;
          rankByRate: number | null;
        }[];
        withoutUnit: number;
        byLocality: { locality: string | null; participants: number }[];
      };
    }>(await get(app, `/api/rounds/${r.roundId}/public-results`));
    assert.equal(body.hash, hash);
    assert.equal(body.participants, 7);
    assert.deepEqual(
      body.prediction && [body.prediction.kind, body.prediction.value, body.prediction.allCorrect],
      ['count', 5, 5],
    );
    assert.deepEqual(
      body.groups.map((g) => [g.key, g.name, g.participants]),
      [
        ['A', REPORT_GROUPS[0]!.name, 4],
        ['B', REPORT_GROUPS[1]!.name, 3],
      ],
    );
    assert.deepEqual(body.groups[0]!.winners[0], {
      rank: 1,
      name: '=HYPERLINK("http://x.test","Nhấn")',
      unit: 'Trường THPT chuyên Lê Quý Đôn',
      prize: 'Giải Nhất / First prize',
      score: 3,
      durationMs: 70_000,
    });
    assert.deepEqual(
      body.groups[0]!.winners.map((w) => w.name),
      ['=HYPERLINK("http://x.test","Nhấn")', 'Nguyễn Thị Ánh', 'Lê Thị Cúc', 'Trần Văn Bình'],
    );
    assert.deepEqual(
      body.groups[1]!.winners.map((w) => [w.name, w.prize]),
      [['Hoàng Thu Hà', 'Giải Nhì / Second prize']],
    );
    assert.deepEqual(
      body.groups[1]!.top.map((w) => [w.rank, w.name, w.prize]),
      [
        [1, 'Phạm Minh Đức', null],
        [1, 'Vũ Ngọc Lan', null],
        [3, 'Hoàng Thu Hà', 'Giải Nhì / Second prize'],
      ],
    );
    assert.deepEqual(
      body.participation.byUnit.map((u) => [u.unitCode, u.participants, u.rate, u.rankByCount, u.rankByRate]),
      [
        ['HN-CVA', 3, 0.3, 1, 2],
        ['DN-LQD', 2, 0.5, 2, 1],
        ['HN', 1, null, 3, null],
      ],
    );
    assert.equal(body.participation.withoutUnit, 1);
    assert.deepEqual(body.participation.byLocality, [
      { locality: null, participants: 4 },
      { locality: '@Huế', participants: 1 },
      { locality: 'Đà Nẵng', participants: 1 },
      { locality: 'Hà Nội', participants: 1 },
    ]);
    const leaked = JSON.stringify(body);
    for (const secret of ['0912 345 678', '001308000001', '2008-02-03'])
      assert.ok(!leaked.includes(secret), `no ${secret} in public`);
  });

  test('the published round still exports, and the Round sheet has the publication time', async () => {
    const res = await get(app, `/api/rounds/${r.roundId}/results.xlsx`, judge.cookie);
    const workbook = await loadWorkbook(res.rawPayload);
    const round = new Map(sheetRows(workbook.getWorksheet('Round')!, 2).map(([k, v]) => [String(k), v]));
    assert.match(String(round.get('Công bố lúc / Published at')), /GMT\+7$/);
  });
});

describe('a 10,000-participant export', async () => {
  const t = await makeApp();
  after(t.close);
  const N = 10_000;

  test('finishes and reads back every row', async () => {
    const judge = await makeAccountWithRoles(t.app, ['judge'], 'judge');
    const r = await makeReportRound(t, {
      questions: 5,
      prediction: { prompt: 'Bao nhiêu người đúng tất cả?', kind: 'count' },
      prizeBands: BANDS,
    });
    await generateParticipantsIn(t.app.database, { roundId: r.roundId, count: N, seed: 'export-10k' });
    await finalise(t, r.roundId, judge.cookie);

    const t0 = performance.now();
    const res = await get(t.app, `/api/rounds/${r.roundId}/results.xlsx`, judge.cookie);
    const xlsxMs = performance.now() - t0;
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    const t1 = performance.now();
    const csv = await get(t.app, `/api/rounds/${r.roundId}/results.csv`, judge.cookie);
    const csvMs = performance.now() - t1;
    console.log(
      `# 10,000-participant export: XLSX ${xlsxMs.toFixed(0)} ms (${(res.rawPayload.length / 1024).toFixed(0)} KiB), ` +
        `CSV ${csvMs.toFixed(0)} ms (${(csv.rawPayload.length / 1024).toFixed(0)} KiB)`,
    );

    const workbook = await loadWorkbook(res.rawPayload);
    const ranking = workbook.getWorksheet('Ranking')!;
    assert.equal(ranking.rowCount, N + 1);
    const rows = sheetRows(ranking, RANKING_HEADER.length);
    assert.deepEqual(rows[0], RANKING_HEADER);
    // Per group, ranks never go down and scores never go up.
    const groupCol = RANKING_HEADER.indexOf('Bảng thi / Division');
    for (let i = 2; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      if (a[groupCol] !== b[groupCol]) continue;
      assert.ok(Number(b[0]) >= Number(a[0]) && Number(b[10]) <= Number(a[10]), `row ${i + 1} in order`);
    }
    assert.equal(new Set(rows.slice(1).map((row) => row[groupCol])).size, 2);
    const lines = csv.rawPayload.toString('utf8').split('\r\n').filter(Boolean);
    assert.equal(lines.length, N + 1);
  });
});
