// Group commit for answer saves, the hot path of a round. Saves queue up and are written in one
// transaction per turn of the event loop; with synchronous=FULL each transaction is fsynced once,
// so thousands of saves a second share a handful of disk flushes, and each caller's promise
// resolves only after the transaction holding its save has committed.
//
// Each answer_log row also carries a SHA-256 chained to the previous save of the same attempt
// (answerSaveHash), and the attempt's submit or expiry audit entry records the last hash and the
// count (attempts.ts), so the audit chain covers every save without an audit row per save. The
// last hash of each attempt is kept here in memory (read from SQL when missing: after a restart,
// or once evicted); this process is the only writer of answer_log.
import { hash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

/** The head of an attempt's chain of saves before its first save. */
export const ANSWER_GENESIS = '0'.repeat(64);

/**
 * The hash of one save: SHA-256 over the previous save's hash and the canonical JSON array
 * [attemptId, questionId, optionIds, savedAt, ip, userAgent] (`optionIdsJson` is the stored JSON
 * text of the option ids, JSON.stringify of the array).
 */
export function answerSaveHash(
  prevHash: string,
  row: {
    attemptId: number;
    questionId: number;
    optionIdsJson: string;
    savedAt: number;
    ip: string | null;
    userAgent: string | null;
  },
): string {
  // crypto.hash, one-shot: a third of createHash's cost on inputs this small (the hot path).
  return hash(
    'sha256',
    `${prevHash}\n[${row.attemptId},${row.questionId},${row.optionIdsJson},${row.savedAt},` +
      `${JSON.stringify(row.ip)},${JSON.stringify(row.userAgent)}]`,
  );
}

export interface AnswerSave {
  attemptId: number;
  questionId: number;
  optionIds: string[];
  savedAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** Resolves true when saved, false when the attempt was no longer in progress at commit time. */
type Pending = { save: AnswerSave; resolve: (ok: boolean) => void; reject: (e: unknown) => void };

export class AnswerWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly upsert: BetterSqlite3.Statement;
  private readonly log: BetterSqlite3.Statement;
  private readonly lastHash: BetterSqlite3.Statement<[number], { hash: string | null }>;
  private readonly writeBatch: (batch: Pending[]) => { results: boolean[]; heads: Map<number, string> };
  /** The last save's hash per attempt in progress (most recently used last). */
  private readonly heads = new Map<number, string>();

  constructor(
    sqlite: BetterSqlite3.Database,
    private readonly maxBatch = 2000,
    /** Attempts whose head stays in memory; beyond that the least recent is read back when needed. */
    private readonly maxHeads = 200_000,
  ) {
    // The EXISTS guard re-checks, inside the committing transaction, that the attempt is still in
    // progress: a save that raced with a submit or an expiry is refused, never half-applied.
    this.upsert = sqlite.prepare(
      `INSERT INTO answers (attempt_id, question_id, option_ids, saved_at)
       SELECT @attemptId, @questionId, @optionIds, @savedAt
       WHERE EXISTS (SELECT 1 FROM attempts WHERE id = @attemptId AND status = 'in_progress')
       ON CONFLICT (attempt_id, question_id) DO UPDATE SET
         option_ids = excluded.option_ids, saved_at = excluded.saved_at`,
    );
    this.log = sqlite.prepare(
      `INSERT INTO answer_log (attempt_id, question_id, option_ids, saved_at, ip, user_agent, hash)
       VALUES (@attemptId, @questionId, @optionIds, @savedAt, @ip, @userAgent, @hash)`,
    );
    this.lastHash = sqlite.prepare(
      'SELECT hash FROM answer_log WHERE attempt_id = ? ORDER BY id DESC LIMIT 1',
    ) as BetterSqlite3.Statement<[number], { hash: string | null }>;
    // Heads move in `heads` (this batch) and reach the cache only once the batch has committed:
    // a rolled-back batch leaves the cache as the database is.
    this.writeBatch = sqlite.transaction((batch: Pending[]) => {
      const heads = new Map<number, string>();
      const results = batch.map(({ save }) => {
        const optionIds = JSON.stringify(save.optionIds);
        const row = { ...save, optionIds, hash: '' };
        if (this.upsert.run(row).changes === 0) return false;
        const prev = heads.get(save.attemptId) ?? this.headOf(save.attemptId);
        row.hash = answerSaveHash(prev, {
          attemptId: save.attemptId,
          questionId: save.questionId,
          optionIdsJson: optionIds,
          savedAt: save.savedAt,
          ip: save.ip,
          userAgent: save.userAgent,
        });
        this.log.run(row);
        heads.set(save.attemptId, row.hash);
        return true;
      });
      return { results, heads };
    });
  }

  /** Drops an attempt's head from memory (it is final: no more saves will come). */
  forget(attemptId: number): void {
    this.heads.delete(attemptId);
  }

  /** The hash of the attempt's last save, from memory or else from SQL. */
  private headOf(attemptId: number): string {
    const cached = this.heads.get(attemptId);
    if (cached !== undefined) return cached;
    // Rows from before hashing (null) start a fresh chain.
    return this.lastHash.get(attemptId)?.hash ?? ANSWER_GENESIS;
  }

  save(save: AnswerSave): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ save, resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything queued so far; resolves after the commit. */
  flush(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drain();
      resolve();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const { results, heads } = this.writeBatch(batch);
        for (const [attemptId, hash] of heads) {
          this.heads.delete(attemptId);
          this.heads.set(attemptId, hash);
        }
        while (this.heads.size > this.maxHeads) this.heads.delete(this.heads.keys().next().value!);
        batch.forEach((p, i) => {
          if (!results[i]) this.heads.delete(p.save.attemptId);
          p.resolve(results[i]!);
        });
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }
}

/** An answer writer on either store: what the services use (PgAnswerWriter is the PostgreSQL one). */
export type AnswerWriterApi = Pick<AnswerWriter, 'save' | 'flush' | 'forget'>;
