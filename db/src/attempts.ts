// Attempts, their question snapshots and answers, and the counted result per participant.
// Starting and finalising run in single transactions so that the limits (one attempt in
// progress, attempts allowed) and the counted result can never be observed half-applied.
import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from './database.ts';
import { ANSWER_GENESIS } from './answer-writer.ts';
import { createAuditAppender, type AuditEntry } from './audit.ts';
import {
  answerLog,
  answers,
  attemptQuestions,
  attempts,
  entries,
  roundResults,
  units,
  type QuestionSnapshot,
} from './schema.ts';

export type AttemptRow = typeof attempts.$inferSelect;
export type RoundResultRow = typeof roundResults.$inferSelect;
export type AttemptQuestionRow = typeof attemptQuestions.$inferSelect;

export type StartOutcome =
  | { ok: true; attempt: AttemptRow }
  | { ok: false; reason: 'in_progress'; attemptId: number }
  | { ok: false; reason: 'limit' };

export interface FinalFields {
  status: 'submitted' | 'expired';
  submittedAt: number;
  durationMs: number;
  score: number;
  correctCount: number;
  allCorrect: boolean;
  prediction: number | null;
}

export interface FinaliseOutcome {
  attempt: AttemptRow;
  /** The participant's counted result for the round after this change (null: none left). */
  counted: RoundResultRow | null;
}

// The rows and audit entries both stores write (pg/attempts.ts shares them).

/** The counted result a participant's best final attempt gives. */
export function resultRow(best: {
  attempt: AttemptRow;
  fullName: string;
  groupKey: string | null;
  unitName: string | null;
}): RoundResultRow {
  const a = best.attempt;
  return {
    roundId: a.roundId,
    userId: a.userId,
    attemptId: a.id,
    groupKey: best.groupKey,
    name: best.fullName,
    unit: best.unitName,
    score: a.score ?? 0,
    durationMs: a.durationMs ?? 0,
    submittedAt: a.submittedAt ?? 0,
    allCorrect: a.allCorrect ?? false,
    prediction: a.prediction,
  };
}

export function startEntry(row: AttemptRow, questionRows: { questionId: number }[]): AuditEntry {
  return {
    at: row.startedAt,
    actorId: row.userId,
    action: 'attempt.start',
    targetType: 'attempt',
    targetId: row.id,
    data: {
      roundId: row.roundId,
      seed: row.seed,
      deadline: row.deadline,
      questionIds: questionRows.map((q) => q.questionId),
    },
    ip: row.ip,
    userAgent: row.userAgent,
  };
}

/**
 * The submit or expiry entry. The head of the attempt's chain of saves (answer-writer.ts) goes
 * into the audit chain: altering, adding or deleting any save of the attempt then shows in verify().
 */
export function finaliseEntry(
  attempt: AttemptRow,
  fields: FinalFields,
  saved: Map<number, string[]>,
  log: { count: number; head: string | null },
  meta: { ip: string | null; userAgent: string | null },
): AuditEntry {
  return {
    at: fields.status === 'submitted' ? fields.submittedAt : Date.now(),
    actorId: fields.status === 'submitted' ? attempt.userId : null,
    action: fields.status === 'submitted' ? 'attempt.submit' : 'attempt.expire',
    targetType: 'attempt',
    targetId: attempt.id,
    data: {
      score: fields.score,
      correctCount: fields.correctCount,
      durationMs: fields.durationMs,
      prediction: fields.prediction,
      answers: Object.fromEntries(saved),
      answerLog: { count: log.count, head: log.head ?? ANSWER_GENESIS },
    },
    ...meta,
  };
}

export function voidEntry(
  attempt: AttemptRow,
  by: number,
  reason: string,
  at: number,
  meta: { ip: string | null; userAgent: string | null },
): AuditEntry {
  return {
    at,
    actorId: by,
    action: 'attempt.void',
    targetType: 'attempt',
    targetId: attempt.id,
    data: { reason, userId: attempt.userId, roundId: attempt.roundId },
    ...meta,
  };
}

export function createAttemptRepository(db: Db) {
  // Submissions run finalise and recount once each: their statements are prepared here, once, since
  // building and preparing the SQL on every call was half of a submission's time. They run on the
  // connection of `db`, so inside `db.transaction` they join the transaction.
  const appendAudit = createAuditAppender(db);
  const attemptId = sql.placeholder('attemptId');
  const roundId = sql.placeholder('roundId');
  const userId = sql.placeholder('userId');

  // Read on every attempt action: prepared once.
  const byId = db
    .select()
    .from(attempts)
    .where(eq(attempts.id, sql.placeholder('id')))
    .prepare();
  const questionsOf = db
    .select()
    .from(attemptQuestions)
    .where(eq(attemptQuestions.attemptId, attemptId))
    .orderBy(asc(attemptQuestions.position))
    .prepare();
  const savedOf = db
    .select({ questionId: answers.questionId, optionIds: answers.optionIds })
    .from(answers)
    .where(eq(answers.attemptId, attemptId))
    .prepare();
  // `set` takes no placeholders: each value is one wrapped in SQL, and is passed encoded for its column.
  const finish = db
    .update(attempts)
    .set({
      status: sql`${sql.placeholder('status')}`,
      submittedAt: sql`${sql.placeholder('submittedAt')}`,
      durationMs: sql`${sql.placeholder('durationMs')}`,
      score: sql`${sql.placeholder('score')}`,
      correctCount: sql`${sql.placeholder('correctCount')}`,
      allCorrect: sql`${sql.placeholder('allCorrect')}`,
      prediction: sql`${sql.placeholder('prediction')}`,
    })
    .where(and(eq(attempts.id, attemptId), eq(attempts.status, 'in_progress')))
    .returning()
    .prepare();
  const saveCount = db
    .select({ n: count() })
    .from(answerLog)
    .where(eq(answerLog.attemptId, attemptId))
    .prepare();
  const lastSave = db
    .select({ hash: answerLog.hash })
    .from(answerLog)
    .where(eq(answerLog.attemptId, attemptId))
    .orderBy(desc(answerLog.id))
    .limit(1)
    .prepare();
  const bestOf = db
    .select({
      attempt: attempts,
      fullName: entries.fullName,
      groupKey: entries.groupKey,
      unitName: units.name,
    })
    .from(attempts)
    .innerJoin(entries, eq(entries.id, attempts.entryId))
    .leftJoin(units, and(eq(units.contestId, entries.contestId), eq(units.code, entries.unitCode)))
    .where(
      and(
        eq(attempts.roundId, roundId),
        eq(attempts.userId, userId),
        inArray(attempts.status, ['submitted', 'expired']),
      ),
    )
    .orderBy(desc(attempts.score), asc(attempts.durationMs), asc(attempts.submittedAt), asc(attempts.id))
    .limit(1)
    .prepare();
  const dropResult = db
    .delete(roundResults)
    .where(and(eq(roundResults.roundId, roundId), eq(roundResults.userId, userId)))
    .prepare();
  const excluded = (column: SQLiteColumn) => sql.raw(`excluded."${column.name}"`);
  const putResult = db
    .insert(roundResults)
    .values({
      roundId,
      userId,
      attemptId,
      groupKey: sql.placeholder('groupKey'),
      name: sql.placeholder('name'),
      unit: sql.placeholder('unit'),
      score: sql.placeholder('score'),
      durationMs: sql.placeholder('durationMs'),
      submittedAt: sql.placeholder('submittedAt'),
      allCorrect: sql.placeholder('allCorrect'),
      prediction: sql.placeholder('prediction'),
    })
    .onConflictDoUpdate({
      target: [roundResults.roundId, roundResults.userId],
      // Every column from the row just offered, as `set: row` did (the key columns are equal).
      set: {
        attemptId: excluded(roundResults.attemptId),
        groupKey: excluded(roundResults.groupKey),
        name: excluded(roundResults.name),
        unit: excluded(roundResults.unit),
        score: excluded(roundResults.score),
        durationMs: excluded(roundResults.durationMs),
        submittedAt: excluded(roundResults.submittedAt),
        allCorrect: excluded(roundResults.allCorrect),
        prediction: excluded(roundResults.prediction),
      },
    })
    .prepare();

  /** Recomputes the counted (best) attempt of a participant in a round; call inside a transaction. */
  const recount = (round: number, user: number): RoundResultRow | null => {
    const best = bestOf.get({ roundId: round, userId: user });
    if (!best) {
      dropResult.run({ roundId: round, userId: user });
      return null;
    }
    const row = resultRow(best);
    putResult.run(row);
    return row;
  };

  return {
    /** Creates the attempt with its snapshots unless a limit forbids it, atomically. */
    async start(
      attempt: Omit<typeof attempts.$inferInsert, 'id' | 'status'>,
      maxAttempts: number,
      questionRows: { position: number; questionId: number; snapshot: QuestionSnapshot }[],
    ): Promise<StartOutcome> {
      return db.transaction((tx): StartOutcome => {
        const open = tx
          .select({ id: attempts.id })
          .from(attempts)
          .where(
            and(
              eq(attempts.roundId, attempt.roundId),
              eq(attempts.userId, attempt.userId),
              eq(attempts.status, 'in_progress'),
            ),
          )
          .get();
        if (open) return { ok: false, reason: 'in_progress', attemptId: open.id };
        const used = tx
          .select({ n: sql<number>`count(*)` })
          .from(attempts)
          .where(and(eq(attempts.roundId, attempt.roundId), eq(attempts.userId, attempt.userId)))
          .get();
        if ((used?.n ?? 0) >= maxAttempts) return { ok: false, reason: 'limit' };
        const row = tx
          .insert(attempts)
          .values({ ...attempt, status: 'in_progress' })
          .returning()
          .get();
        tx.insert(attemptQuestions)
          .values(questionRows.map((q) => ({ ...q, attemptId: row.id })))
          .run();
        appendAudit(startEntry(row, questionRows));
        return { ok: true, attempt: row };
      });
    },
    async get(id: number): Promise<AttemptRow | undefined> {
      return byId.get({ id });
    },
    async questions(attemptId: number): Promise<AttemptQuestionRow[]> {
      return questionsOf.all({ attemptId });
    },
    async answers(attemptId: number) {
      return db
        .select({ questionId: answers.questionId, optionIds: answers.optionIds, savedAt: answers.savedAt })
        .from(answers)
        .where(eq(answers.attemptId, attemptId))
        .all();
    },
    async ofParticipant(roundId: number, userId: number): Promise<AttemptRow[]> {
      return db
        .select()
        .from(attempts)
        .where(and(eq(attempts.roundId, roundId), eq(attempts.userId, userId)))
        .orderBy(asc(attempts.id))
        .all();
    },
    async setPrediction(attemptId: number, value: number): Promise<boolean> {
      return (
        db
          .update(attempts)
          .set({ prediction: value })
          .where(and(eq(attempts.id, attemptId), eq(attempts.status, 'in_progress')))
          .run().changes > 0
      );
    },
    /**
     * Finalises an attempt still in progress: `compute` scores it from the snapshots and the saved
     * answers read in the same transaction. Returns null when it was no longer in progress.
     */
    async finalise(
      attemptId: number,
      compute: (
        attempt: AttemptRow,
        questionRows: AttemptQuestionRow[],
        saved: Map<number, string[]>,
      ) => FinalFields,
      meta: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null },
    ): Promise<FinaliseOutcome | null> {
      return db.transaction((): FinaliseOutcome | null => {
        const current = byId.get({ id: attemptId });
        if (!current || current.status !== 'in_progress') return null;
        const qs = questionsOf.all({ attemptId });
        const saved = new Map(savedOf.all({ attemptId }).map((a) => [a.questionId, a.optionIds] as const));
        const fields = compute(current, qs, saved);
        const attempt = finish.get({
          attemptId,
          ...fields,
          allCorrect: attempts.allCorrect.mapToDriverValue(fields.allCorrect),
        });
        if (!attempt) return null;
        const saves = saveCount.get({ attemptId })?.n ?? 0;
        const head = lastSave.get({ attemptId })?.hash;
        appendAudit(finaliseEntry(attempt, fields, saved, { count: saves, head: head ?? null }, meta));
        return { attempt, counted: recount(attempt.roundId, attempt.userId) };
      });
    },
    /**
     * Voids an attempt (a judge's decision): it stops counting and the participant's next best
     * attempt counts instead. Null when it was already void.
     */
    async void(
      attemptId: number,
      by: number,
      reason: string,
      at: number,
      meta: { ip: string | null; userAgent: string | null },
    ): Promise<FinaliseOutcome | null> {
      return db.transaction(
        (tx): FinaliseOutcome | null => {
          const attempt = tx
            .update(attempts)
            .set({ status: 'voided', voidReason: reason })
            .where(and(eq(attempts.id, attemptId), sql`${attempts.status} <> 'voided'`))
            .returning()
            .get();
          if (!attempt) return null;
          appendAudit(voidEntry(attempt, by, reason, at, meta));
          return { attempt, counted: recount(attempt.roundId, attempt.userId) };
        },
        { behavior: 'immediate' },
      );
    },
    async entryOf(entryId: number) {
      return db.select().from(entries).where(eq(entries.id, entryId)).get();
    },
    /** Every answer save of an attempt as it happened, for audits. */
    async answerLog(attemptId: number) {
      return db
        .select()
        .from(answerLog)
        .where(eq(answerLog.attemptId, attemptId))
        .orderBy(asc(answerLog.id))
        .all();
    },
    /** Ids of attempts still in progress whose deadline passed before `before`. */
    async overdue(before: number, limit: number): Promise<number[]> {
      return db
        .select({ id: attempts.id })
        .from(attempts)
        .where(and(eq(attempts.status, 'in_progress'), lt(attempts.deadline, before)))
        .orderBy(asc(attempts.deadline))
        .limit(limit)
        .all()
        .map((r) => r.id);
    },
    /** How many counted results each round has (rounds with none are absent). */
    async resultCounts(): Promise<Map<number, number>> {
      const rows = db
        .select({ roundId: roundResults.roundId, n: count() })
        .from(roundResults)
        .groupBy(roundResults.roundId)
        .all();
      return new Map(rows.map((r) => [r.roundId, r.n]));
    },
    async results(roundId: number): Promise<RoundResultRow[]> {
      return db.select().from(roundResults).where(eq(roundResults.roundId, roundId)).all();
    },
    async result(roundId: number, userId: number): Promise<RoundResultRow | undefined> {
      return db
        .select()
        .from(roundResults)
        .where(and(eq(roundResults.roundId, roundId), eq(roundResults.userId, userId)))
        .get();
    },
  };
}

export type AttemptRepository = ReturnType<typeof createAttemptRepository>;
