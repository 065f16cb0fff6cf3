// Synthetic participants with finished attempts, for load tests, benchmarks and ranking tests.
// Writes straight to SQL in large transactions (100k participants take seconds), then callers
// rebuild the ranking projection from SQL as the server does at start-up. The same participants
// (same seed, same rows) on either store: SQLite through prepared statements, PostgreSQL through
// a handful of multi-row statements per 5,000.
import type { Database, PgDatabase, SqliteDatabase } from '@quizarena/db';
import { seededRandom } from '@quizarena/api/rules/random';

export interface GenerateOptions {
  roundId: number;
  count: number;
  /** Deterministic output for a given seed. */
  seed?: string;
  /** Email domain of the synthetic accounts (they cannot sign in: no usable password). */
  emailPrefix?: string;
  /** Answer everything right with this probability per question (shapes the score spread). */
  skill?: number;
  /** The clock (registration times, latest submission): Date.now() by default. */
  now?: number;
}

export interface GenerateResult {
  userIds: number[];
  allCorrect: number;
}

interface RoundInfo {
  id: number;
  contest_id: number;
  opens_at: number;
  closes_at: number;
  time_limit_sec: number;
  question_count: number;
}

/** One synthetic participant: their account, entry, submitted attempt and counted result. */
interface Participant {
  email: string;
  name: string;
  unitCode: string | null;
  unitName: string | null;
  group: string | null;
  fields: string;
  startedAt: number;
  deadline: number;
  submittedAt: number;
  durationMs: number;
  correct: number;
  allCorrect: boolean;
  prediction: number;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Thu', 'Quốc', 'Ngọc', 'Đức'];
const GIVEN = [
  'An',
  'Bình',
  'Chi',
  'Dũng',
  'Giang',
  'Hà',
  'Hùng',
  'Lan',
  'Linh',
  'Mai',
  'Nam',
  'Phương',
  'Quân',
  'Sơn',
  'Trang',
  'Tú',
  'Vy',
];

/** Draws the participants one by one, in the same order from the same seed on either store. */
function planner(
  round: RoundInfo,
  groups: string[],
  units: { code: string; name: string }[],
  opts: GenerateOptions,
): (i: number) => Participant {
  const random = seededRandom(opts.seed ?? 'synthetic');
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const prefix = opts.emailPrefix ?? `synthetic-${Date.now().toString(36)}`;
  const skill = opts.skill ?? 0.8;
  const n = round.question_count;
  const end = Math.min(opts.now ?? Date.now(), round.closes_at);
  return (i) => {
    const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
    const unit = units.length > 0 ? pick(units) : null;
    const group = groups.length > 0 ? pick(groups) : null;
    const fields = JSON.stringify({
      fullName: name,
      ...(unit ? { unit: unit.code } : {}),
      ...(group ? { group } : {}),
    });
    let correct = 0;
    for (let q = 0; q < n; q++) if (random() < skill) correct++;
    // Whole seconds half of the time: plants exact ties on duration as real contests have.
    const durationMs = Math.floor(20_000 + random() * (round.time_limit_sec * 1000 - 20_000));
    const duration = random() < 0.5 ? Math.round(durationMs / 1000) * 1000 : durationMs;
    const startedAt = Math.floor(round.opens_at + random() * Math.max(1, end - round.opens_at - duration));
    const prediction = Math.floor(random() * opts.count);
    return {
      email: `${prefix}-${i}@example.invalid`,
      name,
      unitCode: unit?.code ?? null,
      unitName: unit?.name ?? null,
      group,
      fields,
      startedAt,
      deadline: startedAt + round.time_limit_sec * 1000,
      submittedAt: startedAt + duration,
      durationMs: duration,
      correct,
      allCorrect: correct === n,
      prediction,
    };
  };
}

/** The SQLite store, synchronously (benchmarks and the CLI fill 100k rows in seconds). */
export function generateParticipants(database: SqliteDatabase, opts: GenerateOptions): GenerateResult {
  const { sqlite } = database;
  const round = sqlite
    .prepare(
      'SELECT id, contest_id, opens_at, closes_at, time_limit_sec, question_count FROM rounds WHERE id = ?',
    )
    .get(opts.roundId) as RoundInfo | undefined;
  if (!round) throw new Error(`No round ${opts.roundId}`);
  const contest = sqlite.prepare('SELECT groups FROM contests WHERE id = ?').get(round.contest_id) as {
    groups: string;
  };
  const groups = (JSON.parse(contest.groups) as { key: string }[]).map((g) => g.key);
  const units = sqlite
    .prepare('SELECT code, name FROM units WHERE contest_id = ? ORDER BY code')
    .all(round.contest_id) as {
    code: string;
    name: string;
  }[];

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

  const next = planner(round, groups, units, opts);
  const n = round.question_count;
  const now = opts.now ?? Date.now();
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
  for (let from = 0; from < opts.count; from += 10_000) batch(from, Math.min(opts.count, from + 10_000));
  return { userIds, allCorrect };
}

/** The PostgreSQL store: one transaction per 5,000 participants, four multi-row statements each. */
async function generateOnPostgres(database: PgDatabase, opts: GenerateOptions): Promise<GenerateResult> {
  const { pool } = database;
  const round = (
    await pool.query<RoundInfo>(
      'SELECT id, contest_id, opens_at, closes_at, time_limit_sec, question_count FROM rounds WHERE id = $1',
      [opts.roundId],
    )
  ).rows[0];
  if (!round) throw new Error(`No round ${opts.roundId}`);
  const contest = (
    await pool.query<{ groups: { key: string }[] }>('SELECT groups FROM contests WHERE id = $1', [
      round.contest_id,
    ])
  ).rows[0]!;
  const groups = contest.groups.map((g) => g.key);
  const units = (
    await pool.query<{ code: string; name: string }>(
      'SELECT code, name FROM units WHERE contest_id = $1 ORDER BY code COLLATE "C"',
      [round.contest_id],
    )
  ).rows;
  const next = planner(round, groups, units, opts);
  const now = opts.now ?? Date.now();
  const userIds: number[] = [];
  let allCorrect = 0;
  const client = await pool.connect();
  try {
    for (let from = 0; from < opts.count; from += 5_000) {
      const ps = Array.from({ length: Math.min(opts.count, from + 5_000) - from }, (_, k) => next(from + k));
      const col = <K extends keyof Participant>(k: K) => ps.map((p) => p[k]);
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

/** Either store (what tests that run on both use). */
export async function generateParticipantsIn(
  database: Database,
  opts: GenerateOptions,
): Promise<GenerateResult> {
  return database.kind === 'sqlite'
    ? generateParticipants(database, opts)
    : generateOnPostgres(database, opts);
}
