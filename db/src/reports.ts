// Reads for exports, statistics, public results, suspicion flags and the audit log viewer.
// Everything that may touch every participant of a round reads in pages (keyset or offset) or
// aggregates in SQL, so that a 100,000-participant round never sits in memory at once.
// SQLite-specific bits (json_extract) stay here, behind the same async signatures as elsewhere;
// pg/reports.ts is the PostgreSQL twin, giving the same rows in the same order.
import { and, asc, count, desc, eq, gt, inArray, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
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
  type QuestionSnapshot,
} from './schema.ts';

/** A row of a frozen final ranking with the participant's registration. */
export interface RankingExportRow {
  groupKey: string;
  position: number;
  rank: number;
  userId: number;
  attemptId: number;
  name: string;
  unit: string | null;
  unitCode: string | null;
  fields: Record<string, string>;
  score: number;
  maxScore: number;
  correctCount: number;
  durationMs: number;
  submittedAt: number;
  prediction: number | null;
  predictionDistance: number | null;
  decidedBy: string | null;
  prize: string | null;
}

/** Whose rows to count: the live counted attempts of a round, or a frozen finalisation. */
export type ParticipationSource = { roundId: number } | { finalisationId: number };

export interface UnitCount {
  unitCode: string | null;
  participants: number;
}

export interface LocalityCount {
  /** null: not given. */
  locality: string | null;
  participants: number;
}

export interface DayRange {
  /** A label for the range, e.g. the local date "2026-11-26". */
  label: string;
  /** [start, end) in epoch ms. */
  start: number;
  end: number;
}

export interface ItemResponseRow {
  attemptId: number;
  questionId: number;
  position: number;
  snapshot: QuestionSnapshot;
  /** null: the question was shown but never answered. */
  optionIds: string[] | null;
}

export interface IdentityRow {
  userId: number;
  attemptId: number;
  email: string;
  fields: Record<string, string>;
}

export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorId?: number;
}

export function createReportsRepository(db: Db) {
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

  /** The attempts counted by a source, as a subquery-able condition on `attempts.id`. */
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
    /** The round's active finalisation with who made it, or undefined when it is not finalised. */
    async finalisation(roundId: number) {
      return db
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
        .get();
    },

    /** The group keys present in a finalisation, with their row counts. */
    async finalGroups(finalisationId: number): Promise<{ groupKey: string; rows: number }[]> {
      return db
        .select({ groupKey: finalRankings.groupKey, rows: count() })
        .from(finalRankings)
        .where(eq(finalRankings.finalisationId, finalisationId))
        .groupBy(finalRankings.groupKey)
        .orderBy(asc(finalRankings.groupKey))
        .all();
    },

    /** One page of a group's final ranking after `afterPosition` (keyset: cheap at any depth). */
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
        .limit(limit)
        .all();
    },

    /** Every prize winner of a finalisation, by group and position (a few dozen rows). */
    async winners(finalisationId: number): Promise<RankingExportRow[]> {
      return db
        .select(rankingColumns)
        .from(finalRankings)
        .innerJoin(attempts, eq(attempts.id, finalRankings.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .where(and(eq(finalRankings.finalisationId, finalisationId), isNotNull(finalRankings.prize)))
        .orderBy(asc(finalRankings.groupKey), asc(finalRankings.position))
        .all();
    },

    /** Participants per unit code (null: no unit), aggregated in SQL. */
    async unitCounts(source: ParticipationSource): Promise<UnitCount[]> {
      const s = sourceRows(source);
      return (
        db
          .select({ unitCode: entries.unitCode, participants: count() })
          .from(s.table)
          .innerJoin(attempts, eq(attempts.id, s.attemptId))
          .innerJoin(entries, eq(entries.id, attempts.entryId))
          .where(s.where)
          .groupBy(entries.unitCode)
          // Ordered (no unit first), so that codes no longer among the contest's units come out
          // in the same order on every store.
          .orderBy(asc(entries.unitCode))
          .all()
      );
    },

    /** Participants per locality registration field (null: not given), most first. */
    async localityCounts(source: ParticipationSource): Promise<LocalityCount[]> {
      const s = sourceRows(source);
      const locality = sql<string | null>`nullif(trim(json_extract(${entries.fields}, '$.locality')), '')`;
      return db
        .select({ locality, participants: count() })
        .from(s.table)
        .innerJoin(attempts, eq(attempts.id, s.attemptId))
        .innerJoin(entries, eq(entries.id, attempts.entryId))
        .where(s.where)
        .groupBy(locality)
        .orderBy(desc(count()), asc(locality))
        .all();
    },

    /**
     * Attempts started, and distinct participants starting one, per day range (the caller works
     * out the ranges in the contest's time zone). Void attempts are left out.
     */
    async attemptsPerDay(
      roundId: number,
      days: DayRange[],
    ): Promise<{ label: string; attempts: number; participants: number }[]> {
      if (days.length === 0) return [];
      // One scan of the round's attempts against a small table of ranges.
      const values = sql.join(
        days.map((d, i) => sql`(${i}, ${d.start}, ${d.end})`),
        sql`, `,
      );
      const rows = db.all<{ i: number; attempts: number; participants: number }>(sql`
        WITH days(i, s, e) AS (VALUES ${values})
        SELECT days.i AS i, count(*) AS attempts, count(DISTINCT a.user_id) AS participants
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

    /** First and last attempt start of a round (not void), or null without attempts. */
    async attemptSpan(roundId: number): Promise<{ first: number; last: number; attempts: number } | null> {
      const row = db
        .select({
          first: sql<number | null>`min(${attempts.startedAt})`,
          last: sql<number | null>`max(${attempts.startedAt})`,
          attempts: count(),
        })
        .from(attempts)
        .where(and(eq(attempts.roundId, roundId), ne(attempts.status, 'voided')))
        .get();
      return row && row.first !== null && row.last !== null
        ? { first: row.first, last: row.last, attempts: row.attempts }
        : null;
    },

    /** How many counted attempts have each score, highest first. */
    async scoreHistogram(roundId: number): Promise<{ score: number; count: number }[]> {
      return db
        .select({ score: roundResults.score, count: count() })
        .from(roundResults)
        .where(eq(roundResults.roundId, roundId))
        .groupBy(roundResults.score)
        .orderBy(desc(roundResults.score))
        .all();
    },

    /** The largest max score among the counted attempts (the round's full marks). */
    async maxScore(roundId: number): Promise<number | null> {
      const row = db
        .select({ max: sql<number | null>`max(${attempts.maxScore})` })
        .from(roundResults)
        .innerJoin(attempts, eq(attempts.id, roundResults.attemptId))
        .where(eq(roundResults.roundId, roundId))
        .get();
      return row?.max ?? null;
    },

    async countedTotal(roundId: number): Promise<number> {
      return (
        db.select({ n: count() }).from(roundResults).where(eq(roundResults.roundId, roundId)).get()?.n ?? 0
      );
    },

    /** A page of counted attempts in the provisional ranking order (score desc, duration, submitted). */
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
        .offset(offset)
        .all();
    },

    /** Every question shown in the given attempts, with the choice saved for it (if any). */
    async itemResponses(attemptIds: number[]): Promise<ItemResponseRow[]> {
      if (attemptIds.length === 0) return [];
      return (
        db
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
          // The item analysis keeps the first snapshot it meets of each question: by attempt id.
          .orderBy(asc(attemptQuestions.attemptId), asc(attemptQuestions.questionId))
          .all()
      );
    },

    /** Counted participants with their account email and registration, in pages by user id. */
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
        .limit(limit)
        .all();
    },

    /** Submitted attempts quicker than `maxDurationMs` that scored at least `minShare` of full marks. */
    async fastAttempts(roundId: number, maxDurationMs: number, minShare: number) {
      return db
        .select({
          attemptId: attempts.id,
          userId: attempts.userId,
          durationMs: sql<number>`${attempts.durationMs}`,
          score: sql<number>`${attempts.score}`,
          maxScore: attempts.maxScore,
        })
        .from(attempts)
        .where(
          and(
            eq(attempts.roundId, roundId),
            eq(attempts.status, 'submitted'),
            sql`${attempts.durationMs} < ${maxDurationMs}`,
            sql`${attempts.score} >= ${minShare} * ${attempts.maxScore}`,
          ),
        )
        .orderBy(asc(attempts.durationMs), asc(attempts.id))
        .all();
    },

    /** IPs from which at least `minAccounts` accounts started attempts (not void), with those attempts. */
    async sharedIps(roundId: number, minAccounts: number) {
      const base = and(eq(attempts.roundId, roundId), ne(attempts.status, 'voided'), isNotNull(attempts.ip));
      const ips = db
        .select({
          ip: sql<string>`${attempts.ip}`,
          accounts: sql<number>`count(distinct ${attempts.userId})`,
        })
        .from(attempts)
        .where(base)
        .groupBy(attempts.ip)
        .having(sql`count(distinct ${attempts.userId}) >= ${minAccounts}`)
        .orderBy(desc(sql`count(distinct ${attempts.userId})`), asc(attempts.ip))
        .all();
      if (ips.length === 0) return [];
      const rows = db
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
        .orderBy(asc(attempts.id))
        .all();
      return ips.map((i) => ({
        ip: i.ip,
        attempts: rows
          .filter((r) => r.ip === i.ip)
          .map((r) => ({ attemptId: r.attemptId, userId: r.userId })),
      }));
    },

    /** Audit entries newest first, filtered, with the total and each actor's name. */
    async auditPage(filter: AuditFilter, limit: number, offset: number) {
      const conds: SQL[] = [];
      if (filter.action) conds.push(eq(auditLog.action, filter.action));
      if (filter.targetType) conds.push(eq(auditLog.targetType, filter.targetType));
      if (filter.targetId) conds.push(eq(auditLog.targetId, filter.targetId));
      if (filter.actorId !== undefined) conds.push(eq(auditLog.actorId, filter.actorId));
      const where = conds.length > 0 ? and(...conds) : undefined;
      const rows = db
        .select({ entry: auditLog, actorName: users.name })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(where)
        .orderBy(desc(auditLog.id))
        .limit(limit)
        .offset(offset)
        .all();
      const total = db.select({ n: count() }).from(auditLog).where(where).get()?.n ?? 0;
      return { total, rows: rows.map((r) => ({ ...r.entry, actorName: r.actorName })) };
    },
  };
}

export type ReportsRepository = ReturnType<typeof createReportsRepository>;
