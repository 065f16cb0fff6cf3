// Attempt starts and finalisations on PostgreSQL (issue #8), through the attempt repository alone
// (no HTTP): C closed-loop clients in this process, each awaiting its call before the next, on one
// node (one pool). Phase 1 starts an attempt for each of N participants (Q question snapshots
// each), phase 2 submits them all, each submit racing one answer save of the same attempt on the
// answer writer; then a burst of B starts issued at once (what a round opening for many
// participants looks like), and the audit chain is verified. Prints figures; asserts nothing.
//
//   node --import tsx bench/src/pg-attempts.bench.ts [--clients 64] [--participants 6000]
//        [--questions 10] [--pool 10] [--burst 2000]
//
// It creates a throw-away database on QUIZARENA_TEST_PG's server (default
// postgres://postgres@127.0.0.1:5432/postgres) and drops it at the end.
import { createRepositories, type FinalFields, type QuestionSnapshot } from '@quizarena/db';
import { openPostgres } from '@quizarena/db/database';
import { createTestPgDatabase } from '@quizarena/db/testing';
import { readFileSync } from 'node:fs';
import { fmtMs, numberArg, percentile } from './lib/stats.ts';

const CLIENTS = numberArg('clients', 64);
const PARTICIPANTS = numberArg('participants', 6000);
const QUESTIONS = numberArg('questions', 10);
const POOL = numberArg('pool', 10);
const BURST = numberArg('burst', 2000);
const FAR = 9_000_000_000_000;

const created = await createTestPgDatabase();
const database = await openPostgres(created.url, { pool: POOL });
try {
  const repos = createRepositories(database);
  // One contest and round, N + BURST participants (users and entries), set up in SQL.
  const total = PARTICIPANTS + BURST;
  await database.query(
    `INSERT INTO users (email, name, password_hash, roles, created_at)
     SELECT 'p' || i || '@x.org', 'P' || i, 'x', '["participant"]', 0 FROM generate_series(1, ?) i`,
    [total],
  );
  await database.query(
    `INSERT INTO contests (owner_id, slug, title, registration_fields, groups, created_at) VALUES (1, 'c', 'C', '[]', '[]', 0)`,
  );
  await database.query(
    `INSERT INTO rounds (contest_id, title, opens_at, closes_at, time_limit_sec, question_count, max_attempts, draw, show_answers, show_leaderboard, created_at)
     VALUES (1, 'R', 0, ?, 600, ?, 1, '[]', 'never', 'never', 0)`,
    [FAR, QUESTIONS],
  );
  await database.query(
    `INSERT INTO entries (contest_id, user_id, full_name, group_key, fields, created_at)
     SELECT 1, i, 'Participant ' || i, 'g' || (i % 5), '{}', 0 FROM generate_series(1, ?) i`,
    [total],
  );
  // Not attempts: analysed empty, its foreign-key checks would be planned as scans of an empty table.
  await database.query('ANALYZE users, entries');

  const questionRows = Array.from({ length: QUESTIONS }, (_, position) => {
    const snapshot: QuestionSnapshot = {
      questionId: 100 + position,
      type: 'single',
      stem: `Question ${position + 1}: which of these is right? Some text of a realistic length.`,
      options: ['a', 'b', 'c', 'd'].map((id) => ({ id, text: `Option ${id}`, correct: id === 'a' })),
      points: 1,
      explanation: null,
    };
    return { position, questionId: 100 + position, snapshot };
  });
  const newAttempt = (userId: number) => {
    const t = Date.now();
    return {
      roundId: 1,
      userId,
      entryId: userId,
      seed: `seed-${userId}`,
      startedAt: t,
      deadline: t + 600_000,
      maxScore: QUESTIONS,
      ip: '192.0.2.1',
      userAgent: 'Mozilla/5.0 (bench)',
    };
  };

  // CPU time of this process and of the database's backends (from /proc: a local server), so that
  // the cost per call can be told apart from what other processes on the machine take.
  const ticks = 100; // USER_HZ
  const backendCpuMs = async (): Promise<number> => {
    const { rows } = await database.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
    );
    let ms = 0;
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ms += ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
      } catch {
        // Not local, or the backend ended.
      }
    }
    return ms;
  };

  /** C clients over `jobs` items, closed loop; latencies in ms, throughput per second. */
  const closedLoop = async (n: number, job: (i: number) => Promise<boolean>) => {
    const lat: number[] = [];
    let next = 0;
    let failed = 0;
    const cpu0 = process.cpuUsage();
    const pg0 = await backendCpuMs();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < n) {
          const i = next++;
          const t = performance.now();
          try {
            if (!(await job(i))) failed++;
          } catch {
            failed++;
          }
          lat.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const nodeMs = (cpu.user + cpu.system) / 1000 / n;
    const pgMs = ((await backendCpuMs()) - pg0) / n;
    lat.sort((a, b) => a - b);
    return {
      n,
      failed,
      perSecond: n / seconds,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      seconds,
      nodeMs,
      pgMs,
    };
  };
  const show = (label: string, r: Awaited<ReturnType<typeof closedLoop>>) =>
    console.log(
      `${label.padEnd(28)} ${r.n.toString().padStart(6)} in ${r.seconds.toFixed(2)} s  ` +
        `${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${fmtMs(r.p50)}  p99 ${fmtMs(r.p99)}  ` +
        `CPU per call: node ${r.nodeMs.toFixed(2)} ms, PostgreSQL ${r.pgMs.toFixed(2)} ms` +
        (r.failed ? `  failed ${r.failed}` : ''),
    );

  console.log(
    `PostgreSQL attempts: ${CLIENTS} clients, pool ${POOL}, ${QUESTIONS} questions per attempt, one node`,
  );
  const attemptIds: number[] = new Array(PARTICIPANTS);
  show(
    'start',
    await closedLoop(PARTICIPANTS, async (i) => {
      const outcome = await repos.attempts.start(newAttempt(i + 1), 1, questionRows);
      if (outcome.ok) attemptIds[i] = outcome.attempt.id;
      return outcome.ok;
    }),
  );

  const compute = (current: { startedAt: number; deadline: number }): FinalFields => {
    const at = Date.now();
    return {
      status: 'submitted',
      submittedAt: at,
      durationMs: Math.min(at, current.deadline) - current.startedAt,
      score: 1,
      correctCount: 1,
      allCorrect: false,
      prediction: null,
    };
  };
  show(
    'submit (racing a save)',
    await closedLoop(PARTICIPANTS, async (i) => {
      const attemptId = attemptIds[i]!;
      const [, outcome] = await Promise.all([
        repos.answerWriter.save({
          attemptId,
          questionId: 100,
          optionIds: ['a'],
          savedAt: Date.now(),
          ip: '192.0.2.1',
          userAgent: 'Mozilla/5.0 (bench)',
        }),
        repos.attempts.finalise(attemptId, compute, { ip: '192.0.2.1', userAgent: 'Mozilla/5.0 (bench)' }),
      ]);
      return outcome !== null;
    }),
  );

  // A burst: every start issued at once.
  {
    const t0 = performance.now();
    const lat: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: BURST }, async (_, i) => {
        const t = performance.now();
        try {
          return await repos.attempts.start(newAttempt(PARTICIPANTS + i + 1), 1, questionRows);
        } finally {
          lat.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    const ok = results.filter((r) => r.status === 'fulfilled' && r.value.ok).length;
    const errors = results.filter((r) => r.status === 'rejected');
    console.log(
      `${'burst of starts'.padEnd(28)} ${BURST.toString().padStart(6)} in ${seconds.toFixed(2)} s  ` +
        `${(BURST / seconds).toFixed(0).padStart(6)}/s  p50 ${fmtMs(percentile(lat, 50))}  p99 ${fmtMs(percentile(lat, 99))}` +
        `  ok ${ok}` +
        (errors.length
          ? `  errors ${errors.length} (${String((errors[0] as PromiseRejectedResult).reason).slice(0, 80)})`
          : ''),
    );
  }

  const t = performance.now();
  const report = await repos.audit.verify();
  console.log(
    `audit verify: ${report.ok ? 'ok' : `BROKEN at ${report.brokenAt}: ${report.reason}`}, ` +
      `${report.checked} entries, ${report.answerLogs} answer logs, ${((performance.now() - t) / 1000).toFixed(2)} s`,
  );
} finally {
  await database.close();
  await created.drop();
}
