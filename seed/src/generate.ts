// Synthetic participants with finished attempts, for load tests, benchmarks and ranking tests.
// Writes straight to SQL in large transactions (100k participants take seconds), then callers
// rebuild the ranking projection from SQL as the server does at start-up.
import type { Database } from '@quizarena/db';
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
}

export interface GenerateResult {
  userIds: number[];
  allCorrect: number;
}

export function generateParticipants(database: Database, opts: GenerateOptions): GenerateResult {
  if (database.kind !== 'sqlite') throw new Error('generateParticipants writes to the SQLite store only');
  const { sqlite } = database;
  const random = seededRandom(opts.seed ?? 'synthetic');
  const round = sqlite
    .prepare(
      'SELECT id, contest_id, opens_at, closes_at, time_limit_sec, question_count FROM rounds WHERE id = ?',
    )
    .get(opts.roundId) as
    | {
        id: number;
        contest_id: number;
        opens_at: number;
        closes_at: number;
        time_limit_sec: number;
        question_count: number;
      }
    | undefined;
  if (!round) throw new Error(`No round ${opts.roundId}`);
  const contest = sqlite.prepare('SELECT groups FROM contests WHERE id = ?').get(round.contest_id) as {
    groups: string;
  };
  const groups = (JSON.parse(contest.groups) as { key: string }[]).map((g) => g.key);
  const units = sqlite.prepare('SELECT code, name FROM units WHERE contest_id = ?').all(round.contest_id) as {
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
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

  const prefix = opts.emailPrefix ?? `synthetic-${Date.now().toString(36)}`;
  const skill = opts.skill ?? 0.8;
  const n = round.question_count;
  const now = Date.now();
  const end = Math.min(now, round.closes_at);
  const userIds: number[] = [];
  let allCorrect = 0;

  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
      const userId = Number(insertUser.run(`${prefix}-${i}@example.invalid`, name, now).lastInsertRowid);
      const unit = units.length > 0 ? pick(units) : null;
      const group = groups.length > 0 ? pick(groups) : null;
      const fields = JSON.stringify({
        fullName: name,
        ...(unit ? { unit: unit.code } : {}),
        ...(group ? { group } : {}),
      });
      const entryId = Number(
        insertEntry.run(round.contest_id, userId, name, unit?.code ?? null, group, fields, now)
          .lastInsertRowid,
      );
      let correct = 0;
      for (let q = 0; q < n; q++) if (random() < skill) correct++;
      // Whole seconds half of the time: plants exact ties on duration as real contests have.
      const durationMs = Math.floor(20_000 + random() * (round.time_limit_sec * 1000 - 20_000));
      const duration = random() < 0.5 ? Math.round(durationMs / 1000) * 1000 : durationMs;
      const startedAt = Math.floor(round.opens_at + random() * Math.max(1, end - round.opens_at - duration));
      const submittedAt = startedAt + duration;
      const all = correct === n;
      if (all) allCorrect++;
      const prediction = Math.floor(random() * opts.count);
      const attemptId = Number(
        insertAttempt.run(
          round.id,
          userId,
          entryId,
          startedAt,
          startedAt + round.time_limit_sec * 1000,
          submittedAt,
          duration,
          correct,
          n,
          correct,
          all ? 1 : 0,
          prediction,
        ).lastInsertRowid,
      );
      insertResult.run(
        round.id,
        userId,
        attemptId,
        group,
        name,
        unit?.name ?? null,
        correct,
        duration,
        submittedAt,
        all ? 1 : 0,
        prediction,
      );
      userIds.push(userId);
    }
  });
  for (let from = 0; from < opts.count; from += 10_000) batch(from, Math.min(opts.count, from + 10_000));
  return { userIds, allCorrect };
}
