// Question banks and questions on PostgreSQL: the same repository as ../banks.ts, with the same
// rows in the same order (text sorts under COLLATE "C" as SQLite's BINARY does, a nullable key
// ascending puts NULLs first as SQLite does, and where SQLite gives rows without ORDER BY, in the
// order its plan reads them, that order is spelt out) and SQLite's LIKE (ASCII-only case folding).
// Across nodes: an edit (revise) and bulk tagging lock the question rows they read before writing
// them (SELECT .. FOR UPDATE, in id order), so two organisers editing at once are serialised as on
// SQLite's single writer; imports take their ids from the sequence up front, so the ids of one
// import ascend in its order whatever other nodes insert meanwhile.
import { and, asc, count, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type {
  BankRepository,
  BankRow,
  NewQuestion,
  QuestionFilter,
  QuestionRow,
  QuestionSort,
} from '../banks.ts';
import type { PgTx } from './audit.ts';
import type { PgDb } from './database.ts';
import { binary } from './reports.ts';
import { attemptQuestions, banks, questions, questionTags } from './schema.ts';
import { likeAsSqlite } from './users.ts';

/** Rows per multi-row INSERT (questions have 14 columns: 7000 parameters, below PostgreSQL's 65535). */
const CHUNK = 500;

export function createPgBankRepository(db: PgDb): BankRepository {
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
      // As ../banks.ts: the search text's wildcards escaped with a backslash; the options are
      // searched as their JSON text, as SQLite stores it (json keeps the text as written).
      const pattern = `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      conds.push(
        or(
          likeAsSqlite(questions.stem, pattern, '\\'),
          likeAsSqlite(questions.options, pattern, '\\'),
          likeAsSqlite(questions.explanation, pattern, '\\'),
        )!,
      );
    }
    return conds;
  };

  const insertTags = async (tx: PgTx, rows: { questionId: number; tag: string }[]) => {
    for (let i = 0; i < rows.length; i += CHUNK * 4) {
      await tx.insert(questionTags).values(rows.slice(i, i + CHUNK * 4));
    }
  };

  /** Replaces the tag rows of questions (whose rows the caller has locked). */
  const setTags = async (tx: PgTx, tagsOf: Map<number, string[]>) => {
    if (tagsOf.size === 0) return;
    await tx.delete(questionTags).where(inArray(questionTags.questionId, [...tagsOf.keys()]));
    await insertTags(
      tx,
      [...tagsOf].flatMap(([questionId, tags]) => [...new Set(tags)].map((tag) => ({ questionId, tag }))),
    );
  };

  return {
    async create(ownerId: number, name: string): Promise<BankRow> {
      const [row] = await db.insert(banks).values({ ownerId, name, createdAt: Date.now() }).returning();
      if (!row) throw new Error('INSERT .. RETURNING gave no row');
      return row;
    },
    async get(id: number): Promise<BankRow | undefined> {
      return (await db.select().from(banks).where(eq(banks.id, id)))[0];
    },
    /** Banks with their count of active questions; all banks when ownerId is null. */
    async list(ownerId: number | null) {
      return db
        .select({
          id: banks.id,
          name: banks.name,
          ownerId: banks.ownerId,
          questionCount:
            sql<number>`(select count(*) from ${questions} where ${questions.bankId} = "banks"."id" and ${questions.status} = 'active')`.mapWith(
              Number,
            ),
        })
        .from(banks)
        .where(ownerId === null ? undefined : eq(banks.ownerId, ownerId))
        .orderBy(banks.id);
    },
    /**
     * Adds questions in one transaction, in a few multi-row statements. Their ids are drawn from the
     * sequence first (ascending, in the items' order), so that root_id = id is written with the row.
     */
    async addQuestions(bankId: number, items: NewQuestion[]): Promise<number[]> {
      if (items.length === 0) return [];
      return db.transaction(async (tx) => {
        const now = Date.now();
        const drawn = await tx.execute<{ id: number }>(
          sql`select nextval(pg_get_serial_sequence('questions', 'id'))::int as id from generate_series(1, ${items.length})`,
        );
        const ids = drawn.rows.map((r) => r.id).sort((a, b) => a - b);
        const rows = items.map((q, i) => ({
          ...q,
          id: ids[i]!,
          rootId: ids[i]!,
          bankId,
          status: 'active' as const,
          revision: 1,
          createdAt: now,
          updatedAt: now,
        }));
        for (let i = 0; i < rows.length; i += CHUNK) {
          await tx.insert(questions).values(rows.slice(i, i + CHUNK));
        }
        await insertTags(
          tx,
          items.flatMap((q, i) => [...new Set(q.tags)].map((tag) => ({ questionId: ids[i]!, tag }))),
        );
        return ids;
      });
    },
    async listQuestions(bankId: number): Promise<QuestionRow[]> {
      return db.select().from(questions).where(eq(questions.bankId, bankId)).orderBy(questions.id);
    },
    async questionsByIds(ids: number[]): Promise<QuestionRow[]> {
      if (ids.length === 0) return [];
      // SQLite looks the ids up in the order of its sorted IN list.
      return db.select().from(questions).where(inArray(questions.id, ids)).orderBy(asc(questions.id));
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
      const rows = await db
        .select({ id: questions.id })
        .from(questions)
        .where(and(...conds))
        .orderBy(questions.id);
      return rows.map((r) => r.id);
    },
    async update(id: number, name: string): Promise<BankRow | undefined> {
      return (await db.update(banks).set({ name }).where(eq(banks.id, id)).returning())[0];
    },
    /** A page of a bank's questions matching the filter, searched and sorted in SQL. */
    async search(bankId: number, f: QuestionFilter, sort: QuestionSort, limit: number, offset: number) {
      const where = and(...filterConds(bankId, f));
      const order =
        sort === 'oldest'
          ? [asc(questions.id)]
          : sort === 'stem'
            ? [asc(binary(questions.stem)), asc(questions.id)]
            : sort === 'difficulty'
              ? [sql`${questions.difficulty} asc nulls first`, asc(questions.id)]
              : [desc(questions.id)];
      const rows = await db
        .select()
        .from(questions)
        .where(where)
        .orderBy(...order)
        .limit(limit)
        .offset(offset);
      const total = (await db.select({ n: count() }).from(questions).where(where))[0]?.n ?? 0;
      return { total, rows };
    },
    /** Every question of the bank matching the filter (exports), in id order. */
    async matching(bankId: number, f: QuestionFilter): Promise<QuestionRow[]> {
      return db
        .select()
        .from(questions)
        .where(and(...filterConds(bankId, f)))
        .orderBy(asc(questions.id));
    },
    async question(id: number): Promise<QuestionRow | undefined> {
      return (await db.select().from(questions).where(eq(questions.id, id)))[0];
    },
    /** Every revision of a question, oldest first. */
    async history(rootId: number): Promise<QuestionRow[]> {
      return db
        .select()
        .from(questions)
        .where(eq(questions.rootId, rootId))
        .orderBy(asc(questions.revision), asc(questions.id));
    },
    /** Whether any attempt showed this question (then it is never changed in place). */
    async isUsed(id: number): Promise<boolean> {
      const rows = await db
        .select({ one: sql`1` })
        .from(attemptQuestions)
        .where(eq(attemptQuestions.questionId, id))
        .limit(1);
      return rows.length > 0;
    },
    /**
     * Applies an edit: in place when no attempt has shown the question, otherwise as a new revision
     * that replaces it in draws (the old one is kept, superseded, for the attempts that showed it).
     * The question's row is locked first: a second edit on another node waits and then reads it as
     * the first one left it, as it would after the first on SQLite: no longer active, so null.
     */
    async revise(id: number, q: NewQuestion, used: boolean): Promise<QuestionRow | null> {
      return db.transaction(async (tx) => {
        const now = Date.now();
        const [current] = await tx.select().from(questions).where(eq(questions.id, id)).for('update');
        if (current?.status !== 'active') return null;
        if (!used) {
          const [row] = await tx
            .update(questions)
            .set({ ...q, updatedAt: now })
            .where(eq(questions.id, id))
            .returning();
          await setTags(tx, new Map([[id, q.tags]]));
          return row!;
        }
        await tx.update(questions).set({ status: 'superseded', updatedAt: now }).where(eq(questions.id, id));
        const [row] = await tx
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
          .returning();
        if (!row) throw new Error('INSERT .. RETURNING gave no row');
        await setTags(tx, new Map([[row.id, q.tags]]));
        return row;
      });
    },
    async retire(bankId: number, ids: number[]): Promise<number> {
      if (ids.length === 0) return 0;
      const result = await db
        .update(questions)
        .set({ status: 'retired', updatedAt: Date.now() })
        .where(and(eq(questions.bankId, bankId), inArray(questions.id, ids), eq(questions.status, 'active')));
      return result.rowCount ?? 0;
    },
    /**
     * Adds and removes tags on many questions at once (bulk tagging), in place: tags are not shown to
     * participants. The rows are locked (in id order, so that two bulk edits cannot deadlock) before
     * their tags are read, so that concurrent edits do not lose each other's tags.
     */
    async retag(bankId: number, ids: number[], add: string[], remove: string[]): Promise<number> {
      return db.transaction(async (tx) => {
        const rows = await tx
          .select({ id: questions.id, tags: questions.tags })
          .from(questions)
          .where(and(eq(questions.bankId, bankId), inArray(questions.id, ids)))
          .orderBy(asc(questions.id))
          .for('update');
        if (rows.length === 0) return 0;
        const tagsOf = new Map(
          rows.map((row) => [row.id, [...new Set([...row.tags.filter((t) => !remove.includes(t)), ...add])]]),
        );
        // One UPDATE for every row, each with its own tags: drizzle cannot say that, hence unnest.
        // The JSON text is what drizzle writes for a json column (JSON.stringify).
        await tx.execute(sql`
          update ${questions} set tags = v.tags::json, updated_at = ${Date.now()}
          from unnest(${sql.param([...tagsOf.keys()])}::int[], ${sql.param([...tagsOf.values()].map((t) => JSON.stringify(t)))}::text[]) as v(id, tags)
          where ${questions.id} = v.id`);
        await setTags(tx, tagsOf);
        return rows.length;
      });
    },
    /** Stems of the bank's active questions, for duplicate detection on import. */
    async activeStems(bankId: number) {
      // In the order SQLite reads them (its index on bank, status, difficulty): when two questions
      // share a stem, the caller keeps the last one.
      return db
        .select({ id: questions.id, stem: questions.stem })
        .from(questions)
        .where(and(eq(questions.bankId, bankId), eq(questions.status, 'active')))
        .orderBy(sql`${questions.difficulty} asc nulls first`, asc(questions.id));
    },
    async questionCount(bankId: number): Promise<number> {
      const [row] = await db.select({ n: count() }).from(questions).where(eq(questions.bankId, bankId));
      return row?.n ?? 0;
    },
  };
}
