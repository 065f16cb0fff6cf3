// Reads for exports, statistics, public results, suspicion flags and the audit log viewer on
// PostgreSQL: the same repository as ../reports.ts, with the same rows in the same order. Where
// the two dialects order differently it is said in SQL: text sorts by `COLLATE "C"` (code point
// order, as SQLite's BINARY collation, whatever the database's locale) and a nullable key ascending
// puts NULLs first, as SQLite does. Reads that may touch a whole round page or aggregate in SQL.
import { and, asc, count, desc, eq, gt, inArray, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type {
  AuditFilter,
  DayRange,
  IdentityRow,
  ItemResponseRow,
  LocalityCount,
  ParticipationSource,
  RankingExportRow,
  ReportsRepository,
  UnitCount,
} from '../reports.ts';
import type { PgDb } from './database.ts';
import {
  answers,
  attemptQuestions,
  attempts,
  auditLog,
  entries,
  finalRankings,
  roundFinalisations,
  roundResults,
  users,
} from './schema.ts';

/** Text in code point order, as SQLite compares it. */
export const binary = (value: SQL | SQL.Aliased | AnyPgColumn) => sql`${value} collate "C"`;

export function createPgReportsRepository(db: PgDb): ReportsRepository {
  const rankingColumns = {
    groupKey: finalRankings.groupKey,
    position: finalRankings.position,
    rank: finalRankings.rank,
    userId: finalRankings.userId,
    attemptId: finalRankings.attemptId,
    name: finalRankings.name,
    unit: finalRankings.unit,
    unitCode: entries.unitCode,
    fields: entries.fields,
    score: finalRankings.score,
    maxScore: attempts.maxScore,
    correctCount: finalRankings.correctCount,
    durationMs: finalRankings.durationMs,
    submittedAt: finalRankings.submittedAt,
    prediction: finalRankings.prediction,
    predictionDistance: finalRankings.predictionDistance,
    decidedBy: finalRankings.decidedBy,
    prize: finalRankings.prize,
  };

  const sourceRows = (source: ParticipationSource) =>
    'finalisationId' in source
      ? {
          table: finalRankings,
          attemptId: finalRankings.attemptId,
          where: eq(finalRankings.finalisationId, source.finalisationId),
        }
      : {
          table: roundResults,
          attemptId: roundResults.attemptId,
          where: eq(roundResults.roundId, source.roundId),
        };

  return {
    async finalisation(roundId: number) {
      const [row] = await db
        .select({
          id: roundFinalisations.id,
          roundId: roundFinalisations.roundId,
          createdAt: roundFinalisations.createdAt,
          createdBy: roundFinalisations.createdBy,
          creatorName: users.name,
          creatorEmail: users.email,
          hash: roundFinalisations.hash,
          predictionKind: roundFinalisations.predictionKind,
          actualValue: roundFinalisations.actualValue,
          allCorrect: roundFinalisations.allCorrect,
          participants: roundFinalisations.participants,
          publishedAt: roundFinalisations.publishedAt,
        })
        .from(roundFinalisations)
        .leftJoin(users, eq(users.id, roundFinalisations.createdBy))
        .where(and(eq(roundFinalisations.roundId, roundId), eq(roundFinalisations.status, 'active')))
        .limit(1);
      return row;
    },

    async finalGroups(finalisationId: number): Promise<{ groupKey: string; rows: number }[]> {
      return db
        .select({ groupKey: finalRankings.groupKey, rows: count() })
        .from(finalRankings)
        .where(eq(finalRankings.finalisationId, finalisationId))
        .groupBy(finalRankings.groupKey)
        .orderBy(binary(finalRankings.groupKey));
    },

    async rankingPage(
      finalisationId: number,
      groupKey: string,
      afterPosition: number,
      limit: number,
    ): Promise<RankingExportRow[]> {
      return db
        .select(rankingColumns)
        .from(finalRankings)
        .innerJoin(attempts, eq(attempts.id, finalRankings.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .where(
          and(
            eq(finalRankings.finalisationId, finalisationId),
            eq(finalRankings.groupKey, groupKey),
            gt(finalRankings.position, afterPosition),
          ),
        )
        .orderBy(asc(finalRankings.position))
        .limit(limit);
    },

    async winners(finalisationId: number): Promise<RankingExportRow[]> {
      return db
        .select(rankingColumns)
        .from(finalRankings)
        .innerJoin(attempts, eq(attempts.id, finalRankings.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .where(and(eq(finalRankings.finalisationId, finalisationId), isNotNull(finalRankings.prize)))
        .orderBy(binary(finalRankings.groupKey), asc(finalRankings.position));
    },

    async unitCounts(source: ParticipationSource): Promise<UnitCount[]> {
      const s = sourceRows(source);
      return db
        .select({ unitCode: entries.unitCode, participants: count() })
        .from(s.table)
        .innerJoin(attempts, eq(attempts.id, s.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .where(s.where)
        .groupBy(entries.unitCode)
        .orderBy(sql`${binary(entries.unitCode)} asc nulls first`);
    },

    async localityCounts(source: ParticipationSource): Promise<LocalityCount[]> {
      const s = sourceRows(source);
      // ->> reads the field's text as json_extract does; trim() strips spaces only, on both.
      const locality = sql<string | null>`nullif(trim(${entries.fields}->>'locality'), '')`;
      return db
        .select({ locality, participants: count() })
        .from(s.table)
        .innerJoin(attempts, eq(attempts.id, s.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .where(s.where)
        .groupBy(locality)
        .orderBy(desc(count()), sql`${binary(locality)} asc nulls first`);
    },

    async attemptsPerDay(
      roundId: number,
      days: DayRange[],
    ): Promise<{ label: string; attempts: number; participants: number }[]> {
      if (days.length === 0) return [];
      // Typed parameters: a VALUES list of bare parameters would be text.
      const values = sql.join(
        days.map((d, i) => sql`(${i}::integer, ${d.start}::bigint, ${d.end}::bigint)`),
        sql`, `,
      );
      const { rows } = await db.execute<{ i: number; attempts: number; participants: number }>(sql`
        WITH days(i, s, e) AS (VALUES ${values})
        SELECT days.i AS i, count(*)::integer AS attempts, count(DISTINCT a.user_id)::integer AS participants
        FROM attempts a JOIN days ON a.started_at >= days.s AND a.started_at < days.e
        WHERE a.round_id = ${roundId} AND a.status <> 'voided'
        GROUP BY days.i`);
      const byIndex = new Map(rows.map((r) => [r.i, r]));
      return days.map((d, i) => ({
        label: d.label,
        attempts: byIndex.get(i)?.attempts ?? 0,
        participants: byIndex.get(i)?.participants ?? 0,
      }));
    },

    async attemptSpan(roundId: number): Promise<{ first: number; last: number; attempts: number } | null> {
      const [row] = await db
        .select({
          first: sql<number | null>`min(${attempts.startedAt})`.mapWith(Number),
          last: sql<number | null>`max(${attempts.startedAt})`.mapWith(Number),
          attempts: count(),
        })
        .from(attempts)
        .where(and(eq(attempts.roundId, roundId), ne(attempts.status, 'voided')));
      return row && row.first !== null && row.last !== null
        ? { first: row.first, last: row.last, attempts: row.attempts }
        : null;
    },

    async scoreHistogram(roundId: number): Promise<{ score: number; count: number }[]> {
      return db
        .select({ score: roundResults.score, count: count() })
        .from(roundResults)
        .where(eq(roundResults.roundId, roundId))
        .groupBy(roundResults.score)
        .orderBy(desc(roundResults.score));
    },

    async maxScore(roundId: number): Promise<number | null> {
      const [row] = await db
        .select({ max: sql<number | null>`max(${attempts.maxScore})`.mapWith(Number) })
        .from(roundResults)
        .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
        .where(eq(roundResults.roundId, roundId));
      return row?.max ?? null;
    },

    async countedTotal(roundId: number): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(roundResults)
        .where(eq(roundResults.roundId, roundId));
      return row?.n ?? 0;
    },

    async countedPage(
      roundId: number,
      limit: number,
      offset: number,
    ): Promise<{ attemptId: number; userId: number; score: number }[]> {
      return db
        .select({ attemptId: roundResults.attemptId, userId: roundResults.userId, score: roundResults.score })
        .from(roundResults)
        .where(eq(roundResults.roundId, roundId))
        .orderBy(
          desc(roundResults.score),
          asc(roundResults.durationMs),
          asc(roundResults.submittedAt),
          asc(roundResults.userId),
        )
        .limit(limit)
        .offset(offset);
    },

    async itemResponses(attemptIds: number[]): Promise<ItemResponseRow[]> {
      if (attemptIds.length === 0) return [];
      return db
        .select({
          attemptId: attemptQuestions.attemptId,
          questionId: attemptQuestions.questionId,
          position: attemptQuestions.position,
          snapshot: attemptQuestions.snapshot,
          optionIds: answers.optionIds,
        })
        .from(attemptQuestions)
        .leftJoin(
          answers,
          and(
            eq(answers.attemptId, attemptQuestions.attemptId),
            eq(answers.questionId, attemptQuestions.questionId),
          ),
        )
        .where(inArray(attemptQuestions.attemptId, attemptIds))
        .orderBy(asc(attemptQuestions.attemptId), asc(attemptQuestions.questionId));
    },

    async identities(roundId: number, afterUserId: number, limit: number): Promise<IdentityRow[]> {
      return db
        .select({
          userId: roundResults.userId,
          attemptId: roundResults.attemptId,
          email: users.email,
          fields: entries.fields,
        })
        .from(roundResults)
        .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .innerJoin(users, eq(users.id, roundResults.userId))
        .where(and(eq(roundResults.roundId, roundId), gt(roundResults.userId, afterUserId)))
        .orderBy(asc(roundResults.userId))
        .limit(limit);
    },

    async fastAttempts(roundId: number, maxDurationMs: number, minShare: number) {
      return db
        .select({
          attemptId: attempts.id,
          userId: attempts.userId,
          durationMs: sql<number>`${attempts.durationMs}`.mapWith(Number),
          score: sql<number>`${attempts.score}`.mapWith(Number),
          maxScore: attempts.maxScore,
        })
        .from(attempts)
        .where(
          and(
            eq(attempts.roundId, roundId),
            eq(attempts.status, 'submitted'),
            sql`${attempts.durationMs} < ${maxDurationMs}`,
            sql`${attempts.score} >= ${minShare}::double precision * ${attempts.maxScore}`,
          ),
        )
        .orderBy(asc(attempts.durationMs), asc(attempts.id));
    },

    async sharedIps(roundId: number, minAccounts: number) {
      const base = and(eq(attempts.roundId, roundId), ne(attempts.status, 'voided'), isNotNull(attempts.ip));
      const accounts = sql<number>`count(distinct ${attempts.userId})`;
      const ips = await db
        .select({ ip: sql<string>`${attempts.ip}`, accounts: accounts.mapWith(Number) })
        .from(attempts)
        .where(base)
        .groupBy(attempts.ip)
        .having(sql`${accounts} >= ${minAccounts}`)
        .orderBy(desc(accounts), binary(attempts.ip));
      if (ips.length === 0) return [];
      const rows = await db
        .select({ ip: sql<string>`${attempts.ip}`, attemptId: attempts.id, userId: attempts.userId })
        .from(attempts)
        .where(
          and(
            base,
            inArray(
              attempts.ip,
              ips.map((i) => i.ip),
            ),
          ),
        )
        .orderBy(asc(attempts.id));
      return ips.map((i) => ({
        ip: i.ip,
        attempts: rows
          .filter((r) => r.ip === i.ip)
          .map((r) => ({ attemptId: r.attemptId, userId: r.userId })),
      }));
    },

    async auditPage(filter: AuditFilter, limit: number, offset: number) {
      const conds: SQL[] = [];
      if (filter.action) conds.push(eq(auditLog.action, filter.action));
      if (filter.targetType) conds.push(eq(auditLog.targetType, filter.targetType));
      if (filter.targetId) conds.push(eq(auditLog.targetId, filter.targetId));
      if (filter.actorId !== undefined) conds.push(eq(auditLog.actorId, filter.actorId));
      const where = conds.length > 0 ? and(...conds) : undefined;
      const [rows, [total]] = await Promise.all([
        db
          .select({ entry: auditLog, actorName: users.name })
          .from(auditLog)
          .leftJoin(users, eq(users.id, auditLog.actorId))
          .where(where)
          .orderBy(desc(auditLog.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(auditLog).where(where),
      ]);
      return { total: total?.n ?? 0, rows: rows.map((r) => ({ ...r.entry, actorName: r.actorName })) };
    },
  };
}
