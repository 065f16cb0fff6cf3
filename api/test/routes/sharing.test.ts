// Sharing banks and contests with other organisers: the sharee then lists, reads and changes them as
// the owner does, but only the owner (or an admin) changes who they are shared with; unsharing
// takes the access away again, and every change of shares is in the audit log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import {
  call,
  makeAdmin,
  makeApp,
  makeContestWithRound,
  makeOrganiser,
  ok,
  refusal,
  registerAccount,
  singleQuestion,
  uniqueEmail,
  type Account,
  type ContestFixture,
} from '../helpers.ts';

interface Share {
  userId: number;
  email: string;
  name: string;
}
interface BankItem {
  id: number;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  questionCount: number;
}
interface BankDetail extends BankItem {
  canShare: boolean;
}
interface ManagedContest {
  id: number;
  ownerId: number;
  ownerName: string;
  shared: boolean;
}
interface RoundEdit {
  id: number;
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: { bankId: number; tags?: string[]; difficulty?: number[]; count: number }[];
  prediction: { prompt: string; kind: 'count' | 'percent' } | null;
  showAnswers: string;
  showLeaderboard: string;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  prizeBands: { name: string; count: number }[];
}
interface ContestView {
  contest: { id: number; title: string; ownerId: number; shared: boolean; canShare: boolean };
  rounds: RoundEdit[];
}
interface AuditPage {
  total: number;
  entries: { action: string; targetType: string; targetId: string; actorId: number | null }[];
}

const get = (app: FastifyInstance, url: string, cookie?: string) => call(app, 'GET', url, { cookie });

/** The round's create body, as the editor would send it back with a new title. */
function renamed(r: RoundEdit, title: string) {
  return {
    title,
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

async function auditOf(app: FastifyInstance, admin: Account, action: string, targetId: number) {
  return ok<AuditPage>(await get(app, `/api/audit?action=${action}&targetId=${targetId}`, admin.cookie));
}

describe('sharing a bank', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let owner: Account;
  let sharee: Account;
  let third: Account;
  let admin: Account;
  let participant: Account;
  let bankId: number;

  before(async () => {
    owner = await makeOrganiser(app);
    sharee = await makeOrganiser(app);
    third = await makeOrganiser(app);
    admin = await makeAdmin(app);
    participant = await registerAccount(app, uniqueEmail('thi-sinh'), 'Phạm Thị D');
    bankId = ok<{ bank: { id: number } }>(
      await call(app, 'POST', '/api/banks', { cookie: owner.cookie, payload: { name: 'Ngân hàng chung' } }),
      201,
    ).bank.id;
    ok(
      await call(app, 'POST', `/api/banks/${bankId}/questions`, {
        cookie: owner.cookie,
        payload: singleQuestion(1),
      }),
      201,
    );
  });

  const shareWith = (email: string, cookie = owner.cookie, id = bankId) =>
    call(app, 'POST', `/api/banks/${id}/shares`, { cookie, payload: { email } });
  const unshare = (userId: number, cookie = owner.cookie, id = bankId) =>
    call(app, 'DELETE', `/api/banks/${id}/shares/${userId}`, { cookie });
  const shares = async (cookie = owner.cookie) =>
    ok<{ shares: Share[] }>(await get(app, `/api/banks/${bankId}/shares`, cookie)).shares;

  test('the owner shares by email; the sharee lists, reads and adds to the bank', async () => {
    const { share } = ok<{ share: Share }>(await shareWith(sharee.email), 201);
    assert.deepEqual(share, { userId: sharee.id, email: sharee.email, name: 'organiser account' });
    assert.deepEqual(await shares(), [share]);
    assert.deepEqual(await shares(sharee.cookie), [share], 'the sharee sees who else edits it');

    const listed = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', sharee.cookie)).banks.find(
      (b) => b.id === bankId,
    );
    assert.deepEqual(
      [listed?.shared, listed?.ownerId, listed?.ownerName],
      [true, owner.id, 'organiser account'],
    );
    const detail = ok<{ bank: BankDetail }>(await get(app, `/api/banks/${bankId}`, sharee.cookie)).bank;
    assert.deepEqual([detail.shared, detail.canShare, detail.ownerId], [true, false, owner.id]);
    const mine = ok<{ bank: BankDetail }>(await get(app, `/api/banks/${bankId}`, owner.cookie)).bank;
    assert.deepEqual([mine.shared, mine.canShare], [false, true]);

    ok(
      await call(app, 'POST', `/api/banks/${bankId}/questions`, {
        cookie: sharee.cookie,
        payload: { ...singleQuestion(2), stem: 'Câu hỏi do người được chia sẻ thêm' },
      }),
      201,
    );
    const after = ok<{ bank: BankDetail }>(await get(app, `/api/banks/${bankId}`, owner.cookie)).bank;
    assert.equal(after.questionCount, 2);
  });

  test('emails are matched without regard to case; sharing twice keeps one share', async () => {
    const { share } = ok<{ share: Share }>(await shareWith(third.email.toUpperCase()), 201);
    assert.equal(share.userId, third.id);
    ok(await shareWith(third.email), 201);
    assert.deepEqual(
      (await shares()).map((s) => s.userId).sort((a, b) => a - b),
      [sharee.id, third.id].sort((a, b) => a - b),
    );
    assert.equal((await unshare(third.id)).statusCode, 204);
  });

  test('refusals: not the owner, unknown email, a participant, the owner, bad email, roles', async () => {
    refusal(await shareWith(third.email, sharee.cookie), 403, 'NOT_OWNER');
    refusal(await unshare(sharee.id, sharee.cookie), 403, 'NOT_OWNER');
    refusal(await shareWith(uniqueEmail('khong-co')), 404, 'USER_NOT_FOUND');
    refusal(await shareWith(participant.email), 400, 'NOT_ORGANISER');
    refusal(await shareWith(owner.email), 400, 'ALREADY_OWNER');
    refusal(await shareWith('not an email'), 400);
    refusal(await get(app, `/api/banks/${bankId}/shares`, third.cookie), 404, 'BANK_NOT_FOUND');
    refusal(await shareWith(third.email, third.cookie), 404, 'BANK_NOT_FOUND');
    refusal(await unshare(sharee.id, third.cookie), 404, 'BANK_NOT_FOUND');
    refusal(await shareWith(third.email, owner.cookie, 999999), 404, 'BANK_NOT_FOUND');
    refusal(await get(app, `/api/banks/${bankId}/shares`, participant.cookie), 403, 'FORBIDDEN');
    refusal(await shareWith(third.email, participant.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, `/api/banks/${bankId}/shares`), 401, 'UNAUTHENTICATED');
    refusal(await shareWith(third.email, ''), 401, 'UNAUTHENTICATED');
    refusal(await unshare(sharee.id, ''), 401, 'UNAUTHENTICATED');
    assert.deepEqual(
      (await shares()).map((s) => s.userId),
      [sharee.id],
      'the refusals changed nothing',
    );
  });

  test('unsharing takes the access away', async () => {
    const res = await unshare(sharee.id);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.body, '');
    assert.deepEqual(await shares(), []);
    refusal(await get(app, `/api/banks/${bankId}`, sharee.cookie), 404, 'BANK_NOT_FOUND');
    refusal(await get(app, `/api/banks/${bankId}/questions`, sharee.cookie), 404, 'BANK_NOT_FOUND');
    refusal(
      await call(app, 'POST', `/api/banks/${bankId}/questions`, {
        cookie: sharee.cookie,
        payload: singleQuestion(3),
      }),
      404,
      'BANK_NOT_FOUND',
    );
    const listed = ok<{ banks: BankItem[] }>(await get(app, '/api/banks', sharee.cookie)).banks;
    assert.equal(
      listed.some((b) => b.id === bankId),
      false,
    );
    refusal(await unshare(sharee.id), 404, 'SHARE_NOT_FOUND');
    refusal(await unshare(third.id), 404, 'SHARE_NOT_FOUND');
  });

  test('an admin may change the shares of any bank', async () => {
    ok(await shareWith(sharee.email, admin.cookie), 201);
    assert.deepEqual(
      (await shares(admin.cookie)).map((s) => s.userId),
      [sharee.id],
    );
    assert.equal((await unshare(sharee.id, admin.cookie)).statusCode, 204);
    assert.deepEqual(await shares(), []);
  });

  test('shares and unshares are audited; refusals are not', async () => {
    const shared = await auditOf(app, admin, 'bank.share', bankId);
    // The owner shared with the sharee and (twice) the third organiser, the admin with the sharee.
    assert.equal(shared.total, 4);
    assert.ok(shared.entries.every((e) => e.targetType === 'bank' && e.targetId === String(bankId)));
    assert.deepEqual(
      shared.entries.map((e) => e.actorId),
      [admin.id, owner.id, owner.id, owner.id],
    );
    const unshared = await auditOf(app, admin, 'bank.unshare', bankId);
    assert.deepEqual(
      unshared.entries.map((e) => e.actorId),
      [admin.id, owner.id, owner.id],
    );
  });
});

describe('sharing a contest', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let owner: Account;
  let sharee: Account;
  let third: Account;
  let admin: Account;
  let participant: Account;
  let f: ContestFixture;

  before(async () => {
    owner = await makeOrganiser(app);
    sharee = await makeOrganiser(app);
    third = await makeOrganiser(app);
    admin = await makeAdmin(app);
    participant = await registerAccount(app, uniqueEmail('thi-sinh'), 'Phạm Thị D');
    f = await makeContestWithRound(app, { organiser: owner, publish: false });
  });

  const shareWith = (email: string, cookie = owner.cookie, id = f.contestId) =>
    call(app, 'POST', `/api/contests/${id}/shares`, { cookie, payload: { email } });
  const unshare = (userId: number, cookie = owner.cookie, id = f.contestId) =>
    call(app, 'DELETE', `/api/contests/${id}/shares/${userId}`, { cookie });
  const shares = async (cookie = owner.cookie) =>
    ok<{ shares: Share[] }>(await get(app, `/api/contests/${f.contestId}/shares`, cookie)).shares;
  const view = async (cookie: string) =>
    ok<ContestView>(await get(app, `/api/manage/contests/${f.contestId}`, cookie));

  test('the sharee lists, reads and edits the contest and its rounds', async () => {
    const { share } = ok<{ share: Share }>(await shareWith(sharee.email), 201);
    assert.deepEqual(share, { userId: sharee.id, email: sharee.email, name: 'organiser account' });
    assert.deepEqual(await shares(sharee.cookie), [share]);
    // The round draws from the owner's bank: share that too, as the owner would.
    ok(
      await call(app, 'POST', `/api/banks/${f.bankId}/shares`, {
        cookie: owner.cookie,
        payload: { email: sharee.email },
      }),
      201,
    );

    const listed = ok<{ contests: ManagedContest[] }>(await get(app, '/api/manage/contests', sharee.cookie));
    assert.deepEqual(
      listed.contests.map((c) => [c.id, c.shared, c.ownerId, c.ownerName]),
      [[f.contestId, true, owner.id, 'organiser account']],
    );
    const v = await view(sharee.cookie);
    assert.deepEqual([v.contest.shared, v.contest.canShare, v.contest.ownerId], [true, false, owner.id]);

    const patched = ok<{ contest: { title: string; shared: boolean } }>(
      await call(app, 'PATCH', `/api/contests/${f.contestId}`, {
        cookie: sharee.cookie,
        payload: { title: 'Sửa bởi người được chia sẻ' },
      }),
    );
    assert.deepEqual([patched.contest.title, patched.contest.shared], ['Sửa bởi người được chia sẻ', true]);
    const round = ok<{ round: RoundEdit }>(
      await call(app, 'PUT', `/api/rounds/${f.roundId}`, {
        cookie: sharee.cookie,
        payload: renamed(v.rounds[0]!, 'Vòng do đồng tác giả sửa'),
      }),
    ).round;
    assert.equal(round.title, 'Vòng do đồng tác giả sửa');
    ok(await get(app, `/api/contests/${f.contestId}/checklist`, sharee.cookie));
    ok(await get(app, `/api/contests/${f.contestId}/dashboard`, sharee.cookie));
    ok(await get(app, `/api/manage/rounds/${f.roundId}`, sharee.cookie));
    assert.equal((await view(owner.cookie)).contest.title, 'Sửa bởi người được chia sẻ');
  });

  test("a sharee may retitle a round that draws from the owner's bank without that bank being shared", async () => {
    ok(
      await call(app, 'POST', `/api/contests/${f.contestId}/shares`, {
        cookie: owner.cookie,
        payload: { email: third.email },
      }),
      201,
    );
    const v = await view(third.cookie);
    const res = await call(app, 'PUT', `/api/rounds/${f.roundId}`, {
      cookie: third.cookie,
      payload: renamed(v.rounds[0]!, 'Đổi tên vòng, giữ nguyên cách rút câu hỏi'),
    });
    assert.equal(res.statusCode, 200, `the unchanged draw is refused: ${res.body}`);
  });

  test('refusals: not the owner, unknown email, a participant, the owner, roles', async () => {
    refusal(await shareWith(third.email, sharee.cookie), 403, 'NOT_OWNER');
    refusal(await unshare(sharee.id, sharee.cookie), 403, 'NOT_OWNER');
    refusal(await shareWith(uniqueEmail('khong-co')), 404, 'USER_NOT_FOUND');
    refusal(await shareWith(participant.email), 400, 'NOT_ORGANISER');
    refusal(await shareWith(owner.email), 400, 'ALREADY_OWNER');
    const outsider = await makeOrganiser(app);
    refusal(await get(app, `/api/contests/${f.contestId}/shares`, outsider.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await shareWith(third.email, outsider.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await unshare(sharee.id, outsider.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await shareWith(third.email, owner.cookie, 999999), 404, 'CONTEST_NOT_FOUND');
    refusal(await get(app, `/api/contests/${f.contestId}/shares`, participant.cookie), 403, 'FORBIDDEN');
    refusal(await shareWith(third.email, participant.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, `/api/contests/${f.contestId}/shares`), 401, 'UNAUTHENTICATED');
    refusal(await unshare(sharee.id, ''), 401, 'UNAUTHENTICATED');
  });

  test('unsharing takes the access away', async () => {
    assert.equal((await unshare(sharee.id)).statusCode, 204);
    refusal(await get(app, `/api/manage/contests/${f.contestId}`, sharee.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(
      await call(app, 'PATCH', `/api/contests/${f.contestId}`, {
        cookie: sharee.cookie,
        payload: { title: 'x' },
      }),
      404,
      'CONTEST_NOT_FOUND',
    );
    refusal(await get(app, `/api/manage/rounds/${f.roundId}`, sharee.cookie), 404, 'ROUND_NOT_FOUND');
    const v = await view(owner.cookie);
    refusal(
      await call(app, 'PUT', `/api/rounds/${f.roundId}`, {
        cookie: sharee.cookie,
        payload: renamed(v.rounds[0]!, 'x'),
      }),
      404,
      'ROUND_NOT_FOUND',
    );
    refusal(
      await get(app, `/api/contests/${f.contestId}/dashboard`, sharee.cookie),
      404,
      'CONTEST_NOT_FOUND',
    );
    const listed = ok<{ contests: ManagedContest[] }>(await get(app, '/api/manage/contests', sharee.cookie));
    assert.equal(
      listed.contests.some((c) => c.id === f.contestId),
      false,
    );
    // A draft is not public either.
    refusal(await get(app, `/api/contests/${f.slug}`, sharee.cookie), 404, 'CONTEST_NOT_FOUND');
    refusal(await unshare(sharee.id), 404, 'SHARE_NOT_FOUND');
  });

  test('an admin may change the shares of any contest', async () => {
    ok(await shareWith(sharee.email, admin.cookie), 201);
    assert.ok((await shares()).some((s) => s.userId === sharee.id));
    assert.equal((await unshare(sharee.id, admin.cookie)).statusCode, 204);
    assert.equal(
      (await shares()).some((s) => s.userId === sharee.id),
      false,
    );
  });

  test('shares and unshares of contests are audited', async () => {
    const shared = await auditOf(app, admin, 'contest.share', f.contestId);
    assert.deepEqual(
      shared.entries.map((e) => [e.actorId, e.targetType, e.targetId]),
      [
        [admin.id, 'contest', String(f.contestId)],
        [owner.id, 'contest', String(f.contestId)],
        [owner.id, 'contest', String(f.contestId)],
      ],
    );
    const unshared = await auditOf(app, admin, 'contest.unshare', f.contestId);
    assert.deepEqual(
      unshared.entries.map((e) => e.actorId),
      [admin.id, owner.id],
    );
  });
});
