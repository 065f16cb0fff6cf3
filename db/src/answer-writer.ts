// Group commit for answer saves, the hot path of a round. Saves queue up and are written in one
// transaction per turn of the event loop; with synchronous=FULL each transaction is fsynced once,
// so thousands of saves a second share a handful of disk flushes, and each caller's promise
// resolves only after the transaction holding its save has committed.
import type BetterSqlite3 from 'better-sqlite3';

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
  private readonly writeBatch: (batch: Pending[]) => boolean[];

  constructor(
    sqlite: BetterSqlite3.Database,
    private readonly maxBatch = 2000,
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
      `INSERT INTO answer_log (attempt_id, question_id, option_ids, saved_at, ip, user_agent)
       VALUES (@attemptId, @questionId, @optionIds, @savedAt, @ip, @userAgent)`,
    );
    this.writeBatch = sqlite.transaction((batch: Pending[]) =>
      batch.map(({ save }) => {
        const row = { ...save, optionIds: JSON.stringify(save.optionIds) };
        const ok = this.upsert.run(row).changes > 0;
        if (ok) this.log.run(row);
        return ok;
      }),
    );
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
        const results = this.writeBatch(batch);
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }
}
