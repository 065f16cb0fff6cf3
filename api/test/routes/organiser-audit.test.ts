// Every organiser and admin mutation lands in the hash-chained audit log, with the actor, the
// target and a digest of the request; refused requests do not.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, makeAccountWithRoles, makeApp, makeContestWithRound, ok, refusal } from '../helpers.ts';

test('organiser and admin actions are audited; refusals are not', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  const f = await makeContestWithRound(app, { questions: 2 });
  const admin = await makeAccountWithRoles(app, ['admin']);
  ok(
    await call(app, 'PUT', `/api/admin/users/${f.organiser.id}/roles`, {
      cookie: admin.cookie,
      payload: { roles: ['organiser', 'judge'] },
    }),
  );
  refusal(await call(app, 'POST', '/api/banks', { cookie: f.organiser.cookie, payload: { name: '' } }), 400);

  const entries = await app.repos.audit.list({}, 100, 0);
  const actions = entries.map((e) => `${e.action} ${e.targetType}:${e.targetId} by ${e.actorId}`).reverse();
  assert.deepEqual(actions, [
    `bank.create bank:${f.bankId} by ${f.organiser.id}`,
    `question.create question:${f.questionIds[0]} by ${f.organiser.id}`,
    `question.create question:${f.questionIds[1]} by ${f.organiser.id}`,
    `contest.create contest:${f.contestId} by ${f.organiser.id}`,
    `round.create round:${f.roundId} by ${f.organiser.id}`,
    `contest.publish contest:${f.contestId} by ${f.organiser.id}`,
    `user.roles user:${f.organiser.id} by ${admin.id}`,
  ]);
  const roles = entries.find((e) => e.action === 'user.roles')!;
  assert.deepEqual((roles.data.body as { roles: string[] }).roles, ['organiser', 'judge']);
  assert.equal(roles.ip, '127.0.0.1');
  assert.equal((await app.repos.audit.verify()).ok, true);
});

test('large bodies are summarised and secrets never stored', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  const f = await makeContestWithRound(app, { questions: 1 });
  const questions = Array.from({ length: 60 }, (_, i) => ({
    type: 'single',
    stem: `Câu hỏi số ${i} với một đoạn văn bản khá dài để vượt giới hạn ghi nhật ký`,
    options: [
      { text: 'Đúng', correct: true },
      { text: 'Sai', correct: false },
    ],
  }));
  ok(
    await call(app, 'POST', `/api/banks/${f.bankId}/import`, {
      cookie: f.organiser.cookie,
      payload: { questions },
    }),
    201,
  );
  const entry = (await app.repos.audit.list({ action: 'question.import' }, 1, 0))[0]!;
  assert.equal((entry.data.body as { questionsCount: number }).questionsCount, 60);
  assert.ok(!JSON.stringify(await app.repos.audit.list({}, 1000, 0)).includes('correct horse'));
});
