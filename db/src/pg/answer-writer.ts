// Group commit for answer saves on PostgreSQL: the twin of ../answer-writer.ts, with the same
// outcomes and the same chain of save hashes. What is queued while the previous batch commits is
// written in one transaction of a fixed handful of multi-row statements (arrays through unnest),
// and each caller's promise settles only after that COMMIT (synchronous_commit on).
//
// A participant's saves may reach two nodes (a load balancer alternating), so two writers can
// save for the same attempt, and a submit or a sweeper on a third node can finalise it meanwhile.
// The batch therefore starts by locking its attempts' rows in id order (FOR NO KEY UPDATE, which
// finalise's FOR UPDATE and every UPDATE of the row wait for, and which another writer's batch
// waits for too; in id order, two batches cannot deadlock). From there to its COMMIT the batch is
// the only writer of those attempts: a save is accepted when its attempt is in progress in the
// locked row, and the head of each chain is read from answer_log after the lock (a statement of
// its own, so under READ COMMITTED it sees the other node's batch that held the lock before), so
// the chain goes on from the true last save. No head is kept in memory for that reason: another
// node may have moved it. A finalisation sees all of a batch or none of it.
import type pg from 'pg';
import { ANSWER_GENESIS, answerSaveHash, type AnswerSave, type AnswerWriterApi } from '../answer-writer.ts';

/** Resolves true when saved, false when the attempt was no longer in progress at commit time. */
type Pending = { save: AnswerSave; resolve: (ok: boolean) => void; reject: (e: unknown) => void };

// Named statements: node-postgres prepares each once per connection.
const LOCK_ATTEMPTS = {
  name: 'answer_writer_lock_attempts',
  text: 'SELECT id, status FROM attempts WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE',
};
// Rows from before hashing (hash null) start a fresh chain, as on SQLite.
const LAST_HASHES = {
  name: 'answer_writer_last_hashes',
  text: `SELECT a.id, l.hash
         FROM unnest($1::int[]) AS a(id)
         CROSS JOIN LATERAL (SELECT hash FROM answer_log WHERE attempt_id = a.id ORDER BY id DESC LIMIT 1) AS l`,
};
// One row per (attempt, question): ON CONFLICT cannot update a row twice in one statement, so the
// batch passes the last choice of each (what SQLite's upserts in queue order leave).
const UPSERT_ANSWERS = {
  name: 'answer_writer_upsert_answers',
  text: `INSERT INTO answers (attempt_id, question_id, option_ids, saved_at)
         SELECT a, q, o::json, s FROM unnest($1::int[], $2::int[], $3::text[], $4::bigint[]) AS t(a, q, o, s)
         ON CONFLICT (attempt_id, question_id) DO UPDATE SET
           option_ids = excluded.option_ids, saved_at = excluded.saved_at`,
};
// In queue order, so that ids follow each attempt's chain (the json cast keeps the text as hashed).
const INSERT_LOG = {
  name: 'answer_writer_insert_log',
  text: `INSERT INTO answer_log (attempt_id, question_id, option_ids, saved_at, ip, user_agent, hash)
         SELECT a, q, o::json, s, i, u, h
         FROM unnest($1::int[], $2::int[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
           WITH ORDINALITY AS t(a, q, o, s, i, u, h, n)
         ORDER BY n`,
};

export class PgAnswerWriter implements AnswerWriterApi {
  private queue: Pending[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxBatch = 2000,
  ) {}

  /**
   * Nothing to drop: heads are read from SQL under the batch's lock (another node may have moved
   * them), never cached.
   */
  forget(attemptId: number): void {
    void attemptId;
  }

  save(save: AnswerSave): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ save, resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything queued so far (and the batch in flight); resolves after the commit. */
  flush(): Promise<void> {
    return this.drain();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** One batch in flight at a time: what arrives meanwhile waits for the next, and grows it. */
  private drain(): Promise<void> {
    if (!this.running && this.queue.length > 0) this.running = this.loop();
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    this.running = null;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let results: boolean[];
    try {
      results = await this.transaction((client) => this.write(client, batch));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // A connection that cannot even roll back is dropped from the pool rather than reused.
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackErr: Error) => client.release(rollbackErr),
      );
      throw err;
    }
  }

  private async write(client: pg.PoolClient, batch: Pending[]): Promise<boolean[]> {
    const ids = [...new Set(batch.map((p) => p.save.attemptId))].sort((a, b) => a - b);
    const locked = await client.query<{ id: number; status: string }>({ ...LOCK_ATTEMPTS, values: [ids] });
    const open = locked.rows.filter((r) => r.status === 'in_progress').map((r) => r.id);
    if (open.length === 0) return batch.map(() => false);
    const stored = await client.query<{ id: number; hash: string | null }>({
      ...LAST_HASHES,
      values: [open],
    });
    const heads = new Map<number, string>(open.map((id) => [id, ANSWER_GENESIS]));
    for (const r of stored.rows) heads.set(r.id, r.hash ?? ANSWER_GENESIS);

    const results: boolean[] = [];
    const log = { a: [] as number[], q: [] as number[], o: [] as string[], s: [] as number[] };
    const meta = { i: [] as (string | null)[], u: [] as (string | null)[], h: [] as string[] };
    const latest = new Map<
      string,
      { attemptId: number; questionId: number; optionIds: string; savedAt: number }
    >();
    for (const { save } of batch) {
      const prev = heads.get(save.attemptId);
      if (prev === undefined) {
        results.push(false);
        continue;
      }
      const optionIds = JSON.stringify(save.optionIds);
      const hash = answerSaveHash(prev, {
        attemptId: save.attemptId,
        questionId: save.questionId,
        optionIdsJson: optionIds,
        savedAt: save.savedAt,
        ip: save.ip,
        userAgent: save.userAgent,
      });
      heads.set(save.attemptId, hash);
      log.a.push(save.attemptId);
      log.q.push(save.questionId);
      log.o.push(optionIds);
      log.s.push(save.savedAt);
      meta.i.push(save.ip);
      meta.u.push(save.userAgent);
      meta.h.push(hash);
      // Re-inserted so that the map keeps the order of each question's last save.
      const key = `${save.attemptId}:${save.questionId}`;
      latest.delete(key);
      latest.set(key, {
        attemptId: save.attemptId,
        questionId: save.questionId,
        optionIds,
        savedAt: save.savedAt,
      });
      results.push(true);
    }
    if (log.a.length === 0) return results;
    const rows = [...latest.values()];
    await client.query({
      ...UPSERT_ANSWERS,
      values: [
        rows.map((r) => r.attemptId),
        rows.map((r) => r.questionId),
        rows.map((r) => r.optionIds),
        rows.map((r) => r.savedAt),
      ],
    });
    await client.query({ ...INSERT_LOG, values: [log.a, log.q, log.o, log.s, meta.i, meta.u, meta.h] });
    return results;
  }
}
