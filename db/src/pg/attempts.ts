// Attempts on PostgreSQL: the same repository as ../attempts.ts, with the same outcomes. Starts,
// finalisations and voids are group-committed by PgAttemptWriter (./attempt-writer.ts: the calls
// queued while a batch commits share the next transaction and one append to the audit log); the
// code below is the path of a lone call, which a batch that fails falls back to, call by call.
// Several nodes start, save, submit and sweep at once, so the decisions SQLite's single writer made
// for free are taken under row locks, always in the same order (attempt row, then entry row, then
// the audit log's advisory lock as the last step before COMMIT), so that they cannot deadlock; the
// writer's batches take the same locks in the same order (each kind in id order):
// - start locks the participant's entry row (FOR NO KEY UPDATE) before it looks for an attempt in
//   progress and counts attempts: a participant's starts are serialised on every node, so the
//   attempt limit holds. The partial unique index attempts_one_in_progress_idx still decides in the
//   last resort; its violation gives the same `in_progress` outcome.
// - finalise takes the attempt row FOR UPDATE and re-checks it is in progress: of a submit, an
//   expiry by any node's sweeper and an answer batch (PgAnswerWriter locks the same row), one goes
//   first and the others see its COMMIT, so an attempt is finalised exactly once, with every save
//   acknowledged before (or none of a batch). Every read after the lock is a statement of its own,
//   so under READ COMMITTED it sees what committed while it waited.
// - finalise and void then lock the entry row too before recomputing round_results, which
//   serialises a participant's recounts (per contest, hence per round and user).
import { and, asc, count, eq, inArray, lt, sql } from 'drizzle-orm';
import {
  finaliseEntry,
  resultRow,
  startEntry,
  voidEntry,
  type AttemptQuestionRow,
  type AttemptRepository,
  type AttemptRow,
  type FinaliseOutcome,
  type FinalFields,
  type RoundResultRow,
  type StartOutcome,
} from '../attempts.ts';
import type { QuestionSnapshot } from '../schema.ts';
import { PgAttemptWriter } from './attempt-writer.ts';
import { appendPgAudit, type PgTx } from './audit.ts';
import type { PgDb } from './database.ts';
import { violates } from './users.ts';
import { answerLog, answers, attemptQuestions, attempts, entries, roundResults, units } from './schema.ts';

type NewAttempt = Parameters<AttemptRepository['start']>[0];

/** The partial unique index: one attempt in progress per participant and round. */
const isOneInProgress = (err: unknown): boolean => violates(err, 'attempts_one_in_progress_idx');

/** Starts retried after losing the unique index to an attempt that was no longer open when read. */
const START_TRIES = 3;

export function createPgAttemptRepository(
  db: PgDb,
  /** For tests: the writer's batch size, and a look at each batch. */
  writerOptions: ConstructorParameters<typeof PgAttemptWriter>[2] = {},
): AttemptRepository {
  // Reads outside transactions: prepared once (per connection, by name).
  const byId = db
    .select()
    .from(attempts)
    .where(eq(attempts.id, sql.placeholder('id')))
    .prepare('attempts_by_id');
  const questionsOf = db
    .select()
    .from(attemptQuestions)
    .where(eq(attemptQuestions.attemptId, sql.placeholder('attemptId')))
    .orderBy(asc(attemptQuestions.position))
    .prepare('attempts_questions_of');

  // Statements inside transactions run on the transaction's connection, so they are built on `tx`;
  // their names still let each connection plan them once.

  /** Serialises a participant's starts and recounts (every node takes it). */
  const lockEntry = (tx: PgTx, entryId: number) =>
    tx
      .select({ id: entries.id })
      .from(entries)
      .where(eq(entries.id, sql.placeholder('entryId')))
      .for('no key update')
      .prepare('attempts_lock_entry')
      .execute({ entryId });

  const openAttempt = async (q: PgDb | PgTx, roundId: number, userId: number) =>
    (
      await q
        .select({ id: attempts.id })
        .from(attempts)
        .where(
          and(
            eq(attempts.roundId, sql.placeholder('roundId')),
            eq(attempts.userId, sql.placeholder('userId')),
            eq(attempts.status, 'in_progress'),
          ),
        )
        .prepare('attempts_open')
        .execute({ roundId, userId })
    )[0];

  /** Recomputes the counted (best) attempt of a participant in a round, under the entry's lock. */
  const recount = async (tx: PgTx, round: number, user: number): Promise<RoundResultRow | null> => {
    const [best] = await tx
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
          eq(attempts.roundId, sql.placeholder('roundId')),
          eq(attempts.userId, sql.placeholder('userId')),
          inArray(attempts.status, ['submitted', 'expired']),
        ),
      )
      // NULLs placed as SQLite places them (smallest), though final attempts have none.
      .orderBy(
        sql`${attempts.score} desc nulls last`,
        sql`${attempts.durationMs} asc nulls first`,
        sql`${attempts.submittedAt} asc nulls first`,
        asc(attempts.id),
      )
      .limit(1)
      .prepare('attempts_best_of')
      .execute({ roundId: round, userId: user });
    if (!best) {
      await tx
        .delete(roundResults)
        .where(and(eq(roundResults.roundId, round), eq(roundResults.userId, user)));
      return null;
    }
    const row = resultRow(best);
    await tx
      .insert(roundResults)
      .values(row)
      .onConflictDoUpdate({
        target: [roundResults.roundId, roundResults.userId],
        set: {
          attemptId: row.attemptId,
          groupKey: row.groupKey,
          name: row.name,
          unit: row.unit,
          score: row.score,
          durationMs: row.durationMs,
          submittedAt: row.submittedAt,
          allCorrect: row.allCorrect,
          prediction: row.prediction,
        },
      });
    return row;
  };

  const startOnce = (
    attempt: NewAttempt,
    maxAttempts: number,
    questionRows: { position: number; questionId: number; snapshot: QuestionSnapshot }[],
  ): Promise<StartOutcome> =>
    db.transaction(async (tx): Promise<StartOutcome> => {
      // No entry row: the insert below fails on its foreign key, as on SQLite.
      await lockEntry(tx, attempt.entryId);
      const [state] = await tx
        .select({
          used: count(),
          open: sql<number | null>`min(${attempts.id}) filter (where ${attempts.status} = 'in_progress')`,
        })
        .from(attempts)
        .where(
          and(
            eq(attempts.roundId, sql.placeholder('roundId')),
            eq(attempts.userId, sql.placeholder('userId')),
          ),
        )
        .prepare('attempts_start_state')
        .execute({ roundId: attempt.roundId, userId: attempt.userId });
      if (state?.open != null) return { ok: false, reason: 'in_progress', attemptId: state.open };
      if ((state?.used ?? 0) >= maxAttempts) return { ok: false, reason: 'limit' };
      const [row] = await tx
        .insert(attempts)
        .values({ ...attempt, status: 'in_progress' })
        .returning();
      if (!row) throw new Error('INSERT .. RETURNING gave no row');
      await tx.insert(attemptQuestions).values(questionRows.map((q) => ({ ...q, attemptId: row.id })));
      await appendPgAudit(tx, startEntry(row, questionRows));
      return { ok: true, attempt: row };
    });

  // A call on its own, in its own transaction: what a batch that failed falls back to.
  const solo: Pick<AttemptRepository, 'start' | 'finalise' | 'void'> = {
    async start(attempt, maxAttempts, questionRows): Promise<StartOutcome> {
      for (let i = 1; ; i++) {
        try {
          return await startOnce(attempt, maxAttempts, questionRows);
        } catch (err) {
          // Only a start that did not lock the same entry row can get here (the index decides).
          if (!isOneInProgress(err) || i >= START_TRIES) throw err;
          const open = await openAttempt(db, attempt.roundId, attempt.userId);
          if (open) return { ok: false, reason: 'in_progress', attemptId: open.id };
        }
      }
    },
    async finalise(
      attemptId: number,
      compute: (
        attempt: AttemptRow,
        questionRows: AttemptQuestionRow[],
        saved: Map<number, string[]>,
      ) => FinalFields,
      meta: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null },
    ): Promise<FinaliseOutcome | null> {
      return db.transaction(async (tx): Promise<FinaliseOutcome | null> => {
        // Waits for a batch of saves, a submit or another node's sweeper holding the row.
        const [current] = await tx
          .select()
          .from(attempts)
          .where(eq(attempts.id, sql.placeholder('id')))
          .for('update')
          .prepare('attempts_lock')
          .execute({ id: attemptId });
        if (!current || current.status !== 'in_progress') return null;
        await lockEntry(tx, current.entryId);
        const qs = await tx
          .select()
          .from(attemptQuestions)
          .where(eq(attemptQuestions.attemptId, sql.placeholder('attemptId')))
          .orderBy(asc(attemptQuestions.position))
          .prepare('attempts_questions_of_tx')
          .execute({ attemptId });
        const savedRows = await tx
          .select({ questionId: answers.questionId, optionIds: answers.optionIds })
          .from(answers)
          .where(eq(answers.attemptId, sql.placeholder('attemptId')))
          .orderBy(asc(answers.questionId))
          .prepare('attempts_saved_of')
          .execute({ attemptId });
        const saved = new Map(savedRows.map((a) => [a.questionId, a.optionIds] as const));
        const fields = compute(current, qs, saved);
        const [attempt] = await tx
          .update(attempts)
          .set({
            status: fields.status,
            submittedAt: fields.submittedAt,
            durationMs: fields.durationMs,
            score: fields.score,
            correctCount: fields.correctCount,
            allCorrect: fields.allCorrect,
            prediction: fields.prediction,
          })
          .where(and(eq(attempts.id, attemptId), eq(attempts.status, 'in_progress')))
          .returning();
        if (!attempt) return null;
        const [log] = await tx
          .select({
            n: count(),
            head: sql<string | null>`(SELECT ${answerLog.hash} FROM ${answerLog}
              WHERE ${answerLog.attemptId} = ${sql.placeholder('attemptId')}
              ORDER BY ${answerLog.id} DESC LIMIT 1)`,
          })
          .from(answerLog)
          .where(eq(answerLog.attemptId, sql.placeholder('attemptId')))
          .prepare('attempts_save_log_head')
          .execute({ attemptId });
        const counted = await recount(tx, attempt.roundId, attempt.userId);
        // Last: the audit log's lock is held from here to COMMIT only.
        await appendPgAudit(
          tx,
          finaliseEntry(attempt, fields, saved, { count: log?.n ?? 0, head: log?.head ?? null }, meta),
        );
        return { attempt, counted };
      });
    },
    async void(
      attemptId: number,
      by: number,
      reason: string,
      at: number,
      meta: { ip: string | null; userAgent: string | null },
    ): Promise<FinaliseOutcome | null> {
      return db.transaction(async (tx): Promise<FinaliseOutcome | null> => {
        // The guarded UPDATE waits for whoever holds the row, then re-checks the guard.
        const [attempt] = await tx
          .update(attempts)
          .set({ status: 'voided', voidReason: reason })
          .where(and(eq(attempts.id, attemptId), sql`${attempts.status} <> 'voided'`))
          .returning();
        if (!attempt) return null;
        await lockEntry(tx, attempt.entryId);
        const counted = await recount(tx, attempt.roundId, attempt.userId);
        await appendPgAudit(tx, voidEntry(attempt, by, reason, at, meta));
        return { attempt, counted };
      });
    },
  };
  const writer = new PgAttemptWriter(db, solo, writerOptions);

  return {
    /** Creates the attempt with its snapshots unless a limit forbids it, atomically (group-committed). */
    start: (attempt, maxAttempts, questionRows) => writer.start(attempt, maxAttempts, questionRows),
    async get(id: number): Promise<AttemptRow | undefined> {
      return (await byId.execute({ id }))[0];
    },
    async questions(attemptId: number): Promise<AttemptQuestionRow[]> {
      return questionsOf.execute({ attemptId });
    },
    async answers(attemptId: number) {
      // In question order, as SQLite reads them through the primary key.
      return db
        .select({ questionId: answers.questionId, optionIds: answers.optionIds, savedAt: answers.savedAt })
        .from(answers)
        .where(eq(answers.attemptId, attemptId))
        .orderBy(asc(answers.questionId));
    },
    async ofParticipant(roundId: number, userId: number): Promise<AttemptRow[]> {
      return db
        .select()
        .from(attempts)
        .where(and(eq(attempts.roundId, roundId), eq(attempts.userId, userId)))
        .orderBy(asc(attempts.id));
    },
    async setPrediction(attemptId: number, value: number): Promise<boolean> {
      const changed = await db
        .update(attempts)
        .set({ prediction: value })
        .where(and(eq(attempts.id, attemptId), eq(attempts.status, 'in_progress')))
        .returning({ id: attempts.id });
      return changed.length > 0;
    },
    /** Finalises an attempt still in progress (group-committed); null when it was not. */
    finalise: (attemptId, compute, meta) => writer.finalise(attemptId, compute, meta),
    /** Voids an attempt (group-committed); null when it was void already. */
    void: (attemptId, by, reason, at, meta) => writer.void(attemptId, by, reason, at, meta),
    async entryOf(entryId: number) {
      return (await db.select().from(entries).where(eq(entries.id, entryId)))[0];
    },
    async answerLog(attemptId: number) {
      return db.select().from(answerLog).where(eq(answerLog.attemptId, attemptId)).orderBy(asc(answerLog.id));
    },
    /**
     * Ids of attempts still in progress whose deadline passed before `before`. Sweepers on several
     * nodes may list the same ids: finalise's lock and re-check lets exactly one finalise each.
     */
    async overdue(before: number, limit: number): Promise<number[]> {
      const rows = await db
        .select({ id: attempts.id })
        .from(attempts)
        .where(and(eq(attempts.status, 'in_progress'), lt(attempts.deadline, before)))
        .orderBy(asc(attempts.deadline), asc(attempts.id))
        .limit(limit);
      return rows.map((r) => r.id);
    },
    async resultCounts(): Promise<Map<number, number>> {
      const rows = await db
        .select({ roundId: roundResults.roundId, n: count() })
        .from(roundResults)
        .groupBy(roundResults.roundId)
        .orderBy(asc(roundResults.roundId));
      return new Map(rows.map((r) => [r.roundId, r.n]));
    },
    async results(roundId: number): Promise<RoundResultRow[]> {
      // In user order, as SQLite reads them through the primary key.
      return db
        .select()
        .from(roundResults)
        .where(eq(roundResults.roundId, roundId))
        .orderBy(asc(roundResults.userId));
    },
    async result(roundId: number, userId: number): Promise<RoundResultRow | undefined> {
      return (
        await db
          .select()
          .from(roundResults)
          .where(and(eq(roundResults.roundId, roundId), eq(roundResults.userId, userId)))
      )[0];
    },
  };
}
