// Timed attempts, the core of a round (DESIGN.md section 2): starting (and every refusal), no
// answer key before the attempt is final, durable one-by-one answer saves, the deadline and its
// grace on the server clock, scoring, predictions, lazy and swept expiry, which attempt counts,
// and when answers are revealed. The clock is moved, never slept on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  answerAttempt,
  answerKey,
  call,
  DAY,
  getAttempt,
  HOUR,
  makeApp,
  makeContestWithRound,
  makeOrganiser,
  makeParticipant,
  MINUTE,
  ok,
  refusal,
  register,
  saveAnswer,
  singleQuestion,
  startAttempt,
  submit,
  takeRound,
  secondConnection,
  tempDatabase,
  type Account,
  type AttemptView,
  type ContestFixture,
  type ContestOptions,
  type LeaderboardPage,
  type QuestionInput,
} from '../helpers.ts';

/** Properties that would give the answer key away while an attempt is in progress. */
function assertNoKey(value: unknown, where: string): void {
  const json = JSON.stringify(value);
  for (const leak of ['"correct"', '"correctOptionIds"', '"explanation"', 'Because ']) {
    assert.equal(json.includes(leak), false, `${where} leaks ${leak}: ${json}`);
  }
}

describe('attempts', async () => {
  const t = await makeApp();
  after(t.close);
  const { app, clock } = t;

  /** A new published round (open now unless told otherwise) and a participant entered in it. */
  let organiser: Account | undefined;
  const fresh = async (opts: ContestOptions = {}): Promise<{ f: ContestFixture; p: Account }> => {
    organiser ??= await makeOrganiser(app);
    const f = await makeContestWithRound(app, { organiser, ...opts });
    return { f, p: await makeParticipant(app, f.slug) };
  };
  const board = async (roundId: number, cookie?: string) =>
    ok<LeaderboardPage>(
      await call(app, 'GET', `/api/rounds/${roundId}/leaderboard`, cookie ? { cookie } : {}),
    );

  describe('starting', () => {
    test('201 with the questions as drawn, the server deadline, and no answer key anywhere', async () => {
      const { f, p } = await fresh({
        questions: [singleQuestion(1, 1), singleQuestion(2, 2), { ...singleQuestion(3, 3), type: 'single' }],
        timeLimitSec: 300,
      });
      const res = await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, {
        cookie: p.cookie,
        headers: { 'user-agent': 'test-browser' },
      });
      const { attempt } = ok<{ attempt: AttemptView }>(res, 201);
      assertNoKey(res.body, 'the start answer');
      assert.equal(attempt.roundId, f.roundId);
      assert.equal(attempt.status, 'in_progress');
      assert.equal(attempt.startedAt, new Date(clock.now).toISOString());
      assert.equal(attempt.now, new Date(clock.now).toISOString());
      assert.equal(attempt.deadline, new Date(clock.now + 300_000).toISOString());
      assert.deepEqual(attempt.answers, []);
      assert.equal(attempt.prediction, null);
      assert.equal(attempt.result, null);
      assert.deepEqual(
        [...attempt.questions.map((q) => q.id)].sort((a, b) => a - b),
        [...f.questionIds].sort((a, b) => a - b),
      );
      for (const q of attempt.questions) {
        assert.deepEqual(Object.keys(q).sort(), ['id', 'options', 'points', 'stem', 'type']);
        assert.equal(q.options.length, 3);
        for (const o of q.options) assert.deepEqual(Object.keys(o).sort(), ['id', 'text']);
      }
      assert.deepEqual(attempt.questions.map((q) => q.points).sort(), [1, 2, 3]);

      const again = await call(app, 'GET', `/api/attempts/${attempt.id}`, { cookie: p.cookie });
      assertNoKey(again.body, 'GET while in progress');
      // The snapshot in SQL does hold the key (the server scores from it).
      const key = await answerKey(app, attempt.id);
      assert.equal(key.size, 3);
      for (const k of key.values()) assert.equal(k.right.length, 1);
    });

    test('403 NOT_ENTERED without a registration; 401 without a session; 404 for an unknown round; 400 for a bad id', async () => {
      const { f } = await fresh();
      const stranger = await register(app);
      refusal(
        await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: stranger }),
        403,
        'NOT_ENTERED',
      );
      refusal(await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`), 401, 'UNAUTHENTICATED');
      refusal(
        await call(app, 'POST', '/api/rounds/999999/attempts', { cookie: stranger }),
        404,
        'ROUND_NOT_FOUND',
      );
      refusal(await call(app, 'POST', '/api/rounds/abc/attempts', { cookie: stranger }), 400);
      refusal(await call(app, 'POST', '/api/rounds/0/attempts', { cookie: stranger }), 400);
    });

    test('409 ROUND_NOT_OPEN before it opens and once it has closed', async () => {
      const { f, p } = await fresh({ opensAt: clock.now + HOUR, closesAt: clock.now + 2 * HOUR });
      refusal(
        await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }),
        409,
        'ROUND_NOT_OPEN',
      );
      const saved = clock.now;
      try {
        clock.set(saved + 2 * HOUR);
        refusal(
          await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }),
          409,
          'ROUND_NOT_OPEN',
        );
        clock.set(saved + HOUR);
        ok(await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }), 201);
      } finally {
        clock.set(saved);
      }
    });

    test('409 ROUND_NOT_OPEN for a round of an unpublished contest', async () => {
      const draft = await makeContestWithRound(app, { organiser, publish: false });
      refusal(
        await call(app, 'POST', `/api/rounds/${draft.roundId}/attempts`, { cookie: draft.organiser.cookie }),
        409,
        'ROUND_NOT_OPEN',
      );
    });

    test('409 DRAW_UNSATISFIABLE when the bank no longer holds enough questions', async () => {
      const { f, p } = await fresh({ questions: 3 });
      // Retiring questions has no route yet: do it in SQL, as a future editor would.
      await app.database.query(`UPDATE questions SET status = 'retired' WHERE id = ?`, [f.questionIds[0]]);
      refusal(
        await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }),
        409,
        'DRAW_UNSATISFIABLE',
      );
      assert.deepEqual(await app.repos.attempts.ofParticipant(f.roundId, p.id), [], 'no attempt was used up');
    });

    test('409 ATTEMPT_IN_PROGRESS with the attempt id; 409 ATTEMPT_LIMIT when all are used', async () => {
      const { f, p } = await fresh({ maxAttempts: 2 });
      const first = await startAttempt(app, f.roundId, p.cookie);
      const busy = refusal(
        await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }),
        409,
        'ATTEMPT_IN_PROGRESS',
      );
      assert.equal(busy.attemptId, first.id);
      await submit(app, first.id, p.cookie);
      const second = await startAttempt(app, f.roundId, p.cookie);
      assert.notEqual(second.id, first.id);
      await submit(app, second.id, p.cookie);
      refusal(
        await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie }),
        409,
        'ATTEMPT_LIMIT',
      );
    });

    test('an overdue attempt in progress does not block the next one: it is finalised first', async () => {
      const { f, p } = await fresh({ maxAttempts: 2, timeLimitSec: 60 });
      const first = await startAttempt(app, f.roundId, p.cookie);
      clock.advance(60_000 + 2_001);
      const second = await startAttempt(app, f.roundId, p.cookie);
      assert.notEqual(second.id, first.id);
      assert.equal((await getAttempt(app, first.id, p.cookie)).status, 'expired');
    });

    test("another participant's attempt reads as 404 ATTEMPT_NOT_FOUND on every route", async () => {
      const { f, p } = await fresh({ prediction: { prompt: 'How many?', kind: 'count' } });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const other = await makeParticipant(app, f.slug);
      const q = attempt.questions[0]!;
      const cookie = other.cookie;
      refusal(await call(app, 'GET', `/api/attempts/${attempt.id}`, { cookie }), 404, 'ATTEMPT_NOT_FOUND');
      refusal(await saveAnswer(app, attempt.id, q.id, [q.options[0]!.id], cookie), 404, 'ATTEMPT_NOT_FOUND');
      refusal(
        await call(app, 'PUT', `/api/attempts/${attempt.id}/prediction`, { cookie, payload: { value: 3 } }),
        404,
        'ATTEMPT_NOT_FOUND',
      );
      refusal(
        await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, { cookie, payload: { prediction: 3 } }),
        404,
        'ATTEMPT_NOT_FOUND',
      );
      refusal(await call(app, 'GET', '/api/attempts/999999', { cookie }), 404, 'ATTEMPT_NOT_FOUND');
      refusal(await call(app, 'GET', `/api/attempts/${attempt.id}`), 401, 'UNAUTHENTICATED');
      // Nothing happened to the owner's attempt.
      const mine = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(mine.status, 'in_progress');
      assert.deepEqual(mine.answers, []);
      assert.equal(mine.prediction, null);
    });
  });

  describe('saving answers', () => {
    test('a save is acknowledged with the server time; resuming shows it and the same deadline', async () => {
      const { f, p } = await fresh();
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const [q1, q2] = attempt.questions;
      clock.advance(5_000);
      const saved = ok<{ saved: { questionId: number; optionIds: string[]; savedAt: string } }>(
        await saveAnswer(app, attempt.id, q1!.id, [q1!.options[1]!.id], p.cookie),
      );
      assert.deepEqual(saved.saved, {
        questionId: q1!.id,
        optionIds: [q1!.options[1]!.id],
        savedAt: new Date(clock.now).toISOString(),
      });
      ok(await saveAnswer(app, attempt.id, q2!.id, [q2!.options[0]!.id], p.cookie));
      // Changing one's mind replaces the answer; an empty list clears it.
      ok(await saveAnswer(app, attempt.id, q1!.id, [q1!.options[2]!.id], p.cookie));
      clock.advance(5_000);

      const resumed = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(resumed.deadline, attempt.deadline, 'a reload does not move the deadline');
      assert.equal(resumed.startedAt, attempt.startedAt);
      assert.equal(resumed.now, new Date(clock.now).toISOString());
      assert.deepEqual(resumed.questions, attempt.questions, 'same questions, same order, same option order');
      const answers = new Map(resumed.answers.map((a) => [a.questionId, a.optionIds]));
      assert.deepEqual(answers.get(q1!.id), [q1!.options[2]!.id]);
      assert.deepEqual(answers.get(q2!.id), [q2!.options[0]!.id]);
      assert.equal(resumed.answers.length, 2);

      ok(await saveAnswer(app, attempt.id, q2!.id, [], p.cookie));
      const cleared = await getAttempt(app, attempt.id, p.cookie);
      assert.deepEqual(cleared.answers.find((a) => a.questionId === q2!.id)?.optionIds ?? [], []);
    });

    test('400 BAD_OPTION for an option of another question, two options on a single, duplicates; 404 UNKNOWN_QUESTION', async () => {
      const { f, p } = await fresh();
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const [q1, q2] = attempt.questions;
      refusal(await saveAnswer(app, attempt.id, q1!.id, [q2!.options[0]!.id], p.cookie), 400, 'BAD_OPTION');
      refusal(
        await saveAnswer(app, attempt.id, q1!.id, [q1!.options[0]!.id, q1!.options[1]!.id], p.cookie),
        400,
        'BAD_OPTION',
      );
      refusal(await saveAnswer(app, attempt.id, q1!.id, ['made-up'], p.cookie), 400, 'BAD_OPTION');
      const other = (await fresh()).f.questionIds[0]!;
      refusal(
        await saveAnswer(app, attempt.id, other, [q1!.options[0]!.id], p.cookie),
        404,
        'UNKNOWN_QUESTION',
      );
      refusal(
        await saveAnswer(app, attempt.id, 999999, [q1!.options[0]!.id], p.cookie),
        404,
        'UNKNOWN_QUESTION',
      );
      // Schema refusals.
      refusal(
        await call(app, 'PUT', `/api/attempts/${attempt.id}/answers/${q1!.id}`, {
          cookie: p.cookie,
          payload: { optionIds: 'x' },
        }),
        400,
      );
      refusal(
        await call(app, 'PUT', `/api/attempts/${attempt.id}/answers/${q1!.id}`, {
          cookie: p.cookie,
          payload: {},
        }),
        400,
      );
      refusal(
        await call(app, 'PUT', `/api/attempts/${attempt.id}/answers/abc`, {
          cookie: p.cookie,
          payload: { optionIds: [] },
        }),
        400,
      );
      assert.deepEqual(
        (await getAttempt(app, attempt.id, p.cookie)).answers,
        [],
        'nothing refused was stored',
      );
    });

    test('multiple-response questions take several options, but not the same one twice', async () => {
      const multi: QuestionInput = {
        type: 'multiple',
        stem: 'Pick the even numbers',
        options: [
          { text: '2', correct: true },
          { text: '4', correct: true },
          { text: '5', correct: false },
        ],
      };
      const { f, p } = await fresh({ questions: [multi] });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const q = attempt.questions[0]!;
      ok(
        await saveAnswer(
          app,
          attempt.id,
          q.id,
          q.options.map((o) => o.id),
          p.cookie,
        ),
      );
      refusal(
        await saveAnswer(app, attempt.id, q.id, [q.options[0]!.id, q.options[0]!.id], p.cookie),
        400,
        'BAD_OPTION',
      );
    });

    test('saves are taken until deadline + 2 s grace (1.9 s: ok, 2.1 s: 409 ATTEMPT_CLOSED)', async () => {
      const { f, p } = await fresh({ timeLimitSec: 60 });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const deadline = Date.parse(attempt.deadline);
      const [q1, q2] = attempt.questions;
      clock.set(deadline + 1_900);
      ok(await saveAnswer(app, attempt.id, q1!.id, [q1!.options[0]!.id], p.cookie));
      clock.set(deadline + 2_100);
      refusal(
        await saveAnswer(app, attempt.id, q2!.id, [q2!.options[0]!.id], p.cookie),
        409,
        'ATTEMPT_CLOSED',
      );
      const after = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(after.status, 'expired', 'the refused save finalised the attempt');
      assert.deepEqual(
        after.answers.map((a) => a.questionId),
        [q1!.id],
        'the save in the grace counts',
      );
    });

    test('the deadline is capped at the round close', async () => {
      const { f, p } = await fresh({ timeLimitSec: 600, closesAt: clock.now + 5 * MINUTE });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      assert.equal(attempt.deadline, new Date(clock.now + 5 * MINUTE).toISOString());
      clock.advance(5 * MINUTE + 2_100);
      const q = attempt.questions[0]!;
      refusal(await saveAnswer(app, attempt.id, q.id, [q.options[0]!.id], p.cookie), 409, 'ATTEMPT_CLOSED');
      const expired = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(expired.result?.durationMs, 5 * MINUTE, 'duration is the (capped) time allowed');
    });

    test('an answer acknowledged with 200 is committed: another connection reads it', async () => {
      const db = await tempDatabase();
      const d = await makeApp({ ...db.store }, clock);
      const reader = await secondConnection(db);
      try {
        const f = await makeContestWithRound(d.app);
        const p = await makeParticipant(d.app, f.slug);
        const attempt = await startAttempt(d.app, f.roundId, p.cookie);
        const q = attempt.questions[0]!;
        ok(await saveAnswer(d.app, attempt.id, q.id, [q.options[1]!.id], p.cookie));
        const [row] = (
          await reader.query<{ optionIds: string; savedAt: number }>(
            'SELECT option_ids AS "optionIds", saved_at AS "savedAt" FROM answers WHERE attempt_id = ? AND question_id = ?',
            [attempt.id, q.id],
          )
        ).rows;
        assert.ok(row, 'the row is visible to another connection as soon as the save is acknowledged');
        const optionIds: unknown =
          typeof row.optionIds === 'string' ? JSON.parse(row.optionIds) : row.optionIds;
        assert.deepEqual(optionIds, [q.options[1]!.id]);
        assert.equal(row.savedAt, clock.now);
        // Every save is also in the append-only answer log.
        const [logged] = (
          await reader.query<{ n: number }>('SELECT count(*) AS n FROM answer_log WHERE attempt_id = ?', [
            attempt.id,
          ])
        ).rows;
        assert.equal(logged!.n, 1);
      } finally {
        await reader.close();
        await d.close();
        await db.remove();
      }
    });
  });

  describe('submitting and scoring', () => {
    test('all right scores maxScore with every question correct; duration is submit - start on the server clock', async () => {
      const { f, p } = await fresh({
        questions: [singleQuestion(1, 1), singleQuestion(2, 2.5), singleQuestion(3, 3)],
      });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const startedAt = clock.now;
      await answerAttempt(app, attempt, p.cookie);
      clock.advance(42_123);
      const result = await submit(app, attempt.id, p.cookie);
      assert.deepEqual(result, {
        id: attempt.id,
        status: 'submitted',
        score: 6.5,
        maxScore: 6.5,
        correctCount: 3,
        durationMs: 42_123,
        submittedAt: new Date(startedAt + 42_123).toISOString(),
      });
      const view = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(view.status, 'submitted');
      assert.deepEqual(view.result, {
        score: 6.5,
        maxScore: 6.5,
        correctCount: 3,
        durationMs: 42_123,
        submittedAt: result.submittedAt,
      });
    });

    test('wrong and missing answers score nothing', async () => {
      const { f, p } = await fresh({ questions: 4 });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const key = await answerKey(app, attempt.id);
      const [q1, q2, q3] = attempt.questions;
      ok(await saveAnswer(app, attempt.id, q1!.id, key.get(q1!.id)!.right, p.cookie));
      ok(await saveAnswer(app, attempt.id, q2!.id, [key.get(q2!.id)!.wrong[0]!], p.cookie));
      ok(await saveAnswer(app, attempt.id, q3!.id, [], p.cookie));
      const result = await submit(app, attempt.id, p.cookie);
      assert.equal(result.score, 1);
      assert.equal(result.maxScore, 4);
      assert.equal(result.correctCount, 1);
    });

    test('a second submit, a save and a prediction after submitting are 409 ATTEMPT_CLOSED', async () => {
      const { f, p } = await fresh({ prediction: { prompt: 'How many?', kind: 'count' } });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      await submit(app, attempt.id, p.cookie, { prediction: 4 });
      refusal(
        await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, {
          cookie: p.cookie,
          payload: { prediction: 4 },
        }),
        409,
        'ATTEMPT_CLOSED',
      );
      const q = attempt.questions[0]!;
      refusal(await saveAnswer(app, attempt.id, q.id, [q.options[0]!.id], p.cookie), 409, 'ATTEMPT_CLOSED');
      refusal(
        await call(app, 'PUT', `/api/attempts/${attempt.id}/prediction`, {
          cookie: p.cookie,
          payload: { value: 9 },
        }),
        409,
        'ATTEMPT_CLOSED',
      );
      const view = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(view.prediction, 4);
      assert.deepEqual(view.answers, []);
    });

    test('submitting within the grace is accepted; after it, 409 ATTEMPT_CLOSED and the attempt is expired', async () => {
      const a = await fresh({ timeLimitSec: 30 });
      const late = await startAttempt(app, a.f.roundId, a.p.cookie);
      clock.set(Date.parse(late.deadline) + 1_500);
      const r = await submit(app, late.id, a.p.cookie);
      assert.equal(r.status, 'submitted');
      assert.ok(r.durationMs <= 30_000, `duration ${r.durationMs} does not exceed the time limit`);

      const b = await fresh({ timeLimitSec: 30 });
      const tooLate = await startAttempt(app, b.f.roundId, b.p.cookie);
      clock.set(Date.parse(tooLate.deadline) + 2_500);
      refusal(
        await call(app, 'POST', `/api/attempts/${tooLate.id}/submit`, { cookie: b.p.cookie, payload: {} }),
        409,
        'ATTEMPT_CLOSED',
      );
      assert.equal((await getAttempt(app, tooLate.id, b.p.cookie)).status, 'expired');
    });

    test('multiple response: all-or-nothing by default, partial credit when the round enables it', async () => {
      const multi: QuestionInput = {
        type: 'multiple',
        stem: 'Which cities are in Vietnam?',
        points: 3,
        options: [
          { text: 'Huế', correct: true },
          { text: 'Đà Nẵng', correct: true },
          { text: 'Cần Thơ', correct: true },
          { text: 'Bangkok', correct: false },
        ],
      };
      const run = async (partialCredit: boolean, pick: (right: string[], wrong: string[]) => string[]) => {
        const { f, p } = await fresh({ questions: [multi], partialCredit });
        const attempt = await startAttempt(app, f.roundId, p.cookie);
        const k = (await answerKey(app, attempt.id)).get(attempt.questions[0]!.id)!;
        ok(await saveAnswer(app, attempt.id, attempt.questions[0]!.id, pick(k.right, k.wrong), p.cookie));
        return submit(app, attempt.id, p.cookie);
      };
      const twoRight = (right: string[]) => right.slice(0, 2);
      const twoRightOneWrong = (right: string[], wrong: string[]) => [...right.slice(0, 2), wrong[0]!];
      const allRight = (right: string[]) => right;
      const allAndWrong = (right: string[], wrong: string[]) => [...right, wrong[0]!];

      assert.equal((await run(false, twoRight)).score, 0);
      assert.equal((await run(false, allAndWrong)).score, 0);
      const full = await run(false, allRight);
      assert.equal(full.score, 3);
      assert.equal(full.correctCount, 1);

      const partial = await run(true, twoRight);
      assert.equal(partial.score, 2);
      assert.equal(partial.correctCount, 0, 'partly right is not "correct"');
      assert.equal((await run(true, twoRightOneWrong)).score, 1);
      assert.equal((await run(true, allAndWrong)).score, 2);
      assert.equal((await run(true, allRight)).score, 3);
    });
  });

  describe('races', () => {
    test('two simultaneous starts: one attempt, the other 409 ATTEMPT_IN_PROGRESS', async () => {
      const { f, p } = await fresh({ maxAttempts: 3 });
      const results = await Promise.all(
        [1, 2, 3].map(() => call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: p.cookie })),
      );
      const codes = results.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [201, 409, 409]);
      assert.equal((await app.repos.attempts.ofParticipant(f.roundId, p.id)).length, 1);
    });

    test('saves racing a submit: every save acknowledged with 200 is in the score, the others are 409', async () => {
      const { f, p } = await fresh({ questions: 5 });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const key = await answerKey(app, attempt.id);
      const saves = attempt.questions.map((q) =>
        saveAnswer(app, attempt.id, q.id, key.get(q.id)!.right, p.cookie),
      );
      const submitted = call(app, 'POST', `/api/attempts/${attempt.id}/submit`, {
        cookie: p.cookie,
        payload: {},
      });
      const [saveResults, submitResult] = await Promise.all([Promise.all(saves), submitted]);
      const accepted = saveResults.filter((r) => r.statusCode === 200).length;
      for (const r of saveResults)
        assert.ok(r.statusCode === 200 || r.statusCode === 409, `${r.statusCode} ${r.body}`);
      const result = ok<{ attempt: { score: number; correctCount: number } }>(submitResult).attempt;
      assert.equal(
        result.correctCount,
        accepted,
        `${accepted} saves acknowledged, ${result.correctCount} counted`,
      );
      assert.equal((await getAttempt(app, attempt.id, p.cookie)).answers.length, accepted);
    });

    test('two simultaneous submits: one 200, the other 409 ATTEMPT_CLOSED', async () => {
      const { f, p } = await fresh();
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      const results = await Promise.all(
        [1, 2].map(() =>
          call(app, 'POST', `/api/attempts/${attempt.id}/submit`, { cookie: p.cookie, payload: {} }),
        ),
      );
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409]);
    });
  });

  describe('predictions', () => {
    const predict = (attemptId: number, cookie: string, value: unknown) =>
      call(app, 'PUT', `/api/attempts/${attemptId}/prediction`, { cookie, payload: { value } });

    test('a round with a prediction requires one at submit (400 PREDICTION_REQUIRED)', async () => {
      const { f, p } = await fresh({ prediction: { prompt: 'How many will get all right?', kind: 'count' } });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      refusal(
        await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, { cookie: p.cookie, payload: {} }),
        400,
        'PREDICTION_REQUIRED',
      );
      assert.equal(
        (await getAttempt(app, attempt.id, p.cookie)).status,
        'in_progress',
        'a refused submit changes nothing',
      );
    });

    test('the automatic submission at the deadline is taken without a prediction', async () => {
      const { f, p } = await fresh({ prediction: { prompt: 'How many will get all right?', kind: 'count' } });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      clock.set(Date.parse(attempt.deadline) + 500);
      const res = ok<{ attempt: { status: string } }>(
        await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, { cookie: p.cookie, payload: {} }),
      );
      assert.equal(res.attempt.status, 'submitted');
      assert.equal((await getAttempt(app, attempt.id, p.cookie)).prediction, null);
    });

    test('count predictions are whole numbers', async () => {
      const { f, p } = await fresh({ prediction: { prompt: 'How many?', kind: 'count' } });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      refusal(await predict(attempt.id, p.cookie, 2.5), 400, 'BAD_PREDICTION');
      refusal(await predict(attempt.id, p.cookie, -1), 400);
      refusal(await predict(attempt.id, p.cookie, 'ten'), 400);
      refusal(
        await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, {
          cookie: p.cookie,
          payload: { prediction: 2.5 },
        }),
        400,
        'BAD_PREDICTION',
      );
      assert.deepEqual(ok<{ prediction: number }>(await predict(attempt.id, p.cookie, 0)), { prediction: 0 });
      assert.deepEqual(ok<{ prediction: number }>(await predict(attempt.id, p.cookie, 120)), {
        prediction: 120,
      });
      const r = await submit(app, attempt.id, p.cookie);
      assert.equal(r.status, 'submitted', 'the stored prediction is used when the submit has none');
      assert.equal((await getAttempt(app, attempt.id, p.cookie)).prediction, 120);
    });

    test('percent predictions take up to 5 decimals, from 0 to 100', async () => {
      const { f, p } = await fresh({ prediction: { prompt: 'What percentage?', kind: 'percent' } });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      assert.deepEqual(ok<{ prediction: number }>(await predict(attempt.id, p.cookie, 12.34567)), {
        prediction: 12.34567,
      });
      refusal(await predict(attempt.id, p.cookie, 12.345678), 400, 'BAD_PREDICTION');
      refusal(await predict(attempt.id, p.cookie, 100.5), 400, 'BAD_PREDICTION');
      ok(await predict(attempt.id, p.cookie, 100));
      ok(await predict(attempt.id, p.cookie, 0.00001));
      ok(await predict(attempt.id, p.cookie, 33.3));
      assert.equal(
        (await getAttempt(app, attempt.id, p.cookie)).prediction,
        33.3,
        'the last prediction is kept',
      );
      // A prediction in the submit body wins over the stored one.
      await submit(app, attempt.id, p.cookie, { prediction: 99.99999 });
      assert.equal((await getAttempt(app, attempt.id, p.cookie)).prediction, 99.99999);
    });

    test('a scripted client may submit with no body at all (the body is optional)', async () => {
      const { f, p } = await fresh({ prediction: { prompt: 'How many?', kind: 'count' } });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      ok(await predict(attempt.id, p.cookie, 7));
      // No content-type, no payload: what `curl -X POST` sends.
      const res = await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, { cookie: p.cookie });
      const { attempt: result } = ok<{ attempt: { status: string } }>(res);
      assert.equal(result.status, 'submitted');
      assert.equal(
        (await getAttempt(app, attempt.id, p.cookie)).prediction,
        7,
        'the stored prediction was used',
      );
    });

    test('a round without a prediction refuses one (400 NO_PREDICTION)', async () => {
      const { f, p } = await fresh();
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      refusal(await predict(attempt.id, p.cookie, 3), 400, 'NO_PREDICTION');
      refusal(
        await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, {
          cookie: p.cookie,
          payload: { prediction: 3 },
        }),
        400,
        'NO_PREDICTION',
      );
      assert.equal((await submit(app, attempt.id, p.cookie)).status, 'submitted');
    });
  });

  describe('expiry', () => {
    test('an overdue attempt is finalised on GET: expired, scored from its saves, duration = time limit', async () => {
      const { f, p } = await fresh({ timeLimitSec: 90, questions: 3 });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      await answerAttempt(app, attempt, p.cookie, 2);
      clock.advance(90_000 + 2_001);
      const view = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(view.status, 'expired');
      assert.deepEqual(view.result, {
        score: 2,
        maxScore: 3,
        correctCount: 2,
        durationMs: 90_000,
        submittedAt: attempt.deadline,
      });
      const lb = await board(f.roundId);
      assert.deepEqual(
        lb.entries.map((e) => [e.participantId, e.score, e.durationMs]),
        [[p.id, 2, 90_000]],
        'an expired attempt counts',
      );
    });

    test('within the grace an attempt is still in progress', async () => {
      const { f, p } = await fresh({ timeLimitSec: 90 });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      clock.advance(90_000 + 2_000);
      assert.equal((await getAttempt(app, attempt.id, p.cookie)).status, 'in_progress');
    });

    test('the sweeper finalises overdue attempts nobody looks at', async () => {
      const { f, p } = await fresh({ timeLimitSec: 60 });
      const q = await makeParticipant(app, f.slug);
      const overdue = await startAttempt(app, f.roundId, p.cookie);
      await answerAttempt(app, overdue, p.cookie, 3);
      clock.advance(30_000);
      const current = await startAttempt(app, f.roundId, q.cookie);
      clock.advance(30_000 + 2_001);
      const n = await app.services.attempts.sweep();
      assert.ok(n >= 1, `swept ${n}`);
      const row = await app.repos.attempts.get(overdue.id);
      assert.equal(row?.status, 'expired');
      assert.equal(row?.score, 3);
      assert.equal(row?.durationMs, 60_000);
      assert.equal(
        (await app.repos.attempts.get(current.id))?.status,
        'in_progress',
        'an attempt still within its time is left alone',
      );
      assert.equal(await app.services.attempts.sweep(), 0, 'nothing left to sweep');
      assert.deepEqual(
        (await board(f.roundId)).entries.map((e) => e.participantId),
        [p.id],
      );
    });
  });

  describe('which attempt counts', () => {
    interface MeView {
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
    }
    const me = async (roundId: number, cookie: string) =>
      ok<{ round: { me: MeView } }>(await call(app, 'GET', `/api/rounds/${roundId}`, { cookie })).round.me;

    test('the best attempt counts: a worse second attempt changes nothing, a better one replaces it', async () => {
      const { f, p } = await fresh({ maxAttempts: 3, questions: 3 });
      const first = await takeRound(t, f.roundId, p.cookie, { rightCount: 2, takeMs: 60_000 });
      assert.deepEqual((await me(f.roundId, p.cookie)).best, {
        attemptId: first.id,
        score: 2,
        maxScore: 3,
        correctCount: 2,
        durationMs: 60_000,
      });

      await takeRound(t, f.roundId, p.cookie, { rightCount: 1, takeMs: 10_000 });
      let lb = await board(f.roundId);
      assert.deepEqual(
        lb.entries.map((e) => [e.participantId, e.score, e.durationMs]),
        [[p.id, 2, 60_000]],
      );
      assert.equal((await me(f.roundId, p.cookie)).best?.attemptId, first.id);

      const third = await takeRound(t, f.roundId, p.cookie, { rightCount: 2, takeMs: 30_000 });
      lb = await board(f.roundId);
      assert.deepEqual(
        lb.entries.map((e) => [e.participantId, e.score, e.durationMs]),
        [[p.id, 2, 30_000]],
        'same score, faster: replaced',
      );
      assert.equal(lb.total, 1);
      assert.deepEqual(await me(f.roundId, p.cookie), {
        attemptsUsed: 3,
        attemptsLeft: 0,
        inProgressAttemptId: null,
        best: { attemptId: third.id, score: 2, maxScore: 3, correctCount: 2, durationMs: 30_000 },
      });
    });

    test('a higher score beats a faster time', async () => {
      const { f, p } = await fresh({ maxAttempts: 2, questions: 3 });
      await takeRound(t, f.roundId, p.cookie, { rightCount: 2, takeMs: 5_000 });
      const better = await takeRound(t, f.roundId, p.cookie, { rightCount: 3, takeMs: 500_000 });
      assert.deepEqual(
        (await board(f.roundId)).entries.map((e) => [e.score, e.durationMs]),
        [[3, 500_000]],
      );
      assert.equal((await me(f.roundId, p.cookie)).best?.attemptId, better.id);
    });
  });

  describe('revealing answers', () => {
    const revealed = (view: AttemptView) =>
      view.questions.every(
        (q) => Array.isArray(q.correctOptionIds) && 'explanation' in q && typeof q.correct === 'boolean',
      );
    const hidden = (view: AttemptView) => {
      assertNoKey(view, 'a hidden attempt');
      return true;
    };

    test("'immediately': the key, explanations and right/wrong per question once submitted", async () => {
      const { f, p } = await fresh({ showAnswers: 'immediately', questions: 3 });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      await answerAttempt(app, attempt, p.cookie, 2);
      assert.ok(hidden(await getAttempt(app, attempt.id, p.cookie)));
      await submit(app, attempt.id, p.cookie);
      const view = await getAttempt(app, attempt.id, p.cookie);
      assert.ok(revealed(view));
      const key = await answerKey(app, attempt.id);
      view.questions.forEach((q, i) => {
        assert.deepEqual(q.correctOptionIds, key.get(q.id)!.right);
        assert.match(q.explanation ?? '', /^Because \d\.$/);
        assert.equal(q.correct, i < 2);
      });
    });

    test("'after_close': hidden after submitting, shown once the round has closed", async () => {
      const { f, p } = await fresh({ showAnswers: 'after_close', closesAt: clock.now + HOUR });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      await answerAttempt(app, attempt, p.cookie);
      await submit(app, attempt.id, p.cookie);
      assert.ok(hidden(await getAttempt(app, attempt.id, p.cookie)));
      clock.advance(HOUR);
      assert.ok(revealed(await getAttempt(app, attempt.id, p.cookie)));
    });

    test("'never': hidden after submitting and after the close", async () => {
      const { f, p } = await fresh({ showAnswers: 'never', closesAt: clock.now + HOUR });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      await answerAttempt(app, attempt, p.cookie);
      const r = await submit(app, attempt.id, p.cookie);
      assert.equal(r.score, 3, 'the score itself is shown');
      assert.ok(hidden(await getAttempt(app, attempt.id, p.cookie)));
      clock.advance(HOUR + DAY);
      const view = await getAttempt(app, attempt.id, p.cookie);
      assert.ok(hidden(view));
      assert.equal(view.result?.score, 3);
    });

    test('an expired attempt is revealed like a submitted one', async () => {
      const { f, p } = await fresh({ showAnswers: 'immediately', timeLimitSec: 10 });
      const attempt = await startAttempt(app, f.roundId, p.cookie);
      clock.advance(12_001);
      const view = await getAttempt(app, attempt.id, p.cookie);
      assert.equal(view.status, 'expired');
      assert.ok(revealed(view));
      assert.ok(view.questions.every((q) => q.correct === false));
    });
  });

  before(() => {
    // Rounds are made relative to the clock; make sure a stray failure above cannot leave it in the past.
    assert.ok(clock.now >= Date.parse('2026-01-01'));
  });
});
