// Two real server processes (`node --import tsx api/src/server.ts`, as `npm start` runs it) on one
// PostgreSQL database and one Redis, started at the same moment with SEED_DEMO=true (issue #8):
// the demo loads once and both nodes come up; a participant then moves between the nodes over
// real HTTP (sign-in on A, attempt started on B, answers saved on both, reloaded on A, submitted
// on B, ranked on A); a logout on A is refused on B within a second.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgres } from '@quizarena/db';
import {
  Client,
  DEMO_EMAILS,
  DEMO_SLUG,
  PASSWORD,
  demoEntryFields,
  registerClient,
  startPair,
  week1Of,
  within,
  type AttemptBody,
  type Pair,
} from './process-helpers.ts';

describe('two server processes on one PostgreSQL and one Redis', () => {
  let pair: Pair;

  before(async () => {
    pair = await startPair();
  });
  after(async () => {
    await pair?.close();
  });

  test('started together with SEED_DEMO=true, both come up and the demo is loaded once', async () => {
    assert.ok(pair.a.alive() && pair.b.alive(), 'both nodes run');
    const db = await openPostgres(pair.databaseUrl, { pool: 1 });
    try {
      const count = async (text: string, params: unknown[] = []) =>
        Number((await db.query<{ n: number }>(text, params)).rows[0]!.n);
      assert.equal(await count('SELECT count(*) AS n FROM contests WHERE slug = ?', [DEMO_SLUG]), 1);
      assert.equal(await count('SELECT count(*) AS n FROM contests'), 1, 'one contest');
      assert.equal(await count('SELECT count(*) AS n FROM banks'), 1, 'one demo bank, no orphan copy');
      assert.equal(await count('SELECT count(*) AS n FROM rounds'), 2, 'the two weekly rounds');
      assert.equal(
        await count('SELECT count(*) AS n FROM users'),
        DEMO_EMAILS.length,
        'one account per role',
      );
      const questions = await count('SELECT count(*) AS n FROM questions');
      const banks = await count('SELECT count(DISTINCT bank_id) AS n FROM questions');
      assert.ok(questions > 20 && banks === 1, `${questions} questions in ${banks} bank(s)`);
    } finally {
      await db.close();
    }
    const loaded = [pair.a, pair.b].filter((n) => n.output().includes('Demo contest loaded'));
    assert.equal(loaded.length, 1, 'exactly one node loaded the demo');
  });

  test('a participant moves between the nodes: one attempt, one deadline, every answer, one ranking', async () => {
    const { a, b } = pair;
    // Register and sign in again on A: a fresh session cookie, good on both nodes.
    const { email, id: userId } = await registerClient(a, 'mover');
    const client = new Client();
    await client.ok(a, 'POST', '/api/auth/login', { email, password: PASSWORD });
    assert.match(client.cookie, /^qa_session=/);
    await client.ok(
      a,
      'POST',
      `/api/contests/${DEMO_SLUG}/entry`,
      { fields: demoEntryFields('Lê Văn Đi') },
      201,
    );
    const roundId = await week1Of(client, a);

    const { attempt } = await client.ok<{ attempt: AttemptBody }>(
      b,
      'POST',
      `/api/rounds/${roundId}/attempts`,
      undefined,
      201,
    );
    assert.equal(attempt.status, 'in_progress');
    assert.equal(attempt.questions.length, 20);

    // Answers saved alternately on A and B; some questions answered twice, the last one counts.
    const chosen = new Map<number, string[]>();
    for (const [i, q] of attempt.questions.entries()) {
      const node = i % 2 === 0 ? a : b;
      const optionIds = [q.options[i % q.options.length]!.id];
      const { saved } = await client.ok<{ saved: { questionId: number; optionIds: string[] } }>(
        node,
        'PUT',
        `/api/attempts/${attempt.id}/answers/${q.id}`,
        { optionIds },
      );
      assert.deepEqual(saved.optionIds, optionIds);
      chosen.set(q.id, optionIds);
    }
    for (const [i, q] of attempt.questions.slice(0, 6).entries()) {
      const node = i % 2 === 0 ? b : a;
      const optionIds = [q.options[(i + 1) % q.options.length]!.id];
      await client.ok(node, 'PUT', `/api/attempts/${attempt.id}/answers/${q.id}`, { optionIds });
      chosen.set(q.id, optionIds);
    }

    const reloaded = (await client.ok<{ attempt: AttemptBody }>(a, 'GET', `/api/attempts/${attempt.id}`))
      .attempt;
    assert.equal(reloaded.id, attempt.id);
    assert.equal(reloaded.deadline, attempt.deadline, 'the same deadline on the other node');
    assert.deepEqual(
      reloaded.questions.map((q) => q.id),
      attempt.questions.map((q) => q.id),
      'the same questions in the same order',
    );
    assert.deepEqual(
      new Map(reloaded.answers.map((x) => [x.questionId, x.optionIds])),
      chosen,
      'every answer, whichever node took it',
    );
    // B sees the attempt in progress as well: starting again there is refused with its id.
    const again = await client.call<{ code: string; attemptId: number }>(
      b,
      'POST',
      `/api/rounds/${roundId}/attempts`,
    );
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.code, 'ATTEMPT_IN_PROGRESS');
    assert.equal(again.body.attemptId, attempt.id);

    const submitted = (
      await client.ok<{ attempt: { id: number; status: string; score: number; correctCount: number } }>(
        b,
        'POST',
        `/api/attempts/${attempt.id}/submit`,
        { prediction: 7 },
      )
    ).attempt;
    assert.equal(submitted.id, attempt.id);
    assert.equal(submitted.status, 'submitted');

    const board = async () =>
      client.ok<{ total: number; entries: { participantId: number; name: string; score: number }[] }>(
        a,
        'GET',
        `/api/rounds/${roundId}/leaderboard`,
      );
    await within(1000, 'the submission on B in the leaderboard on A', async () =>
      (await board()).entries.some((e) => e.participantId === userId),
    );
    const entry = (await board()).entries.find((e) => e.participantId === userId)!;
    assert.equal(entry.score, submitted.score);
    assert.equal(entry.name, 'Lê Văn Đi');
    // And A reads the attempt as submitted.
    const final = (await client.ok<{ attempt: AttemptBody }>(a, 'GET', `/api/attempts/${attempt.id}`))
      .attempt;
    assert.equal(final.status, 'submitted');
  });

  test('a logout on A: the session is refused on B within 1 s', async () => {
    const { a, b } = pair;
    const { client, id } = await registerClient(a, 'leaver');
    // B reads the session first, so that it is in B's session cache.
    const me = await client.ok<{ user: { id: number } }>(b, 'GET', '/api/auth/me');
    assert.equal(me.user.id, id);
    const cookie = client.cookie;
    const out = await client.call(a, 'POST', '/api/auth/logout');
    assert.equal(out.status, 204, out.text);
    const stale = new Client();
    stale.cookie = cookie;
    const start = Date.now();
    const polls: string[] = [];
    const took = await within(1000, 'the logout on A seen by B', async () => {
      const at = Date.now() - start;
      const res = await stale.call(b, 'GET', '/api/auth/me');
      polls.push(`${at}+${Date.now() - start - at} ms: ${res.status}`);
      return res.status === 401;
    }).catch((err: Error) => {
      // Each poll (when it started, how long it took, what B said) and what the nodes logged (a
      // lost subscription, a publish that failed), to find out why.
      throw new Error(
        `${err.message}\npolls: ${polls.join(', ')}\n` +
          `A logged:\n${a.output().slice(-2000)}\nB logged:\n${b.output().slice(-2000)}`,
      );
    });
    const refused = await stale.call<{ code: string }>(b, 'GET', '/api/auth/me');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'UNAUTHENTICATED');
    console.log(`logout on A refused on B after ${took} ms`);
  });
});
