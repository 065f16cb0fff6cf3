// Synthetic participants with finished attempts, for load tests, benchmarks and ranking tests:
// who they are and how they did, drawn from a seed; db/src/synthetic.ts writes them, straight to
// SQL in large transactions (100k participants take seconds), and callers rebuild the ranking
// projection from SQL as the server does at start-up. The same participants (same seed, same rows)
// on either store.
import type { Database, SqliteDatabase } from '@quizarena/db';
import {
  writeSynthetic,
  writeSyntheticSqlite,
  type SyntheticParticipant,
  type SyntheticPlan,
  type SyntheticResult,
} from '@quizarena/db/synthetic';
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

export type GenerateResult = SyntheticResult;

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
const planner =
  (opts: GenerateOptions): SyntheticPlan =>
  ({ groups, units, ...round }) => {
    const random = seededRandom(opts.seed ?? 'synthetic');
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const prefix = opts.emailPrefix ?? `synthetic-${Date.now().toString(36)}`;
    const skill = opts.skill ?? 0.8;
    const n = round.question_count;
    const end = Math.min(opts.now ?? Date.now(), round.closes_at);
    return (i): SyntheticParticipant => {
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
  };

/** The SQLite store, synchronously (benchmarks and the CLI fill 100k rows in seconds). */
export function generateParticipants(database: SqliteDatabase, opts: GenerateOptions): GenerateResult {
  return writeSyntheticSqlite(database, opts.roundId, opts.count, planner(opts), opts.now ?? Date.now());
}

/** Either store (what tests that run on both use). */
export async function generateParticipantsIn(
  database: Database,
  opts: GenerateOptions,
): Promise<GenerateResult> {
  return writeSynthetic(database, opts.roundId, opts.count, planner(opts), opts.now ?? Date.now());
}
