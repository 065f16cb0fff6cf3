// Finalising and voiding attempts through the repository's prepared statements: the stored fields
// (booleans and nulls encoded as before), the counted result moving between attempts, and the
// audit entries chained in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRepositories, openDatabase, type FinalFields } from '../src/index.ts';

async function fixture() {
  const database = openDatabase(':memory:');
  const repos = createRepositories(database);
  const user = await repos.users.create({
    email: 'p@x.org',
    name: 'P',
    passwordHash: 'x',
    roles: ['participant'],
  });
  database.sqlite.exec(`
    INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (${user.id}, 'c', 'C', '[]', '[]', 0);
    INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
      VALUES (1, 'R', 0, 9e15, 60, 1, 3, '[]', 'never', 'never', 0);
    INSERT INTO entries (contest_id, user_id, full_name, group_key, fields, created_at) VALUES (1, ${user.id}, 'Phan', 'g1', '{}', 0);
  `);
  const open = () =>
    Number(
      database.sqlite
        .prepare(
          `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, max_score)
           VALUES (1, ${user.id}, 1, 's', 'in_progress', 100, 9e15, 2)`,
        )
        .run().lastInsertRowid,
    );
  return { database, repos, userId: user.id, open };
}

const fields = (over: Partial<FinalFields>): FinalFields => ({
  status: 'submitted',
  submittedAt: 1_000,
  durationMs: 900,
  score: 1,
  correctCount: 1,
  allCorrect: false,
  prediction: null,
  ...over,
});

test('finalise stores the fields and the counted result; a second finalise is refused', async () => {
  const { database, repos, userId, open } = await fixture();
  const first = open();
  await repos.answerWriter.save({
    attemptId: first,
    questionId: 7,
    optionIds: ['a'],
    savedAt: 500,
    ip: null,
    userAgent: null,
  });
  let seen: Map<number, string[]> | undefined;
  const outcome = await repos.attempts.finalise(
    first,
    (current, questions, saved) => {
      assert.equal(current.status, 'in_progress');
      assert.deepEqual(questions, []);
      seen = saved;
      return fields({ allCorrect: true, score: 1.5 });
    },
    { ip: '10.0.0.1', userAgent: 'ua' },
  );
  assert.deepEqual(seen, new Map([[7, ['a']]]));
  assert.equal(outcome?.attempt.status, 'submitted');
  assert.equal(outcome?.attempt.allCorrect, true);
  assert.equal(outcome?.attempt.prediction, null);
  assert.deepEqual(outcome?.counted, {
    roundId: 1,
    userId,
    attemptId: first,
    groupKey: 'g1',
    name: 'Phan',
    unit: null,
    score: 1.5,
    durationMs: 900,
    submittedAt: 1_000,
    allCorrect: true,
    prediction: null,
  });
  assert.deepEqual(database.sqlite.prepare('SELECT all_correct, prediction FROM round_results').get(), {
    all_correct: 1,
    prediction: null,
  });
  assert.equal(
    await repos.attempts.finalise(first, () => assert.fail('not called for a final attempt')),
    null,
  );

  // A better attempt takes over the counted result (the upsert's update branch).
  const second = open();
  const better = await repos.attempts.finalise(second, () =>
    fields({ status: 'expired', score: 2, prediction: 42.5, submittedAt: 2_000 }),
  );
  assert.equal(better?.counted?.attemptId, second);
  assert.equal(better?.counted?.prediction, 42.5);
  assert.equal(better?.counted?.allCorrect, false);
  assert.deepEqual(await repos.attempts.result(1, userId), better?.counted);

  // Voiding moves the count back, then removes it.
  const back = await repos.attempts.void(second, userId, 'copied', 3_000, { ip: null, userAgent: null });
  assert.equal(back?.counted?.attemptId, first);
  const none = await repos.attempts.void(first, userId, 'copied', 3_001, { ip: null, userAgent: null });
  assert.equal(none?.counted, null);
  assert.equal(await repos.attempts.result(1, userId), undefined);

  const entries = await repos.audit.list({ targetType: 'attempt' }, 10, 0);
  assert.deepEqual(entries.map((e) => e.action).reverse(), [
    'attempt.submit',
    'attempt.expire',
    'attempt.void',
    'attempt.void',
  ]);
  const submit = entries.at(-1)!;
  assert.equal(submit.ip, '10.0.0.1');
  assert.deepEqual(submit.data.answers, { 7: ['a'] });
  assert.equal((submit.data.answerLog as { count: number }).count, 1);
  assert.equal(entries.at(-2)!.actorId, null);
  assert.equal((await repos.audit.verify()).ok, true);
  database.close();
});

test('a finalisation that throws leaves nothing behind, and the next one still chains', async () => {
  const { database, repos, open } = await fixture();
  const id = open();
  await assert.rejects(
    repos.attempts.finalise(id, () => {
      throw new Error('scoring failed');
    }),
    /scoring failed/,
  );
  assert.equal((await repos.attempts.get(id))?.status, 'in_progress');
  assert.ok(await repos.attempts.finalise(id, () => fields({})));
  const report = await repos.audit.verify();
  assert.equal(report.ok, true);
  assert.equal(report.checked, 1);
  database.close();
});
