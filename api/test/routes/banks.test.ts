// Organiser routes: question banks and questions, contest and round creation, publishing, and
// every refusal (roles, ownership, question shape, draw, schedule, slug).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  DAY,
  makeAdmin,
  makeApp,
  makeContestWithRound,
  makeOrganiser,
  MINUTE,
  ok,
  refusal,
  register,
  roundBody,
  singleQuestion,
  type Account,
  type QuestionInput,
} from '../helpers.ts';

interface BankList {
  banks: { id: number; name: string; questionCount: number; shared: boolean }[];
}
interface QuestionList {
  questions: {
    id: number;
    bankId: number;
    type: string;
    stem: string;
    options: { id: string; text: string; correct: boolean }[];
    points: number;
    tags: string[];
    difficulty: number | null;
    explanation: string | null;
    status: string;
  }[];
}

describe('organiser routes', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let org: Account;
  let other: Account;
  let participant: string;
  let bankId: number;

  before(async () => {
    org = await makeOrganiser(app);
    other = await makeOrganiser(app);
    participant = await register(app);
    bankId = ok<{ bank: { id: number; name: string } }>(
      await call(app, 'POST', '/api/banks', { cookie: org.cookie, payload: { name: '  Lịch sử  ' } }),
      201,
    ).bank.id;
  });

  const addQuestion = (q: unknown, cookie = org.cookie, bank = bankId) =>
    call(app, 'POST', `/api/banks/${bank}/questions`, { cookie, payload: q });

  describe('banks and questions', () => {
    test('create, list with counts, add and list questions with their keys', async () => {
      const q: QuestionInput = {
        type: 'multiple',
        stem: ' Which are prime? ',
        options: [
          { text: '2', correct: true },
          { text: '3', correct: true },
          { text: '4', correct: false },
        ],
        points: 2,
        tags: ['math', 'math', ' primes '],
        difficulty: 3,
        explanation: 'Only 1 and itself.',
      };
      const { question } = ok<{ question: { id: number } }>(await addQuestion(q), 201);
      ok(
        await addQuestion({
          type: 'truefalse',
          stem: 'The sky is blue',
          options: [
            { text: 'True', correct: true },
            { text: 'False', correct: false },
          ],
        }),
        201,
      );

      const { banks } = ok<BankList>(await call(app, 'GET', '/api/banks', { cookie: org.cookie }));
      const mine = banks.find((b) => b.id === bankId);
      assert.deepEqual(
        { id: mine?.id, name: mine?.name, questionCount: mine?.questionCount, shared: mine?.shared },
        { id: bankId, name: 'Lịch sử', questionCount: 2, shared: false },
      );
      // Another organiser does not see it; an admin sees every bank.
      const theirs = ok<BankList>(await call(app, 'GET', '/api/banks', { cookie: other.cookie }));
      assert.equal(
        theirs.banks.some((b) => b.id === bankId),
        false,
      );
      const admin = await makeAdmin(app);
      assert.ok(
        ok<BankList>(await call(app, 'GET', '/api/banks', { cookie: admin.cookie })).banks.some(
          (b) => b.id === bankId,
        ),
      );

      const { questions } = ok<QuestionList>(
        await call(app, 'GET', `/api/banks/${bankId}/questions`, { cookie: org.cookie }),
      );
      const stored = questions.find((x) => x.id === question.id)!;
      assert.equal(stored.stem, 'Which are prime?');
      assert.equal(stored.bankId, bankId);
      assert.equal(stored.points, 2);
      assert.equal(stored.difficulty, 3);
      assert.deepEqual([...stored.tags].sort(), ['math', 'primes']);
      assert.deepEqual(
        stored.options.map((o) => o.correct),
        [true, true, false],
        'the owner sees the key',
      );
      assert.equal(new Set(stored.options.map((o) => o.id)).size, 3, 'each option has its own id');
      const tf = questions.find((x) => x.type === 'truefalse')!;
      assert.equal(tf.points, 1, 'points default to 1');
      assert.equal(tf.explanation, null);
    });

    test('a participant is 403 FORBIDDEN and an anonymous caller 401 on every bank route', async () => {
      const routes: ['GET' | 'POST', string, unknown][] = [
        ['GET', '/api/banks', undefined],
        ['POST', '/api/banks', { name: 'Mine' }],
        ['GET', `/api/banks/${bankId}/questions`, undefined],
        ['POST', `/api/banks/${bankId}/questions`, singleQuestion(1)],
      ];
      for (const [method, url, payload] of routes) {
        refusal(await call(app, method, url, { cookie: participant, payload }), 403, 'FORBIDDEN');
        refusal(await call(app, method, url, { payload }), 401, 'UNAUTHENTICATED');
      }
    });

    test("another organiser's bank reads as 404 BANK_NOT_FOUND; an admin may use it", async () => {
      refusal(
        await call(app, 'GET', `/api/banks/${bankId}/questions`, { cookie: other.cookie }),
        404,
        'BANK_NOT_FOUND',
      );
      refusal(await addQuestion(singleQuestion(9), other.cookie), 404, 'BANK_NOT_FOUND');
      refusal(
        await call(app, 'GET', '/api/banks/999999/questions', { cookie: org.cookie }),
        404,
        'BANK_NOT_FOUND',
      );
      const admin = await makeAdmin(app);
      ok(await call(app, 'GET', `/api/banks/${bankId}/questions`, { cookie: admin.cookie }));
    });

    test('bank names must not be blank', async () => {
      refusal(await call(app, 'POST', '/api/banks', { cookie: org.cookie, payload: { name: '   ' } }), 400);
      refusal(await call(app, 'POST', '/api/banks', { cookie: org.cookie, payload: {} }), 400);
    });

    test('question shape: exactly one right option for single/true-false, at least one for multiple', async () => {
      const opts = (...correct: boolean[]) => correct.map((c, i) => ({ text: `Option ${i}`, correct: c }));
      refusal(
        await addQuestion({ type: 'single', stem: 'Two right', options: opts(true, true, false) }),
        400,
        'BAD_QUESTION',
      );
      refusal(
        await addQuestion({ type: 'single', stem: 'None right', options: opts(false, false) }),
        400,
        'BAD_QUESTION',
      );
      refusal(
        await addQuestion({ type: 'multiple', stem: 'None right', options: opts(false, false) }),
        400,
        'BAD_QUESTION',
      );
      refusal(
        await addQuestion({ type: 'truefalse', stem: 'Three', options: opts(true, false, false) }),
        400,
        'BAD_QUESTION',
      );
      refusal(
        await addQuestion({ type: 'truefalse', stem: 'Both', options: opts(true, true) }),
        400,
        'BAD_QUESTION',
      );
      refusal(
        await addQuestion({
          type: 'single',
          stem: 'Same text',
          options: [
            { text: 'A', correct: true },
            { text: ' A', correct: false },
          ],
        }),
        400,
        'BAD_QUESTION',
      );
      // Schema refusals: one option, no stem, bad points/difficulty, unknown type.
      refusal(await addQuestion({ type: 'single', stem: 'One option', options: opts(true) }), 400);
      refusal(await addQuestion({ type: 'single', stem: '', options: opts(true, false) }), 400);
      refusal(
        await addQuestion({ type: 'single', stem: 'Zero points', options: opts(true, false), points: 0 }),
        400,
      );
      refusal(
        await addQuestion({
          type: 'single',
          stem: 'Difficulty 6',
          options: opts(true, false),
          difficulty: 6,
        }),
        400,
      );
      refusal(await addQuestion({ type: 'essay', stem: 'Essay', options: opts(true, false) }), 400);
    });
  });

  describe('contests and rounds', () => {
    const contestBody = (slug: string) => ({ slug, title: 'Cuộc thi', description: 'd', rulesText: 'r' });
    const createContest = async (slug: string, cookie = org.cookie) =>
      ok<{ contest: { id: number; slug: string } }>(
        await call(app, 'POST', '/api/contests', { cookie, payload: contestBody(slug) }),
        201,
      ).contest;
    const round = (contestId: number, body: unknown, cookie = org.cookie) =>
      call(app, 'POST', `/api/contests/${contestId}/rounds`, { cookie, payload: body });

    test('participants get 403 and anonymous callers 401 on contest authoring', async () => {
      refusal(
        await call(app, 'POST', '/api/contests', { cookie: participant, payload: contestBody('nope') }),
        403,
        'FORBIDDEN',
      );
      refusal(
        await call(app, 'POST', '/api/contests', { payload: contestBody('nope') }),
        401,
        'UNAUTHENTICATED',
      );
      const c = await createContest('auth-checks');
      const body = roundBody(bankId, 1, {}, t.clock.now);
      refusal(await round(c.id, body, participant), 403, 'FORBIDDEN');
      refusal(await round(c.id, body, ''), 401, 'UNAUTHENTICATED');
      refusal(
        await call(app, 'POST', `/api/contests/${c.id}/publish`, { cookie: participant }),
        403,
        'FORBIDDEN',
      );
      refusal(await call(app, 'POST', `/api/contests/${c.id}/publish`), 401, 'UNAUTHENTICATED');
    });

    test('a taken slug is 409 SLUG_TAKEN; a malformed slug is 400', async () => {
      await createContest('taken-slug');
      refusal(
        await call(app, 'POST', '/api/contests', {
          cookie: other.cookie,
          payload: contestBody('taken-slug'),
        }),
        409,
        'SLUG_TAKEN',
      );
      refusal(
        await call(app, 'POST', '/api/contests', { cookie: org.cookie, payload: contestBody('Not A Slug') }),
        400,
      );
    });

    test('contest input checks: fields, groups, units, time zone', async () => {
      const post = (extra: Record<string, unknown>, slug: string) =>
        call(app, 'POST', '/api/contests', {
          cookie: org.cookie,
          payload: { ...contestBody(slug), ...extra },
        });
      refusal(
        await post(
          { registrationFields: [{ key: 'phone', label: 'Phone', type: 'phone', required: true }] },
          'no-fullname',
        ),
        400,
        'BAD_FIELDS',
      );
      refusal(
        await post(
          {
            registrationFields: [
              { key: 'fullName', label: 'Name', type: 'text', required: true },
              { key: 'fullName', label: 'Name', type: 'text', required: true },
            ],
          },
          'dup-field',
        ),
        400,
        'BAD_FIELDS',
      );
      refusal(
        await post(
          {
            registrationFields: [
              { key: 'fullName', label: 'N', type: 'text', required: true },
              { key: 'x', label: 'X', type: 'select', required: false },
            ],
          },
          'select-no-options',
        ),
        400,
        'BAD_FIELDS',
      );
      refusal(
        await post(
          {
            groups: [
              { key: 'A', name: 'A' },
              { key: 'A', name: 'B' },
            ],
          },
          'dup-groups',
        ),
        400,
        'BAD_GROUPS',
      );
      refusal(
        await post({ units: [{ code: 'HN', name: 'Hà Nội', parentCode: 'VN' }] }, 'orphan-unit'),
        400,
        'BAD_UNITS',
      );
      refusal(
        await post(
          {
            units: [
              { code: 'HN', name: 'A' },
              { code: 'HN', name: 'B' },
            ],
          },
          'dup-unit',
        ),
        400,
        'BAD_UNITS',
      );
      refusal(await post({ timeZone: 'Mars/Olympus' }, 'bad-tz'), 400, 'BAD_TIME_ZONE');
    });

    test('round checks: schedule, draw total, unsatisfiable draw, foreign bank', async () => {
      const c = await createContest('round-checks');
      const now = t.clock.now;
      // bankId holds 2 questions (added above) plus whatever other tests added; use a fresh bank.
      const small = ok<{ bank: { id: number } }>(
        await call(app, 'POST', '/api/banks', { cookie: org.cookie, payload: { name: 'Small' } }),
        201,
      ).bank.id;
      ok(await addQuestion(singleQuestion(1), org.cookie, small), 201);
      ok(await addQuestion({ ...singleQuestion(2), tags: ['geo'], difficulty: 2 }, org.cookie, small), 201);

      refusal(
        await round(c.id, roundBody(small, 2, { opensAt: now + DAY, closesAt: now + MINUTE }, now)),
        400,
        'BAD_SCHEDULE',
      );
      refusal(
        await round(c.id, roundBody(small, 2, { opensAt: now, closesAt: now }, now)),
        400,
        'BAD_SCHEDULE',
      );
      refusal(await round(c.id, roundBody(small, 3, {}, now)), 400, 'DRAW_UNSATISFIABLE');
      const mismatch = { ...roundBody(small, 2, {}, now), questionCount: 1 };
      refusal(await round(c.id, mismatch), 400, 'BAD_DRAW');
      const byTag = { ...roundBody(small, 2, {}, now), draw: [{ bankId: small, tags: ['geo'], count: 2 }] };
      refusal(await round(c.id, byTag), 400, 'DRAW_UNSATISFIABLE');
      const overlapping = {
        ...roundBody(small, 2, {}, now),
        draw: [
          { bankId: small, count: 1 },
          { bankId: small, difficulty: [2], count: 1 },
        ],
      };
      ok(await round(c.id, overlapping), 201);
      const otherBank = ok<{ bank: { id: number } }>(
        await call(app, 'POST', '/api/banks', { cookie: other.cookie, payload: { name: 'Theirs' } }),
        201,
      ).bank.id;
      ok(await addQuestion(singleQuestion(1), other.cookie, otherBank), 201);
      refusal(await round(c.id, roundBody(otherBank, 1, {}, now)), 400, 'BAD_DRAW');
      // Schema: time limit, attempts, visibility, dates.
      refusal(await round(c.id, { ...roundBody(small, 1, {}, now), timeLimitSec: 5 }), 400);
      refusal(await round(c.id, { ...roundBody(small, 1, {}, now), maxAttempts: 0 }), 400);
      refusal(await round(c.id, { ...roundBody(small, 1, {}, now), showAnswers: 'sometimes' }), 400);
      refusal(await round(c.id, { ...roundBody(small, 1, {}, now), opensAt: 'tomorrow' }), 400);
      refusal(await round(c.id, { ...roundBody(small, 1, {}, now), draw: [] }), 400);
    });

    test("another organiser's contest is 404 CONTEST_NOT_FOUND; an admin may manage it", async () => {
      const c = await createContest('someone-elses');
      const body = roundBody(bankId, 1, {}, t.clock.now);
      refusal(await round(c.id, body, other.cookie), 404, 'CONTEST_NOT_FOUND');
      refusal(
        await call(app, 'POST', `/api/contests/${c.id}/publish`, { cookie: other.cookie }),
        404,
        'CONTEST_NOT_FOUND',
      );
      refusal(
        await call(app, 'POST', '/api/contests/999999/publish', { cookie: org.cookie }),
        404,
        'CONTEST_NOT_FOUND',
      );
      // The admin may add a round, but only from banks the admin may use (any bank).
      const admin = await makeAdmin(app);
      ok(await round(c.id, body, admin.cookie), 201);
    });

    test('publish needs a round (409 PUBLISH_BLOCKED), then answers the published contest', async () => {
      const c = await createContest('publish-me');
      const blocked = refusal(
        await call(app, 'POST', `/api/contests/${c.id}/publish`, { cookie: org.cookie }),
        409,
        'PUBLISH_BLOCKED',
      );
      assert.match(blocked.message, /NO_ROUNDS/);
      ok(await round(c.id, roundBody(bankId, 1, {}, t.clock.now)), 201);
      const res = ok<{ contest: { id: number; slug: string; status: string } }>(
        await call(app, 'POST', `/api/contests/${c.id}/publish`, { cookie: org.cookie }),
      );
      assert.deepEqual(res.contest, { id: c.id, slug: 'publish-me', status: 'published' });
    });

    test('the fixture helper builds a published contest end to end', async () => {
      const f = await makeContestWithRound(app, { questions: 4 });
      assert.equal(f.questionIds.length, 4);
      const list = ok<{ contests: { slug: string; status: string }[] }>(
        await call(app, 'GET', '/api/contests'),
      );
      assert.equal(list.contests.find((c) => c.slug === f.slug)?.status, 'published');
    });
  });
});
