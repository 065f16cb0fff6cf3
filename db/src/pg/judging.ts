// Judging on PostgreSQL: the same repository as ../judging.ts, with the same rows in the same order
// (text ordered by `collate "C"`, every order total) and the same snapshot of a finalisation.
//
// Across nodes: every change (finalise, publish, reopen) first locks the round's row (FOR NO KEY
// UPDATE: it serialises these steps, the only writers of results_status, without blocking the
// foreign-key checks of rows that reference the round), then checks the round's results status
// as the lock holder sees it, committed (resultsStatusRefusal). Two judges finalising the same
// round on two nodes at once: the second waits for the first to commit, then sees 'finalized' and
// is refused, so there is exactly one active finalisation. The audit entry is appended last,
// under the audit log's lock (pg/audit.ts), so the log is not held while the ranking is written;
// the lock order (round row, then audit log) is the one every transaction touching both follows.
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AuditEntry } from '../audit.ts';
import {
  resultsStatusRefusal,
  type Candidate,
  type FinalisationRow,
  type JudgingRepository,
  type NewFinalisation,
  type ResultsQuery,
} from '../judging.ts';
import { appendPgAudit, lockPgAuditHead, type PgTx } from './audit.ts';
import type { PgDb } from './database.ts';
import { binary } from './reports.ts';
import { attempts, entries, finalRankings, roundFinalisations, roundResults, rounds } from './schema.ts';

/** Rows per INSERT of a frozen ranking: 16 columns, well under the 65535 parameters of a statement. */
const RANKING_CHUNK = 2000;

const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz';

/**
 * `value LIKE pattern` as SQLite matches it: case-insensitive for ASCII letters only, whatever the
 * database's locale (ILIKE would also fold Đ/đ, and by the locale's rules).
 */
const likeAsSqlite = (value: SQL, pattern: string): SQL =>
  sql`translate(${value}, ${ASCII_UPPER}, ${ASCII_LOWER}) LIKE ${pattern.replace(/[A-Z]/g, (c) => c.toLowerCase())} ESCAPE '\\'`;

export function createPgJudgingRepository(db: PgDb): JudgingRepository {
  const active = async (q: PgDb | PgTx, roundId: number): Promise<FinalisationRow | undefined> => {
    const [row] = await q
      .select()
      .from(roundFinalisations)
      .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')))
      .orderBy(asc(roundFinalisations.id))
      .limit(1);
    return row;
  };

  /** Locks the round's row for the rest of tx and throws the refusal of `step`, if any. */
  const lockRound = async (tx: PgTx, step: 'finalise' | 'publish' | 'reopen', roundId: number) => {
    const [round] = await tx
      .select({ status: rounds.resultsStatus })
      .from(rounds)
      .where(eq(rounds.id, roundId))
      .for('no key update');
    const refusal = resultsStatusRefusal(step, round?.status);
    if (refusal) throw refusal;
  };

  return {
    async candidates(roundId: number): Promise<Candidate[]> {
      return db
        .select({
          userId: roundResults.userId,
          attemptId: roundResults.attemptId,
          groupKey: roundResults.groupKey,
          name: roundResults.name,
          unit: roundResults.unit,
          unitCode: entries.unitCode,
          score: roundResults.score,
          correctCount: sql<number>`coalesce(${attempts.correctCount}, 0)`.mapWith(Number),
          durationMs: roundResults.durationMs,
          submittedAt: roundResults.submittedAt,
          allCorrect: roundResults.allCorrect,
          prediction: roundResults.prediction,
        })
        .from(roundResults)
        .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .where(eq(roundResults.roundId, roundId))
        .orderBy(asc(roundResults.userId));
    },

    active: (roundId: number) => active(db, roundId),

    async saveFinalisation(f: NewFinalisation) {
      return db.transaction(async (tx) => {
        await lockRound(tx, 'finalise', f.roundId);
        const [row] = await tx
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
          .returning();
        if (!row) throw new Error('INSERT .. RETURNING gave no row');
        for (let i = 0; i < f.rows.length; i += RANKING_CHUNK) {
          await tx
            .insert(finalRankings)
            .values(f.rows.slice(i, i + RANKING_CHUNK).map((r) => ({ ...r, finalisationId: row.id })));
        }
        await tx.update(rounds).set({ resultsStatus: 'finalized' }).where(eq(rounds.id, f.roundId));
        // The log's head as the judges froze the ranking, read under the log's lock so that it is
        // the entry just before this finalisation's own.
        const auditHead = await lockPgAuditHead(tx);
        const entry = await appendPgAudit(tx, {
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
      });
    },

    async publish(
      roundId: number,
      at: number,
      audit: Omit<AuditEntry, 'targetType' | 'targetId' | 'action'>,
    ) {
      await db.transaction(async (tx) => {
        await lockRound(tx, 'publish', roundId);
        await tx
          .update(roundFinalisations)
          .set({ publishedAt: at })
          .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')));
        await tx.update(rounds).set({ resultsStatus: 'published' }).where(eq(rounds.id, roundId));
        await appendPgAudit(tx, {
          ...audit,
          action: 'round.publish-results',
          targetType: 'round',
          targetId: roundId,
        });
      });
    },

    async reopen(
      roundId: number,
      by: number,
      reason: string,
      at: number,
      audit: Omit<AuditEntry, 'targetType' | 'targetId' | 'action' | 'at' | 'actorId'>,
    ) {
      await db.transaction(async (tx) => {
        await lockRound(tx, 'reopen', roundId);
        const current = await active(tx, roundId);
        await tx
          .update(roundFinalisations)
          .set({ status: 'reopened', reopenedAt: at, reopenedBy: by, reopenReason: reason })
          .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')));
        await tx.update(rounds).set({ resultsStatus: 'open' }).where(eq(rounds.id, roundId));
        await appendPgAudit(tx, {
          ...audit,
          at,
          actorId: by,
          action: 'round.reopen',
          targetType: 'round',
          targetId: roundId,
          data: { reason, finalisationId: current?.id ?? null, hash: current?.hash ?? null },
        });
      });
    },

    async finalRows(finalisationId: number, groupKey: string, limit: number, offset: number) {
      return db
        .select()
        .from(finalRankings)
        .where(and(eq(finalRankings.finalisationId, finalisationId), eq(finalRankings.groupKey, groupKey)))
        .orderBy(asc(finalRankings.position))
        .limit(limit)
        .offset(offset);
    },

    /** As ../judging.ts: the page's participant ids first, from the narrowest table, then their rows. */
    async results(roundId: number, query: ResultsQuery) {
      const finalisation = await active(db, roundId);
      const needsEntries = !!query.unit || !!query.q;
      const pattern = query.q ? `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null;
      const entryConds = (): SQL[] => {
        const conds: SQL[] = [];
        if (query.unit) conds.push(eq(entries.unitCode, query.unit));
        if (pattern) {
          // fields as its stored JSON text, which is what SQLite's LIKE reads.
          conds.push(
            or(
              likeAsSqlite(sql`${entries.fullName}`, pattern),
              likeAsSqlite(sql`${entries.fields}::text`, pattern),
            )!,
          );
        }
        return conds;
      };
      const count = sql<number>`count(*)`.mapWith(Number);

      let ids: number[];
      let total: number;
      if (finalisation && query.sort === 'rank') {
        const conds: SQL[] = [eq(finalRankings.finalisationId, finalisation.id)];
        if (query.group) conds.push(eq(finalRankings.groupKey, query.group));
        const order = query.group
          ? [asc(finalRankings.position)]
          : [asc(finalRankings.rank), binary(finalRankings.groupKey), asc(finalRankings.position)];
        const base = db.select({ userId: finalRankings.userId }).from(finalRankings);
        const filtered = needsEntries
          ? base
              .innerJoin(attempts, eq(attempts.id, finalRankings.attemptId))
              .innerJoin(entries, eq(entries.id, attempts.entryId))
              .where(and(...conds, ...entryConds()))
          : base.where(and(...conds));
        ids = (
          await filtered
            .orderBy(...order)
            .limit(query.limit)
            .offset(query.offset)
        ).map((r) => r.userId);
        const countQ = db.select({ n: count }).from(finalRankings);
        const [counted] = await (needsEntries
          ? countQ
              .innerJoin(attempts, eq(attempts.id, finalRankings.attemptId))
              .innerJoin(entries, eq(entries.id, attempts.entryId))
              .where(and(...conds, ...entryConds()))
          : countQ.where(and(...conds)));
        total = counted?.n ?? 0;
      } else {
        const conds: SQL[] = [eq(roundResults.roundId, roundId)];
        if (query.group) conds.push(eq(roundResults.groupKey, query.group));
        const order =
          query.sort === 'name'
            ? [binary(roundResults.name), asc(roundResults.userId)]
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
        ids = (
          await filtered
            .orderBy(...order)
            .limit(query.limit)
            .offset(query.offset)
        ).map((r) => r.userId);
        const countQ = db.select({ n: count }).from(roundResults);
        const [counted] = await (needsEntries
          ? countQ
              .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
              .innerJoin(entries, eq(entries.id, attempts.entryId))
              .where(and(...conds, ...entryConds()))
          : countQ.where(and(...conds)));
        total = counted?.n ?? 0;
      }

      if (ids.length === 0) return { total, rows: [], finalisation: finalisation ?? null };
      const details = await db
        .select({
          userId: roundResults.userId,
          attemptId: roundResults.attemptId,
          groupKey: roundResults.groupKey,
          name: roundResults.name,
          unit: roundResults.unit,
          unitCode: entries.unitCode,
          fields: entries.fields,
          score: roundResults.score,
          correctCount: sql<number>`coalesce(${attempts.correctCount}, 0)`.mapWith(Number),
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
        .where(and(eq(roundResults.roundId, roundId), inArray(roundResults.userId, ids)));
      const byUser = new Map(details.map((d) => [d.userId, d]));
      const rows = ids.map((id) => byUser.get(id)).filter((r) => r !== undefined);
      return { total, rows, finalisation: finalisation ?? null };
    },
  };
}
