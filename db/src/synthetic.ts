// Bulk writes of synthetic participants with finished attempts (seed/src/generate.ts plans them;
// load tests, benchmarks and ranking tests use them): their accounts, entries, submitted attempts
// and counted results, straight to SQL in large transactions (100k participants take seconds).
// The same rows on either store: SQLite through prepared statements, PostgreSQL through four
// multi-row statements per 5,000. Callers rebuild the ranking projection from SQL afterwards, as
// the server does at start-up.
import type { Database, PgDatabase, SqliteDatabase } from './database.ts';

/** The round's facts a plan needs. */
export interface SyntheticRound {
  id: number;
  contest_id: number;
  opens_at: number;
  closes_at: number;
  time_limit_sec: number;
  question_count: number;
  /** The contest's group keys, in its order. */
  groups: string[];
  /** The contest's units, in code order (binary, on both stores). */
  units: { code: string; name: string }[];
}

/** One synthetic participant: their account, entry, submitted attempt and counted result. */
export interface SyntheticParticipant {
  email: string;
  name: string;
  unitCode: string | null;
  unitName: string | null;
  group: string | null;
  /** The entry's registration fields, as JSON text. */
  fields: string;
  startedAt: number;
  deadline: number;
  submittedAt: number;
  durationMs: number;
  correct: number;
  allCorrect: boolean;
  prediction: number;
}

/** Participant i of the plan (called for i = 0 .. count-1, in order). */
export type SyntheticPlan = (round: SyntheticRound) => (i: number) => SyntheticParticipant;

export interface SyntheticResult {
  userIds: number[];
  allCorrect: number;
}

/** The SQLite store, synchronously (benchmarks and the CLI fill 100k rows in seconds). */
export function writeSyntheticSqlite(
  database: SqliteDatabase,
  roundId: number,
  count: number,
  plan: SyntheticPlan,
  now: number,
): SyntheticResult {
  const { sqlite } = database;
  const row = sqlite
    .prepare(
      'SELECT id, contest_id, opens_at, closes_at, time_limit_sec, question_count FROM rounds WHERE id = ?',
    )
    .get(roundId) as Omit<SyntheticRound, 'groups' | 'units'> | undefined;
  if (!row) throw new Error(`No round ${roundId}`);
  const contest = sqlite.prepare('SELECT groups FROM contests WHERE id = ?').get(row.contest_id) as {
    groups: string;
  };
  const round: SyntheticRound = {
    ...row,
    groups: (JSON.parse(contest.groups) as { key: string }[]).map((g) => g.key),
    units: sqlite
      .prepare('SELECT code, name FROM units WHERE contest_id = ? ORDER BY code')
      .all(row.contest_id) as { code: string; name: string }[],
  };
  const insertUser = sqlite.prepare(
    `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES (?, ?, 'disabled', '["participant"]', ?)`,
  );
  const insertEntry = sqlite.prepare(
    `INSERT INTO entries (contest_id, user_id, full_name, unit_code, group_key, fields, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttempt = sqlite.prepare(
    `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, submitted_at, duration_ms,
       score, max_score, correct_count, all_correct, prediction)
     VALUES (?, ?, ?, 'synthetic', 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertResult = sqlite.prepare(
    `INSERT INTO round_results (round_id, user_id, attempt_id, group_key, name, unit, score, duration_ms, submitted_at,
       all_correct, prediction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const next = plan(round);
  const n = round.question_count;
  const userIds: number[] = [];
  let allCorrect = 0;

  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const p = next(i);
      const userId = Number(insertUser.run(p.email, p.name, now).lastInsertRowid);
      const entryId = Number(
        insertEntry.run(round.contest_id, userId, p.name, p.unitCode, p.group, p.fields, now).lastInsertRowid,
      );
      if (p.allCorrect) allCorrect++;
      const attemptId = Number(
        insertAttempt.run(
          round.id,
          userId,
          entryId,
          p.startedAt,
          p.deadline,
          p.submittedAt,
          p.durationMs,
          p.correct,
          n,
          p.correct,
          p.allCorrect ? 1 : 0,
          p.prediction,
        ).lastInsertRowid,
      );
      insertResult.run(
        round.id,
        userId,
        attemptId,
        p.group,
        p.name,
        p.unitName,
        p.correct,
        p.durationMs,
        p.submittedAt,
        p.allCorrect ? 1 : 0,
        p.prediction,
      );
      userIds.push(userId);
    }
  });
  for (let from = 0; from < count; from += 10_000) batch(from, Math.min(count, from + 10_000));
  return { userIds, allCorrect };
}

/** The PostgreSQL store: one transaction per 5,000 participants, four multi-row statements each. */
export async function writeSyntheticPg(
  database: PgDatabase,
  roundId: number,
  count: number,
  plan: SyntheticPlan,
  now: number,
): Promise<SyntheticResult> {
  const { pool } = database;
  const row = (
    await pool.query<Omit<SyntheticRound, 'groups' | 'units'>>(
      'SELECT id, contest_id, opens_at, closes_at, time_limit_sec, question_count FROM rounds WHERE id = $1',
      [roundId],
    )
  ).rows[0];
  if (!row) throw new Error(`No round ${roundId}`);
  const contest = (
    await pool.query<{ groups: { key: string }[] }>('SELECT groups FROM contests WHERE id = $1', [
      row.contest_id,
    ])
  ).rows[0]!;
  const units = (
    await pool.query<{ code: string; name: string }>(
      'SELECT code, name FROM units WHERE contest_id = $1 ORDER BY code COLLATE "C"',
      [row.contest_id],
    )
  ).rows;
  const round: SyntheticRound = { ...row, groups: contest.groups.map((g) => g.key), units };
  const next = plan(round);
  const userIds: number[] = [];
  let allCorrect = 0;
  const client = await pool.connect();
  try {
    for (let from = 0; from < count; from += 5_000) {
      const ps = Array.from({ length: Math.min(count, from + 5_000) - from }, (_, k) => next(from + k));
      const col = <K extends keyof SyntheticParticipant>(k: K) => ps.map((p) => p[k]);
      await client.query('BEGIN');
      // WITH ORDINALITY keeps the rows in plan order, so ids ascend as on SQLite.
      const users = await client.query<{ id: number }>(
        `INSERT INTO users (email, name, password_hash, roles, created_at)
         SELECT e, n, 'disabled', '["participant"]', $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(e, n, o)
         ORDER BY o RETURNING id`,
        [col('email'), col('name'), now],
      );
      const uids = users.rows.map((r) => r.id).sort((a, b) => a - b);
      const entryRows = await client.query<{ id: number; user_id: number }>(
        `INSERT INTO entries (contest_id, user_id, full_name, unit_code, group_key, fields, created_at)
         SELECT $1, u, n, c, g, f::json, $7
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(u, n, c, g, f, o)
         ORDER BY o RETURNING id, user_id`,
        [round.contest_id, uids, col('name'), col('unitCode'), col('group'), col('fields'), now],
      );
      const entryOf = new Map(entryRows.rows.map((r) => [r.user_id, r.id]));
      const attemptRows = await client.query<{ id: number; user_id: number }>(
        `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, submitted_at,
           duration_ms, score, max_score, correct_count, all_correct, prediction)
         SELECT $1, u, e, 'synthetic', 'submitted', s, d, sub, dur, c, $10, c, a, p
         FROM unnest($2::int[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::int[], $8::int[],
                     $9::bool[], $11::float8[]) WITH ORDINALITY AS t(u, e, s, d, sub, dur, c, a, p, o)
         ORDER BY o RETURNING id, user_id`,
        [
          round.id,
          uids,
          uids.map((u) => entryOf.get(u)),
          col('startedAt'),
          col('deadline'),
          col('submittedAt'),
          col('durationMs'),
          col('correct'),
          col('allCorrect'),
          round.question_count,
          col('prediction'),
        ],
      );
      const attemptOf = new Map(attemptRows.rows.map((r) => [r.user_id, r.id]));
      await client.query(
        `INSERT INTO round_results (round_id, user_id, attempt_id, group_key, name, unit, score, duration_ms,
           submitted_at, all_correct, prediction)
         SELECT $1, u, a, g, n, un, c, dur, sub, ac, p
         FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::bigint[],
                     $10::bool[], $11::float8[]) AS t(u, a, g, n, un, c, dur, sub, ac, p)`,
        [
          round.id,
          uids,
          uids.map((u) => attemptOf.get(u)),
          col('group'),
          col('name'),
          col('unitName'),
          col('correct'),
          col('durationMs'),
          col('submittedAt'),
          col('allCorrect'),
          col('prediction'),
        ],
      );
      await client.query('COMMIT');
      userIds.push(...uids);
      allCorrect += ps.filter((p) => p.allCorrect).length;
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return { userIds, allCorrect };
}

/** Either store. */
export async function writeSynthetic(
  database: Database,
  roundId: number,
  count: number,
  plan: SyntheticPlan,
  now: number,
): Promise<SyntheticResult> {
  return database.kind === 'sqlite'
    ? writeSyntheticSqlite(database, roundId, count, plan, now)
    : writeSyntheticPg(database, roundId, count, plan, now);
}
