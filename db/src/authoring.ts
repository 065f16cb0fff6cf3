// What organisers need beyond the participant's path: who a bank or contest is shared with, the
// organiser's own lists (drafts and shared items included), editing contests and rounds, uploaded
// images, and the live figures of a contest's dashboard.
import { and, asc, count, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import {
  attempts,
  banks,
  bankShares,
  contests,
  contestShares,
  entries,
  images,
  questions,
  questionTags,
  rounds,
  units,
  users,
} from './schema.ts';
import type { ContestRow, NewRound, NewUnit, RoundRow } from './contests.ts';

export type ImageRow = typeof images.$inferSelect;
export type ShareKind = 'bank' | 'contest';
export interface ShareRow {
  userId: number;
  email: string;
  name: string;
}

export function createAuthoringRepository(db: Db) {
  const shareTable = (kind: ShareKind) =>
    kind === 'bank'
      ? { table: bankShares, key: bankShares.bankId, user: bankShares.userId }
      : { table: contestShares, key: contestShares.contestId, user: contestShares.userId };

  return {
    async isSharedWith(kind: ShareKind, id: number, userId: number): Promise<boolean> {
      const s = shareTable(kind);
      return !!db
        .select({ one: sql<number>`1` })
        .from(s.table)
        .where(and(eq(s.key, id), eq(s.user, userId)))
        .get();
    },
    async shares(kind: ShareKind, id: number): Promise<ShareRow[]> {
      const s = shareTable(kind);
      return db
        .select({ userId: users.id, email: users.email, name: users.name })
        .from(s.table)
        .innerJoin(users, eq(users.id, s.user))
        .where(eq(s.key, id))
        .orderBy(asc(users.name), asc(users.id))
        .all();
    },
    async share(kind: ShareKind, id: number, userId: number): Promise<void> {
      if (kind === 'bank') {
        db.insert(bankShares)
          .values({ bankId: id, userId, createdAt: Date.now() })
          .onConflictDoNothing()
          .run();
      } else {
        db.insert(contestShares)
          .values({ contestId: id, userId, createdAt: Date.now() })
          .onConflictDoNothing()
          .run();
      }
    },
    async unshare(kind: ShareKind, id: number, userId: number): Promise<boolean> {
      const s = shareTable(kind);
      return (
        db
          .delete(s.table)
          .where(and(eq(s.key, id), eq(s.user, userId)))
          .run().changes > 0
      );
    },

    /** Banks the viewer owns or is shared (all for admins: viewerId null), with owner and count. */
    async banks(viewerId: number | null, status: 'active' | 'retired') {
      const visible =
        viewerId === null
          ? undefined
          : sql`(${banks.ownerId} = ${viewerId} or ${banks.id} in (select ${bankShares.bankId} from ${bankShares} where ${bankShares.userId} = ${viewerId}))`;
      return db
        .select({
          id: banks.id,
          name: banks.name,
          ownerId: banks.ownerId,
          ownerName: users.name,
          status: banks.status,
          createdAt: banks.createdAt,
          updatedAt: banks.updatedAt,
          questionCount: sql<number>`(select count(*) from ${questions} where ${questions.bankId} = ${banks.id} and ${questions.status} = 'active')`,
        })
        .from(banks)
        .innerJoin(users, eq(users.id, banks.ownerId))
        .where(and(eq(banks.status, status), visible))
        .orderBy(asc(banks.name), asc(banks.id))
        .all();
    },
    async setBankStatus(bankId: number, status: 'active' | 'retired'): Promise<void> {
      db.update(banks).set({ status, updatedAt: Date.now() }).where(eq(banks.id, bankId)).run();
    },
    async touchBank(bankId: number): Promise<void> {
      db.update(banks).set({ updatedAt: Date.now() }).where(eq(banks.id, bankId)).run();
    },
    /** Tags of the bank's active questions with how many carry each. */
    async bankTags(bankId: number): Promise<{ tag: string; count: number }[]> {
      return db
        .select({ tag: questionTags.tag, count: count() })
        .from(questionTags)
        .innerJoin(questions, eq(questions.id, questionTags.questionId))
        .where(and(eq(questions.bankId, bankId), eq(questions.status, 'active')))
        .groupBy(questionTags.tag)
        .orderBy(asc(questionTags.tag))
        .all();
    },
    async bankQuestionCount(bankId: number): Promise<number> {
      return (
        db
          .select({ n: count() })
          .from(questions)
          .where(and(eq(questions.bankId, bankId), eq(questions.status, 'active')))
          .get()?.n ?? 0
      );
    },

    /** Contests the viewer owns or is shared (all for admins), drafts included, newest first. */
    async contests(viewerId: number | null) {
      const visible =
        viewerId === null
          ? undefined
          : sql`(${contests.ownerId} = ${viewerId} or ${contests.id} in (select ${contestShares.contestId} from ${contestShares} where ${contestShares.userId} = ${viewerId}))`;
      return db
        .select({
          id: contests.id,
          slug: contests.slug,
          title: contests.title,
          status: contests.status,
          timeZone: contests.timeZone,
          ownerId: contests.ownerId,
          ownerName: users.name,
          createdAt: contests.createdAt,
          rounds: sql<number>`(select count(*) from ${rounds} where ${rounds.contestId} = ${contests.id})`,
          entries: sql<number>`(select count(*) from ${entries} where ${entries.contestId} = ${contests.id})`,
        })
        .from(contests)
        .innerJoin(users, eq(users.id, contests.ownerId))
        .where(visible)
        .orderBy(desc(contests.createdAt), desc(contests.id))
        .all();
    },
    async ownerName(userId: number): Promise<string> {
      return db.select({ name: users.name }).from(users).where(eq(users.id, userId)).get()?.name ?? '';
    },
    async entryCount(contestId: number): Promise<number> {
      return db.select({ n: count() }).from(entries).where(eq(entries.contestId, contestId)).get()?.n ?? 0;
    },
    /** Unit codes and group keys that entries of the contest use (they cannot be removed). */
    async usedCodes(contestId: number): Promise<{ units: Set<string>; groups: Set<string> }> {
      const rows = db
        .selectDistinct({ unit: entries.unitCode, group: entries.groupKey })
        .from(entries)
        .where(eq(entries.contestId, contestId))
        .all();
      return {
        units: new Set(rows.map((r) => r.unit).filter((u): u is string => !!u)),
        groups: new Set(rows.map((r) => r.group).filter((g): g is string => !!g)),
      };
    },
    /** Changes a contest (and replaces its units when given), in one transaction. */
    async updateContest(
      contestId: number,
      patch: Partial<Omit<ContestRow, 'id' | 'ownerId' | 'createdAt'>>,
      unitList?: NewUnit[],
    ): Promise<ContestRow> {
      return db.transaction((tx) => {
        if (Object.keys(patch).length > 0)
          tx.update(contests).set(patch).where(eq(contests.id, contestId)).run();
        if (unitList) {
          tx.delete(units).where(eq(units.contestId, contestId)).run();
          for (let i = 0; i < unitList.length; i += 500) {
            tx.insert(units)
              .values(unitList.slice(i, i + 500).map((u) => ({ ...u, contestId })))
              .run();
          }
        }
        return tx.select().from(contests).where(eq(contests.id, contestId)).get()!;
      });
    },
    async slugTaken(slug: string, exceptId: number): Promise<boolean> {
      const row = db.select({ id: contests.id }).from(contests).where(eq(contests.slug, slug)).get();
      return !!row && row.id !== exceptId;
    },
    async attemptCount(roundId: number): Promise<number> {
      return db.select({ n: count() }).from(attempts).where(eq(attempts.roundId, roundId)).get()?.n ?? 0;
    },
    async attemptCounts(roundIds: number[]): Promise<Map<number, number>> {
      if (roundIds.length === 0) return new Map();
      const rows = db
        .select({ roundId: attempts.roundId, n: count() })
        .from(attempts)
        .where(inArray(attempts.roundId, roundIds))
        .groupBy(attempts.roundId)
        .all();
      return new Map(rows.map((r) => [r.roundId, r.n]));
    },
    async updateRound(roundId: number, patch: Partial<NewRound>): Promise<RoundRow> {
      return db.update(rounds).set(patch).where(eq(rounds.id, roundId)).returning().get()!;
    },
    async deleteRound(roundId: number): Promise<void> {
      db.delete(rounds).where(eq(rounds.id, roundId)).run();
    },

    async image(sha256: string): Promise<ImageRow | undefined> {
      return db.select().from(images).where(eq(images.sha256, sha256)).get();
    },
    async addImage(row: ImageRow): Promise<void> {
      db.insert(images).values(row).onConflictDoNothing().run();
    },

    /** The dashboard's figures for a contest; `dayStart` is the start of today in its time zone. */
    async dashboard(contestId: number, dayStart: number, since: number) {
      const roundRows = db
        .select({ id: rounds.id })
        .from(rounds)
        .where(eq(rounds.contestId, contestId))
        .all();
      const roundIds = roundRows.map((r) => r.id);
      const perRound =
        roundIds.length === 0
          ? []
          : db
              .select({
                roundId: attempts.roundId,
                inProgress: sql<number>`sum(case when ${attempts.status} = 'in_progress' then 1 else 0 end)`,
                submitted: sql<number>`sum(case when ${attempts.status} in ('submitted', 'expired') then 1 else 0 end)`,
                submittedToday: sql<number>`sum(case when ${attempts.status} in ('submitted', 'expired') and ${attempts.submittedAt} >= ${dayStart} then 1 else 0 end)`,
                participants: sql<number>`count(distinct ${attempts.userId})`,
              })
              .from(attempts)
              .where(inArray(attempts.roundId, roundIds))
              .groupBy(attempts.roundId)
              .all();
      // Counted per quarter hour in SQL (at most 96 rows a day), so that the caller can place
      // each bucket in a local day of any time zone (every offset in use is a quarter hour).
      const quarter = sql<number>`${entries.createdAt} / 900000`;
      const entryBuckets = db
        .select({ bucket: quarter, n: count() })
        .from(entries)
        .where(and(eq(entries.contestId, contestId), gte(entries.createdAt, since)))
        .groupBy(quarter)
        .all();
      const submitQuarter = sql<number>`${attempts.submittedAt} / 900000`;
      const submitBuckets =
        roundIds.length === 0
          ? []
          : db
              .select({ bucket: submitQuarter, n: count() })
              .from(attempts)
              .where(
                and(
                  inArray(attempts.roundId, roundIds),
                  inArray(attempts.status, ['submitted', 'expired']),
                  gte(attempts.submittedAt, since),
                ),
              )
              .groupBy(submitQuarter)
              .all();
      return {
        perRound,
        entries:
          db.select({ n: count() }).from(entries).where(eq(entries.contestId, contestId)).get()?.n ?? 0,
        entryBuckets,
        submitBuckets,
      };
    },
  };
}

export type AuthoringRepository = ReturnType<typeof createAuthoringRepository>;
