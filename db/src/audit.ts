// The append-only audit log. Each entry carries the SHA-256 of the previous entry's hash and its
// own canonical content, so altering or deleting any row breaks the chain from there on, and
// `verify` finds the first broken link. What the chain alone cannot show, verify checks against
// records kept elsewhere: anchors of the head in a file outside the database (audit-anchors.ts)
// and the ids the database has issued, for a log that lost its newest entries; every finalisation's
// entry; and every finalised attempt's chain of answer saves against the head its entry records.
import { hash } from 'node:crypto';
import { and, asc, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
import { ANSWER_GENESIS, answerSaveHash } from './answer-writer.ts';
import type { AuditAnchor } from './audit-anchors.ts';
import { answerLog, auditLog, roundFinalisations } from './schema.ts';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditEntry {
  at: number;
  actorId: number | null;
  action: string;
  targetType: string;
  targetId: string | number;
  data?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

// crypto.hash, one-shot: the same digest as createHash over the same bytes, for less per entry.
export const entryHash = (prevHash: string, e: Omit<AuditRow, 'id' | 'hash' | 'prevHash'>): string =>
  hash(
    'sha256',
    `${prevHash}\n${canonicalJson({
      at: e.at,
      actorId: e.actorId,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      data: e.data,
      ip: e.ip,
      userAgent: e.userAgent,
    })}`,
  );

export const auditRow = (entry: AuditEntry): Omit<AuditRow, 'id' | 'hash' | 'prevHash'> => ({
  at: entry.at,
  actorId: entry.actorId,
  action: entry.action,
  targetType: entry.targetType,
  targetId: String(entry.targetId),
  data: entry.data ?? {},
  ip: entry.ip ?? null,
  userAgent: entry.userAgent ?? null,
});

/** Appends inside the caller's transaction, so the entry commits with the change it records. */
export function appendAudit(tx: Db, entry: AuditEntry): AuditRow {
  const last = tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1).get();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = auditRow(entry);
  return tx
    .insert(auditLog)
    .values({ ...row, prevHash, hash: entryHash(prevHash, row) })
    .returning()
    .get();
}

/**
 * `appendAudit` with its statements prepared once, for hot paths (attempt submissions): building
 * and preparing the SQL on every append cost more than the append. Call the result inside a
 * transaction of `db`: the statements run on its connection, so they join that transaction. The
 * previous hash is read each time, never cached: a cached head would outlive a rollback.
 */
export function createAuditAppender(db: Db): (entry: AuditEntry) => { id: number; hash: string } {
  const lastHash = db
    .select({ hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(1)
    .prepare();
  const insert = db
    .insert(auditLog)
    .values({
      at: sql.placeholder('at'),
      actorId: sql.placeholder('actorId'),
      action: sql.placeholder('action'),
      targetType: sql.placeholder('targetType'),
      targetId: sql.placeholder('targetId'),
      data: sql.placeholder('data'),
      ip: sql.placeholder('ip'),
      userAgent: sql.placeholder('userAgent'),
      prevHash: sql.placeholder('prevHash'),
      hash: sql.placeholder('hash'),
    })
    .prepare();
  return (entry) => {
    const prevHash = lastHash.get()?.hash ?? GENESIS_HASH;
    const row = auditRow(entry);
    const own = entryHash(prevHash, row);
    const { lastInsertRowid } = insert.run({ ...row, prevHash, hash: own });
    return { id: Number(lastInsertRowid), hash: own };
  };
}

export interface ChainReport {
  ok: boolean;
  /** Entries whose link and content were checked. */
  checked: number;
  /** The first entry whose link or content does not match, when broken (or the first missing one). */
  brokenAt: number | null;
  reason: string | null;
  /** Anchors found in the log with their hash. */
  anchors: number;
  /** Finalised attempts whose chain of answer saves matched the head their entry records. */
  answerLogs: number;
}

export interface VerifyOptions {
  /** Anchors of the head kept outside the database (audit-anchors.ts). */
  anchors?: readonly AuditAnchor[];
  /** Problems found reading the anchor file: reported as a broken log. */
  anchorProblems?: readonly string[];
}

/** What a submit or expiry entry records about the attempt's saves (attempts.ts). */
interface AnswerLogHead {
  count: number;
  head: string;
}
const answerLogHead = (data: Record<string, unknown>): AnswerLogHead | null => {
  const v = data.answerLog as Partial<AnswerLogHead> | undefined;
  return v && typeof v.count === 'number' && typeof v.head === 'string'
    ? { count: v.count, head: v.head }
    : null;
};

const iso = (t: number) => new Date(t).toISOString();
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One answer save as stored, with its option ids as the stored JSON text (as it was hashed). */
export interface StoredSave {
  id: number;
  attemptId: number;
  questionId: number;
  optionIdsJson: string;
  savedAt: number;
  ip: string | null;
  userAgent: string | null;
  hash: string | null;
}

/** What `verifyAuditLog` reads, from either store. */
export interface AuditLogReader {
  /** Up to `limit` entries with ids above `afterId`, in id order. */
  page(afterId: number, limit: number): Promise<AuditRow[]>;
  /**
   * Every entry above `afterId` and the highest entry id the store has issued (undefined when it
   * has issued none), read with no append in between: an entry appended meanwhile must not pass
   * for an id whose entry was deleted.
   */
  tail(afterId: number): Promise<{ rows: AuditRow[]; issued: number | undefined }>;
  finalisations(): Promise<{ id: number; roundId: number; hash: string; createdAt: number }[]>;
  /** An attempt's saves in id order. */
  saves(attemptId: number): Promise<StoredSave[]>;
}

/** Why an attempt's saves do not match what its entry records, or null when they do. */
const checkSaves = (
  attemptId: number,
  rows: StoredSave[],
  expected: AnswerLogHead,
  entryId: number,
): string | null => {
  let prev = ANSWER_GENESIS;
  let hashed = false;
  for (const row of rows) {
    // Saves from before hashing come first, if at all, and are not covered.
    if (row.hash === null) {
      if (hashed) return `attempt ${attemptId}: save ${row.id} has no hash but saves before it do`;
      continue;
    }
    hashed = true;
    const hash = answerSaveHash(prev, row);
    if (hash !== row.hash) {
      return `attempt ${attemptId}: save ${row.id} does not match its hash (it was altered, or a save before it was removed)`;
    }
    prev = hash;
  }
  if (rows.length !== expected.count) {
    return `attempt ${attemptId}: answer_log has ${rows.length} saves but entry ${entryId} records ${expected.count}`;
  }
  if (prev !== expected.head) {
    return `attempt ${attemptId}: the last save's hash is ${prev} but entry ${entryId} records ${expected.head}`;
  }
  return null;
};

/**
 * Walks the whole chain in id order, in pages (yielding to the event loop between them),
 * checking links, contents, anchors and that ids run without gaps; then what the chain cannot
 * show by itself: entries missing at the end (anchors, ids issued), finalisations without their
 * entry, and the answer saves of every finalised attempt. The same check on either store.
 */
export async function verifyAuditLog(
  reader: AuditLogReader,
  options: VerifyOptions = {},
): Promise<ChainReport> {
  const anchors = [...(options.anchors ?? [])].sort((a, b) => a.id - b.id || a.seq - b.seq);
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  let anchored = 0;
  let answerLogs = 0;
  const broken = (brokenAt: number | null, reason: string): ChainReport => ({
    ok: false,
    checked,
    brokenAt,
    reason,
    anchors: anchored,
    answerLogs,
  });
  if (options.anchorProblems?.length) {
    return broken(null, `the anchor file was altered: ${options.anchorProblems.join('; ')}`);
  }
  const anchorText = (a: AuditAnchor) =>
    `anchor ${a.seq}${a.source ? ` of ${a.source}` : ''} (written ${iso(a.at)})`;
  const finalised = new Map<number, { hash: unknown; entryId: number }>();
  const attemptHeads = new Map<number, AnswerLogHead & { entryId: number }>();
  let next = 0;

  /** Checks one entry in order; the broken report when it does not hold. */
  const check = (row: AuditRow): ChainReport | null => {
    if (row.prevHash !== prevHash) {
      return broken(
        row.id,
        'the link to the previous entry does not match (an entry was deleted or altered)',
      );
    }
    if (entryHash(row.prevHash, row) !== row.hash) {
      return broken(row.id, 'the content does not match its hash (the entry was altered)');
    }
    for (; next < anchors.length && anchors[next]!.id <= row.id; next++) {
      const a = anchors[next]!;
      if (a.id < row.id) {
        return broken(
          a.id,
          `${anchorText(a)} says entry ${a.id} with hash ${a.hash} existed, but the log has no entry ${a.id}`,
        );
      }
      if (a.hash !== row.hash) {
        return broken(
          row.id,
          `entry ${row.id} has hash ${row.hash} but ${anchorText(a)} says ${a.hash}: the log was rewritten from there`,
        );
      }
      anchored++;
    }
    // Ids are issued without gaps (an append rolled back issues none, on either store), so a link
    // that holds across a gap is an entry appended after the newest ones were deleted.
    if (row.id !== lastId + 1) {
      return broken(
        lastId + 1,
        `entry ${row.id} follows entry ${lastId}: entries ${lastId + 1} to ${row.id - 1} were deleted (and the log appended to since)`,
      );
    }
    if (row.action === 'round.finalize') {
      finalised.set(Number(row.data.finalisationId), { hash: row.data.hash, entryId: row.id });
    } else if (row.action === 'attempt.submit' || row.action === 'attempt.expire') {
      const head = answerLogHead(row.data);
      if (head) attemptHeads.set(Number(row.targetId), { ...head, entryId: row.id });
    }
    prevHash = row.hash;
    lastId = row.id;
    checked++;
    return null;
  };

  for (;;) {
    const page = await reader.page(lastId, 5000);
    if (page.length === 0) break;
    for (const row of page) {
      const problem = check(row);
      if (problem) return problem;
    }
    await yieldToLoop();
  }
  const { rows: appended, issued } = await reader.tail(lastId);
  for (const row of appended) {
    const problem = check(row);
    if (problem) return problem;
  }

  // Entries missing at the end leave a valid chain: only records kept elsewhere show them.
  if (next < anchors.length) {
    const a = anchors.at(-1)!;
    return broken(
      lastId + 1,
      `the log ends at entry ${lastId} but ${anchorText(a)} says entry ${a.id} with hash ${a.hash} existed: entries after ${lastId} were deleted`,
    );
  }
  if (issued !== undefined && issued > lastId) {
    return broken(
      lastId + 1,
      `the log ends at entry ${lastId} but entry ids up to ${issued} were issued: entries after ${lastId} were deleted`,
    );
  }
  for (const f of await reader.finalisations()) {
    const entry = finalised.get(f.id);
    if (!entry) {
      return broken(
        lastId + 1,
        `finalisation ${f.id} of round ${f.roundId} (${iso(f.createdAt)}) has no round.finalize entry: the log lost entries`,
      );
    }
    if (entry.hash !== f.hash) {
      return broken(
        entry.entryId,
        `finalisation ${f.id} of round ${f.roundId} has hash ${f.hash} but its entry ${entry.entryId} records ${String(entry.hash)}: the finalisation was altered`,
      );
    }
  }
  for (const [attemptId, expected] of attemptHeads) {
    const problem = checkSaves(attemptId, await reader.saves(attemptId), expected, expected.entryId);
    if (problem) return broken(expected.entryId, problem);
    if (++answerLogs % 500 === 0) await yieldToLoop();
  }
  return { ok: true, checked, brokenAt: null, reason: null, anchors: anchored, answerLogs };
}

export function createAuditRepository(db: Db) {
  const savesOf = db
    .select({
      id: answerLog.id,
      attemptId: answerLog.attemptId,
      questionId: answerLog.questionId,
      // The stored text, as it was hashed (not parsed and re-serialised).
      optionIdsJson: sql<string>`${answerLog.optionIds}`,
      savedAt: answerLog.savedAt,
      ip: answerLog.ip,
      userAgent: answerLog.userAgent,
      hash: answerLog.hash,
    })
    .from(answerLog)
    .where(eq(answerLog.attemptId, sql.placeholder('attemptId')))
    .orderBy(asc(answerLog.id))
    .prepare();
  const entriesAfter = (afterId: number, limit?: number) => {
    const query = db.select().from(auditLog).where(gt(auditLog.id, afterId)).orderBy(asc(auditLog.id));
    return limit === undefined ? query.all() : query.limit(limit).all();
  };
  const reader: AuditLogReader = {
    page: async (afterId, limit) => entriesAfter(afterId, limit),
    // Both reads in one synchronous step: nothing is appended between them.
    tail: async (afterId) => ({
      rows: entriesAfter(afterId),
      issued: db.get<{ seq: number } | undefined>(
        sql`SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'`,
      )?.seq,
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
        .orderBy(asc(roundFinalisations.id))
        .all(),
    saves: async (attemptId) => savesOf.all({ attemptId }),
  };

  return {
    async append(entry: AuditEntry): Promise<AuditRow> {
      return db.transaction((tx) => appendAudit(tx, entry), { behavior: 'immediate' });
    },
    /** The newest entry's id and hash (what an anchor records), or null for an empty log. */
    async head(): Promise<{ id: number; hash: string } | null> {
      return (
        db
          .select({ id: auditLog.id, hash: auditLog.hash })
          .from(auditLog)
          .orderBy(desc(auditLog.id))
          .limit(1)
          .get() ?? null
      );
    },
    /** The round.finalize entry of a finalisation: its id and hash anchor the log at that point. */
    async finalisationEntry(roundId: number, finalisationId: number) {
      return (
        db
          .select({ id: auditLog.id, hash: auditLog.hash })
          .from(auditLog)
          .where(
            and(
              eq(auditLog.targetType, 'round'),
              eq(auditLog.targetId, String(roundId)),
              eq(auditLog.action, 'round.finalize'),
              sql`json_extract(${auditLog.data}, '$.finalisationId') = ${finalisationId}`,
            ),
          )
          .get() ?? null
      );
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
        .offset(offset)
        .all();
    },
    /** The whole check (verifyAuditLog) on this database. */
    async verify(options: VerifyOptions = {}): Promise<ChainReport> {
      return verifyAuditLog(reader, options);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
