import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRepositories, openDatabase } from '@quizarena/db';
import { hashPassword } from '@quizarena/api/services/passwords';
import { drawQuestions } from '@quizarena/api/rules/draw';
import { DEMO_SLUG, generateParticipants, seedDemo } from '../src/index.ts';
import { seedQuestions, seedQuestionsCheck } from '../src/questions.ts';

test('the demo bank has at least 60 well-formed questions on every theme', () => {
  assert.ok(seedQuestions.length >= 60);
  assert.deepEqual(seedQuestionsCheck(), []);
  for (const tag of ['ho-chi-minh', 'lich-su', 'dia-ly', 'cong-dan', 'chuyen-doi-so']) {
    assert.ok(seedQuestions.filter((q) => q.tags.includes(tag)).length >= 10, tag);
  }
});

test('seedDemo loads a published contest with two rounds and one account per role, once', async () => {
  const database = openDatabase(':memory:');
  const repos = createRepositories(database);
  const first = await seedDemo(repos, { now: Date.now(), hashPassword });
  assert.equal(first.created, true);
  assert.equal(first.roundIds.length, 2);
  assert.deepEqual(first.accounts.map((a) => a.role).sort(), ['admin', 'judge', 'organiser', 'participant']);
  const again = await seedDemo(repos, { now: Date.now(), hashPassword });
  assert.equal(again.created, false);
  assert.equal(again.contestId, first.contestId);
  const contest = await repos.contests.bySlug(DEMO_SLUG);
  assert.equal(contest?.status, 'published');
  // Every round's draw can be satisfied by the bank.
  for (const id of first.roundIds) {
    const round = (await repos.contests.round(id))!;
    const pools = await Promise.all(
      round.draw.map(async (r) => ({ candidates: await repos.banks.candidateIds(r), count: r.count })),
    );
    assert.equal(drawQuestions(pools, 'check').length, round.questionCount);
  }
  database.close();
});

test('generateParticipants writes N finished attempts and their counted results', async () => {
  const database = openDatabase(':memory:');
  const repos = createRepositories(database);
  const demo = await seedDemo(repos, { now: Date.now(), hashPassword });
  const out = generateParticipants(database, { roundId: demo.roundIds[0]!, count: 2000, seed: 't' });
  assert.equal(out.userIds.length, 2000);
  const results = await repos.attempts.results(demo.roundIds[0]!);
  assert.equal(results.length, 2000);
  assert.equal(results.filter((r) => r.allCorrect).length, out.allCorrect);
  // Ties are planted: many results share a score and a whole-second duration.
  const keys = new Set(results.map((r) => `${r.score}:${r.durationMs}`));
  assert.ok(keys.size < results.length);
  database.close();
});
