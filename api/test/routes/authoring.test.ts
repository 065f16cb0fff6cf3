// The organiser's editing side, through the real server: bank details and retiring, the contest
// editor (lists, views, changes, units and their CSV preview), editing and deleting rounds before
// and after attempts, the draw preview, the publishing checklist and the live dashboard.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import {
  call,
  DAY,
  HOUR,
  makeAccountWithRoles,
  makeAdmin,
  makeApp,
  makeClock,
  makeContestWithRound,
  makeOrganiser,
  makeParticipant,
  MINUTE,
  ok,
  refusal,
  register,
  roundBody,
  singleQuestion,
  startAttempt,
  takeRound,
  type Account,
  type ContestFixture,
  type QuestionInput,
} from '../helpers.ts';

type Visibility = 'immediately' | 'after_close' | 'never';

interface BankItem {
  id: number;
  name: string;
  questionCount: number;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  status: string;
  updatedAt: string;
}
interface BankDetail {
  id: number;
  name: string;
  questionCount: number;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  status: string;
  canShare: boolean;
  tags: { tag: string; count: number }[];
}
interface ManagedContest {
  id: number;
  slug: string;
  title: string;
  status: string;
  timeZone: string;
  rounds: number;
  entries: number;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  createdAt: string;
}
interface Unit {
  code: string;
  name: string;
  parentCode: string | null;
  headcount: number | null;
}
interface UnitInput {
  code: string;
  name: string;
  parentCode?: string | null;
  headcount?: number | null;
}
interface Field {
  key: string;
  label: string;
  type: string;
  required: boolean;
  options?: string[];
}
interface ContestEdit {
  id: number;
  slug: string;
  title: string;
  description: string;
  rulesText: string;
  status: string;
  timeZone: string;
  registrationFields: Field[];
  groups: { key: string; name: string }[];
  units: Unit[];
  ownerId: number;
  ownerName: string;
  shared: boolean;
  canShare: boolean;
  entries: number;
}
interface DrawRule {
  bankId: number;
  tags?: string[];
  difficulty?: number[];
  count: number;
}
interface Prediction {
  prompt: string;
  kind: 'count' | 'percent';
}
interface RoundInput {
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: DrawRule[];
  prediction?: Prediction;
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  shuffleQuestions?: boolean;
  shuffleOptions?: boolean;
  partialCredit?: boolean;
  prizeBands?: { name: string; count: number }[];
}
interface RoundEdit {
  id: number;
  contestId: number;
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: DrawRule[];
  prediction: Prediction | null;
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  prizeBands: { name: string; count: number }[];
  state: 'upcoming' | 'open' | 'closed';
  resultsStatus: string;
  attempts: number;
}
interface ContestView {
  contest: ContestEdit;
  rounds: RoundEdit[];
}
interface RoundView {
  round: RoundEdit;
  contest: { id: number; slug: string; title: string; timeZone: string; status: string };
}
interface UnitsPreview {
  units: Unit[];
  errors: { row: number; message: string }[];
  warnings: { row: number; message: string }[];
}
interface DrawReport {
  rules: { matching: number; count: number; ok: boolean }[];
  total: number;
  satisfiable: boolean;
  message: string | null;
}
interface ChecklistItem {
  code: string;
  message: string;
  roundId: number | null;
}
interface Checklist {
  ready: boolean;
  problems: ChecklistItem[];
  warnings: ChecklistItem[];
}
interface Dashboard {
  now: string;
  entries: number;
  inProgress: number;
  submittedToday: number;
  submitted: number;
  rounds: {
    id: number;
    title: string;
    state: string;
    inProgress: number;
    submitted: number;
    participants: number;
  }[];
  participation: { date: string; entries: number; submissions: number }[];
}

const CONTEST_EDIT_KEYS = [
  'canShare',
  'description',
  'entries',
  'groups',
  'id',
  'ownerId',
  'ownerName',
  'registrationFields',
  'rulesText',
  'shared',
  'slug',
  'status',
  'timeZone',
  'title',
  'units',
];
const ROUND_EDIT_KEYS = [
  'attempts',
  'closesAt',
  'contestId',
  'draw',
  'id',
  'maxAttempts',
  'opensAt',
  'partialCredit',
  'prediction',
  'prizeBands',
  'questionCount',
  'resultsStatus',
  'showAnswers',
  'showLeaderboard',
  'shuffleOptions',
  'shuffleQuestions',
  'state',
  'timeLimitSec',
  'title',
];

const iso = (t: number) => new Date(t).toISOString();
const isIsoTime = (s: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s) && !Number.isNaN(Date.parse(s));
const sortedKeys = (o: object) => Object.keys(o).sort();
const pairs = (items: ChecklistItem[]) =>
  items.map((i): [string, number | null] => [i.code, i.roundId]).sort((a, b) => a[0].localeCompare(b[0]));

let slugCount = 0;
const uniqueSlug = (label = 'cuoc-thi') => `${label}-${process.pid}-${++slugCount}`;

const get = (app: FastifyInstance, url: string, cookie?: string) => call(app, 'GET', url, { cookie });

async function newBank(
  app: FastifyInstance,
  cookie: string,
  name: string,
  questions: QuestionInput[],
): Promise<{ bankId: number; ids: number[] }> {
  const { bank } = ok<{ bank: { id: number } }>(
    await call(app, 'POST', '/api/banks', { cookie, payload: { name } }),
    201,
  );
  const ids: number[] = [];
  for (const q of questions) {
    ids.push(
      ok<{ question: { id: number } }>(
        await call(app, 'POST', `/api/banks/${bank.id}/questions`, { cookie, payload: q }),
        201,
      ).question.id,
    );
  }
  return { bankId: bank.id, ids };
}

async function newContest(
  app: FastifyInstance,
  cookie: string,
  body: Record<string, unknown>,
): Promise<{ id: number; slug: string }> {
  return ok<{ contest: { id: number; slug: string } }>(
    await call(app, 'POST', '/api/contests', { cookie, payload: body }),
    201,
  ).contest;
}

async function newRound(app: FastifyInstance, cookie: string, contestId: number, body: RoundInput) {
  return ok<{ round: { id: number } }>(
    await call(app, 'POST', `/api/contests/${contestId}/rounds`, { cookie, payload: body }),
    201,
  ).round.id;
}

/** The create body that reproduces a round as the editor shows it. */
function bodyOf(r: RoundEdit): RoundInput {
  return {
    title: r.title,
    opensAt: r.opensAt,
    closesAt: r.closesAt,
    timeLimitSec: r.timeLimitSec,
    questionCount: r.questionCount,
    maxAttempts: r.maxAttempts,
    draw: r.draw,
    ...(r.prediction ? { prediction: r.prediction } : {}),
    showAnswers: r.showAnswers,
    showLeaderboard: r.showLeaderboard,
    shuffleQuestions: r.shuffleQuestions,
    shuffleOptions: r.shuffleOptions,
    partialCredit: r.partialCredit,
    prizeBands: r.prizeBands,
  };
}

const tagged = (i: number, tags: string[], difficulty: number): QuestionInput => ({
  ...singleQuestion(i),
  tags,
  difficulty,
});

// -----------------------------------------------------------------------------------------------

describe('banks: list, detail and retiring', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let org: Account;
  let other: Account;
  let admin: Account;
  let participant: string;
  let bankId: number;
  let ids: number[];

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    admin = await makeAdmin(app);
    participant = await register(app);
    ({ bankId, ids } = await newBank(app, org.cookie, 'Địa lý', [
      tagged(1, ['chau-a', 'thu-do'], 1),
      tagged(2, ['chau-a'], 2),
      tagged(3, ['chau-au'], 3),
      tagged(4, ['chau-a', 'da-bo'], 1),
    ]));
    ok(await call(app, 'DELETE', `/api/questions/${ids[3]}`, { cookie: org.cookie }));
  });

  test('the list has the owner, shared, status and updatedAt; counts active questions', async () => {
    const { banks } = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', org.cookie));
    const mine = banks.find((b) => b.id === bankId);
    assert.ok(mine, 'the owner lists the bank');
    assert.deepEqual(sortedKeys(mine), [
      'id',
      'name',
      'ownerId',
      'ownerName',
      'questionCount',
      'shared',
      'status',
      'updatedAt',
    ]);
    const { updatedAt, ...rest } = mine;
    assert.deepEqual(rest, {
      id: bankId,
      name: 'Địa lý',
      questionCount: 3,
      ownerId: org.id,
      ownerName: 'organiser account',
      shared: false,
      status: 'active',
    });
    assert.ok(isIsoTime(updatedAt), updatedAt);

    const theirs = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', other.cookie)).banks;
    assert.equal(
      theirs.some((b) => b.id === bankId),
      false,
    );
    const all = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', admin.cookie)).banks;
    const seen = all.find((b) => b.id === bankId);
    assert.deepEqual(
      [seen?.shared, seen?.ownerId],
      [true, org.id],
      'an admin sees every bank, not as theirs',
    );

    const retired = ok<{ banks: BankItem[] }>(await get(app, '/api/banks?status=retired', org.cookie));
    assert.deepEqual(retired.banks, []);
    refusal(await get(app, '/api/banks?status=deleted', org.cookie), 400);
  });

  test('the detail counts tags of active questions only', async () => {
    const { bank } = ok<{ bank: BankDetail }>(await get(app, `/api/banks/${bankId}`, org.cookie));
    assert.deepEqual(bank, {
      id: bankId,
      name: 'Địa lý',
      questionCount: 3,
      ownerId: org.id,
      ownerName: 'organiser account',
      shared: false,
      status: 'active',
      canShare: true,
      tags: [
        { tag: 'chau-a', count: 2 },
        { tag: 'chau-au', count: 1 },
        { tag: 'thu-do', count: 1 },
      ],
    });
    // Retiring a question takes its tags out of the counts; a tag no active question has disappears.
    ok(await call(app, 'DELETE', `/api/questions/${ids[0]}`, { cookie: org.cookie }));
    const after = ok<{ bank: BankDetail }>(await get(app, `/api/banks/${bankId}`, org.cookie)).bank;
    assert.equal(after.questionCount, 2);
    assert.deepEqual(after.tags, [
      { tag: 'chau-a', count: 1 },
      { tag: 'chau-au', count: 1 },
    ]);

    const asAdmin = ok<{ bank: BankDetail }>(await get(app, `/api/banks/${bankId}`, admin.cookie)).bank;
    assert.deepEqual([asAdmin.shared, asAdmin.canShare], [true, true]);
  });

  test('the detail: anonymous 401, participant 403, another organiser 404', async () => {
    refusal(await get(app, `/api/banks/${bankId}`), 401, 'UNAUTHENTICATED');
    refusal(await get(app, `/api/banks/${bankId}`, participant), 403, 'FORBIDDEN');
    refusal(await get(app, `/api/banks/${bankId}`, other.cookie), 404, 'BANK_NOT_FOUND');
    refusal(await get(app, '/api/banks/999999', org.cookie), 404, 'BANK_NOT_FOUND');
    refusal(await get(app, '/api/banks/abc', org.cookie), 400);
  });

  test('a retired bank leaves the list and new draws; rounds drawing from it keep working', async () => {
    const f = await makeContestWithRound(app, { organiser: org, questions: 3 });
    const res = ok<{ bank: { id: number; status: string } }>(
      await call(app, 'DELETE', `/api/banks/${f.bankId}`, { cookie: org.cookie }),
    );
    assert.deepEqual(res.bank, { id: f.bankId, status: 'retired' });

    const active = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', org.cookie)).banks;
    assert.equal(
      active.some((b) => b.id === f.bankId),
      false,
      'not in the default list',
    );
    assert.ok(active.some((b) => b.id === bankId));
    const retired = ok<{ banks: BankItem[] }>(await get(app, '/api/banks?status=retired', org.cookie)).banks;
    assert.deepEqual(
      retired.map((b) => [b.id, b.status, b.questionCount]),
      [[f.bankId, 'retired', 3]],
    );
    const detail = ok<{ bank: BankDetail }>(await get(app, `/api/banks/${f.bankId}`, org.cookie)).bank;
    assert.equal(detail.status, 'retired');

    // A new round cannot draw from it...
    refusal(
      await call(app, 'POST', `/api/contests/${f.contestId}/rounds`, {
        cookie: org.cookie,
        payload: roundBody(f.bankId, 3, { title: 'Vòng 2' }, t.clock.now),
      }),
      400,
      'BAD_DRAW',
    );
    // ...while the round that already draws from it still lets participants start.
    const p = await makeParticipant(app, f.slug);
    const attempt = await startAttempt(app, f.roundId, p.cookie);
    assert.equal(attempt.questions.length, 3);
    const checklist = ok<Checklist>(await get(app, `/api/contests/${f.contestId}/checklist`, org.cookie));
    assert.equal(
      checklist.problems.some((x) => x.code === 'DRAW_UNSATISFIABLE'),
      false,
      'the existing round is not reported as broken',
    );

    // Restored, it is listed and drawable again; another organiser cannot restore it.
    refusal(
      await call(app, 'POST', `/api/banks/${f.bankId}/restore`, { cookie: other.cookie }),
      404,
      'BANK_NOT_FOUND',
    );
    const restored = ok<{ bank: { id: number; status: string } }>(
      await call(app, 'POST', `/api/banks/${f.bankId}/restore`, { cookie: org.cookie }),
    );
    assert.deepEqual(restored.bank, { id: f.bankId, status: 'active' });
    const again = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', org.cookie)).banks;
    assert.ok(again.some((b) => b.id === f.bankId && b.status === 'active'));
    ok(
      await call(app, 'POST', `/api/contests/${f.contestId}/rounds`, {
        cookie: org.cookie,
        payload: roundBody(
          f.bankId,
          3,
          { title: 'Vòng 2', opensAt: t.clock.now + 2 * DAY, closesAt: t.clock.now + 3 * DAY },
          t.clock.now,
        ),
      }),
      201,
    );
  });

  test('retiring: anonymous 401, participant 403, another organiser 404, an admin may', async () => {
    const { bankId: spare } = await newBank(app, org.cookie, 'Dự phòng', [singleQuestion(1)]);
    refusal(await call(app, 'DELETE', `/api/banks/${spare}`), 401, 'UNAUTHENTICATED');
    refusal(await call(app, 'DELETE', `/api/banks/${spare}`, { cookie: participant }), 403, 'FORBIDDEN');
    refusal(
      await call(app, 'DELETE', `/api/banks/${spare}`, { cookie: other.cookie }),
      404,
      'BANK_NOT_FOUND',
    );
    refusal(await call(app, 'DELETE', '/api/banks/999999', { cookie: org.cookie }), 404, 'BANK_NOT_FOUND');
    const active = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', org.cookie)).banks;
    assert.ok(
      active.some((b) => b.id === spare),
      'the refusals retired nothing',
    );
    const res = ok<{ bank: { id: number; status: string } }>(
      await call(app, 'DELETE', `/api/banks/${spare}`, { cookie: admin.cookie }),
    );
    assert.deepEqual(res.bank, { id: spare, status: 'retired' });

    // Restoring has the same guards.
    const restore = (cookie?: string, id: number | string = spare) =>
      call(app, 'POST', `/api/banks/${id}/restore`, cookie ? { cookie } : {});
    refusal(await restore(), 401, 'UNAUTHENTICATED');
    refusal(await restore(participant), 403, 'FORBIDDEN');
    refusal(await restore(org.cookie, 999999), 404, 'BANK_NOT_FOUND');
    refusal(await restore(org.cookie, 'abc'), 400);
    const back = ok<{ bank: { id: number; status: string } }>(await restore(admin.cookie));
    assert.deepEqual(back.bank, { id: spare, status: 'active' });
  });
});

// -----------------------------------------------------------------------------------------------

describe('contest editing: lists, views and changes', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let org: Account;
  let other: Account;
  let admin: Account;
  let participant: string;
  let f: ContestFixture;
  let secondRound: number;
  let draft: { id: number; slug: string };

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    admin = await makeAdmin(app);
    participant = await register(app);
    f = await makeContestWithRound(app, { organiser: org, questions: 3 });
    secondRound = await newRound(
      app,
      org.cookie,
      f.contestId,
      roundBody(
        f.bankId,
        3,
        { title: 'Vòng 2', opensAt: t.clock.now + 2 * DAY, closesAt: t.clock.now + 3 * DAY },
        t.clock.now,
      ),
    );
    const first = await makeParticipant(app, f.slug);
    await makeParticipant(app, f.slug);
    await startAttempt(app, f.roundId, first.cookie);
    draft = await newContest(app, org.cookie, { slug: uniqueSlug('ban-nhap'), title: 'Bản nháp' });
  });

  const patch = (contestId: number, body: unknown, cookie = org.cookie) =>
    call(app, 'PATCH', `/api/contests/${contestId}`, { cookie, payload: body });
  const view = async (contestId: number, cookie = org.cookie) =>
    ok<ContestView>(await get(app, `/api/manage/contests/${contestId}`, cookie));

  test('the organiser lists drafts too, with counts of rounds and entries', async () => {
    const { contests } = ok<{ contests: ManagedContest[] }>(
      await get(app, '/api/manage/contests', org.cookie),
    );
    assert.deepEqual(
      contests.map((c) => c.id),
      [draft.id, f.contestId],
      'newest first',
    );
    const [d, p] = contests as [ManagedContest, ManagedContest];
    assert.deepEqual(sortedKeys(d), [
      'createdAt',
      'entries',
      'id',
      'ownerId',
      'ownerName',
      'rounds',
      'shared',
      'slug',
      'status',
      'timeZone',
      'title',
    ]);
    const { createdAt, ...rest } = d;
    assert.deepEqual(rest, {
      id: draft.id,
      slug: draft.slug,
      title: 'Bản nháp',
      status: 'draft',
      timeZone: 'Asia/Ho_Chi_Minh',
      rounds: 0,
      entries: 0,
      ownerId: org.id,
      ownerName: 'organiser account',
      shared: false,
    });
    assert.ok(isIsoTime(createdAt), createdAt);
    assert.deepEqual([p.status, p.rounds, p.entries, p.shared], ['published', 2, 2, false]);

    const theirs = ok<{ contests: ManagedContest[] }>(await get(app, '/api/manage/contests', other.cookie));
    assert.deepEqual(theirs.contests, [], 'another organiser sees none of them');
    const all = ok<{ contests: ManagedContest[] }>(await get(app, '/api/manage/contests', admin.cookie));
    const ids = all.contests.map((c) => c.id);
    assert.ok(ids.includes(draft.id) && ids.includes(f.contestId), 'an admin sees every contest');
    assert.ok(
      all.contests.every((c) => c.shared),
      'none of them is the admin’s own',
    );
    refusal(await get(app, '/api/manage/contests', participant), 403, 'FORBIDDEN');
    refusal(await get(app, '/api/manage/contests'), 401, 'UNAUTHENTICATED');
  });

  test('the editor view: ContestEdit and the rounds with their attempts', async () => {
    const v = await view(f.contestId);
    assert.deepEqual(sortedKeys(v.contest), CONTEST_EDIT_KEYS);
    assert.deepEqual(v.contest, {
      id: f.contestId,
      slug: f.slug,
      title: `Contest ${f.slug}`,
      description: 'A test contest',
      rulesText: 'Be fair.',
      status: 'published',
      timeZone: 'Asia/Ho_Chi_Minh',
      registrationFields: v.contest.registrationFields,
      groups: [],
      units: [],
      ownerId: org.id,
      ownerName: 'organiser account',
      shared: false,
      canShare: true,
      entries: 2,
    });
    assert.deepEqual(
      v.contest.registrationFields.map((x) => x.key),
      ['fullName'],
    );
    assert.deepEqual(
      v.rounds.map((r) => [r.id, r.attempts, r.state]),
      [
        [f.roundId, 1, 'open'],
        [secondRound, 0, 'upcoming'],
      ],
    );
    for (const r of v.rounds) assert.deepEqual(sortedKeys(r), ROUND_EDIT_KEYS);
    const first = v.rounds[0]!;
    assert.deepEqual(
      [
        first.contestId,
        first.questionCount,
        first.draw,
        first.prediction,
        first.prizeBands,
        first.resultsStatus,
      ],
      [f.contestId, 3, [{ bankId: f.bankId, count: 3 }], null, [], 'open'],
    );

    const d = await view(draft.id);
    assert.deepEqual([d.contest.status, d.rounds], ['draft', []]);
    const asAdmin = await view(f.contestId, admin.cookie);
    assert.deepEqual([asAdmin.contest.shared, asAdmin.contest.canShare], [true, true]);

    refusal(await get(app, `/api/manage/contests/${f.contestId}`), 401, 'UNAUTHENTICATED');
    refusal(await get(app, `/api/manage/contests/${f.contestId}`, participant), 403, 'FORBIDDEN');
    refusal(await get(app, `/api/manage/contests/${f.contestId}`, other.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await get(app, '/api/manage/contests/999999', org.cookie), 404, 'CONTEST_NOT_FOUND');
  });

  test('PATCH changes the title, description, rules and time zone', async () => {
    const { contest } = ok<{ contest: ContestEdit }>(
      await patch(draft.id, {
        title: '  Tìm hiểu lịch sử Việt Nam  ',
        description: 'Mô tả **mới**',
        rulesText: 'Thể lệ: mỗi người được thi 2 lượt.',
        timeZone: 'Asia/Tokyo',
      }),
    );
    assert.deepEqual(sortedKeys(contest), CONTEST_EDIT_KEYS);
    assert.deepEqual(
      [contest.title, contest.description, contest.rulesText, contest.timeZone, contest.slug],
      [
        'Tìm hiểu lịch sử Việt Nam',
        'Mô tả **mới**',
        'Thể lệ: mỗi người được thi 2 lượt.',
        'Asia/Tokyo',
        draft.slug,
      ],
    );
    assert.deepEqual((await view(draft.id)).contest, contest, 'the editor view shows the change');

    refusal(await patch(draft.id, { timeZone: 'Mars/Olympus' }), 400, 'BAD_TIME_ZONE');
    refusal(await patch(draft.id, { timeZone: 'GMT+7 Hà Nội' }), 400, 'BAD_TIME_ZONE');
    refusal(await patch(draft.id, {}), 400);
    refusal(await patch(draft.id, { title: '' }), 400);
    assert.equal((await view(draft.id)).contest.timeZone, 'Asia/Tokyo', 'the refusals changed nothing');
    // Back to Vietnam's zone; an admin may change anyone's contest.
    const byAdmin = ok<{ contest: ContestEdit }>(
      await patch(draft.id, { timeZone: 'Asia/Ho_Chi_Minh' }, admin.cookie),
    ).contest;
    assert.equal(byAdmin.timeZone, 'Asia/Ho_Chi_Minh');
  });

  test('PATCH: anonymous 401, participant 403, another organiser 404', async () => {
    refusal(await patch(draft.id, { title: 'x' }, ''), 401, 'UNAUTHENTICATED');
    refusal(await patch(draft.id, { title: 'x' }, participant), 403, 'FORBIDDEN');
    refusal(await patch(draft.id, { title: 'x' }, other.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await patch(999999, { title: 'x' }), 404, 'CONTEST_NOT_FOUND');
    assert.notEqual((await view(draft.id)).contest.title, 'x');
  });

  test('the slug of a draft may change, not to a taken one, and not once published', async () => {
    const next = uniqueSlug('doi-ten');
    const { contest } = ok<{ contest: ContestEdit }>(await patch(draft.id, { slug: next }));
    assert.equal(contest.slug, next);
    ok(await get(app, `/api/contests/${next}`, org.cookie));
    refusal(await get(app, `/api/contests/${draft.slug}`, org.cookie), 404, 'CONTEST_NOT_FOUND');
    draft = { id: draft.id, slug: next };

    refusal(await patch(draft.id, { slug: f.slug }), 409, 'SLUG_TAKEN');
    refusal(await patch(draft.id, { slug: 'Không hợp lệ' }), 400);
    refusal(await patch(f.contestId, { slug: uniqueSlug('moi') }), 409, 'CONTEST_PUBLISHED');
    // Sending the published contest's own slug back with other changes is not a change of slug.
    const same = ok<{ contest: ContestEdit }>(
      await patch(f.contestId, { slug: f.slug, title: 'Cuộc thi đã mở' }),
    ).contest;
    assert.deepEqual([same.slug, same.title], [f.slug, 'Cuộc thi đã mở']);
  });

  test('units replace the whole tree; cycles and unknown parents are refused', async () => {
    const tree: UnitInput[] = [
      { code: 'HN', name: 'Hà Nội' },
      { code: 'HN-BD', name: 'Quận Ba Đình', parentCode: 'HN', headcount: 120 },
      { code: 'HN-BD.1', name: 'Phường Điện Biên', parentCode: 'HN-BD', headcount: 0 },
      { code: 'HCM', name: ' Thành phố Hồ Chí Minh ', parentCode: null, headcount: 300 },
    ];
    const { contest } = ok<{ contest: ContestEdit }>(await patch(draft.id, { units: tree }));
    assert.deepEqual(contest.units, [
      { code: 'HN', name: 'Hà Nội', parentCode: null, headcount: null },
      { code: 'HN-BD', name: 'Quận Ba Đình', parentCode: 'HN', headcount: 120 },
      { code: 'HN-BD.1', name: 'Phường Điện Biên', parentCode: 'HN-BD', headcount: 0 },
      { code: 'HCM', name: 'Thành phố Hồ Chí Minh', parentCode: null, headcount: 300 },
    ]);
    const replaced = ok<{ contest: ContestEdit }>(
      await patch(draft.id, { units: [{ code: 'DN', name: 'Đà Nẵng' }] }),
    );
    assert.deepEqual(replaced.contest.units, [
      { code: 'DN', name: 'Đà Nẵng', parentCode: null, headcount: null },
    ]);

    const bad: [string, UnitInput[]][] = [
      [
        'a cycle',
        [
          { code: 'A', name: 'A', parentCode: 'B' },
          { code: 'B', name: 'B', parentCode: 'C' },
          { code: 'C', name: 'C', parentCode: 'A' },
        ],
      ],
      ['its own parent', [{ code: 'A', name: 'A', parentCode: 'A' }]],
      ['an unknown parent', [{ code: 'A', name: 'A', parentCode: 'KHONG-CO' }]],
      [
        'a code twice',
        [
          { code: 'A', name: 'A' },
          { code: 'A', name: 'A lần nữa' },
        ],
      ],
    ];
    for (const [label, units] of bad) {
      const body = refusal(await patch(draft.id, { units }), 400, 'BAD_UNITS');
      assert.ok(body.message.length > 0, label);
    }
    refusal(await patch(draft.id, { units: [{ code: 'có dấu', name: 'Sai mã' }] }), 400);
    refusal(await patch(draft.id, { units: [{ code: 'X', name: 'X', headcount: -1 }] }), 400);
    assert.deepEqual(
      (await view(draft.id)).contest.units.map((u) => u.code),
      ['DN'],
      'the refusals changed nothing',
    );
    // Other changes keep the units; an empty list removes them.
    ok(await patch(draft.id, { description: 'Vẫn giữ đơn vị' }));
    assert.deepEqual(
      (await view(draft.id)).contest.units.map((u) => u.code),
      ['DN'],
    );
    assert.deepEqual(ok<{ contest: ContestEdit }>(await patch(draft.id, { units: [] })).contest.units, []);
  });

  test('units and groups that entries use cannot be removed', async () => {
    const g = await makeContestWithRound(app, {
      organiser: org,
      registrationFields: [
        { key: 'fullName', label: 'Họ và tên', type: 'text', required: true },
        { key: 'unit', label: 'Đơn vị', type: 'unit', required: true },
      ],
      groups: [
        { key: 'a', name: 'Bảng A' },
        { key: 'b', name: 'Bảng B' },
      ],
      units: [
        { code: 'HN', name: 'Hà Nội' },
        { code: 'HCM', name: 'Hồ Chí Minh' },
      ],
    });
    await makeParticipant(app, g.slug, { fullName: 'Lê Văn C', unit: 'HN', group: 'a' });

    refusal(await patch(g.contestId, { units: [{ code: 'HCM', name: 'Hồ Chí Minh' }] }), 409, 'UNIT_IN_USE');
    refusal(await patch(g.contestId, { units: [] }), 409, 'UNIT_IN_USE');
    refusal(await patch(g.contestId, { groups: [{ key: 'b', name: 'Bảng B' }] }), 409, 'GROUP_IN_USE');
    const unchanged = (await view(g.contestId)).contest;
    assert.deepEqual(
      [unchanged.units.map((u) => u.code), unchanged.groups.map((x) => x.key)],
      [
        ['HN', 'HCM'],
        ['a', 'b'],
      ],
    );

    const units = ok<{ contest: ContestEdit }>(
      await patch(g.contestId, {
        units: [
          { code: 'HN', name: 'Thành phố Hà Nội' },
          { code: 'HP', name: 'Hải Phòng' },
        ],
      }),
    ).contest;
    assert.deepEqual(
      units.units.map((u) => [u.code, u.name]),
      [
        ['HN', 'Thành phố Hà Nội'],
        ['HP', 'Hải Phòng'],
      ],
    );
    const groups = ok<{ contest: ContestEdit }>(
      await patch(g.contestId, { groups: [{ key: 'a', name: 'Bảng A (THPT)' }] }),
    ).contest;
    assert.deepEqual(groups.groups, [{ key: 'a', name: 'Bảng A (THPT)' }]);
    assert.deepEqual(
      groups.registrationFields.find((x) => x.key === 'group')?.options,
      ['a'],
      'the group field offers the groups there are',
    );
  });
});

// -----------------------------------------------------------------------------------------------

describe('units CSV preview', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let org: Account;
  let other: Account;
  let participant: string;
  let contestId: number;

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    participant = await register(app);
    contestId = (
      await newContest(app, org.cookie, {
        slug: uniqueSlug('don-vi'),
        title: 'Cuộc thi có đơn vị',
        units: [{ code: 'OLD', name: 'Đơn vị cũ' }],
      })
    ).id;
  });

  const preview = (body: string | Buffer, contentType = 'text/csv', cookie = org.cookie, id = contestId) =>
    call(app, 'POST', `/api/contests/${id}/units/preview`, {
      cookie,
      headers: { 'content-type': contentType },
      payload: body,
    });
  const savedUnits = async () =>
    ok<ContestView>(await get(app, `/api/manage/contests/${contestId}`, org.cookie)).contest.units;
  const BOM = '\uFEFF';

  test('a UTF-8 file with a BOM, CRLF lines, quoted cells and Vietnamese names', async () => {
    const csv =
      `${BOM}code,name,parent_code,headcount\r\n` +
      'HN,Hà Nội,,1200\r\n' +
      'HN-BD,"Quận Ba Đình, Hà Nội",HN,350\r\n' +
      'HCM,Thành phố Hồ Chí Minh,,\r\n';
    const res = ok<UnitsPreview>(await preview(csv));
    assert.deepEqual(res, {
      units: [
        { code: 'HN', name: 'Hà Nội', parentCode: null, headcount: 1200 },
        { code: 'HN-BD', name: 'Quận Ba Đình, Hà Nội', parentCode: 'HN', headcount: 350 },
        { code: 'HCM', name: 'Thành phố Hồ Chí Minh', parentCode: null, headcount: null },
      ],
      errors: [],
      warnings: [],
    });
    // The preview applied with PATCH is what gets saved.
    ok(
      await call(app, 'PATCH', `/api/contests/${contestId}`, {
        cookie: org.cookie,
        payload: { units: res.units },
      }),
    );
    assert.deepEqual(await savedUnits(), res.units);
    ok(
      await call(app, 'PATCH', `/api/contests/${contestId}`, {
        cookie: org.cookie,
        payload: { units: [{ code: 'OLD', name: 'Đơn vị cũ' }] },
      }),
    );
  });

  test('";" separators, a header in Vietnamese, decomposed accents and thousands separators', async () => {
    // Decomposed (NFD) text, as some Mac tools write it, reads as the composed form.
    const csv = `${BOM}${'Mã đơn vị;Tên đơn vị;Mã cha;Số người'.normalize('NFD')}\n${'DV1;Đơn vị Một;;1.200'.normalize('NFD')}\nDV2;Đơn vị Hai;DV1;35\n`;
    const res = ok<UnitsPreview>(await preview(csv, 'text/csv; charset=utf-8'));
    assert.deepEqual(res, {
      units: [
        { code: 'DV1', name: 'Đơn vị Một', parentCode: null, headcount: 1200 },
        { code: 'DV2', name: 'Đơn vị Hai', parentCode: 'DV1', headcount: 35 },
      ],
      errors: [],
      warnings: [],
    });
    assert.equal(res.units[0]!.name, 'Đơn vị Một'.normalize('NFC'));
    // The other header spellings and the browser's upload types work too.
    const plain = 'ma_don_vi,ten_don_vi,don_vi_cha,quan_so\nA,Đơn vị A,,7\n';
    for (const type of ['application/octet-stream', 'text/plain', 'text/csv']) {
      assert.deepEqual(ok<UnitsPreview>(await preview(plain, type)).units, [
        { code: 'A', name: 'Đơn vị A', parentCode: null, headcount: 7 },
      ]);
    }
  });

  test('problems name their row (the header is row 1)', async () => {
    const csv = [
      'code,name,parent_code,headcount',
      'A1,Đơn vị A,,10',
      'mã sai!,Tên,,',
      'B1,,,',
      'A1,Trùng mã,,',
      'C1,Đơn vị C,ZZ,',
      'D1,Đơn vị D,,mười',
      '',
    ].join('\n');
    const res = ok<UnitsPreview>(await preview(csv));
    const byRow = new Map(res.errors.map((e) => [e.row, e.message]));
    assert.deepEqual(
      [...byRow.keys()].sort((a, b) => a - b),
      [3, 4, 5, 6, 7],
      JSON.stringify(res.errors),
    );
    assert.match(byRow.get(3)!, /mã sai!/);
    assert.match(byRow.get(4)!, /B1/);
    assert.match(byRow.get(5)!, /A1.*row 2/);
    assert.match(byRow.get(6)!, /ZZ/);
    assert.match(byRow.get(7)!, /mười/);
    assert.equal(res.errors.length, 5);
    assert.deepEqual(
      res.units.map((u) => u.code),
      ['A1', 'C1', 'D1'],
    );

    const noHeader = ok<UnitsPreview>(await preview('HN,Hà Nội\nHCM,Hồ Chí Minh\n'));
    assert.deepEqual([noHeader.units, noHeader.errors.map((e) => e.row)], [[], [1]]);
    const onlyHeader = ok<UnitsPreview>(await preview('code,name\n'));
    assert.deepEqual([onlyHeader.units, onlyHeader.errors], [[], []]);
    assert.equal(onlyHeader.warnings.length, 1);
    const latin1 = ok<UnitsPreview>(await preview(Buffer.from('code,name\nHN,H\xe0 N\xf4i\n', 'latin1')));
    assert.equal(latin1.errors.length, 1, 'a file that is not UTF-8 is reported, not misread');
  });

  test('a cycle of parents is reported by the preview, as PATCH would refuse it', async () => {
    const csv = 'code,name,parent_code\nA,Đơn vị A,C\nB,Đơn vị B,A\nC,Đơn vị C,B\n';
    const res = ok<UnitsPreview>(await preview(csv));
    refusal(
      await call(app, 'PATCH', `/api/contests/${contestId}`, {
        cookie: org.cookie,
        payload: { units: res.units },
      }),
      400,
      'BAD_UNITS',
    );
    assert.ok(res.errors.length > 0, `the preview shows no problem: ${JSON.stringify(res)}`);
    assert.ok(res.errors.every((e) => e.row >= 2 && e.row <= 4));
  });

  test('nothing is saved by a preview', async () => {
    const before = await savedUnits();
    ok(await preview('code,name\nNEW,Đơn vị mới\n'));
    ok(await preview('code,name\nA,x\nA,y\n'));
    assert.deepEqual(await savedUnits(), before);
    assert.deepEqual(before, [{ code: 'OLD', name: 'Đơn vị cũ', parentCode: null, headcount: null }]);
  });

  test('an empty file is 400, more than 2 MB is 413', async () => {
    refusal(await preview(''), 400);
    const big = `code,name\n${'X,'.padEnd(2 * 1024 * 1024, 'a')}\n`;
    refusal(await preview(big), 413);
  });

  test('anonymous 401, participant 403, another organiser 404, an admin may', async () => {
    const csv = 'code,name\nA,Đơn vị A\n';
    refusal(await preview(csv, 'text/csv', ''), 401, 'UNAUTHENTICATED');
    refusal(await preview(csv, 'text/csv', participant), 403, 'FORBIDDEN');
    refusal(await preview(csv, 'text/csv', other.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await preview(csv, 'text/csv', org.cookie, 999999), 404, 'CONTEST_NOT_FOUND');
    const admin = await makeAdmin(app);
    assert.equal(ok<UnitsPreview>(await preview(csv, 'text/csv', admin.cookie)).units.length, 1);
  });
});

// -----------------------------------------------------------------------------------------------

describe('rounds: the editor view, changes and deletion', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let org: Account;
  let other: Account;
  let admin: Account;
  let participant: string;
  let f: ContestFixture;
  let spare: number;
  const prediction: Prediction = { prompt: 'Có bao nhiêu người trả lời đúng cả 3 câu?', kind: 'count' };

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    admin = await makeAdmin(app);
    participant = await register(app);
    f = await makeContestWithRound(app, {
      organiser: org,
      questions: [
        tagged(1, ['lich-su'], 1),
        tagged(2, ['lich-su'], 2),
        tagged(3, ['lich-su'], 3),
        tagged(4, ['dia-ly'], 1),
        tagged(5, ['dia-ly'], 2),
        tagged(6, ['van-hoc'], 5),
      ],
      questionCount: 3,
      prediction,
    });
    spare = await newRound(
      app,
      org.cookie,
      f.contestId,
      roundBody(
        f.bankId,
        2,
        {
          title: 'Vòng 2',
          questionCount: 2,
          opensAt: t.clock.now + 2 * DAY,
          closesAt: t.clock.now + 3 * DAY,
        },
        t.clock.now,
      ),
    );
    const p = await makeParticipant(app, f.slug);
    await startAttempt(app, f.roundId, p.cookie);
  });

  const put = (roundId: number, body: unknown, cookie = org.cookie) =>
    call(app, 'PUT', `/api/rounds/${roundId}`, { cookie, payload: body });
  const edit = async (roundId: number, cookie = org.cookie) =>
    ok<RoundView>(await get(app, `/api/manage/rounds/${roundId}`, cookie));

  test('the editor view of a round: RoundEdit with its attempts, and its contest', async () => {
    const v = await edit(f.roundId);
    assert.deepEqual(sortedKeys(v.round), ROUND_EDIT_KEYS);
    assert.deepEqual(v.contest, {
      id: f.contestId,
      slug: f.slug,
      title: `Contest ${f.slug}`,
      timeZone: 'Asia/Ho_Chi_Minh',
      status: 'published',
    });
    assert.deepEqual(v.round, {
      id: f.roundId,
      contestId: f.contestId,
      title: 'Round 1',
      opensAt: iso(t.clock.now - MINUTE),
      closesAt: iso(t.clock.now + DAY),
      timeLimitSec: 600,
      questionCount: 3,
      maxAttempts: 2,
      draw: [{ bankId: f.bankId, count: 3 }],
      prediction,
      showAnswers: 'immediately',
      showLeaderboard: 'immediately',
      shuffleQuestions: true,
      shuffleOptions: true,
      partialCredit: false,
      prizeBands: [],
      state: 'open',
      resultsStatus: 'open',
      attempts: 1,
    });
    const s = await edit(spare);
    assert.deepEqual([s.round.attempts, s.round.state, s.round.prediction], [0, 'upcoming', null]);
  });

  test('the editor view: anonymous 401, participant 403, another organiser 404, an admin may', async () => {
    refusal(await get(app, `/api/manage/rounds/${f.roundId}`), 401, 'UNAUTHENTICATED');
    refusal(await get(app, `/api/manage/rounds/${f.roundId}`, participant), 403, 'FORBIDDEN');
    refusal(await get(app, `/api/manage/rounds/${f.roundId}`, other.cookie), 404, 'ROUND_NOT_FOUND');
    refusal(await get(app, '/api/manage/rounds/999999', org.cookie), 404, 'ROUND_NOT_FOUND');
    assert.equal((await edit(f.roundId, admin.cookie)).round.id, f.roundId);
  });

  test('before any attempt everything may change', async () => {
    const body: RoundInput = {
      title: '  Vòng chung kết  ',
      opensAt: iso(t.clock.now + 5 * DAY),
      closesAt: iso(t.clock.now + 6 * DAY),
      timeLimitSec: 900,
      questionCount: 3,
      maxAttempts: 5,
      draw: [
        { bankId: f.bankId, tags: ['lich-su'], difficulty: [1, 2], count: 2 },
        { bankId: f.bankId, tags: ['dia-ly'], count: 1 },
      ],
      prediction: { prompt: 'Bao nhiêu phần trăm thí sinh đạt điểm tối đa?', kind: 'percent' },
      showAnswers: 'never',
      showLeaderboard: 'after_close',
      shuffleQuestions: false,
      shuffleOptions: false,
      partialCredit: true,
      prizeBands: [
        { name: 'Giải Nhất', count: 1 },
        { name: 'Giải Nhì', count: 2 },
      ],
    };
    const { round } = ok<{ round: RoundEdit }>(await put(spare, body));
    const expected: RoundEdit = {
      id: spare,
      contestId: f.contestId,
      title: 'Vòng chung kết',
      opensAt: body.opensAt,
      closesAt: body.closesAt,
      timeLimitSec: 900,
      questionCount: 3,
      maxAttempts: 5,
      draw: body.draw,
      prediction: body.prediction!,
      showAnswers: 'never',
      showLeaderboard: 'after_close',
      shuffleQuestions: false,
      shuffleOptions: false,
      partialCredit: true,
      prizeBands: body.prizeBands!,
      state: 'upcoming',
      resultsStatus: 'open',
      attempts: 0,
    };
    assert.deepEqual(round, expected);
    assert.deepEqual((await edit(spare)).round, expected);
    // And back to no prediction, shuffled, as it was.
    const again = ok<{ round: RoundEdit }>(
      await put(spare, { ...bodyOf(round), prediction: undefined, shuffleQuestions: true }),
    ).round;
    assert.deepEqual([again.prediction, again.shuffleQuestions], [null, true]);
  });

  test('before any attempt: an unsatisfiable draw, a draw that does not add up, a bad schedule', async () => {
    const base = bodyOf((await edit(spare)).round);
    refusal(
      await put(spare, { ...base, questionCount: 3, draw: [{ bankId: f.bankId, count: 2 }] }),
      400,
      'BAD_DRAW',
    );
    refusal(
      await put(spare, {
        ...base,
        questionCount: 2,
        draw: [{ bankId: f.bankId, tags: ['van-hoc'], count: 2 }],
      }),
      400,
      'DRAW_UNSATISFIABLE',
    );
    // Each rule alone is fine, together they need 6 of the 4 questions they can use.
    refusal(
      await put(spare, {
        ...base,
        questionCount: 6,
        draw: [
          { bankId: f.bankId, tags: ['dia-ly'], count: 2 },
          { bankId: f.bankId, difficulty: [1, 2], count: 4 },
        ],
      }),
      400,
      'DRAW_UNSATISFIABLE',
    );
    const { bankId: theirs } = await newBank(app, other.cookie, 'Của người khác', [singleQuestion(1)]);
    refusal(
      await put(spare, { ...base, questionCount: 1, draw: [{ bankId: theirs, count: 1 }] }),
      400,
      'BAD_DRAW',
    );
    refusal(await put(spare, { ...base, closesAt: base.opensAt }), 400, 'BAD_SCHEDULE');
    refusal(await put(spare, { ...base, draw: [] }), 400);
    assert.deepEqual(bodyOf((await edit(spare)).round), base, 'the refusals changed nothing');
  });

  test('PUT: anonymous 401, participant 403, another organiser 404, an admin may', async () => {
    const base = bodyOf((await edit(spare)).round);
    refusal(await put(spare, base, ''), 401, 'UNAUTHENTICATED');
    refusal(await put(spare, base, participant), 403, 'FORBIDDEN');
    refusal(await put(spare, { ...base, title: 'x' }, other.cookie), 404, 'ROUND_NOT_FOUND');
    refusal(await put(999999, base), 404, 'ROUND_NOT_FOUND');
    const byAdmin = ok<{ round: RoundEdit }>(
      await put(spare, { ...base, title: 'Vòng 2 (admin)' }, admin.cookie),
    );
    assert.equal(byAdmin.round.title, 'Vòng 2 (admin)');
  });

  test('once an attempt started, what shapes an attempt is locked (409 ROUND_STARTED)', async () => {
    const before = (await edit(f.roundId)).round;
    const base = bodyOf(before);
    const { prediction: _unused, ...withoutPrediction } = base;
    const locked: [string, RoundInput][] = [
      ['another draw', { ...base, draw: [{ bankId: f.bankId, tags: ['lich-su', 'dia-ly'], count: 3 }] }],
      ['another question count', { ...base, questionCount: 2, draw: [{ bankId: f.bankId, count: 2 }] }],
      ['a longer time limit', { ...base, timeLimitSec: base.timeLimitSec + 60 }],
      ['an earlier opening', { ...base, opensAt: iso(Date.parse(base.opensAt) - HOUR) }],
      ['a later opening', { ...base, opensAt: iso(Date.parse(base.opensAt) + MINUTE) }],
      ['an earlier close', { ...base, closesAt: iso(Date.parse(base.closesAt) - HOUR) }],
      ['fewer attempts', { ...base, maxAttempts: base.maxAttempts - 1 }],
      ['another prediction kind', { ...base, prediction: { ...prediction, kind: 'percent' } }],
      ['no prediction', withoutPrediction],
      ['partial credit', { ...base, partialCredit: !base.partialCredit }],
      ['no shuffling', { ...base, shuffleQuestions: false }],
    ];
    for (const [label, body] of locked) {
      const res = await put(f.roundId, body);
      assert.equal(res.statusCode, 409, `${label}: ${res.body}`);
      refusal(res, 409, 'ROUND_STARTED');
    }
    assert.deepEqual((await edit(f.roundId)).round, before, 'the refusals changed nothing');
  });

  test('once an attempt started: the title, a later close, more attempts, visibility, prizes may change', async () => {
    const base = bodyOf((await edit(f.roundId)).round);
    ok(await put(f.roundId, base), 200);
    const closesAt = iso(Date.parse(base.closesAt) + DAY);
    const { round } = ok<{ round: RoundEdit }>(
      await put(f.roundId, {
        ...base,
        title: 'Vòng 1 (đã sửa)',
        closesAt,
        maxAttempts: base.maxAttempts + 1,
        showAnswers: 'after_close',
        showLeaderboard: 'never',
        prizeBands: [
          { name: 'Giải Nhất', count: 1 },
          { name: 'Khuyến khích', count: 5 },
        ],
      }),
    );
    assert.deepEqual(
      [
        round.title,
        round.closesAt,
        round.maxAttempts,
        round.showAnswers,
        round.showLeaderboard,
        round.attempts,
      ],
      ['Vòng 1 (đã sửa)', closesAt, base.maxAttempts + 1, 'after_close', 'never', 1],
    );
    assert.deepEqual(round.prizeBands, [
      { name: 'Giải Nhất', count: 1 },
      { name: 'Khuyến khích', count: 5 },
    ]);
    assert.deepEqual((await edit(f.roundId)).round, round);
  });

  test('once an attempt started, the prediction question cannot be reworded', async () => {
    // Participants already answered the question as it was worded (docs/api.md lists what may change).
    const base = bodyOf((await edit(f.roundId)).round);
    const res = await put(f.roundId, {
      ...base,
      prediction: { prompt: 'Có bao nhiêu người đạt điểm 0?', kind: 'count' },
    });
    refusal(res, 409, 'ROUND_STARTED');
  });

  test('once an attempt started, the same draw written with its keys in another order is no change', async () => {
    const base = bodyOf((await edit(f.roundId)).round);
    const reordered = base.draw.map((r) => ({ count: r.count, bankId: r.bankId }));
    ok(await put(f.roundId, { ...base, draw: reordered, title: 'Vòng 1 (thứ tự khác)' }));
  });

  test('a round without attempts is deleted (204); one with attempts is 409 ROUND_HAS_ATTEMPTS', async () => {
    const body = roundBody(
      f.bankId,
      1,
      {
        title: 'Vòng thử',
        questionCount: 1,
        opensAt: t.clock.now + 10 * DAY,
        closesAt: t.clock.now + 11 * DAY,
      },
      t.clock.now,
    );
    const doomed = await newRound(app, org.cookie, f.contestId, body);
    refusal(await call(app, 'DELETE', `/api/rounds/${doomed}`), 401, 'UNAUTHENTICATED');
    refusal(await call(app, 'DELETE', `/api/rounds/${doomed}`, { cookie: participant }), 403, 'FORBIDDEN');
    refusal(
      await call(app, 'DELETE', `/api/rounds/${doomed}`, { cookie: other.cookie }),
      404,
      'ROUND_NOT_FOUND',
    );
    const res = await call(app, 'DELETE', `/api/rounds/${doomed}`, { cookie: org.cookie });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.body, '');
    refusal(await get(app, `/api/manage/rounds/${doomed}`, org.cookie), 404, 'ROUND_NOT_FOUND');
    refusal(await get(app, `/api/rounds/${doomed}`), 404, 'ROUND_NOT_FOUND');
    refusal(
      await call(app, 'DELETE', `/api/rounds/${doomed}`, { cookie: org.cookie }),
      404,
      'ROUND_NOT_FOUND',
    );
    const view = ok<ContestView>(await get(app, `/api/manage/contests/${f.contestId}`, org.cookie));
    assert.equal(
      view.rounds.some((r) => r.id === doomed),
      false,
    );

    refusal(
      await call(app, 'DELETE', `/api/rounds/${f.roundId}`, { cookie: org.cookie }),
      409,
      'ROUND_HAS_ATTEMPTS',
    );
    assert.equal((await edit(f.roundId)).round.attempts, 1, 'the round is still there');

    const another = await newRound(app, org.cookie, f.contestId, body);
    assert.equal(
      (await call(app, 'DELETE', `/api/rounds/${another}`, { cookie: admin.cookie })).statusCode,
      204,
    );
  });
});

// -----------------------------------------------------------------------------------------------

describe('a finalised round', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let f: ContestFixture;
  let participant: Account;

  before(async () => {
    f = await makeContestWithRound(app, {
      questions: 2,
      closesAt: t.clock.now + 30 * MINUTE,
      maxAttempts: 2,
    });
    participant = await makeParticipant(app, f.slug);
    await takeRound(t, f.roundId, participant.cookie);
    t.clock.advance(31 * MINUTE);
    const judge = await makeAccountWithRoles(app, ['judge'], 'judge');
    ok(await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: judge.cookie }));
  });

  test('its organiser cannot reopen it or change its prizes behind the judges (409)', async () => {
    const { round } = ok<RoundView>(await get(app, `/api/manage/rounds/${f.roundId}`, f.organiser.cookie));
    assert.deepEqual([round.state, round.resultsStatus], ['closed', 'finalized']);
    const base = bodyOf(round);
    refusal(
      await call(app, 'PUT', `/api/rounds/${f.roundId}`, {
        cookie: f.organiser.cookie,
        payload: { ...base, closesAt: iso(t.clock.now + DAY) },
      }),
      409,
    );
    refusal(
      await call(app, 'PUT', `/api/rounds/${f.roundId}`, {
        cookie: f.organiser.cookie,
        payload: { ...base, prizeBands: [{ name: 'Giải Nhất', count: 1 }] },
      }),
      409,
    );
    // Whatever the edits did, nobody may start an attempt in a finalised round.
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: participant.cookie }),
      409,
    );
  });
});

// -----------------------------------------------------------------------------------------------

describe('draw preview', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let org: Account;
  let other: Account;
  let participant: string;
  let x: number;
  let y: number;

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    participant = await register(app);
    let ids: number[];
    ({ bankId: x, ids } = await newBank(app, org.cookie, 'Bank X', [
      tagged(1, ['x'], 1),
      tagged(2, ['x'], 2),
      tagged(3, ['x'], 3),
      tagged(4, ['y'], 1),
      tagged(5, ['x'], 1),
    ]));
    ok(await call(app, 'DELETE', `/api/questions/${ids[4]}`, { cookie: org.cookie }));
    ({ bankId: y } = await newBank(app, org.cookie, 'Bank Y', [
      singleQuestion(1),
      singleQuestion(2),
      singleQuestion(3),
    ]));
  });

  const preview = (body: unknown, cookie = org.cookie) =>
    call(app, 'POST', '/api/draw/preview', { cookie, payload: body });

  test('each rule counts the active questions its tags and difficulties match', async () => {
    const report = ok<DrawReport>(
      await preview({
        draw: [
          { bankId: x, count: 1 },
          { bankId: x, tags: ['x'], count: 2 },
          { bankId: x, difficulty: [1], count: 1 },
          { bankId: x, tags: ['x'], difficulty: [1, 2], count: 3 },
          { bankId: x, tags: ['x', 'y'], count: 4 },
          { bankId: x, tags: ['khong-co'], count: 1 },
        ],
      }),
    );
    assert.deepEqual(report.rules, [
      { matching: 4, count: 1, ok: true },
      { matching: 3, count: 2, ok: true },
      { matching: 2, count: 1, ok: true },
      { matching: 2, count: 3, ok: false },
      { matching: 4, count: 4, ok: true },
      { matching: 0, count: 1, ok: false },
    ]);
    assert.equal(report.total, 12);
    assert.equal(report.satisfiable, false);
    assert.equal(typeof report.message, 'string');
  });

  test('with questionCount, a draw that does not add up to it says so', async () => {
    const report = ok<DrawReport>(await preview({ draw: [{ bankId: y, count: 2 }], questionCount: 3 }));
    assert.equal(report.satisfiable, true);
    assert.equal(report.message, 'The rules draw 2 questions, not 3');
  });

  test('rules that can all be met at once are satisfiable, with no message', async () => {
    const report = ok<DrawReport>(
      await preview({
        draw: [
          { bankId: x, tags: ['x'], count: 2 },
          { bankId: x, tags: ['y'], count: 1 },
          { bankId: y, count: 3 },
        ],
        questionCount: 6,
      }),
    );
    assert.deepEqual(report, {
      rules: [
        { matching: 3, count: 2, ok: true },
        { matching: 1, count: 1, ok: true },
        { matching: 3, count: 3, ok: true },
      ],
      total: 6,
      satisfiable: true,
      message: null,
    });
  });

  test('two rules over the same three questions asking two each: each ok, together not', async () => {
    const report = ok<DrawReport>(
      await preview({
        draw: [
          { bankId: y, count: 2 },
          { bankId: y, count: 2 },
        ],
      }),
    );
    assert.deepEqual(report.rules, [
      { matching: 3, count: 2, ok: true },
      { matching: 3, count: 2, ok: true },
    ]);
    assert.deepEqual([report.total, report.satisfiable], [4, false]);
    assert.ok(report.message && report.message.length > 0, 'a message says why');
  });

  test("another organiser's bank or an unknown one is 400 BAD_DRAW; roles", async () => {
    refusal(await preview({ draw: [{ bankId: x, count: 1 }] }, other.cookie), 400, 'BAD_DRAW');
    refusal(await preview({ draw: [{ bankId: 999999, count: 1 }] }), 400, 'BAD_DRAW');
    refusal(await preview({ draw: [] }), 400);
    refusal(await preview({ draw: [{ bankId: x, count: 0 }] }), 400);
    refusal(await preview({ draw: [{ bankId: x, count: 1 }] }, participant), 403, 'FORBIDDEN');
    refusal(await preview({ draw: [{ bankId: x, count: 1 }] }, ''), 401, 'UNAUTHENTICATED');
    const admin = await makeAdmin(app);
    assert.equal(
      ok<DrawReport>(await preview({ draw: [{ bankId: x, count: 1 }] }, admin.cookie)).satisfiable,
      true,
    );
  });
});

// -----------------------------------------------------------------------------------------------

describe('the publishing checklist', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let org: Account;
  let other: Account;
  let participant: string;

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    participant = await register(app);
  });

  const checklist = async (contestId: number, cookie = org.cookie) =>
    ok<Checklist>(await get(app, `/api/contests/${contestId}/checklist`, cookie));
  const publish = (contestId: number, cookie = org.cookie) =>
    call(app, 'POST', `/api/contests/${contestId}/publish`, { cookie });

  test('a fresh draft has no rounds and no rules, and cannot be published', async () => {
    const c = await newContest(app, org.cookie, { slug: uniqueSlug('moi'), title: 'Bản nháp mới' });
    const list = await checklist(c.id);
    assert.equal(list.ready, false);
    assert.deepEqual(pairs(list.problems), [
      ['NO_ROUNDS', null],
      ['NO_RULES', null],
    ]);
    assert.deepEqual(pairs(list.warnings), [['NO_DESCRIPTION', null]]);
    assert.ok([...list.problems, ...list.warnings].every((p) => p.message.length > 0));

    const body = refusal(await publish(c.id), 409, 'PUBLISH_BLOCKED');
    assert.match(body.message, /NO_ROUNDS/);
    assert.match(body.message, /NO_RULES/);
    const view = ok<ContestView>(await get(app, `/api/manage/contests/${c.id}`, org.cookie));
    assert.equal(view.contest.status, 'draft');
  });

  test('overlapping rounds, missing units and an unsatisfiable draw block publishing until fixed', async () => {
    const now = t.clock.now;
    const c = await newContest(app, org.cookie, {
      slug: uniqueSlug('hoi-thi'),
      title: 'Hội thi',
      registrationFields: [
        { key: 'fullName', label: 'Họ và tên', type: 'text', required: true },
        { key: 'unit', label: 'Đơn vị', type: 'unit', required: true },
      ],
    });
    const { bankId, ids } = await newBank(
      app,
      org.cookie,
      'Ngân hàng',
      [1, 2, 3, 4].map((i) => singleQuestion(i)),
    );
    // The round that opens later is created first: the overlap names it, whatever the ids.
    const later = await newRound(
      app,
      org.cookie,
      c.id,
      roundBody(
        bankId,
        1,
        {
          title: 'Vòng 2',
          questionCount: 1,
          opensAt: now + 2 * HOUR,
          closesAt: now + 4 * HOUR,
          prediction: { prompt: 'Bao nhiêu người?', kind: 'count' },
        },
        now,
      ),
    );
    const earlier = await newRound(
      app,
      org.cookie,
      c.id,
      roundBody(
        bankId,
        3,
        { title: 'Vòng 1', questionCount: 3, opensAt: now + HOUR, closesAt: now + 3 * HOUR },
        now,
      ),
    );
    // Two questions retired after the rounds were made: the first round needs 3 of the 2 left.
    for (const id of ids.slice(0, 2))
      ok(await call(app, 'DELETE', `/api/questions/${id}`, { cookie: org.cookie }));

    const list = await checklist(c.id);
    assert.equal(list.ready, false);
    assert.deepEqual(pairs(list.problems), [
      ['DRAW_UNSATISFIABLE', earlier],
      ['NO_RULES', null],
      ['NO_UNITS', null],
      ['ROUNDS_OVERLAP', later],
    ]);
    assert.deepEqual(pairs(list.warnings), [
      ['NO_DESCRIPTION', null],
      ['NO_PREDICTION', earlier],
    ]);
    const blocked = refusal(await publish(c.id), 409, 'PUBLISH_BLOCKED');
    for (const code of ['DRAW_UNSATISFIABLE', 'NO_RULES', 'NO_UNITS', 'ROUNDS_OVERLAP']) {
      assert.match(blocked.message, new RegExp(code));
    }

    // Fix each: rules, a description and units; two new questions; the later round moved after.
    ok(
      await call(app, 'PATCH', `/api/contests/${c.id}`, {
        cookie: org.cookie,
        payload: {
          rulesText: 'Thể lệ cuộc thi',
          description: 'Mô tả',
          units: [{ code: 'U1', name: 'Đơn vị 1' }],
        },
      }),
    );
    for (const i of [5, 6]) {
      ok(
        await call(app, 'POST', `/api/banks/${bankId}/questions`, {
          cookie: org.cookie,
          payload: singleQuestion(i),
        }),
        201,
      );
    }
    const moved = bodyOf((await edit(later)).round);
    ok(
      await call(app, 'PUT', `/api/rounds/${later}`, {
        cookie: org.cookie,
        payload: { ...moved, opensAt: iso(now + 5 * HOUR), closesAt: iso(now + 6 * HOUR) },
      }),
    );
    const fixed = await checklist(c.id);
    assert.deepEqual([fixed.ready, fixed.problems], [true, []]);
    assert.deepEqual(pairs(fixed.warnings), [['NO_PREDICTION', earlier]]);

    // Once the first round has closed it is only a warning.
    t.clock.set(now + 3 * HOUR + 30 * MINUTE);
    const past = await checklist(c.id);
    assert.equal(past.ready, true);
    assert.deepEqual(
      past.warnings.find((w) => w.code === 'ROUND_IN_PAST')?.roundId,
      earlier,
      JSON.stringify(past.warnings),
    );
    assert.deepEqual(past.problems, []);

    const published = ok<{ contest: { id: number; slug: string; status: string } }>(await publish(c.id));
    assert.deepEqual(published.contest, { id: c.id, slug: c.slug, status: 'published' });
  });

  const edit = async (roundId: number) =>
    ok<RoundView>(await get(app, `/api/manage/rounds/${roundId}`, org.cookie));

  test('the checklist: anonymous 401, participant 403, another organiser 404, an admin may', async () => {
    const c = await newContest(app, org.cookie, { slug: uniqueSlug('quyen'), title: 'Quyền' });
    refusal(await get(app, `/api/contests/${c.id}/checklist`), 401, 'UNAUTHENTICATED');
    refusal(await get(app, `/api/contests/${c.id}/checklist`, participant), 403, 'FORBIDDEN');
    refusal(await get(app, `/api/contests/${c.id}/checklist`, other.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await get(app, '/api/contests/999999/checklist', org.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await publish(c.id, other.cookie), 404, 'CONTEST_NOT_FOUND');
    const admin = await makeAdmin(app);
    assert.equal((await checklist(c.id, admin.cookie)).ready, false);
  });
});

// -----------------------------------------------------------------------------------------------

describe('the contest dashboard', async () => {
  // 17:00 in Hà Nội (UTC+7) on 10 March; local midnight is 17:00 UTC.
  const t = await makeApp({}, makeClock(Date.parse('2026-03-10T10:00:00.000Z')));
  after(t.close);
  const { app } = t;
  let f: ContestFixture;
  let later: number;
  let judge: Account;
  let other: Account;
  let participants: Account[];

  before(async () => {
    f = await makeContestWithRound(app, { questions: 2, closesAt: t.clock.now + 10 * DAY });
    later = await newRound(
      app,
      f.organiser.cookie,
      f.contestId,
      roundBody(
        f.bankId,
        2,
        { title: 'Vòng 2', opensAt: t.clock.now + 20 * DAY, closesAt: t.clock.now + 21 * DAY },
        t.clock.now,
      ),
    );
    judge = await makeAccountWithRoles(app, ['judge'], 'judge');
    other = await makeOrganiser(app);
    // 10 March, 17:00 local: three entries, one submission.
    participants = [
      await makeParticipant(app, f.slug),
      await makeParticipant(app, f.slug),
      await makeParticipant(app, f.slug),
    ];
    const [p1, p2, p3] = participants as [Account, Account, Account];
    await takeRound(t, f.roundId, p1.cookie);
    // 11 March, 23:50 local (16:50 UTC): one submission.
    t.clock.set('2026-03-11T16:50:00.000Z');
    await takeRound(t, f.roundId, p2.cookie);
    // 12 March, 00:10 local (17:10 UTC, still the 11th in UTC): a fourth entry, two submissions
    // (the first participant's second attempt among them) and an attempt in progress.
    t.clock.set('2026-03-11T17:10:00.000Z');
    await takeRound(t, f.roundId, p3.cookie);
    await takeRound(t, f.roundId, p1.cookie);
    const p4 = await makeParticipant(app, f.slug);
    participants.push(p4);
    await startAttempt(app, f.roundId, p4.cookie);
  });

  const dashboard = async (cookie = f.organiser.cookie) =>
    ok<Dashboard>(await get(app, `/api/contests/${f.contestId}/dashboard`, cookie));

  test('the figures add up', async () => {
    const d = await dashboard();
    assert.equal(d.now, '2026-03-11T17:10:00.000Z');
    assert.deepEqual(
      {
        entries: d.entries,
        inProgress: d.inProgress,
        submittedToday: d.submittedToday,
        submitted: d.submitted,
      },
      { entries: 4, inProgress: 1, submittedToday: 2, submitted: 4 },
    );
    assert.deepEqual(d.rounds, [
      { id: f.roundId, title: 'Round 1', state: 'open', inProgress: 1, submitted: 4, participants: 4 },
      { id: later, title: 'Vòng 2', state: 'upcoming', inProgress: 0, submitted: 0, participants: 0 },
    ]);
    const sum = (k: 'inProgress' | 'submitted') => d.rounds.reduce((s, r) => s + r[k], 0);
    assert.deepEqual([sum('inProgress'), sum('submitted')], [d.inProgress, d.submitted]);
  });

  test("participation: 30 days in the contest's time zone, ending today, submissions on their local day", async () => {
    const d = await dashboard();
    assert.equal(d.participation.length, 30);
    assert.equal(d.participation.at(-1)!.date, '2026-03-12', 'today is the 12th in Hà Nội (the 11th in UTC)');
    assert.equal(d.participation[0]!.date, '2026-02-11');
    const dates = d.participation.map((p) => p.date);
    assert.equal(new Set(dates).size, 30, 'each day once');
    assert.deepEqual([...dates].sort(), dates, 'in order');
    const submissions = Object.fromEntries(
      d.participation.filter((p) => p.submissions > 0).map((p) => [p.date, p.submissions]),
    );
    assert.deepEqual(submissions, { '2026-03-10': 1, '2026-03-11': 1, '2026-03-12': 2 });
    assert.equal(
      d.participation.reduce((s, p) => s + p.submissions, 0),
      d.submitted,
    );
  });

  test('participation: entries on the local day they were made', async () => {
    const d = await dashboard();
    const entries = Object.fromEntries(
      d.participation.filter((p) => p.entries > 0).map((p) => [p.date, p.entries]),
    );
    assert.deepEqual(entries, { '2026-03-10': 3, '2026-03-12': 1 });
  });

  test('a judge may read it; participant 403, another organiser 404, anonymous 401', async () => {
    const asJudge = await dashboard(judge.cookie);
    assert.deepEqual([asJudge.entries, asJudge.submitted, asJudge.inProgress], [4, 4, 1]);
    const admin = await makeAdmin(app);
    assert.equal((await dashboard(admin.cookie)).entries, 4);
    refusal(
      await get(app, `/api/contests/${f.contestId}/dashboard`, participants[0]!.cookie),
      403,
      'FORBIDDEN',
    );
    refusal(await get(app, `/api/contests/${f.contestId}/dashboard`, other.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await get(app, `/api/contests/${f.contestId}/dashboard`), 401, 'UNAUTHENTICATED');
    refusal(await get(app, '/api/contests/999999/dashboard', f.organiser.cookie), 404, 'CONTEST_NOT_FOUND');
  });

  test('submittedToday starts again at local midnight', async () => {
    t.clock.set('2026-03-12T17:00:00.000Z'); // 13 March, 00:00 in Hà Nội
    const d = await dashboard();
    assert.deepEqual([d.submittedToday, d.submitted, d.participation.at(-1)!.date], [0, 4, '2026-03-13']);
  });
});
