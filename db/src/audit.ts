// The append-only audit log. Each entry carries the SHA-256 of the previous entry's hash and its
// own canonical content, so altering or deleting any row breaks the chain from there on, and
// `verifyChain` finds the first broken link.
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
import { auditLog } from './schema.ts';

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

const entryHash = (prevHash: string, e: Omit<AuditRow, 'id' | 'hash' | 'prevHash'>): string =>
  createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(
      canonicalJson({
        at: e.at,
        actorId: e.actorId,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        data: e.data,
        ip: e.ip,
        userAgent: e.userAgent,
      }),
    )
    .digest('hex');

/** Appends inside the caller's transaction, so the entry commits with the change it records. */
export function appendAudit(tx: Db, entry: AuditEntry): AuditRow {
  const last = tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1).get();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = {
    at: entry.at,
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: String(entry.targetId),
    data: entry.data ?? {},
    ip: entry.ip ?? null,
    userAgent: entry.userAgent ?? null,
  };
  return tx
    .insert(auditLog)
    .values({ ...row, prevHash, hash: entryHash(prevHash, row) })
    .returning()
    .get();
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** The first entry whose link or content does not match, when broken. */
  brokenAt: number | null;
  reason: string | null;
}

export function createAuditRepository(db: Db) {
  return {
    async append(entry: AuditEntry): Promise<AuditRow> {
      return db.transaction((tx) => appendAudit(tx, entry), { behavior: 'immediate' });
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
    /** Walks the whole chain in id order, in pages, without loading it all at once. */
    async verify(): Promise<ChainReport> {
      let prevHash = GENESIS_HASH;
      let lastId = 0;
      let checked = 0;
      for (;;) {
        const page = db
          .select()
          .from(auditLog)
          .where(gt(auditLog.id, lastId))
          .orderBy(asc(auditLog.id))
          .limit(5000)
          .all();
        if (page.length === 0) return { ok: true, checked, brokenAt: null, reason: null };
        for (const row of page) {
          if (row.prevHash !== prevHash) {
            return {
              ok: false,
              checked,
              brokenAt: row.id,
              reason: 'the link to the previous entry does not match (an entry was deleted or altered)',
            };
          }
          if (entryHash(row.prevHash, row) !== row.hash) {
            return {
              ok: false,
              checked,
              brokenAt: row.id,
              reason: 'the content does not match its hash (the entry was altered)',
            };
          }
          prevHash = row.hash;
          lastId = row.id;
          checked++;
        }
      }
    },
  };
}
