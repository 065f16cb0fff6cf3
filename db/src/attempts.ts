// Attempts, their question snapshots and answers, and the counted result per participant.
// Starting and finalising run in single transactions so that the limits (one attempt in
// progress, attempts allowed) and the counted result can never be observed half-applied.
import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { ANSWER_GENESIS } from './answer-writer.ts';
import { appendAudit } from './audit.ts';
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

export function createAttemptRepository(db: Db) {
  /** Recomputes the counted (best) attempt of a participant in a round; call inside a transaction. */
  const recount = (tx: Db, roundId: number, userId: number): RoundResultRow | null => {
    const best = tx
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
      .get();
    if (!best) {
      tx.delete(roundResults)
        .where(and(eq(roundResults.roundId, roundId), eq(roundResults.userId, userId)))
        .run();
      return null;
    }
    const a = best.attempt;
    const row: RoundResultRow = {
      roundId,
      userId,
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
    tx.insert(roundResults)
      .values(row)
      .onConflictDoUpdate({ target: [roundResults.roundId, roundResults.userId], set: row })
      .run();
    return row;
  };

  // Read on every attempt action: prepared once.
  const byId = db
    .select()
    .from(attempts)
    .where(eq(attempts.id, sql.placeholder('id')))
    .prepare();

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
        appendAudit(tx, {
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
        });
        return { ok: true, attempt: row };
      });
    },
    async get(id: number): Promise<AttemptRow | undefined> {
      return byId.get({ id });
    },
    async questions(attemptId: number): Promise<AttemptQuestionRow[]> {
      return db
        .select()
        .from(attemptQuestions)
        .where(eq(attemptQuestions.attemptId, attemptId))
        .orderBy(asc(attemptQuestions.position))
        .all();
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
      return db.transaction((tx): FinaliseOutcome | null => {
        const current = tx.select().from(attempts).where(eq(attempts.id, attemptId)).get();
        if (!current || current.status !== 'in_progress') return null;
        const qs = tx
          .select()
          .from(attemptQuestions)
          .where(eq(attemptQuestions.attemptId, attemptId))
          .orderBy(asc(attemptQuestions.position))
          .all();
        const saved = new Map(
          tx
            .select({ questionId: answers.questionId, optionIds: answers.optionIds })
            .from(answers)
            .where(eq(answers.attemptId, attemptId))
            .all()
            .map((a) => [a.questionId, a.optionIds] as const),
        );
        const fields = compute(current, qs, saved);
        const attempt = tx
          .update(attempts)
          .set(fields)
          .where(and(eq(attempts.id, attemptId), eq(attempts.status, 'in_progress')))
          .returning()
          .get();
        if (!attempt) return null;
        // The head of the attempt's chain of saves (answer-writer.ts) goes into the audit chain:
        // altering, adding or deleting any save of the attempt then shows in verify().
        const ofAttempt = eq(answerLog.attemptId, attemptId);
        const saveCount = tx.select({ n: count() }).from(answerLog).where(ofAttempt).get()?.n ?? 0;
        const lastSave = tx
          .select({ hash: answerLog.hash })
          .from(answerLog)
          .where(ofAttempt)
          .orderBy(desc(answerLog.id))
          .limit(1)
          .get();
        appendAudit(tx, {
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
            answerLog: { count: saveCount, head: lastSave?.hash ?? ANSWER_GENESIS },
          },
          ...meta,
        });
        return { attempt, counted: recount(tx, attempt.roundId, attempt.userId) };
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
          appendAudit(tx, {
            at,
            actorId: by,
            action: 'attempt.void',
            targetType: 'attempt',
            targetId: attemptId,
            data: { reason, userId: attempt.userId, roundId: attempt.roundId },
            ...meta,
          });
          return { attempt, counted: recount(tx, attempt.roundId, attempt.userId) };
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
