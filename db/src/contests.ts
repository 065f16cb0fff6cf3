// Contests, their units, rounds and participants' entries.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { contests, entries, rounds, units } from './schema.ts';

export type ContestRow = typeof contests.$inferSelect;
export type RoundRow = typeof rounds.$inferSelect;
export type EntryRow = typeof entries.$inferSelect;
export type UnitRow = typeof units.$inferSelect;
export type NewContest = Omit<typeof contests.$inferInsert, 'id' | 'createdAt'>;
export type NewUnit = { code: string; name: string; parentCode: string | null; headcount: number | null };
export type NewRound = Omit<typeof rounds.$inferInsert, 'id' | 'createdAt'>;

export function createContestRepository(db: Db) {
  // Read on every attempt action and leaderboard read: prepared once.
  const contestById = db
    .select()
    .from(contests)
    .where(eq(contests.id, sql.placeholder('id')))
    .prepare();
  const roundById = db
    .select()
    .from(rounds)
    .where(eq(rounds.id, sql.placeholder('id')))
    .prepare();
  const entryOf = db
    .select()
    .from(entries)
    .where(
      and(eq(entries.contestId, sql.placeholder('contestId')), eq(entries.userId, sql.placeholder('userId'))),
    )
    .prepare();
  return {
    async create(contest: NewContest, unitList: NewUnit[]): Promise<ContestRow> {
      return db.transaction((tx) => {
        const row = tx
          .insert(contests)
          .values({ ...contest, createdAt: Date.now() })
          .returning()
          .get();
        if (unitList.length > 0) {
          tx.insert(units)
            .values(unitList.map((u) => ({ ...u, contestId: row.id })))
            .run();
        }
        return row;
      });
    },
    async bySlug(slug: string): Promise<ContestRow | undefined> {
      return db.select().from(contests).where(eq(contests.slug, slug)).get();
    },
    async byId(id: number): Promise<ContestRow | undefined> {
      return contestById.get({ id });
    },
    async listVisible(): Promise<ContestRow[]> {
      return db
        .select()
        .from(contests)
        .where(inArray(contests.status, ['published', 'closed']))
        .orderBy(asc(contests.id))
        .all();
    },
    async setStatus(id: number, status: ContestRow['status']): Promise<ContestRow | undefined> {
      return db
        .update(contests)
        .set({ status, ...(status === 'published' ? { publishedAt: Date.now() } : {}) })
        .where(eq(contests.id, id))
        .returning()
        .get();
    },
    async units(contestId: number): Promise<UnitRow[]> {
      return db.select().from(units).where(eq(units.contestId, contestId)).orderBy(units.id).all();
    },
    async createRound(round: NewRound): Promise<RoundRow> {
      return db
        .insert(rounds)
        .values({ ...round, createdAt: Date.now() })
        .returning()
        .get();
    },
    async round(id: number): Promise<RoundRow | undefined> {
      return roundById.get({ id });
    },
    async roundsOf(contestId: number): Promise<RoundRow[]> {
      return db
        .select()
        .from(rounds)
        .where(eq(rounds.contestId, contestId))
        .orderBy(asc(rounds.opensAt), asc(rounds.id))
        .all();
    },
    async allRounds(): Promise<RoundRow[]> {
      return db.select().from(rounds).all();
    },
    async entry(contestId: number, userId: number): Promise<EntryRow | undefined> {
      return entryOf.get({ contestId, userId });
    },
    /** `createdAt` defaults to now; the service passes its own clock's time. */
    async createEntry(
      e: Omit<typeof entries.$inferInsert, 'id' | 'createdAt'> & { createdAt?: number },
    ): Promise<EntryRow> {
      return db
        .insert(entries)
        .values({ ...e, createdAt: e.createdAt ?? Date.now() })
        .returning()
        .get();
    },
    async updateEntry(
      id: number,
      patch: Pick<EntryRow, 'fullName' | 'unitCode' | 'groupKey' | 'fields'>,
    ): Promise<EntryRow | undefined> {
      return db.update(entries).set(patch).where(eq(entries.id, id)).returning().get();
    },
  };
}

export type ContestRepository = ReturnType<typeof createContestRepository>;
