// Accounts and sessions on PostgreSQL: the same repositories as ../users.ts. Across nodes every
// method is one statement, and the unique indexes (users.email, sessions.id) decide between two
// nodes creating the same row: the loser gets the error SQLite gives (UniqueViolationError below),
// which the sign-up route already turns into EMAIL_TAKEN.
import { and, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Role } from '../schema.ts';
import type { SessionRepository, UserRepository, UserRow } from '../users.ts';
import type { PgDb } from './database.ts';
import { sessions, users } from './schema.ts';

/**
 * A unique index refused a row. Its message is SQLite's ("UNIQUE constraint failed: users.email"),
 * so that callers which tell a taken email or slug from other failures by that text (the sign-up
 * route does) see the same outcome on either store; `cause` keeps PostgreSQL's error.
 */
export class UniqueViolationError extends Error {
  override name = 'UniqueViolationError';
  constructor(
    message: string,
    readonly constraint: string | undefined,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

interface PgDriverError extends Error {
  code?: string;
  table?: string;
  constraint?: string;
  detail?: string;
}

/** The driver's error under drizzle's wrapper (DrizzleQueryError keeps it as the cause). */
const driverError = (err: unknown): unknown =>
  err instanceof Error && err.cause instanceof Error ? err.cause : err;

/** Whether `err` is PostgreSQL's unique violation (23505) of the index or constraint `name`. */
export function violates(err: unknown, name: string): boolean {
  const cause = driverError(err) as PgDriverError;
  return cause instanceof Error && cause.code === '23505' && cause.constraint === name;
}

/** PostgreSQL's unique violation (23505) as a UniqueViolationError; any other error unchanged. */
export function asUniqueViolation(err: unknown): unknown {
  const cause = driverError(err) as PgDriverError;
  if (!(cause instanceof Error) || cause.code !== '23505') return err;
  // detail: "Key (contest_id, code)=(1, A) already exists."
  const columns = /^Key \((.*?)\)=/.exec(cause.detail ?? '')?.[1]?.split(', ') ?? [];
  const names = columns.map((c) => `${cause.table ?? '?'}.${c}`).join(', ');
  return new UniqueViolationError(
    `UNIQUE constraint failed: ${names || cause.constraint}`,
    cause.constraint,
    {
      cause: err,
    },
  );
}

/** Runs a write that a unique index may refuse, reporting the refusal as SQLite does. */
export async function uniqueAsSqlite<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw asUniqueViolation(err);
  }
}

/**
 * `column LIKE pattern` as SQLite evaluates it: case-insensitive for ASCII letters only (lower() under
 * the "C" collation folds A-Z alone, whatever the database's locale) and, without `escape`, no escape
 * character at all (PostgreSQL's default one is the backslash).
 */
export const likeAsSqlite = (column: AnyPgColumn | SQL, pattern: string, escape: '' | '\\' = ''): SQL =>
  sql`lower((${column})::text collate "C") like lower(${pattern}::text collate "C") escape ${escape}::text`;

export function createPgUserRepository(db: PgDb): UserRepository {
  return {
    async create(u: { email: string; name: string; passwordHash: string; roles: Role[] }) {
      const [row] = await uniqueAsSqlite(() =>
        db
          .insert(users)
          .values({ ...u, createdAt: Date.now() })
          .returning(),
      );
      if (!row) throw new Error('INSERT .. RETURNING gave no row');
      return row;
    },
    async findByEmail(email: string): Promise<UserRow | undefined> {
      return (await db.select().from(users).where(eq(users.email, email)))[0];
    },
    async findById(id: number): Promise<UserRow | undefined> {
      return (await db.select().from(users).where(eq(users.id, id)))[0];
    },
    async update(id: number, patch: Partial<Pick<UserRow, 'name' | 'passwordHash' | 'roles'>>) {
      return (await db.update(users).set(patch).where(eq(users.id, id)).returning())[0];
    },
    async list(q: string | undefined, limit: number, offset: number): Promise<UserRow[]> {
      // SQLite's `like(users.email, %q%)`: q's % and _ stay wildcards there too.
      const where = q
        ? or(likeAsSqlite(users.email, `%${q}%`), likeAsSqlite(users.name, `%${q}%`))
        : undefined;
      return db.select().from(users).where(where).orderBy(users.id).limit(limit).offset(offset);
    },
  };
}

export function createPgSessionRepository(db: PgDb): SessionRepository {
  // Runs on every signed-in request: prepared once per connection.
  const findUser = db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sql.placeholder('id')), gt(sessions.expiresAt, sql.placeholder('now'))))
    .prepare('sessions_find_user');
  return {
    async create(id: string, userId: number, expiresAt: number): Promise<void> {
      await uniqueAsSqlite(() =>
        db.insert(sessions).values({ id, userId, createdAt: Date.now(), expiresAt }),
      );
    },
    /** The session's user when the session exists and has not expired. */
    async findUser(id: string, now: number): Promise<UserRow | undefined> {
      return (await findUser.execute({ id, now }))[0]?.user;
    },
    async delete(id: string): Promise<void> {
      await db.delete(sessions).where(eq(sessions.id, id));
    },
    async deleteExpired(now: number): Promise<number> {
      return (await db.delete(sessions).where(lt(sessions.expiresAt, now))).rowCount ?? 0;
    },
  };
}
