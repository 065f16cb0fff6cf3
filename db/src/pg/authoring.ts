// What organisers need beyond the participant's path, on PostgreSQL: the same repository as
// ../authoring.ts, with the same rows in the same order (names and tags sort under COLLATE "C",
// as SQLite's BINARY; grouped figures come in their group's order, as SQLite's GROUP BY gives them).
// Across nodes: shares and images are idempotent inserts (ON CONFLICT DO NOTHING on their keys),
// the other writes are single statements, and updateContest locks the contest's row first, so that
// two nodes replacing the same contest's units one after the other cannot mix their unit lists.
import { and, asc, count, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { AuthoringRepository, ImageRow, ShareKind, ShareRow } from '../authoring.ts';
import type { ContestRow, NewRound, NewUnit, RoundRow } from '../contests.ts';
import { UNIT_CHUNK } from './contests.ts';
import type { PgDb } from './database.ts';
import { binary } from './reports.ts';
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
import { uniqueAsSqlite } from './users.ts';

export function createPgAuthoringRepository(db: PgDb): AuthoringRepository {
  const shareTable = (kind: ShareKind) =>
    kind === 'bank'
      ? { table: bankShares, key: bankShares.bankId, user: bankShares.userId }
      : { table: contestShares, key: contestShares.contestId, user: contestShares.userId };

  return {
    async isSharedWith(kind: ShareKind, id: number, userId: number): Promise<boolean> {
      const s = shareTable(kind);
      const rows = await db
        .select({ one: sql<number>`1` })
        .from(s.table)
        .where(and(eq(s.key, id), eq(s.user, userId)))
        .limit(1);
      return rows.length > 0;
    },
    async shares(kind: ShareKind, id: number): Promise<ShareRow[]> {
      const s = shareTable(kind);
      return db
        .select({ userId: users.id, email: users.email, name: users.name })
        .from(s.table)
        .innerJoin(users, eq(users.id, s.user))
        .where(eq(s.key, id))
        .orderBy(asc(binary(users.name)), asc(users.id));
    },
    async share(kind: ShareKind, id: number, userId: number): Promise<void> {
      if (kind === 'bank') {
        await db
          .insert(bankShares)
          .values({ bankId: id, userId, createdAt: Date.now() })
          .onConflictDoNothing();
      } else {
        await db
          .insert(contestShares)
          .values({ contestId: id, userId, createdAt: Date.now() })
          .onConflictDoNothing();
      }
    },
    async unshare(kind: ShareKind, id: number, userId: number): Promise<boolean> {
      const s = shareTable(kind);
      const result = await db.delete(s.table).where(and(eq(s.key, id), eq(s.user, userId)));
      return (result.rowCount ?? 0) > 0;
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
          questionCount:
            sql<number>`(select count(*) from ${questions} where ${questions.bankId} = ${banks.id} and ${questions.status} = 'active')`.mapWith(
              Number,
            ),
        })
        .from(banks)
        .innerJoin(users, eq(users.id, banks.ownerId))
        .where(and(eq(banks.status, status), visible))
        .orderBy(asc(binary(banks.name)), asc(banks.id));
    },
    async setBankStatus(bankId: number, status: 'active' | 'retired'): Promise<void> {
      await db.update(banks).set({ status, updatedAt: Date.now() }).where(eq(banks.id, bankId));
    },
    async touchBank(bankId: number): Promise<void> {
      await db.update(banks).set({ updatedAt: Date.now() }).where(eq(banks.id, bankId));
    },
    /** Tags of the bank's active questions with how many carry each. */
    async bankTags(bankId: number): Promise<{ tag: string; count: number }[]> {
      return db
        .select({ tag: questionTags.tag, count: count() })
        .from(questionTags)
        .innerJoin(questions, eq(questions.id, questionTags.questionId))
        .where(and(eq(questions.bankId, bankId), eq(questions.status, 'active')))
        .groupBy(questionTags.tag)
        .orderBy(asc(binary(questionTags.tag)));
    },
    async bankQuestionCount(bankId: number): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(questions)
        .where(and(eq(questions.bankId, bankId), eq(questions.status, 'active')));
      return row?.n ?? 0;
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
          rounds:
            sql<number>`(select count(*) from ${rounds} where ${rounds.contestId} = ${contests.id})`.mapWith(
              Number,
            ),
          entries:
            sql<number>`(select count(*) from ${entries} where ${entries.contestId} = ${contests.id})`.mapWith(
              Number,
            ),
        })
        .from(contests)
        .innerJoin(users, eq(users.id, contests.ownerId))
        .where(visible)
        .orderBy(desc(contests.createdAt), desc(contests.id));
    },
    async ownerName(userId: number): Promise<string> {
      return (await db.select({ name: users.name }).from(users).where(eq(users.id, userId)))[0]?.name ?? '';
    },
    async entryCount(contestId: number): Promise<number> {
      return (
        (await db.select({ n: count() }).from(entries).where(eq(entries.contestId, contestId)))[0]?.n ?? 0
      );
    },
    /** Unit codes and group keys that entries of the contest use (they cannot be removed). */
    async usedCodes(contestId: number): Promise<{ units: Set<string>; groups: Set<string> }> {
      // In SQLite's order (distinct pairs as its index on (contest, user) first meets them), which
      // decides the unit a refusal names first.
      const rows = await db
        .select({ unit: entries.unitCode, group: entries.groupKey })
        .from(entries)
        .where(eq(entries.contestId, contestId))
        .groupBy(entries.unitCode, entries.groupKey)
        .orderBy(sql`min(${entries.userId})`);
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
      return uniqueAsSqlite(() =>
        db.transaction(async (tx) => {
          // The contest's row serialises edits: a second one's DELETE of the units then sees (and
          // removes) the units the first one wrote.
          await tx.select({ id: contests.id }).from(contests).where(eq(contests.id, contestId)).for('update');
          if (Object.keys(patch).length > 0)
            await tx.update(contests).set(patch).where(eq(contests.id, contestId));
          if (unitList) {
            await tx.delete(units).where(eq(units.contestId, contestId));
            for (let i = 0; i < unitList.length; i += UNIT_CHUNK) {
              await tx
                .insert(units)
                .values(unitList.slice(i, i + UNIT_CHUNK).map((u) => ({ ...u, contestId })));
            }
          }
          return (await tx.select().from(contests).where(eq(contests.id, contestId)))[0]!;
        }),
      );
    },
    async slugTaken(slug: string, exceptId: number): Promise<boolean> {
      const [row] = await db.select({ id: contests.id }).from(contests).where(eq(contests.slug, slug));
      return !!row && row.id !== exceptId;
    },
    async attemptCount(roundId: number): Promise<number> {
      return (await db.select({ n: count() }).from(attempts).where(eq(attempts.roundId, roundId)))[0]?.n ?? 0;
    },
    async attemptCounts(roundIds: number[]): Promise<Map<number, number>> {
      if (roundIds.length === 0) return new Map();
      const rows = await db
        .select({ roundId: attempts.roundId, n: count() })
        .from(attempts)
        .where(inArray(attempts.roundId, roundIds))
        .groupBy(attempts.roundId)
        .orderBy(asc(attempts.roundId));
      return new Map(rows.map((r) => [r.roundId, r.n]));
    },
    async updateRound(roundId: number, patch: Partial<NewRound>): Promise<RoundRow> {
      return (await db.update(rounds).set(patch).where(eq(rounds.id, roundId)).returning())[0]!;
    },
    async deleteRound(roundId: number): Promise<void> {
      await db.delete(rounds).where(eq(rounds.id, roundId));
    },

    async image(sha256: string): Promise<ImageRow | undefined> {
      return (await db.select().from(images).where(eq(images.sha256, sha256)))[0];
    },
    async addImage(row: ImageRow): Promise<void> {
      await db.insert(images).values(row).onConflictDoNothing();
    },

    /** The dashboard's figures for a contest; `dayStart` is the start of today in its time zone. */
    async dashboard(contestId: number, dayStart: number, since: number) {
      const roundRows = await db
        .select({ id: rounds.id })
        .from(rounds)
        .where(eq(rounds.contestId, contestId))
        .orderBy(asc(rounds.id));
      const roundIds = roundRows.map((r) => r.id);
      // sum() of integers and count() are bigint, which drizzle's queries read as text: as numbers here.
      const perRound =
        roundIds.length === 0
          ? []
          : await db
              .select({
                roundId: attempts.roundId,
                inProgress:
                  sql<number>`sum(case when ${attempts.status} = 'in_progress' then 1 else 0 end)`.mapWith(
                    Number,
                  ),
                submitted:
                  sql<number>`sum(case when ${attempts.status} in ('submitted', 'expired') then 1 else 0 end)`.mapWith(
                    Number,
                  ),
                submittedToday:
                  sql<number>`sum(case when ${attempts.status} in ('submitted', 'expired') and ${attempts.submittedAt} >= ${dayStart} then 1 else 0 end)`.mapWith(
                    Number,
                  ),
                participants: sql<number>`count(distinct ${attempts.userId})`.mapWith(Number),
              })
              .from(attempts)
              .where(inArray(attempts.roundId, roundIds))
              .groupBy(attempts.roundId)
              .orderBy(asc(attempts.roundId));
      // Counted per quarter hour in SQL (at most 96 rows a day), so that the caller can place
      // each bucket in a local day of any time zone (every offset in use is a quarter hour).
      // bigint / integer divides as SQLite's integers do (times are positive: no rounding to mind);
      // the divisor is literal SQL, so that GROUP BY and the select list are the same expression.
      const quarter = sql<number>`${entries.createdAt} / 900000`.mapWith(Number);
      const entryBuckets = await db
        .select({ bucket: quarter, n: count() })
        .from(entries)
        .where(and(eq(entries.contestId, contestId), gte(entries.createdAt, since)))
        .groupBy(quarter)
        .orderBy(quarter);
      const submitQuarter = sql<number>`${attempts.submittedAt} / 900000`.mapWith(Number);
      const submitBuckets =
        roundIds.length === 0
          ? []
          : await db
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
              .orderBy(submitQuarter);
      const [total] = await db.select({ n: count() }).from(entries).where(eq(entries.contestId, contestId));
      return {
        perRound,
        entries: total?.n ?? 0,
        entryBuckets,
        submitBuckets,
      };
    },
  };
}
