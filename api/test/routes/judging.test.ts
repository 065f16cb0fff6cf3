// Judges: finalise (final ranking with the prediction tie-break, frozen with a hash), publish,
// reopen, review results, audit an attempt, void. The clock is moved, never slept on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  DAY,
  makeAccountWithRoles,
  makeApp,
  makeContestWithRound,
  makeParticipant,
  ok,
  refusal,
  startAttempt,
  answerAttempt,
  takeRound,
  type Account,
  type ContestFixture,
} from '../helpers.ts';

interface ResultsRow {
  userId: number;
  attemptId: number;
  name: string;
  score: number;
  finalRank: number | null;
  prize: string | null;
  decidedBy: string | null;
  predictionDistance: number | null;
  fields: Record<string, string>;
}
interface Finalisation {
  id: number;
  hash: string;
  participants: number;
  prediction: { value: number; allCorrect: number; participants: number } | null;
  rankingCheck: { ok: boolean };
  boundaryTies: unknown[];
}

describe('judging a round', async () => {
  const t = await makeApp();
  after(t.close);
  const { app, clock } = t;
  let f: ContestFixture;
  let judge: Account;
  const p: Account[] = [];
  const attemptOf = new Map<number, number>();

  before(async () => {
    judge = await makeAccountWithRoles(app, ['judge']);
    f = await makeContestWithRound(app, {
      questions: 3,
      prediction: { prompt: 'How many will get all right?', kind: 'count' },
      closesAt: clock.now + DAY,
      timeLimitSec: 600,
    });
    for (let i = 0; i < 5; i++) p.push(await makeParticipant(app, f.slug, { fullName: `Người ${i + 1}` }));
    // p0..p2 all right (actual = 3); p1 is fastest but predicts worst; p2 predicts exactly.
    const plan = [
      { rightCount: 3, takeMs: 30_000, prediction: 2 },
      { rightCount: 3, takeMs: 20_000, prediction: 5 },
      { rightCount: 3, takeMs: 40_000, prediction: 3 },
      { rightCount: 2, takeMs: 10_000, prediction: 3 },
    ];
    for (const [i, o] of plan.entries()) {
      const s = await takeRound(t, f.roundId, p[i]!.cookie, o);
      attemptOf.set(p[i]!.id, s.id);
    }
    // p4 answers one question right and never submits: expired at its deadline.
    const a = await startAttempt(app, f.roundId, p[4]!.cookie);
    await answerAttempt(app, a, p[4]!.cookie, 1);
    attemptOf.set(p[4]!.id, a.id);
  });

  const results = async (query = '') =>
    ok<{ total: number; rows: ResultsRow[]; finalisation: { hash: string } | null }>(
      await call(app, 'GET', `/api/rounds/${f.roundId}/results${query}`, { cookie: judge.cookie }),
    );

  test('only judges finalise, and only after the close and grace', async () => {
    refusal(await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`), 401);
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: p[0]!.cookie }),
      403,
      'FORBIDDEN',
    );
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: judge.cookie }),
      409,
      'ROUND_NOT_CLOSED',
    );
    refusal(
      await call(app, 'POST', '/api/rounds/999999/finalize', { cookie: judge.cookie }),
      404,
      'ROUND_NOT_FOUND',
    );
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/publish-results`, { cookie: judge.cookie }),
      409,
      'NOT_FINALIZED',
    );
  });

  test('provisional results order by score, then duration', async () => {
    const r = await results();
    assert.equal(r.total, 4, 'the unsubmitted attempt is not final yet');
    assert.deepEqual(
      r.rows.map((x) => x.userId),
      [p[1]!, p[0]!, p[2]!, p[3]!].map((a) => a.id),
    );
    assert.equal(r.finalisation, null);
  });

  let first: Finalisation;
  test('finalising applies the prediction tie-break and freezes the ranking with a hash', async () => {
    clock.advance(DAY + 2_001);
    first = ok<{ finalisation: Finalisation }>(
      await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: judge.cookie }),
    ).finalisation;
    assert.match(first.hash, /^[0-9a-f]{64}$/);
    assert.equal(first.participants, 5, 'the expired attempt was finalised and counts');
    assert.deepEqual(first.prediction && { v: first.prediction.value, a: first.prediction.allCorrect }, {
      v: 3,
      a: 3,
    });
    assert.equal(first.rankingCheck.ok, true);

    const r = await results();
    assert.equal(r.finalisation?.hash, first.hash);
    assert.deepEqual((r.finalisation as { boundaryTies?: unknown[] } | null)?.boundaryTies, []);
    assert.deepEqual(
      r.rows.map((x) => [x.userId, x.finalRank, x.decidedBy]),
      [
        [p[2]!.id, 1, null],
        [p[0]!.id, 2, 'prediction'],
        [p[1]!.id, 3, 'prediction'],
        [p[3]!.id, 4, 'score'],
        [p[4]!.id, 5, 'score'],
      ],
    );
    assert.equal(r.rows[0]!.predictionDistance, 0);
    assert.equal(r.rows[0]!.fields.fullName, 'Người 3');
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: judge.cookie }),
      409,
      'ALREADY_FINALIZED',
    );
  });

  test('results filter by name and page on the server', async () => {
    const r = await results('?q=Người%201&limit=10');
    assert.deepEqual(
      r.rows.map((x) => x.userId),
      [p[0]!.id],
    );
    const page = await results('?limit=2&offset=2');
    assert.equal(page.total, 5);
    assert.deepEqual(
      page.rows.map((x) => x.finalRank),
      [3, 4],
    );
    refusal(
      await call(app, 'GET', `/api/rounds/${f.roundId}/results?limit=0`, { cookie: judge.cookie }),
      400,
    );
    refusal(await call(app, 'GET', `/api/rounds/${f.roundId}/results`, { cookie: p[0]!.cookie }), 403);
  });

  test('an attempt audit shows questions, choices, keys, every save and the events', async () => {
    const attemptId = attemptOf.get(p[3]!.id)!;
    refusal(await call(app, 'GET', `/api/attempts/${attemptId}/audit`, { cookie: p[3]!.cookie }), 403);
    refusal(
      await call(app, 'GET', '/api/attempts/999999/audit', { cookie: judge.cookie }),
      404,
      'ATTEMPT_NOT_FOUND',
    );
    const audit = ok<{
      participant: { name: string };
      questions: { chosen: string[]; options: { id: string; correct: boolean }[] }[];
      saves: { at: string; ip: string | null }[];
      events: { action: string; ip: string | null }[];
    }>(await call(app, 'GET', `/api/attempts/${attemptId}/audit`, { cookie: judge.cookie }));
    assert.equal(audit.participant.name, 'Người 4');
    assert.ok(
      audit.events.every((e) => e.ip === '127.0.0.1'),
      'start and submit record the IP',
    );
    assert.equal(audit.questions.length, 3);
    const rightChosen = audit.questions.filter((q) =>
      q.chosen.every((id) => q.options.find((o) => o.id === id)?.correct),
    ).length;
    assert.equal(rightChosen, 2);
    assert.equal(audit.saves.length, 3);
    assert.ok(audit.saves.every((s) => s.ip === '127.0.0.1'));
    assert.deepEqual(
      audit.events.map((e) => e.action),
      ['attempt.start', 'attempt.submit'],
    );
  });

  test('voiding needs the round reopened; reopening needs a reason and is audited', async () => {
    const attemptId = attemptOf.get(p[2]!.id)!;
    refusal(
      await call(app, 'POST', `/api/attempts/${attemptId}/void`, {
        cookie: judge.cookie,
        payload: { reason: 'copied answers' },
      }),
      409,
      'ROUND_FINALIZED',
    );
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/reopen`, { cookie: judge.cookie, payload: {} }),
      400,
    );
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/reopen`, {
        cookie: p[0]!.cookie,
        payload: { reason: 'because' },
      }),
      403,
    );
    ok(
      await call(app, 'POST', `/api/rounds/${f.roundId}/reopen`, {
        cookie: judge.cookie,
        payload: { reason: 'complaint from unit NA' },
      }),
    );
    const log = await app.repos.audit.list({ targetType: 'round', targetId: String(f.roundId) }, 10, 0);
    assert.equal(log[0]!.action, 'round.reopen');
    assert.equal(log[0]!.data.reason, 'complaint from unit NA');
  });

  test('re-finalising unchanged data reproduces the same hash', async () => {
    const again = ok<{ finalisation: Finalisation }>(
      await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: judge.cookie }),
    ).finalisation;
    assert.equal(again.hash, first.hash);
    assert.notEqual(again.id, first.id);
    ok(
      await call(app, 'POST', `/api/rounds/${f.roundId}/reopen`, {
        cookie: judge.cookie,
        payload: { reason: 'void an attempt' },
      }),
    );
  });

  test('a voided attempt stops counting, rankings update, and the next finalisation differs', async () => {
    const attemptId = attemptOf.get(p[2]!.id)!;
    const res = ok<{ attempt: { status: string }; counted: unknown }>(
      await call(app, 'POST', `/api/attempts/${attemptId}/void`, {
        cookie: judge.cookie,
        payload: { reason: 'copied answers' },
      }),
    );
    assert.equal(res.attempt.status, 'voided');
    assert.equal(res.counted, null, 'no other attempt to count');
    refusal(
      await call(app, 'POST', `/api/attempts/${attemptId}/void`, {
        cookie: judge.cookie,
        payload: { reason: 'again' },
      }),
      409,
      'ALREADY_VOID',
    );
    const board = ok<{ total: number; entries: { participantId: number }[] }>(
      await call(app, 'GET', `/api/rounds/${f.roundId}/leaderboard`, { cookie: judge.cookie }),
    );
    assert.equal(board.total, 4);
    assert.ok(!board.entries.some((e) => e.participantId === p[2]!.id));
    const next = ok<{ finalisation: Finalisation }>(
      await call(app, 'POST', `/api/rounds/${f.roundId}/finalize`, { cookie: judge.cookie }),
    ).finalisation;
    assert.notEqual(next.hash, first.hash);
    assert.deepEqual(next.prediction && [next.prediction.value, next.participants], [2, 4]);
    const r = await results();
    assert.deepEqual(r.rows.map((x) => x.userId).slice(0, 2), [p[0]!.id, p[1]!.id]);
  });

  test('publishing makes the results public, once', async () => {
    ok(await call(app, 'POST', `/api/rounds/${f.roundId}/publish-results`, { cookie: judge.cookie }));
    const view = ok<{ round: { resultsStatus: string } }>(await call(app, 'GET', `/api/rounds/${f.roundId}`));
    assert.equal(view.round.resultsStatus, 'published');
    refusal(
      await call(app, 'POST', `/api/rounds/${f.roundId}/publish-results`, { cookie: judge.cookie }),
      409,
      'ALREADY_PUBLISHED',
    );
    assert.deepEqual(await app.repos.audit.verify().then((r) => r.ok), true, 'the audit chain is intact');
  });
});

describe('void while the round is open: the next best attempt counts', async () => {
  const t = await makeApp();
  after(t.close);

  test('the second attempt counts once the better first one is void', async () => {
    const judge = await makeAccountWithRoles(t.app, ['judge']);
    const f = await makeContestWithRound(t.app, { questions: 3, maxAttempts: 2 });
    const p = await makeParticipant(t.app, f.slug);
    const best = await takeRound(t, f.roundId, p.cookie, { rightCount: 3, takeMs: 5_000 });
    const worse = await takeRound(t, f.roundId, p.cookie, { rightCount: 1, takeMs: 5_000 });
    const before = ok<{ entry: { score: number } }>(
      await call(t.app, 'GET', `/api/rounds/${f.roundId}/leaderboard/me`, { cookie: p.cookie }),
    );
    assert.equal(before.entry.score, 3);
    const res = ok<{ counted: { attemptId: number; score: number } }>(
      await call(t.app, 'POST', `/api/attempts/${best.id}/void`, {
        cookie: judge.cookie,
        payload: { reason: 'two devices' },
      }),
    );
    assert.deepEqual(res.counted, { attemptId: worse.id, score: 1 });
    const afterVoid = ok<{ entry: { score: number } }>(
      await call(t.app, 'GET', `/api/rounds/${f.roundId}/leaderboard/me`, { cookie: p.cookie }),
    );
    assert.equal(afterVoid.entry.score, 1);
    const mine = ok<{ attempt: { status: string; result: unknown } }>(
      await call(t.app, 'GET', `/api/attempts/${best.id}`, { cookie: p.cookie }),
    );
    assert.equal(mine.attempt.status, 'voided');
  });
});
