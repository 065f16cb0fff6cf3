// Contests, their units, rounds and participants' entries on PostgreSQL: the same repository as
// ../contests.ts. Across nodes: every method is one statement or one transaction of inserts, and
// the unique indexes decide races (contests.slug, units (contest, code), entries (contest, user)):
// the loser gets SQLite's error (UniqueViolationError), as a second writer would on SQLite.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type {
  ContestRepository,
  ContestRow,
  EntryRow,
  NewContest,
  NewRound,
  NewUnit,
  RoundRow,
  UnitRow,
} from '../contests.ts';
import type { PgDb } from './database.ts';
import { contests, entries, rounds, units } from './schema.ts';
import { uniqueAsSqlite } from './users.ts';

/** Rows per multi-row INSERT of units (5 parameters each, far below PostgreSQL's 65535). */
export const UNIT_CHUNK = 500;

export function createPgContestRepository(db: PgDb): ContestRepository {
  // Read on every attempt action and leaderboard read: prepared once per connection.
  const contestById = db
    .select()
    .from(contests)
    .where(eq(contests.id, sql.placeholder('id')))
    .prepare('contests_contest_by_id');
  const roundById = db
    .select()
    .from(rounds)
    .where(eq(rounds.id, sql.placeholder('id')))
    .prepare('contests_round_by_id');
  const entryOf = db
    .select()
    .from(entries)
    .where(
      and(eq(entries.contestId, sql.placeholder('contestId')), eq(entries.userId, sql.placeholder('userId'))),
    )
    .prepare('contests_entry_of');
  return {
    async create(contest: NewContest, unitList: NewUnit[]): Promise<ContestRow> {
      return uniqueAsSqlite(() =>
        db.transaction(async (tx) => {
          const [row] = await tx
            .insert(contests)
            .values({ ...contest, createdAt: Date.now() })
            .returning();
          if (!row) throw new Error('INSERT .. RETURNING gave no row');
          for (let i = 0; i < unitList.length; i += UNIT_CHUNK) {
            await tx
              .insert(units)
              .values(unitList.slice(i, i + UNIT_CHUNK).map((u) => ({ ...u, contestId: row.id })));
          }
          return row;
        }),
      );
    },
    async bySlug(slug: string): Promise<ContestRow | undefined> {
      return (await db.select().from(contests).where(eq(contests.slug, slug)))[0];
    },
    async byId(id: number): Promise<ContestRow | undefined> {
      return (await contestById.execute({ id }))[0];
    },
    async listVisible(): Promise<ContestRow[]> {
      return db
        .select()
        .from(contests)
        .where(inArray(contests.status, ['published', 'closed']))
        .orderBy(asc(contests.id));
    },
    async setStatus(id: number, status: ContestRow['status']): Promise<ContestRow | undefined> {
      const [row] = await db
        .update(contests)
        .set({ status, ...(status === 'published' ? { publishedAt: Date.now() } : {}) })
        .where(eq(contests.id, id))
        .returning();
      return row;
    },
    async units(contestId: number): Promise<UnitRow[]> {
      return db.select().from(units).where(eq(units.contestId, contestId)).orderBy(units.id);
    },
    async createRound(round: NewRound): Promise<RoundRow> {
      const [row] = await db
        .insert(rounds)
        .values({ ...round, createdAt: Date.now() })
        .returning();
      if (!row) throw new Error('INSERT .. RETURNING gave no row');
      return row;
    },
    async round(id: number): Promise<RoundRow | undefined> {
      return (await roundById.execute({ id }))[0];
    },
    async roundsOf(contestId: number): Promise<RoundRow[]> {
      return db
        .select()
        .from(rounds)
        .where(eq(rounds.contestId, contestId))
        .orderBy(asc(rounds.opensAt), asc(rounds.id));
    },
    async allRounds(): Promise<RoundRow[]> {
      // SQLite scans the table in rowid order.
      return db.select().from(rounds).orderBy(asc(rounds.id));
    },
    async entry(contestId: number, userId: number): Promise<EntryRow | undefined> {
      return (await entryOf.execute({ contestId, userId }))[0];
    },
    /** `createdAt` defaults to now; the service passes its own clock's time. */
    async createEntry(
      e: Omit<typeof entries.$inferInsert, 'id' | 'createdAt'> & { createdAt?: number },
    ): Promise<EntryRow> {
      const [row] = await uniqueAsSqlite(() =>
        db
          .insert(entries)
          .values({ ...e, createdAt: e.createdAt ?? Date.now() })
          .returning(),
      );
      if (!row) throw new Error('INSERT .. RETURNING gave no row');
      return row;
    },
    async updateEntry(
      id: number,
      patch: Pick<EntryRow, 'fullName' | 'unitCode' | 'groupKey' | 'fields'>,
    ): Promise<EntryRow | undefined> {
      return (await db.update(entries).set(patch).where(eq(entries.id, id)).returning())[0];
    },
  };
}
