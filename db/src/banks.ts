// Question banks and questions.
import { and, asc, count, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
import {
  attemptQuestions,
  banks,
  questions,
  questionTags,
  type QuestionStatus,
  type QuestionType,
  type StoredOption,
} from './schema.ts';

export type BankRow = typeof banks.$inferSelect;
export type QuestionRow = typeof questions.$inferSelect;

export interface NewQuestion {
  type: QuestionType;
  stem: string;
  options: StoredOption[];
  points: number;
  tags: string[];
  difficulty: number | null;
  explanation: string | null;
}

export interface QuestionFilter {
  q?: string;
  type?: QuestionType;
  tag?: string;
  difficulty?: number;
  status?: QuestionStatus;
  ids?: number[];
}

export type QuestionSort = 'newest' | 'oldest' | 'stem' | 'difficulty';

export function createBankRepository(db: Db) {
  const filterConds = (bankId: number, f: QuestionFilter): SQL[] => {
    const conds: SQL[] = [eq(questions.bankId, bankId), eq(questions.status, f.status ?? 'active')];
    if (f.type) conds.push(eq(questions.type, f.type));
    if (f.difficulty !== undefined) conds.push(eq(questions.difficulty, f.difficulty));
    if (f.ids) conds.push(inArray(questions.id, f.ids));
    if (f.tag) {
      conds.push(
        inArray(
          questions.id,
          db.select({ id: questionTags.questionId }).from(questionTags).where(eq(questionTags.tag, f.tag)),
        ),
      );
    }
    if (f.q) {
      const pattern = `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      conds.push(
        or(
          sql`${questions.stem} LIKE ${pattern} ESCAPE '\\'`,
          sql`${questions.options} LIKE ${pattern} ESCAPE '\\'`,
          sql`${questions.explanation} LIKE ${pattern} ESCAPE '\\'`,
        )!,
      );
    }
    return conds;
  };

  const setTags = (tx: Db, questionId: number, tags: string[]) => {
    tx.delete(questionTags).where(eq(questionTags.questionId, questionId)).run();
    const unique = [...new Set(tags)];
    if (unique.length > 0)
      tx.insert(questionTags)
        .values(unique.map((tag) => ({ questionId, tag })))
        .run();
  };

  return {
    async create(ownerId: number, name: string): Promise<BankRow> {
      return db.insert(banks).values({ ownerId, name, createdAt: Date.now() }).returning().get();
    },
    async get(id: number): Promise<BankRow | undefined> {
      return db.select().from(banks).where(eq(banks.id, id)).get();
    },
    /** Banks with their count of active questions; all banks when ownerId is null. */
    async list(ownerId: number | null) {
      return db
        .select({
          id: banks.id,
          name: banks.name,
          ownerId: banks.ownerId,
          questionCount: sql<number>`(select count(*) from ${questions} where ${questions.bankId} = "banks"."id" and ${questions.status} = 'active')`,
        })
        .from(banks)
        .where(ownerId === null ? undefined : eq(banks.ownerId, ownerId))
        .orderBy(banks.id)
        .all();
    },
    async addQuestions(bankId: number, items: NewQuestion[]): Promise<number[]> {
      return db.transaction((tx) => {
        const now = Date.now();
        const ids: number[] = [];
        for (const q of items) {
          const inserted = tx
            .insert(questions)
            .values({ ...q, bankId, status: 'active', revision: 1, createdAt: now, updatedAt: now })
            .returning({ id: questions.id })
            .get();
          const row = tx
            .update(questions)
            .set({ rootId: inserted.id })
            .where(eq(questions.id, inserted.id))
            .returning({ id: questions.id })
            .get()!;
          const tags = [...new Set(q.tags)];
          if (tags.length > 0) {
            tx.insert(questionTags)
              .values(tags.map((tag) => ({ questionId: row.id, tag })))
              .run();
          }
          ids.push(row.id);
        }
        return ids;
      });
    },
    async listQuestions(bankId: number): Promise<QuestionRow[]> {
      return db.select().from(questions).where(eq(questions.bankId, bankId)).orderBy(questions.id).all();
    },
    async questionsByIds(ids: number[]): Promise<QuestionRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(questions).where(inArray(questions.id, ids)).all();
    },
    /** Ids of the bank's active questions having any of `tags` and one of `difficulty`. */
    async candidateIds(rule: { bankId: number; tags?: string[]; difficulty?: number[] }) {
      const conds = [eq(questions.bankId, rule.bankId), eq(questions.status, 'active')];
      if (rule.difficulty && rule.difficulty.length > 0) {
        conds.push(inArray(questions.difficulty, rule.difficulty));
      }
      if (rule.tags && rule.tags.length > 0) {
        conds.push(
          inArray(
            questions.id,
            db
              .select({ id: questionTags.questionId })
              .from(questionTags)
              .where(inArray(questionTags.tag, rule.tags)),
          ),
        );
      }
      const rows = db
        .select({ id: questions.id })
        .from(questions)
        .where(and(...conds))
        .orderBy(questions.id)
        .all();
      return rows.map((r) => r.id);
    },
    async update(id: number, name: string): Promise<BankRow | undefined> {
      return db.update(banks).set({ name }).where(eq(banks.id, id)).returning().get();
    },
    /** A page of a bank's questions matching the filter, searched and sorted in SQL. */
    async search(bankId: number, f: QuestionFilter, sort: QuestionSort, limit: number, offset: number) {
      const where = and(...filterConds(bankId, f));
      const order =
        sort === 'oldest'
          ? [asc(questions.id)]
          : sort === 'stem'
            ? [asc(questions.stem), asc(questions.id)]
            : sort === 'difficulty'
              ? [asc(questions.difficulty), asc(questions.id)]
              : [desc(questions.id)];
      const rows = db
        .select()
        .from(questions)
        .where(where)
        .orderBy(...order)
        .limit(limit)
        .offset(offset)
        .all();
      const total = db.select({ n: count() }).from(questions).where(where).get()?.n ?? 0;
      return { total, rows };
    },
    /** Every question of the bank matching the filter (exports), in id order. */
    async matching(bankId: number, f: QuestionFilter): Promise<QuestionRow[]> {
      return db
        .select()
        .from(questions)
        .where(and(...filterConds(bankId, f)))
        .orderBy(asc(questions.id))
        .all();
    },
    async question(id: number): Promise<QuestionRow | undefined> {
      return db.select().from(questions).where(eq(questions.id, id)).get();
    },
    /** Every revision of a question, oldest first. */
    async history(rootId: number): Promise<QuestionRow[]> {
      return db
        .select()
        .from(questions)
        .where(eq(questions.rootId, rootId))
        .orderBy(asc(questions.revision))
        .all();
    },
    /** Whether any attempt showed this question (then it is never changed in place). */
    async isUsed(id: number): Promise<boolean> {
      return !!db
        .select({ one: sql`1` })
        .from(attemptQuestions)
        .where(eq(attemptQuestions.questionId, id))
        .limit(1)
        .get();
    },
    /**
     * Applies an edit: in place when no attempt has shown the question, otherwise as a new revision
     * that replaces it in draws (the old one is kept, superseded, for the attempts that showed it).
     * Null when the question is no longer active: another edit made a newer revision, or it was
     * retired, since the caller read it (two edits must not both make revision N+1).
     */
    async revise(id: number, q: NewQuestion, used: boolean): Promise<QuestionRow | null> {
      return db.transaction((tx) => {
        const now = Date.now();
        const current = tx.select().from(questions).where(eq(questions.id, id)).get();
        if (current?.status !== 'active') return null;
        if (!used) {
          const row = tx
            .update(questions)
            .set({ ...q, updatedAt: now })
            .where(eq(questions.id, id))
            .returning()
            .get()!;
          setTags(tx, id, q.tags);
          return row;
        }
        tx.update(questions).set({ status: 'superseded', updatedAt: now }).where(eq(questions.id, id)).run();
        const row = tx
          .insert(questions)
          .values({
            ...q,
            bankId: current.bankId,
            status: 'active',
            rootId: current.rootId ?? current.id,
            revision: current.revision + 1,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        setTags(tx, row.id, q.tags);
        return row;
      });
    },
    async retire(bankId: number, ids: number[]): Promise<number> {
      if (ids.length === 0) return 0;
      return db
        .update(questions)
        .set({ status: 'retired', updatedAt: Date.now() })
        .where(and(eq(questions.bankId, bankId), inArray(questions.id, ids), eq(questions.status, 'active')))
        .run().changes;
    },
    /** Adds and removes tags on many questions at once (bulk tagging), in place: tags are not shown to participants. */
    async retag(bankId: number, ids: number[], add: string[], remove: string[]): Promise<number> {
      return db.transaction((tx) => {
        const rows = tx
          .select()
          .from(questions)
          .where(and(eq(questions.bankId, bankId), inArray(questions.id, ids)))
          .all();
        for (const row of rows) {
          const tags = [...new Set([...row.tags.filter((t) => !remove.includes(t)), ...add])];
          tx.update(questions).set({ tags, updatedAt: Date.now() }).where(eq(questions.id, row.id)).run();
          setTags(tx, row.id, tags);
        }
        return rows.length;
      });
    },
    /** Stems of the bank's active questions, for duplicate detection on import. */
    async activeStems(bankId: number) {
      return db
        .select({ id: questions.id, stem: questions.stem })
        .from(questions)
        .where(and(eq(questions.bankId, bankId), eq(questions.status, 'active')))
        .all();
    },
    async questionCount(bankId: number): Promise<number> {
      const row = db.select({ n: count() }).from(questions).where(eq(questions.bankId, bankId)).get();
      return row?.n ?? 0;
    },
  };
}

export type BankRepository = ReturnType<typeof createBankRepository>;
