// Participant-facing contest routes: the list (published only), the detail with rounds and
// registration fields, the round view and its state on the server clock, and registration
// (entry) with every field rule, updates, and the lock after a first attempt.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  DAY,
  enter,
  HOUR,
  makeApp,
  makeOrganiser,
  makeContestWithRound,
  ok,
  refusal,
  register,
  registerAccount,
  startAttempt,
  type ContestFixture,
  type EntryView,
} from '../helpers.ts';

interface RoundView {
  id: number;
  contestId: number;
  contestSlug: string;
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  prediction: { prompt: string; kind: string } | null;
  showAnswers: string;
  showLeaderboard: string;
  state: 'upcoming' | 'open' | 'closed';
  me: {
    attemptsUsed: number;
    attemptsLeft: number;
    inProgressAttemptId: number | null;
    best: {
      attemptId: number;
      score: number;
      maxScore: number;
      correctCount: number;
      durationMs: number;
    } | null;
  } | null;
}
interface ContestDetail {
  contest: {
    id: number;
    slug: string;
    title: string;
    description: string;
    rulesText: string;
    status: string;
    timeZone: string;
    registrationFields: { key: string; label: string; type: string; required: boolean; options?: string[] }[];
    groups: { key: string; name: string }[];
    units: { code: string; name: string; parentCode: string | null }[];
    rounds: RoundView[];
  };
  entry: EntryView | null;
  now: string;
}
interface ContestList {
  contests: {
    id: number;
    slug: string;
    title: string;
    description: string;
    status: string;
    timeZone: string;
    rounds: number;
  }[];
}

const FIELDS = [
  { key: 'fullName', label: 'Họ và tên', type: 'text', required: true },
  { key: 'dateOfBirth', label: 'Ngày sinh', type: 'date', required: true },
  { key: 'phone', label: 'Điện thoại', type: 'phone', required: true },
  { key: 'unit', label: 'Đơn vị', type: 'unit', required: true },
  { key: 'group', label: 'Bảng', type: 'select', required: true, options: ['A', 'B'] },
  { key: 'locality', label: 'Địa phương', type: 'text', required: false },
  {
    key: 'school',
    label: 'Trường',
    type: 'select',
    required: false,
    options: ['THPT Chu Văn An', 'THPT Việt Đức'],
  },
];
const GROUPS = [
  { key: 'A', name: 'Học sinh' },
  { key: 'B', name: 'Sinh viên' },
];
const UNITS = [
  { code: 'HN', name: 'Hà Nội' },
  { code: 'HN.BD', name: 'Ba Đình', parentCode: 'HN' },
];
const GOOD = {
  fullName: ' Phạm Thị D ',
  dateOfBirth: '2005-09-02',
  phone: '+84 912 345 678',
  unit: 'HN.BD',
  group: 'A',
};

describe('contest routes', async () => {
  const t = await makeApp();
  after(t.close);
  const { app, clock } = t;
  let f: ContestFixture;
  let draft: ContestFixture;

  before(async () => {
    f = await makeContestWithRound(app, {
      registrationFields: FIELDS,
      groups: GROUPS,
      units: UNITS,
      opensAt: clock.now + HOUR,
      closesAt: clock.now + DAY,
      prediction: { prompt: 'How many will get everything right?', kind: 'count' },
      maxAttempts: 3,
    });
    draft = await makeContestWithRound(app, { organiser: f.organiser, publish: false });
  });

  test('the list shows published contests only, with their round count', async () => {
    const { contests } = ok<ContestList>(await call(app, 'GET', '/api/contests'));
    const mine = contests.find((c) => c.slug === f.slug);
    assert.ok(mine, 'the published contest is listed');
    assert.deepEqual(mine, {
      id: f.contestId,
      slug: f.slug,
      title: `Contest ${f.slug}`,
      description: 'A test contest',
      status: 'published',
      timeZone: 'Asia/Ho_Chi_Minh',
      rounds: 1,
    });
    assert.equal(
      contests.some((c) => c.slug === draft.slug),
      false,
      'drafts are not listed',
    );
    // Not even to their owner: the list is the public catalogue.
    const asOwner = ok<ContestList>(await call(app, 'GET', '/api/contests', { cookie: f.organiser.cookie }));
    assert.equal(
      asOwner.contests.some((c) => c.slug === draft.slug),
      false,
    );
  });

  test('the detail has the contest fields, groups, units and rounds; entry is null before registering', async () => {
    const d = ok<ContestDetail>(await call(app, 'GET', `/api/contests/${f.slug}`));
    assert.equal(d.now, new Date(clock.now).toISOString(), 'now is the server clock');
    assert.equal(d.entry, null);
    const c = d.contest;
    assert.equal(c.id, f.contestId);
    assert.equal(c.rulesText, 'Be fair.');
    assert.equal(c.status, 'published');
    assert.deepEqual(c.registrationFields, FIELDS);
    assert.deepEqual(c.groups, GROUPS);
    assert.deepEqual(c.units, [
      { code: 'HN', name: 'Hà Nội', parentCode: null },
      { code: 'HN.BD', name: 'Ba Đình', parentCode: 'HN' },
    ]);
    assert.equal(c.rounds.length, 1);
    const r = c.rounds[0]!;
    assert.equal(r.id, f.roundId);
    assert.equal(r.contestSlug, f.slug);
    assert.equal(r.state, 'upcoming');
    assert.equal(r.opensAt, new Date(clock.now + HOUR).toISOString());
    assert.equal(r.timeLimitSec, 600);
    assert.equal(r.questionCount, 3);
    assert.equal(r.maxAttempts, 3);
    assert.deepEqual(r.prediction, { prompt: 'How many will get everything right?', kind: 'count' });
    assert.equal(r.showAnswers, 'immediately');
    assert.equal(r.me, null, 'no personal figures for an anonymous visitor');
    const json = JSON.stringify(d);
    assert.equal(json.includes('"draw"'), false, 'the draw rules are not public');
    assert.equal(json.includes('"correct"'), false);
  });

  test('drafts are 404 to the public and to participants, visible to their owner', async () => {
    refusal(await call(app, 'GET', `/api/contests/${draft.slug}`), 404, 'CONTEST_NOT_FOUND');
    const someone = await register(app);
    refusal(
      await call(app, 'GET', `/api/contests/${draft.slug}`, { cookie: someone }),
      404,
      'CONTEST_NOT_FOUND',
    );
    refusal(await call(app, 'GET', `/api/rounds/${draft.roundId}`), 404, 'ROUND_NOT_FOUND');
    refusal(
      await call(app, 'POST', `/api/contests/${draft.slug}/entry`, {
        cookie: someone,
        payload: { fields: { fullName: 'X' } },
      }),
      404,
      'CONTEST_NOT_FOUND',
    );
    assert.equal(
      ok<ContestDetail>(await call(app, 'GET', `/api/contests/${draft.slug}`, { cookie: f.organiser.cookie }))
        .contest.status,
      'draft',
    );
    ok(await call(app, 'GET', `/api/rounds/${draft.roundId}`, { cookie: f.organiser.cookie }));
    refusal(await call(app, 'GET', '/api/contests/no-such-contest'), 404, 'CONTEST_NOT_FOUND');
  });

  test('GET /api/rounds/:id: upcoming, open, closed on the server clock', async () => {
    const get = async () =>
      ok<{ round: RoundView; now: string }>(await call(app, 'GET', `/api/rounds/${f.roundId}`));
    const saved = clock.now;
    try {
      assert.equal((await get()).round.state, 'upcoming');
      clock.advance(HOUR);
      const open = await get();
      assert.equal(open.round.state, 'open', 'open exactly at opensAt');
      assert.equal(open.now, new Date(clock.now).toISOString());
      clock.set(saved + DAY - 1);
      assert.equal((await get()).round.state, 'open');
      clock.set(saved + DAY);
      assert.equal((await get()).round.state, 'closed', 'closed exactly at closesAt');
    } finally {
      clock.set(saved);
    }
    refusal(await call(app, 'GET', '/api/rounds/999999'), 404, 'ROUND_NOT_FOUND');
    refusal(await call(app, 'GET', '/api/rounds/abc'), 400);
  });

  describe('entry', () => {
    const post = (cookie: string, fields: Record<string, string>, slug = f.slug) =>
      call(app, 'POST', `/api/contests/${slug}/entry`, { cookie, payload: { fields } });

    test('anonymous callers get 401', async () => {
      refusal(
        await call(app, 'POST', `/api/contests/${f.slug}/entry`, { payload: { fields: GOOD } }),
        401,
        'UNAUTHENTICATED',
      );
    });

    test('every required field is enforced (400 BAD_ENTRY)', async () => {
      const cookie = await register(app);
      for (const key of Object.keys(GOOD)) {
        const fields: Record<string, string> = { ...GOOD };
        delete fields[key];
        const body = refusal(await post(cookie, fields), 400, 'BAD_ENTRY');
        assert.match(body.message, new RegExp(key), `missing ${key} is named`);
        refusal(await post(cookie, { ...GOOD, [key]: '   ' }), 400, 'BAD_ENTRY');
      }
      refusal(await post(cookie, {}), 400, 'BAD_ENTRY');
    });

    test('bad dates, phones, units, groups, choices and unknown fields are refused', async () => {
      const cookie = await register(app);
      const bad: Record<string, string>[] = [
        { dateOfBirth: '2005-02-30' },
        { dateOfBirth: '02/09/2005' },
        { dateOfBirth: '2005-9-2' },
        { dateOfBirth: new Date(clock.now + 2 * DAY).toISOString().slice(0, 10) },
        { phone: 'call me' },
        { phone: '12345' },
        { phone: '+84 abc 345 678' },
        { unit: 'HCM' },
        { group: 'Z' },
        { school: 'Somewhere else' },
        { hacker: 'x' },
        { fullName: 'x'.repeat(301) },
      ];
      for (const change of bad) {
        refusal(await post(cookie, { ...GOOD, ...change }), 400, 'BAD_ENTRY');
      }
      const none = ok<ContestDetail>(await call(app, 'GET', `/api/contests/${f.slug}`, { cookie }));
      assert.equal(none.entry, null, 'nothing was stored by the refused attempts');
    });

    test('201 on first registration, 200 on update; the detail then shows the entry', async () => {
      const cookie = await register(app);
      const created = await post(cookie, { ...GOOD, locality: ' Hà Nội ', phone: '0912.345.678' });
      const { entry } = ok<{ entry: EntryView }>(created, 201);
      assert.equal(entry.fullName, 'Phạm Thị D');
      assert.equal(entry.unitCode, 'HN.BD');
      assert.equal(entry.groupKey, 'A');
      assert.deepEqual(entry.fields, {
        ...GOOD,
        fullName: 'Phạm Thị D',
        locality: 'Hà Nội',
        phone: '0912.345.678',
      });

      const updated = ok<{ entry: EntryView }>(
        await post(cookie, { ...GOOD, group: 'B', unit: 'HN', school: 'THPT Việt Đức' }),
        200,
      );
      assert.equal(updated.entry.id, entry.id, 'the same entry is updated');
      assert.equal(updated.entry.groupKey, 'B');
      assert.equal(updated.entry.unitCode, 'HN');
      assert.equal(updated.entry.fields.locality, undefined, 'an update replaces the fields');

      const d = ok<ContestDetail>(await call(app, 'GET', `/api/contests/${f.slug}`, { cookie }));
      assert.deepEqual(d.entry, updated.entry);
      assert.deepEqual(d.contest.rounds[0]!.me, {
        attemptsUsed: 0,
        attemptsLeft: 3,
        inProgressAttemptId: null,
        best: null,
      });
    });

    test('409 ENTRY_LOCKED once the participant has taken an attempt', async () => {
      const cookie = await register(app);
      await enter(app, f.slug, cookie, GOOD);
      const saved = clock.now;
      clock.advance(HOUR);
      try {
        const attempt = await startAttempt(app, f.roundId, cookie);
        const r = ok<{ round: RoundView }>(
          await call(app, 'GET', `/api/rounds/${f.roundId}`, { cookie }),
        ).round;
        assert.deepEqual(r.me, {
          attemptsUsed: 1,
          attemptsLeft: 2,
          inProgressAttemptId: attempt.id,
          best: null,
        });
        refusal(await post(cookie, { ...GOOD, group: 'B' }), 409, 'ENTRY_LOCKED');
        const d = ok<ContestDetail>(await call(app, 'GET', `/api/contests/${f.slug}`, { cookie }));
        assert.equal(d.entry?.groupKey, 'A', 'the entry did not change');
      } finally {
        clock.set(saved);
      }
    });

    test('a contest with the default fields takes just a full name', async () => {
      const plain = await makeContestWithRound(app, { organiser: f.organiser });
      const a = await registerAccount(app);
      const { entry } = ok<{ entry: EntryView }>(
        await post(a.cookie, { fullName: 'Đỗ Văn E' }, plain.slug),
        201,
      );
      assert.deepEqual(entry.fields, { fullName: 'Đỗ Văn E' });
      assert.equal(entry.unitCode, null);
      assert.equal(entry.groupKey, null);
    });

    test('a contest with groups can be entered with a group (or refuses groups without a group field)', async () => {
      // An organiser who defines groups but keeps the default registration fields.
      const res = await call(app, 'POST', '/api/contests', {
        cookie: f.organiser.cookie,
        payload: { slug: `groups-only-${process.pid}`, title: 'Groups only', rulesText: 'Be fair.', groups: GROUPS },
      });
      if (res.statusCode === 400) return; // refused at creation: acceptable
      const { contest } = ok<{ contest: { id: number; slug: string } }>(res, 201);
      const bank = ok<{ bank: { id: number } }>(
        await call(app, 'POST', '/api/banks', { cookie: f.organiser.cookie, payload: { name: 'G' } }),
        201,
      ).bank.id;
      ok(
        await call(app, 'POST', `/api/banks/${bank}/questions`, {
          cookie: f.organiser.cookie,
          payload: {
            type: 'truefalse',
            stem: 'Yes?',
            options: [
              { text: 'Yes', correct: true },
              { text: 'No', correct: false },
            ],
          },
        }),
        201,
      );
      ok(
        await call(app, 'POST', `/api/contests/${contest.id}/rounds`, {
          cookie: f.organiser.cookie,
          payload: {
            title: 'R',
            opensAt: new Date(clock.now).toISOString(),
            closesAt: new Date(clock.now + DAY).toISOString(),
            timeLimitSec: 60,
            questionCount: 1,
            maxAttempts: 1,
            draw: [{ bankId: bank, count: 1 }],
            showAnswers: 'never',
            showLeaderboard: 'never',
          },
        }),
        201,
      );
      ok(await call(app, 'POST', `/api/contests/${contest.id}/publish`, { cookie: f.organiser.cookie }));
      const cookie = await register(app);
      const entered = await post(cookie, { fullName: 'Võ Thị F', group: 'A' }, contest.slug);
      assert.equal(
        entered.statusCode,
        201,
        `a contest created with groups and the default fields cannot be entered at all: ${entered.body}`,
      );
    });
  });
});

describe('nullable fields in requests stay null', async () => {
  const t = await makeApp();
  after(t.close);

  test('a unit with parentCode and headcount null is stored with nulls, not coerced', async () => {
    const organiser = await makeOrganiser(t.app);
    const res = ok<{ contest: { id: number } }>(
      await call(t.app, 'POST', '/api/contests', {
        cookie: organiser.cookie,
        payload: {
          slug: `nulls-${process.pid}`,
          title: 'Nulls',
          units: [
            { code: 'A', name: 'Tỉnh A', parentCode: null, headcount: null },
            { code: 'A1', name: 'Xã A1', parentCode: 'A', headcount: 12 },
          ],
        },
      }),
      201,
    );
    const units = await t.app.repos.contests.units(res.contest.id);
    assert.deepEqual(
      units.map((u) => [u.code, u.parentCode, u.headcount]),
      [
        ['A', null, null],
        ['A1', 'A', 12],
      ],
    );
  });
});

describe('zero stays zero next to null', async () => {
  const t = await makeApp();
  after(t.close);

  test('a headcount of 0 is stored as 0', async () => {
    const organiser = await makeOrganiser(t.app);
    const res = ok<{ contest: { id: number } }>(
      await call(t.app, 'POST', '/api/contests', {
        cookie: organiser.cookie,
        payload: {
          slug: `zero-${process.pid}`,
          title: 'Zero',
          units: [{ code: 'Z', name: 'Z', headcount: 0 }],
        },
      }),
      201,
    );
    assert.equal((await t.app.repos.contests.units(res.contest.id))[0]!.headcount, 0);
    refusal(
      await call(t.app, 'POST', '/api/contests', {
        cookie: organiser.cookie,
        payload: {
          slug: `bad-${process.pid}`,
          title: 'Bad',
          units: [{ code: 'Z', name: 'Z', headcount: 'many' }],
        },
      }),
      400,
    );
  });
});
