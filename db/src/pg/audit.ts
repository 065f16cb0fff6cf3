// The audit log on PostgreSQL: one hash chain however many nodes append at once, and the same
// repository as ../audit.ts (the check itself, verifyAuditLog, is shared).
//
// Across nodes: an append takes a transaction-scoped advisory lock before it reads the head, so
// appends are serialised in the database (each sees the previous one committed, or waits for it to
// commit or roll back), and the entry commits with the change it records.
//
// Ids issued. SQLite's sqlite_sequence is written in the appending transaction, so verify can
// tell a log whose newest entries were deleted (it ends below the ids issued) from one that never
// had them. A PostgreSQL sequence is not transactional: an append whose transaction fails after
// its INSERT leaves the sequence ahead of the log, which would read as deleted entries. So the
// identity sequence is not used: under the lock, the entry's id is given explicitly as one more
// than the highest id issued, and that counter lives in audit_log_issued (one row), written by
// the same statement as the entry. It commits or rolls back with it, never runs ahead of the
// log, and is as easy (or hard) to wind back as sqlite_sequence. Ids stay gapless, as on SQLite,
// which verify relies on: a gap in the ids is entries deleted, even when the log was appended to
// since and the chain's links hold across it.
// (Taking the greater of the counter and the head keeps appends working if the row was removed.)
// Every append must therefore go through appendPgAudit or appendPgAuditMany (a run of entries
// under one lock, in one statement): a bare INSERT would take an id from the unused sequence and
// collide with an entry.
//
// verify reads its last part (the entries after the pages it walked, and the ids issued) under the
// same lock, so no append can land between the two reads.
import { and, asc, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import {
  auditRow,
  entryHash,
  GENESIS_HASH,
  verifyAuditLog,
  type AuditEntry,
  type AuditLogReader,
  type AuditRepository,
  type AuditRow,
  type ChainReport,
  type VerifyOptions,
} from '../audit.ts';
import type { PgDb } from './database.ts';
import { columnsAs, fromDriver, pgArray } from './rows.ts';
import { answerLog, auditLog, auditLogIssued, roundFinalisations } from './schema.ts';

/** A transaction of PgDb (what db.transaction passes to its callback). */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

/** Key of the advisory lock that serialises appends (hashtext of this name, the same on every node). */
export const AUDIT_LOCK = 'quizarena.audit_log';

const ISSUED_ROW = 1;

/** Takes the append lock for the rest of tx (re-entrant: a transaction may take it again). */
const lockAudit = (tx: PgTx) => tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${AUDIT_LOCK}))`);

/**
 * Takes the append lock and reads the head: the entry that will precede the next one appended in
 * tx. For a change that records the head before its own entry (a finalisation).
 */
export async function lockPgAuditHead(tx: PgTx): Promise<{ id: number; hash: string } | null> {
  await lockAudit(tx);
  const [head] = await tx
    .select({ id: auditLog.id, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(1);
  return head ?? null;
}

/** Appends inside the caller's transaction (tx must be one: the lock is released at its end). */
export async function appendPgAudit(tx: PgTx, entry: AuditEntry): Promise<AuditRow> {
  const [row] = await appendPgAuditMany(tx, [entry]);
  if (!row) throw new Error('INSERT .. RETURNING gave no row');
  return row;
}

/**
 * Appends `entries`, in their order, as one segment of the chain: the lock is taken and the head
 * read once, ids and links are given here (each entry links to the one before it in the list), and
 * one statement inserts them all and moves the issued counter to the last id. For group commits
 * (pg/attempt-writer.ts): one lock and one statement for a whole batch. Inside the caller's
 * transaction, as appendPgAudit.
 */
export async function appendPgAuditMany(tx: PgTx, entries: readonly AuditEntry[]): Promise<AuditRow[]> {
  if (entries.length === 0) return [];
  await lockAudit(tx);
  // Read after the lock is held, in a statement of its own: its snapshot then includes the
  // append that held the lock before.
  const { rows } = await tx.execute<{ id: number | null; hash: string | null; issued: number | null }>(sql`
    SELECT h.id, h.hash, (SELECT ${auditLogIssued.lastId} FROM ${auditLogIssued} WHERE ${auditLogIssued.id} = ${ISSUED_ROW}) AS issued
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1) h ON true`);
  const head = rows[0];
  let prevHash = head?.hash ?? GENESIS_HASH;
  let id = Math.max(head?.issued ?? 0, head?.id ?? 0);
  const col = {
    id: [] as number[],
    at: [] as number[],
    actorId: [] as (number | null)[],
    action: [] as string[],
    targetType: [] as string[],
    targetId: [] as string[],
    data: [] as unknown[],
    ip: [] as (string | null)[],
    userAgent: [] as (string | null)[],
    prevHash: [] as string[],
    hash: [] as string[],
  };
  for (const entry of entries) {
    const row = auditRow(entry);
    const own = entryHash(prevHash, row);
    col.id.push(++id);
    col.at.push(row.at);
    col.actorId.push(row.actorId);
    col.action.push(row.action);
    col.targetType.push(row.targetType);
    col.targetId.push(row.targetId);
    col.data.push(row.data);
    col.ip.push(row.ip);
    col.userAgent.push(row.userAgent);
    col.prevHash.push(prevHash);
    col.hash.push(own);
    prevHash = own;
  }
  // The counter moves in the same statement as the entries: it commits or rolls back with them.
  const inserted = await tx.execute<AuditRow>(sql`
    WITH issue AS (
      INSERT INTO audit_log_issued (id, last_id) VALUES (${ISSUED_ROW}, ${id})
      ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id
    )
    INSERT INTO audit_log AS l (id, at, actor_id, action, target_type, target_id, data, ip, user_agent, prev_hash, hash)
    SELECT * FROM ROWS FROM (unnest(${pgArray(col.id, 'int')}), unnest(${pgArray(col.at, 'bigint')}),
      unnest(${pgArray(col.actorId, 'int')}), unnest(${pgArray(col.action, 'text')}),
      unnest(${pgArray(col.targetType, 'text')}), unnest(${pgArray(col.targetId, 'text')}),
      -- The data as one json array, zipped with the other arrays: pg's escaping of a text[] of
      -- JSON costs more than the JSON itself. Each entry's data is stored as JSON.stringify wrote
      -- it, as drizzle stores a json column.
      json_array_elements(${JSON.stringify(col.data)}::json),
      unnest(${pgArray(col.ip, 'text')}), unnest(${pgArray(col.userAgent, 'text')}),
      unnest(${pgArray(col.prevHash, 'text')}), unnest(${pgArray(col.hash, 'text')}))
    RETURNING ${columnsAs(auditLog, 'l')}`);
  if (inserted.rows.length !== entries.length) throw new Error('INSERT .. RETURNING gave too few rows');
  return fromDriver(auditLog, inserted.rows).sort((x, y) => x.id - y.id);
}

export function createPgAuditRepository(db: PgDb): AuditRepository {
  const entriesAfter = (q: PgDb | PgTx, afterId: number, limit?: number) => {
    const query = q.select().from(auditLog).where(gt(auditLog.id, afterId)).orderBy(asc(auditLog.id));
    return limit === undefined ? query : query.limit(limit);
  };
  const savesOf = db
    .select({
      id: answerLog.id,
      attemptId: answerLog.attemptId,
      questionId: answerLog.questionId,
      // The stored text, as it was hashed: json keeps its input text, ::text gives it back unparsed.
      optionIdsJson: sql<string>`${answerLog.optionIds}::text`,
      savedAt: answerLog.savedAt,
      ip: answerLog.ip,
      userAgent: answerLog.userAgent,
      hash: answerLog.hash,
    })
    .from(answerLog)
    .where(eq(answerLog.attemptId, sql.placeholder('attemptId')))
    .orderBy(asc(answerLog.id))
    .prepare('audit_saves_of');

  const reader: AuditLogReader = {
    page: async (afterId, limit) => entriesAfter(db, afterId, limit),
    // Under the append lock: no entry can commit between the two reads.
    tail: (afterId) =>
      db.transaction(async (tx) => {
        await lockAudit(tx);
        const rows = await entriesAfter(tx, afterId);
        const [issued] = await tx
          .select({ lastId: auditLogIssued.lastId })
          .from(auditLogIssued)
          .where(eq(auditLogIssued.id, ISSUED_ROW));
        return { rows, issued: issued?.lastId };
      }),
    finalisations: async () =>
      db
        .select({
          id: roundFinalisations.id,
          roundId: roundFinalisations.roundId,
          hash: roundFinalisations.hash,
          createdAt: roundFinalisations.createdAt,
        })
        .from(roundFinalisations)
        .orderBy(asc(roundFinalisations.id)),
    saves: async (attemptId) => savesOf.execute({ attemptId }),
  };

  return {
    async append(entry: AuditEntry): Promise<AuditRow> {
      return db.transaction((tx) => appendPgAudit(tx, entry));
    },
    async head(): Promise<{ id: number; hash: string } | null> {
      const [row] = await db
        .select({ id: auditLog.id, hash: auditLog.hash })
        .from(auditLog)
        .orderBy(desc(auditLog.id))
        .limit(1);
      return row ?? null;
    },
    async finalisationEntry(roundId: number, finalisationId: number) {
      const [row] = await db
        .select({ id: auditLog.id, hash: auditLog.hash })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.targetType, 'round'),
            eq(auditLog.targetId, String(roundId)),
            eq(auditLog.action, 'round.finalize'),
            // Compared as text: a cast could fail on some other row's value before the filters
            // above exclude it. JSON.stringify writes an integer as its digits.
            sql`${auditLog.data}->>'finalisationId' = ${String(finalisationId)}`,
          ),
        )
        .orderBy(asc(auditLog.id))
        .limit(1);
      return row ?? null;
    },
    async list(
      filter: { targetType?: string; targetId?: string; action?: string },
      limit: number,
      offset: number,
    ) {
      const conds: SQL[] = [];
      if (filter.targetType) conds.push(eq(auditLog.targetType, filter.targetType));
      if (filter.targetId) conds.push(eq(auditLog.targetId, filter.targetId));
      if (filter.action) conds.push(eq(auditLog.action, filter.action));
      return db
        .select()
        .from(auditLog)
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(desc(auditLog.id))
        .limit(limit)
        .offset(offset);
    },
    async verify(options: VerifyOptions = {}): Promise<ChainReport> {
      return verifyAuditLog(reader, options);
    },
  };
}
