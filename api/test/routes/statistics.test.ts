// Round statistics on a small hand-built round: participation per day (contest time zone), unit and
// locality, the score histogram, and item analysis with its flags; who sees the full and the public
// view; the statistics workbook.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  HOUR,
  makeAccountWithRoles,
  makeApp,
  makeOrganiser,
  makeParticipant,
  ok,
  refusal,
  saveAnswer,
  startAttempt,
  submit,
  type Account,
} from '../helpers.ts';
import {
  finalise,
  get,
  loadWorkbook,
  makeReportRound,
  sheetRows,
  type ReportRound,
} from './report-fixtures.ts';

interface Item {
  questionId: number;
  responses: number;
  correct: number;
  facility: number | null;
  discrimination: number | null;
  unanswered: number;
  top: { responses: number; correct: number; facility: number | null };
  bottom: { responses: number; correct: number; facility: number | null };
  options: {
    id: string;
    text: string;
    correct: boolean;
    chosen: number;
    chosenTop: number;
    chosenBottom: number;
  }[];
  flags: string[];
}
interface Statistics {
  view: 'full' | 'public';
  round: { id: number; timeZone: string; questionCount: number };
  participation: {
    participants: number;
    attempts: number;
    byDay: { date: string; attempts: number; participants: number }[];
    byUnit: {
      unitCode: string;
      unitName: string;
      participants: number;
      headcount: number | null;
      rate: number | null;
    }[];
    withoutUnit: number;
    byLocality: { locality: string | null; participants: number }[];
  };
  scores: {
    maxScore: number | null;
    mean: number | null;
    median: number | null;
    histogram: { score: number; count: number }[];
  };
  itemAnalysis?: { attempts: number; groupSize: number; items: Item[] };
}

// Five questions, ten participants; R = right, A/B = the first/second wrong option, - = no answer.
// The same plan as the rule's unit test: top 27% = P2, P1, P3; bottom = P8, P9, P10.
//           Q1 Q2 Q3 Q4 Q5   score  unit     locality
const PLAN: [string, string | null, string | null][] = [
  ['R R A A R', 'HN-CVA', 'Hà Nội'], // P1  3
  ['R R R A R', 'HN-CVA', 'Hà Nội'], // P2  4
  ['R R B A R', 'HN-CVA', 'Hà Nội'], // P3  3
  ['R A R B A', 'HN-CVA', 'Huế'], //    P4  2
  ['A R A R -', 'DN-LQD', null], //     P5  2
  ['R B R B A', 'DN-LQD', null], //     P6  2   (day 2 from here on)
  ['A R A A R', 'HN', null], //         P7  2
  ['A A R B A', null, null], //         P8  1
  ['B - R A B', null, null], //         P9  1
  ['- - - R -', null, null], //         P10 1
];

describe('round statistics', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let r: ReportRound;
  let judge: Account;
  let admin: Account;
  let otherOrganiser: Account;
  const people: Account[] = [];

  before(async () => {
    judge = await makeAccountWithRoles(app, ['judge'], 'judge');
    admin = await makeAccountWithRoles(app, ['admin'], 'admin');
    otherOrganiser = await makeOrganiser(app);
    r = await makeReportRound(t, {
      questions: 5,
      shuffleQuestions: false,
      shuffleOptions: false,
      maxAttempts: 1,
    });
    for (const [i, [, unit, locality]] of PLAN.entries()) {
      people.push(
        await makeParticipant(app, r.fixture.slug, {
          fullName: `Thí sinh ${i + 1}`,
          group: 'A',
          ...(unit ? { unit } : {}),
          ...(locality ? { locality } : {}),
        }),
      );
    }
    // T0 is 15:00 in Ho Chi Minh City: five attempts that day, then five after local midnight.
    for (const [i, [plan]] of PLAN.entries()) {
      if (i === 5) t.clock.advance(12 * HOUR);
      const cookie = people[i]!.cookie;
      const attempt = await startAttempt(app, r.roundId, cookie);
      const snapshots = await app.repos.attempts.questions(attempt.id);
      const choices = plan.split(' ');
      for (const q of snapshots) {
        const n = r.fixture.questionIds.indexOf(q.questionId);
        const c = choices[n]!;
        if (c === '-') continue;
        const option = q.snapshot.options.find((o) =>
          c === 'R' ? o.correct : !o.correct && o.text.endsWith(c.toLowerCase()),
        )!;
        ok(await saveAnswer(app, attempt.id, q.questionId, [option.id], cookie));
      }
      t.clock.advance(40_000 + i * 1000);
      await submit(app, attempt.id, cookie);
    }
  });

  const stats = (cookie?: string) => get(app, `/api/rounds/${r.roundId}/statistics`, cookie);

  test('before publishing: 401 signed out, 403 participants and other organisers, 404 unknown round', async () => {
    refusal(await stats(), 401, 'UNAUTHENTICATED');
    refusal(await stats(people[0]!.cookie), 403, 'FORBIDDEN');
    refusal(await stats(otherOrganiser.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, '/api/rounds/999999/statistics', judge.cookie), 404, 'ROUND_NOT_FOUND');
    refusal(await get(app, `/api/rounds/${r.roundId}/statistics.xlsx`), 401, 'UNAUTHENTICATED');
    refusal(await get(app, `/api/rounds/${r.roundId}/statistics.xlsx`, people[0]!.cookie), 403, 'FORBIDDEN');
    refusal(
      await get(app, `/api/rounds/${r.roundId}/statistics.xlsx`, otherOrganiser.cookie),
      403,
      'FORBIDDEN',
    );
    refusal(await get(app, '/api/rounds/999999/statistics.xlsx', judge.cookie), 404, 'ROUND_NOT_FOUND');
  });

  test('participation per day in the contest time zone, per unit and per locality', async () => {
    const s = ok<Statistics>(await stats(judge.cookie));
    assert.equal(s.view, 'full');
    assert.equal(s.participation.participants, 10);
    assert.equal(s.participation.attempts, 10);
    assert.deepEqual(s.participation.byDay, [
      { date: '2026-03-02', attempts: 5, participants: 5 },
      { date: '2026-03-03', attempts: 5, participants: 5 },
    ]);
    assert.deepEqual(s.participation.byUnit, [
      { unitCode: 'HN-CVA', unitName: 'Trường THPT Chu Văn An', participants: 4, headcount: 10, rate: 0.4 },
      {
        unitCode: 'DN-LQD',
        unitName: 'Trường THPT chuyên Lê Quý Đôn',
        participants: 2,
        headcount: 4,
        rate: 0.5,
      },
      { unitCode: 'HN', unitName: 'Thành phố Hà Nội', participants: 1, headcount: null, rate: null },
      { unitCode: 'HUE', unitName: 'Thừa Thiên Huế', participants: 0, headcount: 0, rate: null },
    ]);
    assert.equal(s.participation.withoutUnit, 3);
    assert.deepEqual(s.participation.byLocality, [
      { locality: null, participants: 6 },
      { locality: 'Hà Nội', participants: 3 },
      { locality: 'Huế', participants: 1 },
    ]);
  });

  test('score distribution: a histogram per score value, mean and median', async () => {
    const s = ok<Statistics>(await stats(r.fixture.organiser.cookie));
    assert.equal(s.view, 'full', 'the owner sees everything');
    assert.deepEqual(s.scores, {
      maxScore: 5,
      mean: 2.1,
      median: 2,
      histogram: [
        { score: 1, count: 3 },
        { score: 2, count: 4 },
        { score: 3, count: 2 },
        { score: 4, count: 1 },
      ],
    });
  });

  test('item analysis: facility, discrimination, option counts and flags', async () => {
    const s = ok<Statistics>(await stats(admin.cookie));
    const analysis = s.itemAnalysis!;
    assert.deepEqual([analysis.attempts, analysis.groupSize], [10, 3]);
    const byQ = (n: number) => analysis.items.find((i) => i.questionId === r.fixture.questionIds[n - 1])!;
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => {
        const i = byQ(n);
        return [
          n,
          i.responses,
          i.correct,
          i.facility,
          i.top.facility,
          i.bottom.facility,
          i.discrimination,
          i.unanswered,
          i.flags,
        ];
      }),
      [
        [1, 10, 5, 0.5, 1, 0, 1, 1, []],
        [2, 10, 5, 0.5, 1, 0, 1, 2, []],
        [3, 10, 5, 0.5, 0.3333, 0.6667, -0.3333, 1, ['negative_discrimination']],
        [4, 10, 2, 0.2, 0, 0.3333, -0.3333, 0, ['negative_discrimination', 'possible_miskey']],
        [5, 10, 4, 0.4, 1, 0, 1, 2, []],
      ],
    );
    assert.deepEqual(
      byQ(4).options.map((o) => [o.text, o.correct, o.chosen, o.chosenTop, o.chosenBottom]),
      [
        ['Right 4', true, 2, 0, 1],
        ['Wrong 4a', false, 5, 3, 1],
        ['Wrong 4b', false, 3, 0, 1],
      ],
    );
  });

  test('the statistics workbook has the same tables', async () => {
    const res = await get(app, `/api/rounds/${r.roundId}/statistics.xlsx`, r.fixture.organiser.cookie);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(
      String(res.headers['content-disposition']),
      new RegExp(`thong-ke-${r.fixture.slug}-vong-${r.roundId}\\.xlsx`),
    );
    const workbook = await loadWorkbook(res.rawPayload);
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['Days', 'Units', 'Localities', 'Scores', 'Items', 'Options'],
    );
    assert.deepEqual(sheetRows(workbook.getWorksheet('Days')!, 3).slice(1), [
      ['2026-03-02', 5, 5],
      ['2026-03-03', 5, 5],
    ]);
    assert.deepEqual(sheetRows(workbook.getWorksheet('Scores')!, 2).slice(1), [
      [1, 3],
      [2, 4],
      [3, 2],
      [4, 1],
    ]);
    assert.deepEqual(sheetRows(workbook.getWorksheet('Units')!, 5).slice(1), [
      ['HN-CVA', 'Trường THPT Chu Văn An', 4, 10, 0.4],
      ['DN-LQD', 'Trường THPT chuyên Lê Quý Đôn', 2, 4, 0.5],
      ['HN', 'Thành phố Hà Nội', 1, null, null],
      ['HUE', 'Thừa Thiên Huế', 0, 0, null],
      [null, 'Không có đơn vị / No unit', 3, null, null],
    ]);
    const items = sheetRows(workbook.getWorksheet('Items')!, 11);
    const q4 = items.find((row) => row[0] === r.fixture.questionIds[3])!;
    assert.deepEqual(q4, [
      r.fixture.questionIds[3],
      'Question 4: which is right?',
      'single',
      10,
      2,
      0.2,
      0,
      0.3333,
      -0.3333,
      0,
      'negative_discrimination, possible_miskey',
    ]);
    const options = sheetRows(workbook.getWorksheet('Options')!, 7).filter(
      (row) => row[0] === r.fixture.questionIds[3],
    );
    assert.deepEqual(
      options.map((row) => [row[2], row[3], row[4], row[5], row[6]]),
      [
        ['Right 4', 'x', 2, 0, 1],
        ['Wrong 4a', null, 5, 3, 1],
        ['Wrong 4b', null, 3, 0, 1],
      ],
    );
  });

  test('once published, everyone gets the public view: participation and scores, no item analysis', async () => {
    await finalise(t, r.roundId, judge.cookie);
    refusal(await stats(), 401, 'UNAUTHENTICATED');
    ok(await call(app, 'POST', `/api/rounds/${r.roundId}/publish-results`, { cookie: judge.cookie }));
    for (const cookie of [undefined, people[0]!.cookie, otherOrganiser.cookie]) {
      const s = ok<Statistics>(await stats(cookie));
      assert.equal(s.view, 'public');
      assert.equal(s.itemAnalysis, undefined);
      assert.equal(s.participation.participants, 10);
      assert.equal(s.scores.histogram.length, 4);
    }
    assert.equal(ok<Statistics>(await stats(judge.cookie)).view, 'full');
    refusal(await get(app, `/api/rounds/${r.roundId}/statistics.xlsx`, people[0]!.cookie), 403, 'FORBIDDEN');
  });
});
