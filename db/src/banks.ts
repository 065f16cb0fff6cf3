// Question banks and questions.
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import { banks, questions, questionTags, type QuestionType, type StoredOption } from './schema.ts';

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

export function createBankRepository(db: Db) {
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
          const row = tx
            .insert(questions)
            .values({ ...q, bankId, status: 'active', createdAt: now, updatedAt: now })
            .returning({ id: questions.id })
            .get();
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
    async questionCount(bankId: number): Promise<number> {
      const row = db.select({ n: count() }).from(questions).where(eq(questions.bankId, bankId)).get();
      return row?.n ?? 0;
    },
  };
}
