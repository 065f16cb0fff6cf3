// Group commit for answer saves on PostgreSQL: the twin of ../answer-writer.ts, with the same
// outcomes and the same chain of save hashes. What is queued while a batch commits is written in
// one transaction of two multi-row statements, and each caller's promise settles only after that
// COMMIT (synchronous_commit on).
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
//
// Round trips. A batch is two, where one statement per step (BEGIN, lock, heads, upsert, log,
// COMMIT) was six, about 19 ms on a loaded machine, which capped a node at one batch per 19 ms
// (docs/performance.md): each trip is one simple query of several statements, which PostgreSQL
// runs in order, each with a snapshot of its own (READ COMMITTED), stopping at the first error:
//   1. BEGIN; lock the attempts; read their heads   (the heads are read after the lock is held)
//   2. upsert the answers and insert the log in one statement (a data-modifying CTE); COMMIT
// The statements are prepared once per connection (SQL PREPARE, in front of its first trip 1) and
// EXECUTEd, since planning them was most of what a small batch cost PostgreSQL. The simple
// protocol takes no parameters, so EXECUTE's arguments are in the text: the ids as integers this
// code formats, the saves as ONE JSON document quoted by pg's escapeLiteral and read back with
// json_to_recordset (the option ids as the JSON text that was hashed, carried as a string, so the
// stored text is the hashed text).
//
// One batch is in flight at a time, which makes the batches as large as the load allows (the cost
// of a batch is mostly per batch, not per save); a second one starts beside it (another
// connection) only when the queue holds a full batch, i.e. under a surge the first cannot absorb.
// Two batches never share an attempt: a save whose attempt is in a batch in flight waits for a
// batch after it, so each attempt's saves are applied in the order they came.
import pg from 'pg';
import { ANSWER_GENESIS, answerSaveHash, type AnswerSave, type AnswerWriterApi } from '../answer-writer.ts';

/** Resolves true when saved, false when the attempt was no longer in progress at commit time. */
type Pending = { save: AnswerSave; resolve: (ok: boolean) => void; reject: (e: unknown) => void };

/** `ids` as an int[] literal, for the simple protocol (each checked to be an integer). */
const intArray = (ids: readonly number[]): string => {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new TypeError(`not an id: ${id}`);
  return `'{${ids.join(',')}}'`;
};

/** One accepted save, as trip 2's JSON carries it (n: its place in the queue). */
interface LogRow {
  n: number;
  a: number;
  q: number;
  o: string;
  s: number;
  i: string | null;
  u: string | null;
  h: string;
}

// The statements, prepared once per connection (SQL PREPARE, sent with the connection's first
// batch), so that a batch's statements are EXECUTEd, not parsed and planned: planning was most of
// what a small batch cost PostgreSQL. Rows from before hashing (hash null) start a fresh chain, as
// on SQLite. The log is written in queue order, so that ids follow each attempt's chain; the
// answers get one row per (attempt, question), the last choice of each (what SQLite's upserts in
// queue order leave): ON CONFLICT cannot update a row twice in one statement.
const PREPARE = `
  PREPARE qa_answers_lock(int[]) AS
    SELECT id, status FROM attempts WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE;
  PREPARE qa_answers_heads(int[]) AS
    SELECT a.id, l.hash
    FROM unnest($1) AS a(id)
    CROSS JOIN LATERAL (SELECT hash FROM answer_log WHERE attempt_id = a.id ORDER BY id DESC LIMIT 1) AS l;
  PREPARE qa_answers_write(json) AS
    WITH doc AS (
      SELECT * FROM json_to_recordset($1) AS t(n int, a int, q int, o text, s bigint, i text, u text, h text)
    ), upsert AS (
      INSERT INTO answers (attempt_id, question_id, option_ids, saved_at)
      SELECT DISTINCT ON (a, q) a, q, o::json, s FROM doc ORDER BY a, q, n DESC
      ON CONFLICT (attempt_id, question_id) DO UPDATE SET
        option_ids = excluded.option_ids, saved_at = excluded.saved_at
    )
    INSERT INTO answer_log (attempt_id, question_id, option_ids, saved_at, ip, user_agent, hash)
    SELECT a, q, o::json, s, i, u, h FROM doc ORDER BY n;
`;

/** The connections that hold those statements (of any writer: they belong to the connection). */
const prepared = new WeakSet<pg.PoolClient>();

// Trip 1 (after BEGIN) locks, then reads the heads in a statement of its own; trip 2 writes, then
// commits.
const lockAndHeads = (ids: readonly number[]): string =>
  `EXECUTE qa_answers_lock(${intArray(ids)}); EXECUTE qa_answers_heads(${intArray(ids)})`;
const writeAndCommit = (rows: readonly LogRow[]): string =>
  `EXECUTE qa_answers_write(${pg.escapeLiteral(JSON.stringify(rows))}); COMMIT`;

export class PgAnswerWriter implements AnswerWriterApi {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** The attempts of the batches in flight. */
  private readonly busy = new Set<number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: {
      maxBatch?: number;
      inFlight?: number;
      /** For tests: called as each batch starts, with its size and the batches then in flight. */
      onBatch?: (info: { size: number; inFlight: number }) => void;
    } = {},
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

  /** Writes everything queued so far (and the batches in flight); resolves after the commits. */
  async flush(): Promise<void> {
    this.drain();
    while (this.inFlight.size > 0) {
      await Promise.all(this.inFlight);
      this.drain();
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // The saves of this turn of the event loop go together.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /**
   * Starts a batch when none is running, and another beside those running (up to `inFlight`,
   * default 2) only while the queue holds a full batch. A batch takes the queued saves, in order,
   * whose attempt is in no batch in flight; the others stay queued, in order, for a batch after
   * that one: what arrives meanwhile grows the next batch.
   */
  private drain(): void {
    const maxBatch = this.options.maxBatch ?? 2000;
    const lanes = this.options.inFlight ?? 2;
    while (
      this.queue.length > 0 &&
      (this.inFlight.size === 0 || (this.inFlight.size < lanes && this.queue.length >= maxBatch))
    ) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      for (const p of this.queue) {
        if (batch.length < maxBatch && !this.busy.has(p.save.attemptId)) batch.push(p);
        else rest.push(p);
      }
      if (batch.length === 0) return;
      this.queue = rest;
      const ids = new Set(batch.map((p) => p.save.attemptId));
      for (const id of ids) this.busy.add(id);
      const done: Promise<void> = this.commit(batch).finally(() => {
        for (const id of ids) this.busy.delete(id);
        this.inFlight.delete(done);
        this.drain();
      });
      this.inFlight.add(done);
      this.options.onBatch?.({ size: batch.length, inFlight: this.inFlight.size });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let results: boolean[];
    try {
      results = await this.write(batch);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  /** The batch's transaction: BEGIN to COMMIT in two round trips (one when nothing is to write). */
  private async write(batch: Pending[]): Promise<boolean[]> {
    const client = await this.pool.connect();
    try {
      const results = await this.decideAndWrite(client, batch);
      client.release();
      return results;
    } catch (err) {
      // The connection is closed rather than reused (the pool opens another): what state its
      // prepared statements and its transaction are in after an error is not worth guessing.
      prepared.delete(client);
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  private async decideAndWrite(client: pg.PoolClient, batch: Pending[]): Promise<boolean[]> {
    const ids = [...new Set(batch.map((p) => p.save.attemptId))].sort((a, b) => a - b);
    const prepare = !prepared.has(client);
    const trip1 = (await client.query(
      `${prepare ? PREPARE : ''}BEGIN; ${lockAndHeads(ids)}`,
    )) as unknown as pg.QueryResult[];
    if (prepare) prepared.add(client);
    const locked = trip1.at(-2)!.rows as { id: number; status: string }[];
    const stored = trip1.at(-1)!.rows as { id: number; hash: string | null }[];
    const heads = new Map<number, string>();
    for (const r of locked) if (r.status === 'in_progress') heads.set(r.id, ANSWER_GENESIS);
    for (const r of stored) if (heads.has(r.id)) heads.set(r.id, r.hash ?? ANSWER_GENESIS);

    const results: boolean[] = [];
    const rows: LogRow[] = [];
    for (const { save } of batch) {
      const prev = heads.get(save.attemptId);
      if (prev === undefined) {
        results.push(false);
        continue;
      }
      const o = JSON.stringify(save.optionIds);
      const h = answerSaveHash(prev, {
        attemptId: save.attemptId,
        questionId: save.questionId,
        optionIdsJson: o,
        savedAt: save.savedAt,
        ip: save.ip,
        userAgent: save.userAgent,
      });
      heads.set(save.attemptId, h);
      rows.push({
        n: rows.length,
        a: save.attemptId,
        q: save.questionId,
        o,
        s: save.savedAt,
        i: save.ip,
        u: save.userAgent,
        h,
      });
      results.push(true);
    }
    await client.query(rows.length > 0 ? writeAndCommit(rows) : 'COMMIT');
    return results;
  }
}
