// Judging: frozen final rankings (finalisations), their publication and reopening, and the
// judges' views of results. Every change commits with its audit entry in one transaction, and
// checks the round's results status inside it (resultsStatusRefusal): of two judges finalising,
// publishing or reopening at once, one does it and the other is refused.
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import {
  attempts,
  auditLog,
  entries,
  finalRankings,
  roundFinalisations,
  roundResults,
  rounds,
  type PredictionKind,
  type ResultsStatus,
} from './schema.ts';

export type FinalisationRow = typeof roundFinalisations.$inferSelect;
export type FinalRankingRow = typeof finalRankings.$inferSelect;

export interface Candidate {
  userId: number;
  attemptId: number;
  groupKey: string | null;
  name: string;
  unit: string | null;
  unitCode: string | null;
  score: number;
  correctCount: number;
  durationMs: number;
  submittedAt: number;
  allCorrect: boolean;
  prediction: number | null;
}

export interface NewFinalisation {
  roundId: number;
  createdAt: number;
  createdBy: number;
  hash: string;
  predictionKind: PredictionKind | null;
  actualValue: number | null;
  allCorrect: number;
  participants: number;
  boundaryTies: FinalisationRow['boundaryTies'];
  rows: Omit<FinalRankingRow, 'finalisationId'>[];
  audit: Omit<AuditEntry, 'targetType' | 'targetId' | 'action'>;
}

/**
 * A judging step refused because the round's results are not (or no longer) in the state it needs:
 * another judge, or another API node, got there first. Shaped like the API's refusals (statusCode,
 * code): the error handler answers it as a 409 with the same code as the service's own check.
 */
export class ResultsStatusError extends Error {
  override name = 'ResultsStatusError';
  readonly statusCode = 409;
  constructor(
    readonly code: 'ALREADY_FINALIZED' | 'NOT_FINALIZED' | 'ALREADY_PUBLISHED',
    message: string,
  ) {
    super(message);
  }
}

/** Why `step` may not run on a round whose results are `status` (undefined: no such round), or null. */
export function resultsStatusRefusal(
  step: 'finalise' | 'publish' | 'reopen',
  status: ResultsStatus | undefined,
): ResultsStatusError | null {
  if (status === undefined) return null;
  if (step === 'finalise') {
    return status === 'open'
      ? null
      : new ResultsStatusError('ALREADY_FINALIZED', 'This round is already finalised');
  }
  if (status === 'open') {
    return new ResultsStatusError(
      'NOT_FINALIZED',
      step === 'publish' ? 'Finalise the round before publishing its results' : 'This round is not finalised',
    );
  }
  if (step === 'publish' && status === 'published') {
    return new ResultsStatusError('ALREADY_PUBLISHED', 'The results are already published');
  }
  return null;
}

export interface ResultsQuery {
  group?: string;
  unit?: string;
  q?: string;
  sort: 'rank' | 'name' | 'submitted' | 'duration';
  limit: number;
  offset: number;
}

export function createJudgingRepository(db: Db) {
  const active = (roundId: number) =>
    db
      .select()
      .from(roundFinalisations)
      .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')))
      .get();

  /** Throws the refusal of `step` on the round as this transaction sees it. */
  const checkStatus = (tx: Db, step: 'finalise' | 'publish' | 'reopen', roundId: number) => {
    const round = tx
      .select({ status: rounds.resultsStatus })
      .from(rounds)
      .where(eq(rounds.id, roundId))
      .get();
    const refusal = resultsStatusRefusal(step, round?.status);
    if (refusal) throw refusal;
  };

  return {
    /** Every counted attempt of the round, with what the final ranking needs. */
    async candidates(roundId: number): Promise<Candidate[]> {
      return (
        db
          .select({
            userId: roundResults.userId,
            attemptId: roundResults.attemptId,
            groupKey: roundResults.groupKey,
            name: roundResults.name,
            unit: roundResults.unit,
            unitCode: entries.unitCode,
            score: roundResults.score,
            correctCount: sql<number>`coalesce(${attempts.correctCount}, 0)`,
            durationMs: roundResults.durationMs,
            submittedAt: roundResults.submittedAt,
            allCorrect: roundResults.allCorrect,
            prediction: roundResults.prediction,
          })
          .from(roundResults)
          .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
          .innerJoin(entries, eq(entries.id, attempts.entryId))
          .where(eq(roundResults.roundId, roundId))
          // By participant, as the primary key reads them: a group outside the contest's list is
          // met, and so placed among the groups, in the same order on every store.
          .orderBy(asc(roundResults.userId))
          .all()
      );
    },

    active: async (roundId: number): Promise<FinalisationRow | undefined> => active(roundId),

    /**
     * Stores a finalisation with its rows and marks the round finalized, atomically. Also returns
     * the finalisation's audit entry (its id and hash: the log's head just after).
     */
    async saveFinalisation(
      f: NewFinalisation,
    ): Promise<FinalisationRow & { auditEntry: { id: number; hash: string } }> {
      return db.transaction(
        (tx) => {
          checkStatus(tx, 'finalise', f.roundId);
          const row = tx
            .insert(roundFinalisations)
            .values({
              roundId: f.roundId,
              status: 'active',
              createdAt: f.createdAt,
              createdBy: f.createdBy,
              hash: f.hash,
              predictionKind: f.predictionKind,
              actualValue: f.actualValue,
              allCorrect: f.allCorrect,
              participants: f.participants,
              boundaryTies: f.boundaryTies,
            })
            .returning()
            .get();
          for (let i = 0; i < f.rows.length; i += 500) {
            tx.insert(finalRankings)
              .values(f.rows.slice(i, i + 500).map((r) => ({ ...r, finalisationId: row.id })))
              .run();
          }
          tx.update(rounds).set({ resultsStatus: 'finalized' }).where(eq(rounds.id, f.roundId)).run();
          // The log's head as the judges froze the ranking, recorded with the finalisation.
          const auditHead =
            tx
              .select({ id: auditLog.id, hash: auditLog.hash })
              .from(auditLog)
              .orderBy(desc(auditLog.id))
              .limit(1)
              .get() ?? null;
          const entry = appendAudit(tx, {
            ...f.audit,
            action: 'round.finalize',
            targetType: 'round',
            targetId: f.roundId,
            data: {
              finalisationId: row.id,
              hash: f.hash,
              participants: f.participants,
              actual: f.actualValue,
              auditHead,
            },
          });
          return { ...row, auditEntry: { id: entry.id, hash: entry.hash } };
        },
        { behavior: 'immediate' },
      );
    },

    async publish(
      roundId: number,
      at: number,
      audit: Omit<AuditEntry, 'targetType' | 'targetId' | 'action'>,
    ) {
      db.transaction(
        (tx) => {
          checkStatus(tx, 'publish', roundId);
          tx.update(roundFinalisations)
            .set({ publishedAt: at })
            .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')))
            .run();
          tx.update(rounds).set({ resultsStatus: 'published' }).where(eq(rounds.id, roundId)).run();
          appendAudit(tx, {
            ...audit,
            action: 'round.publish-results',
            targetType: 'round',
            targetId: roundId,
          });
        },
        { behavior: 'immediate' },
      );
    },

    async reopen(
      roundId: number,
      by: number,
      reason: string,
      at: number,
      audit: Omit<AuditEntry, 'targetType' | 'targetId' | 'action' | 'at' | 'actorId'>,
    ) {
      db.transaction(
        (tx) => {
          checkStatus(tx, 'reopen', roundId);
          const current = tx
            .select({ id: roundFinalisations.id, hash: roundFinalisations.hash })
            .from(roundFinalisations)
            .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')))
            .get();
          tx.update(roundFinalisations)
            .set({ status: 'reopened', reopenedAt: at, reopenedBy: by, reopenReason: reason })
            .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')))
            .run();
          tx.update(rounds).set({ resultsStatus: 'open' }).where(eq(rounds.id, roundId)).run();
          appendAudit(tx, {
            ...audit,
            at,
            actorId: by,
            action: 'round.reopen',
            targetType: 'round',
            targetId: roundId,
            data: { reason, finalisationId: current?.id ?? null, hash: current?.hash ?? null },
          });
        },
        { behavior: 'immediate' },
      );
    },

    async finalRows(finalisationId: number, groupKey: string, limit: number, offset: number) {
      return db
        .select()
        .from(finalRankings)
        .where(and(eq(finalRankings.finalisationId, finalisationId), eq(finalRankings.groupKey, groupKey)))
        .orderBy(asc(finalRankings.position))
        .limit(limit)
        .offset(offset)
        .all();
    },

    /**
     * Judges' results view. Two steps, so that 100k-row rounds stay fast: the page's participant
     * ids come from the narrowest table that can order them (the frozen ranking, or the counted
     * results) using its index, joining registrations only to filter by unit or text; then the
     * page's 50 rows are read in full.
     */
    async results(roundId: number, query: ResultsQuery) {
      const finalisation = active(roundId);
      const needsEntries = !!query.unit || !!query.q;
      const pattern = query.q ? `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null;
      const entryConds = (): SQL[] => {
        const conds: SQL[] = [];
        if (query.unit) conds.push(eq(entries.unitCode, query.unit));
        if (pattern) {
          conds.push(
            or(
              sql`${entries.fullName} LIKE ${pattern} ESCAPE '\\'`,
              sql`${entries.fields} LIKE ${pattern} ESCAPE '\\'`,
            )!,
          );
        }
        return conds;
      };

      let ids: number[];
      let total: number;
      if (finalisation && query.sort === 'rank') {
        const conds: SQL[] = [eq(finalRankings.finalisationId, finalisation.id)];
        if (query.group) conds.push(eq(finalRankings.groupKey, query.group));
        const order = query.group
          ? [asc(finalRankings.position)]
          : [asc(finalRankings.rank), asc(finalRankings.groupKey), asc(finalRankings.position)];
        const from = () => {
          const q = db.select({ userId: finalRankings.userId }).from(finalRankings);
          return needsEntries
            ? q
                .innerJoin(attempts, eq(attempts.id, finalRankings.attemptId))
                .innerJoin(entries, eq(entries.id, attempts.entryId))
                .where(and(...conds, ...entryConds()))
            : q.where(and(...conds));
        };
        ids = from()
          .orderBy(...order)
          .limit(query.limit)
          .offset(query.offset)
          .all()
          .map((r) => r.userId);
        const countQ = db.select({ n: sql<number>`count(*)` }).from(finalRankings);
        total =
          (needsEntries
            ? countQ
                .innerJoin(attempts, eq(attempts.id, finalRankings.attemptId))
                .innerJoin(entries, eq(entries.id, attempts.entryId))
                .where(and(...conds, ...entryConds()))
            : countQ.where(and(...conds))
          ).get()?.n ?? 0;
      } else {
        const conds: SQL[] = [eq(roundResults.roundId, roundId)];
        if (query.group) conds.push(eq(roundResults.groupKey, query.group));
        const order =
          query.sort === 'name'
            ? [asc(roundResults.name), asc(roundResults.userId)]
            : query.sort === 'submitted'
              ? [asc(roundResults.submittedAt), asc(roundResults.userId)]
              : query.sort === 'duration'
                ? [asc(roundResults.durationMs), asc(roundResults.userId)]
                : [
                    desc(roundResults.score),
                    asc(roundResults.durationMs),
                    asc(roundResults.submittedAt),
                    asc(roundResults.userId),
                  ];
        const base = db.select({ userId: roundResults.userId }).from(roundResults);
        const filtered = needsEntries
          ? base
              .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
              .innerJoin(entries, eq(entries.id, attempts.entryId))
              .where(and(...conds, ...entryConds()))
          : base.where(and(...conds));
        ids = filtered
          .orderBy(...order)
          .limit(query.limit)
          .offset(query.offset)
          .all()
          .map((r) => r.userId);
        const countQ = db.select({ n: sql<number>`count(*)` }).from(roundResults);
        total =
          (needsEntries
            ? countQ
                .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
                .innerJoin(entries, eq(entries.id, attempts.entryId))
                .where(and(...conds, ...entryConds()))
            : countQ.where(and(...conds))
          ).get()?.n ?? 0;
      }

      if (ids.length === 0) return { total, rows: [], finalisation: finalisation ?? null };
      const details = db
        .select({
          userId: roundResults.userId,
          attemptId: roundResults.attemptId,
          groupKey: roundResults.groupKey,
          name: roundResults.name,
          unit: roundResults.unit,
          unitCode: entries.unitCode,
          fields: entries.fields,
          score: roundResults.score,
          correctCount: sql<number>`coalesce(${attempts.correctCount}, 0)`,
          durationMs: roundResults.durationMs,
          submittedAt: roundResults.submittedAt,
          prediction: roundResults.prediction,
          finalRank: finalRankings.rank,
          predictionDistance: finalRankings.predictionDistance,
          prize: finalRankings.prize,
          decidedBy: finalRankings.decidedBy,
        })
        .from(roundResults)
        .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .leftJoin(
          finalRankings,
          and(
            eq(finalRankings.finalisationId, finalisation?.id ?? -1),
            eq(finalRankings.userId, roundResults.userId),
          ),
        )
        .where(and(eq(roundResults.roundId, roundId), inArray(roundResults.userId, ids)))
        .all();
      const byUser = new Map(details.map((d) => [d.userId, d]));
      const rows = ids.map((id) => byUser.get(id)).filter((r) => r !== undefined);
      return { total, rows, finalisation: finalisation ?? null };
    },
  };
}

export type JudgingRepository = ReturnType<typeof createJudgingRepository>;
