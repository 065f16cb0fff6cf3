// Accounts and sessions.
import { and, eq, gt, like, lt, or, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { sessions, users, type Role } from './schema.ts';

export type UserRow = typeof users.$inferSelect;

export function createUserRepository(db: Db) {
  return {
    async create(u: { email: string; name: string; passwordHash: string; roles: Role[] }) {
      return db
        .insert(users)
        .values({ ...u, createdAt: Date.now() })
        .returning()
        .get();
    },
    async findByEmail(email: string): Promise<UserRow | undefined> {
      return db.select().from(users).where(eq(users.email, email)).get();
    },
    async findById(id: number): Promise<UserRow | undefined> {
      return db.select().from(users).where(eq(users.id, id)).get();
    },
    async update(id: number, patch: Partial<Pick<UserRow, 'name' | 'passwordHash' | 'roles'>>) {
      return db.update(users).set(patch).where(eq(users.id, id)).returning().get();
    },
    async list(q: string | undefined, limit: number, offset: number): Promise<UserRow[]> {
      const where = q ? or(like(users.email, `%${q}%`), like(users.name, `%${q}%`)) : undefined;
      return db.select().from(users).where(where).orderBy(users.id).limit(limit).offset(offset).all();
    },
  };
}

export function createSessionRepository(db: Db) {
  // Runs on every signed-in request: prepared once.
  const findUser = db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sql.placeholder('id')), gt(sessions.expiresAt, sql.placeholder('now'))))
    .prepare();
  return {
    async create(id: string, userId: number, expiresAt: number): Promise<void> {
      db.insert(sessions).values({ id, userId, createdAt: Date.now(), expiresAt }).run();
    },
    /** The session's user when the session exists and has not expired. */
    async findUser(id: string, now: number): Promise<UserRow | undefined> {
      return findUser.get({ id, now })?.user;
    },
    async delete(id: string): Promise<void> {
      db.delete(sessions).where(eq(sessions.id, id)).run();
    },
    async deleteExpired(now: number): Promise<number> {
      return db.delete(sessions).where(lt(sessions.expiresAt, now)).run().changes;
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
export type SessionRepository = ReturnType<typeof createSessionRepository>;
