// Group commit for attempt starts and finalisations (submit, expiry, void) on PostgreSQL, behind
// pg/attempts.ts: the repository's outcomes are the same, only the transactions are shared. The
// calls of one turn of the event loop make a batch, and those queued while the batches in flight
// commit (two at most, on two connections: one is written while the other waits for its locks or
// its COMMIT's flush) make the next; each caller's promise settles after the COMMIT that holds its
// change (synchronous_commit on). A transaction per call paid a dozen round trips, a WAL flush
// and, above all, the audit log's lock (one for the whole cluster, held to COMMIT) per call: about
// 130 starts/s for the cluster. A batch pays them once (bench/src/pg-attempts.bench.ts).
//
// One batch, one transaction, every lock taken in the order every other writer takes them, so
// that nothing can deadlock:
// 1. the attempt rows the batch finalises or voids, in id order, FOR UPDATE (as a lone finalise
//    does; PgAnswerWriter takes the same rows in id order, and waits, or is waited for);
// 2. the entry rows of every participant in the batch, in id order, FOR NO KEY UPDATE: what
//    serialises a participant's starts and recounts on every node (and the foreign-key checks of
//    the rows inserted below take KEY SHARE on them, which that does not block);
// 3. then, after everything else is written, the audit log's lock, once, as the last step before
//    COMMIT (as in pg/judging.ts: round row, then the audit log).
// From step 2 on the batch is the only writer of its participants' attempts (a lone finalise on
// another node holds its attempt row and waits for the entry: it is ordered after this batch and
// recounts after it), so one SELECT of all their attempts, read after the locks in a statement of
// its own (READ COMMITTED: it sees what committed while the batch waited), is the state the ops are
// decided on. They are decided one by one in queue order, in memory, with the checks of a lone
// call: a start while none is in progress and under the attempt limit (two starts of one
// participant in a batch: the second sees the first); a finalise of an attempt still in progress,
// `compute` run on the locked row, the snapshots and the saves (read for the whole batch at once);
// a void of an attempt not void. Each change recounts the participant's best attempt in memory,
// so each caller gets the counted result as of its own change. Then the rows are written with one
// multi-row statement each (unnest arrays): new attempts, their snapshots, the attempts changed
// (their state after the batch's last op on them), round_results, and the batch's audit entries as
// one segment of the chain, in queue order (appendPgAuditMany).
//
// Failures. `compute` throwing fails its own call only (nothing is written for it, as a lone
// finalise rolls back). Anything else that fails the batch (a start whose entry does not exist,
// the one-in-progress index deciding against a start on another node, a lost connection before
// COMMIT) rolls it all back, and its calls are then run one by one, each in its own transaction on
// the path of a lone call, so that each caller gets its own outcome or error. A failure of the
// COMMIT itself is not retried (the batch may have committed): its callers get the error.
import { getTableColumns, sql } from 'drizzle-orm';
import {
  finaliseEntry,
  resultRow,
  startEntry,
  voidEntry,
  type AttemptQuestionRow,
  type AttemptRepository,
  type AttemptRow,
  type FinaliseOutcome,
  type RoundResultRow,
  type StartOutcome,
} from '../attempts.ts';
import type { AuditEntry } from '../audit.ts';
import { appendPgAuditMany, type PgTx } from './audit.ts';
import type { PgDb } from './database.ts';
import { columnsAs, fromDriver, pgArray } from './rows.ts';
import { attemptQuestions, attempts } from './schema.ts';

type Api = Pick<AttemptRepository, 'start' | 'finalise' | 'void'>;
type NewAttempt = Parameters<Api['start']>[0];
type QuestionRows = Parameters<Api['start']>[2];
type Compute = Parameters<Api['finalise']>[1];
type Meta = { ip: string | null; userAgent: string | null };

type Settle<T> = { resolve: (value: T) => void; reject: (err: unknown) => void };
type Op =
  | ({
      kind: 'start';
      attempt: NewAttempt;
      maxAttempts: number;
      questionRows: QuestionRows;
    } & Settle<StartOutcome>)
  | ({ kind: 'finalise'; attemptId: number; compute: Compute; meta: Meta } & Settle<FinaliseOutcome | null>)
  | ({
      kind: 'void';
      attemptId: number;
      by: number;
      reason: string;
      at: number;
      meta: Meta;
    } & Settle<FinaliseOutcome | null>);

/** What a batch decided for one call, given the rows it inserted (ids are known only then). */
type Decision = { ok: true; value: (inserted: Inserted) => unknown } | { ok: false; error: unknown };
type Inserted = (k: NewSlot) => AttemptRow;

/** Entry columns the counted result shows, read with each attempt. */
interface EntryInfo {
  fullName: string;
  groupKey: string | null;
  unitName: string | null;
}
/** A participant's attempt as the batch sees it: stored (row) or started in this batch (slot). */
type Held = { row: AttemptRow; info: EntryInfo; slot?: undefined } | { row?: undefined; slot: NewSlot };
interface NewSlot {
  op: Extract<Op, { kind: 'start' }>;
}

export interface BatchInfo {
  size: number;
  /** The batch failed and its calls were run one by one. */
  fellBack: boolean;
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

const pairKey = (roundId: number, userId: number) => `${roundId}:${userId}`;
const FINAL = new Set(['submitted', 'expired']);

/** round_results' order of a participant's attempts (as recount's ORDER BY, NULLs as SQLite puts them). */
const better = (a: AttemptRow, b: AttemptRow): boolean => {
  if (a.score !== b.score) return a.score === null ? false : b.score === null ? true : a.score > b.score;
  if (a.durationMs !== b.durationMs) {
    return a.durationMs === null ? true : b.durationMs === null ? false : a.durationMs < b.durationMs;
  }
  if (a.submittedAt !== b.submittedAt) {
    return a.submittedAt === null ? true : b.submittedAt === null ? false : a.submittedAt < b.submittedAt;
  }
  return a.id < b.id;
};

// The columns a start may give (all but the id and the status), with their SQL types.
const START_COLUMNS = Object.entries(getTableColumns(attempts)).filter(
  ([key]) => key !== 'id' && key !== 'status',
);

export class PgAttemptWriter implements Api {
  private queue: Op[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: PgDb,
    /** The path of a lone call (its own transaction), for the calls of a batch that failed. */
    private readonly solo: Api,
    private readonly options: {
      maxBatch?: number;
      inFlight?: number;
      onBatch?: (info: BatchInfo) => void;
    } = {},
  ) {}

  start(attempt: NewAttempt, maxAttempts: number, questionRows: QuestionRows): Promise<StartOutcome> {
    return new Promise((resolve, reject) =>
      this.push({ kind: 'start', attempt, maxAttempts, questionRows, resolve, reject }),
    );
  }

  finalise(attemptId: number, compute: Compute, meta: Meta = { ip: null, userAgent: null }) {
    return new Promise<FinaliseOutcome | null>((resolve, reject) =>
      this.push({ kind: 'finalise', attemptId, compute, meta, resolve, reject }),
    );
  }

  void(attemptId: number, by: number, reason: string, at: number, meta: Meta) {
    return new Promise<FinaliseOutcome | null>((resolve, reject) =>
      this.push({ kind: 'void', attemptId, by, reason, at, meta, resolve, reject }),
    );
  }

  /** Settles everything queued so far (and the batches in flight). */
  async flush(): Promise<void> {
    this.drain();
    while (this.inFlight.size > 0) {
      await Promise.all(this.inFlight);
      this.drain();
    }
  }

  private push(op: Op): void {
    this.queue.push(op);
    if (this.scheduled) return;
    this.scheduled = true;
    // The calls of this turn of the event loop go together.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /**
   * Up to `inFlight` batches at once (default 2): while one waits for its locks or its COMMIT's
   * flush, the next is written on another connection, and what arrives while both are busy grows
   * the one after. Two batches of a node are two transactions like any other two: the same lock
   * order, so the same guarantees (a participant in both is served by one, then the other).
   */
  private drain(): void {
    while (this.queue.length > 0 && this.inFlight.size < (this.options.inFlight ?? 2)) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 500);
      const done: Promise<void> = this.commit(batch).finally(() => {
        this.inFlight.delete(done);
        this.drain();
      });
      this.inFlight.add(done);
    }
  }

  private async commit(batch: Op[]): Promise<void> {
    let decisions: Decision[] | undefined;
    let inserted: Inserted | undefined;
    try {
      await this.db.transaction(async (tx) => {
        ({ decisions, inserted } = await this.write(tx, batch));
      });
    } catch (err) {
      // Written, so the failure was the COMMIT's: it may have committed, so nothing is retried.
      if (inserted) {
        for (const op of batch) op.reject(err);
        this.options.onBatch?.({ size: batch.length, fellBack: false });
        return;
      }
      this.options.onBatch?.({ size: batch.length, fellBack: true });
      for (const op of batch) await this.runSolo(op);
      return;
    }
    this.options.onBatch?.({ size: batch.length, fellBack: false });
    batch.forEach((op, i) => {
      const d = decisions![i]!;
      if (!d.ok) return op.reject(d.error);
      let value: unknown;
      try {
        value = d.value(inserted!);
      } catch (err) {
        return op.reject(err);
      }
      (op.resolve as (v: unknown) => void)(value);
    });
  }

  private async runSolo(op: Op): Promise<void> {
    try {
      if (op.kind === 'start') op.resolve(await this.solo.start(op.attempt, op.maxAttempts, op.questionRows));
      else if (op.kind === 'finalise')
        op.resolve(await this.solo.finalise(op.attemptId, op.compute, op.meta));
      else op.resolve(await this.solo.void(op.attemptId, op.by, op.reason, op.at, op.meta));
    } catch (err) {
      op.reject(err);
    }
  }

  private async write(tx: PgTx, batch: Op[]): Promise<{ decisions: Decision[]; inserted: Inserted }> {
    const starts = batch.filter((op): op is Extract<Op, { kind: 'start' }> => op.kind === 'start');
    const targets = [...new Set(batch.flatMap((op) => (op.kind === 'start' ? [] : [op.attemptId])))].sort(
      (a, b) => a - b,
    );

    // 1. The attempts to finalise or void, in id order.
    const locked = targets.length
      ? (
          await tx.execute<{ id: number; roundId: number; userId: number; entryId: number }>(sql`
            SELECT id, round_id AS "roundId", user_id AS "userId", entry_id AS "entryId" FROM attempts
            WHERE id = ANY(${pgArray(targets, 'int')}) ORDER BY id FOR UPDATE`)
        ).rows
      : [];

    // 2. The participants' entries, in id order.
    const entryIds = [
      ...new Set([...starts.map((s) => s.attempt.entryId), ...locked.map((r) => r.entryId)]),
    ].sort((a, b) => a - b);
    await tx.execute(sql`
      SELECT id FROM entries WHERE id = ANY(${pgArray(entryIds, 'int')}) ORDER BY id FOR NO KEY UPDATE`);

    // Every attempt of those participants, as committed now.
    const pairs = new Map<string, { roundId: number; userId: number }>();
    for (const p of [...starts.map((s) => s.attempt), ...locked]) {
      pairs.set(pairKey(p.roundId, p.userId), { roundId: p.roundId, userId: p.userId });
    }
    const pairList = [...pairs.values()];
    const stored = await tx.execute<
      AttemptRow & { _fullName: string; _groupKey: string | null; _unitName: string | null }
    >(sql`
      SELECT ${columnsAs(attempts, 'a')}, e.full_name AS "_fullName", e.group_key AS "_groupKey", u.name AS "_unitName"
      FROM attempts a
      JOIN entries e ON e.id = a.entry_id
      LEFT JOIN units u ON u.contest_id = e.contest_id AND u.code = e.unit_code
      WHERE (a.round_id, a.user_id) IN (
        SELECT * FROM unnest(${pgArray(
          pairList.map((p) => p.roundId),
          'int',
        )}, ${pgArray(
          pairList.map((p) => p.userId),
          'int',
        )}))
      ORDER BY a.id`);
    const byPair = new Map<string, Held[]>();
    const byId = new Map<number, Extract<Held, { row: AttemptRow }>>();
    for (const { _fullName, _groupKey, _unitName, ...row } of fromDriver(attempts, stored.rows)) {
      const held = { row, info: { fullName: _fullName, groupKey: _groupKey, unitName: _unitName } };
      byId.set(row.id, held);
      push(byPair, pairKey(row.roundId, row.userId), held);
    }

    // What finalising needs, for every attempt a finalise may find in progress.
    const toScore = [
      ...new Set(
        batch.flatMap((op) =>
          op.kind === 'finalise' && byId.get(op.attemptId)?.row.status === 'in_progress'
            ? [op.attemptId]
            : [],
        ),
      ),
    ];
    const questions = new Map<number, AttemptQuestionRow[]>();
    const saved = new Map<number, { questionId: number; optionIds: string[] }[]>();
    const logs = new Map<number, { count: number; head: string | null }>();
    if (toScore.length > 0) {
      const ids = pgArray(toScore, 'int');
      const [qs, answers, log] = [
        await tx.execute<AttemptQuestionRow>(sql`
          SELECT ${columnsAs(attemptQuestions, 'q')} FROM attempt_questions q
          WHERE q.attempt_id = ANY(${ids}) ORDER BY q.attempt_id, q.position`),
        await tx.execute<{ attemptId: number; questionId: number; optionIds: string[] }>(sql`
          SELECT attempt_id AS "attemptId", question_id AS "questionId", option_ids AS "optionIds" FROM answers
          WHERE attempt_id = ANY(${ids}) ORDER BY attempt_id, question_id`),
        await tx.execute<{ id: number; count: number; head: string | null }>(sql`
          SELECT a.id,
            (SELECT count(*)::int FROM answer_log l WHERE l.attempt_id = a.id) AS count,
            (SELECT hash FROM answer_log l WHERE l.attempt_id = a.id ORDER BY l.id DESC LIMIT 1) AS head
          FROM unnest(${ids}) AS a(id)`),
      ];
      for (const q of fromDriver(attemptQuestions, qs.rows)) push(questions, q.attemptId, q);
      for (const a of answers.rows) push(saved, a.attemptId, a);
      for (const l of log.rows) logs.set(l.id, { count: l.count, head: l.head });
    }

    // The ops, one by one in queue order.
    const slots: NewSlot[] = [];
    const changed = new Map<number, AttemptRow>();
    const recounted = new Map<string, RoundResultRow | null>();
    const audit: ((inserted: Inserted) => AuditEntry)[] = [];
    const counted = (roundId: number, userId: number): RoundResultRow | null => {
      let best: Extract<Held, { row: AttemptRow }> | undefined;
      for (const h of byPair.get(pairKey(roundId, userId)) ?? []) {
        if (h.row && FINAL.has(h.row.status) && (!best || better(h.row, best.row))) best = h;
      }
      const result = best ? resultRow({ attempt: best.row, ...best.info }) : null;
      recounted.set(pairKey(roundId, userId), result);
      return result;
    };
    const decisions = batch.map((op): Decision => {
      if (op.kind === 'start') {
        const { roundId, userId } = op.attempt;
        const held = byPair.get(pairKey(roundId, userId)) ?? [];
        // Stored ones in id order, then this batch's: the first in progress has the lowest id.
        const open = held.find((h) => (h.row ? h.row.status === 'in_progress' : true));
        if (open) {
          return {
            ok: true,
            value: (inserted) => ({
              ok: false,
              reason: 'in_progress',
              attemptId: open.row ? open.row.id : inserted(open.slot).id,
            }),
          };
        }
        if (held.length >= op.maxAttempts) return { ok: true, value: () => ({ ok: false, reason: 'limit' }) };
        const slot: NewSlot = { op };
        slots.push(slot);
        push(byPair, pairKey(roundId, userId), { slot });
        audit.push((inserted) => startEntry(inserted(slot), op.questionRows));
        return { ok: true, value: (inserted) => ({ ok: true, attempt: inserted(slot) }) };
      }
      const held = byId.get(op.attemptId);
      if (op.kind === 'finalise') {
        if (!held || held.row.status !== 'in_progress') return { ok: true, value: () => null };
        const answers = new Map(
          (saved.get(op.attemptId) ?? []).map((a) => [a.questionId, a.optionIds] as const),
        );
        let fields;
        try {
          fields = op.compute({ ...held.row }, [...(questions.get(op.attemptId) ?? [])], new Map(answers));
        } catch (error) {
          return { ok: false, error };
        }
        const attempt: AttemptRow = {
          ...held.row,
          status: fields.status,
          submittedAt: fields.submittedAt,
          durationMs: fields.durationMs,
          score: fields.score,
          correctCount: fields.correctCount,
          allCorrect: fields.allCorrect,
          prediction: fields.prediction,
        };
        held.row = attempt;
        changed.set(attempt.id, attempt);
        const entry = finaliseEntry(
          attempt,
          fields,
          answers,
          logs.get(attempt.id) ?? { count: 0, head: null },
          op.meta,
        );
        audit.push(() => entry);
        const outcome = { attempt, counted: counted(attempt.roundId, attempt.userId) };
        return { ok: true, value: () => outcome };
      }
      if (!held || held.row.status === 'voided') return { ok: true, value: () => null };
      const attempt: AttemptRow = { ...held.row, status: 'voided', voidReason: op.reason };
      held.row = attempt;
      changed.set(attempt.id, attempt);
      const entry = voidEntry(attempt, op.by, op.reason, op.at, op.meta);
      audit.push(() => entry);
      const outcome = { attempt, counted: counted(attempt.roundId, attempt.userId) };
      return { ok: true, value: () => outcome };
    });

    // The writes: one statement each.
    const insertedRows = new Map<string, AttemptRow>();
    if (slots.length > 0) {
      const { rows } = await tx.execute<AttemptRow>(sql`
        INSERT INTO attempts AS a (status, ${sql.raw(START_COLUMNS.map(([, c]) => `"${c.name}"`).join(', '))})
        SELECT 'in_progress', t.* FROM unnest(${sql.join(
          START_COLUMNS.map(([key, column]) =>
            pgArray(
              slots.map((s) => {
                const v = (s.op.attempt as Record<string, unknown>)[key];
                return v === undefined || v === null ? null : column.mapToDriverValue(v);
              }),
              column.getSQLType(),
            ),
          ),
          sql`, `,
        )}) AS t
        RETURNING ${columnsAs(attempts, 'a')}`);
      // At most one start per participant succeeds in a batch: (round, user) names its row.
      for (const row of fromDriver(attempts, rows)) insertedRows.set(pairKey(row.roundId, row.userId), row);
    }
    const inserted: Inserted = (slot) => {
      const row = insertedRows.get(pairKey(slot.op.attempt.roundId, slot.op.attempt.userId));
      if (!row) throw new Error('INSERT .. RETURNING gave no row for a start');
      return row;
    };
    const snapshots = slots.flatMap((s) =>
      s.op.questionRows.map((q) => ({ attemptId: inserted(s).id, ...q })),
    );
    if (snapshots.length > 0) {
      // The snapshots as one json array (ROWS FROM zips it with the other arrays): pg's escaping
      // of a text[] of JSON costs more than the JSON itself.
      await tx.execute(sql`
        INSERT INTO attempt_questions (attempt_id, position, question_id, snapshot)
        SELECT * FROM ROWS FROM (unnest(${pgArray(
          snapshots.map((q) => q.attemptId),
          'int',
        )}),
          unnest(${pgArray(
            snapshots.map((q) => q.position),
            'int',
          )}),
          unnest(${pgArray(
            snapshots.map((q) => q.questionId),
            'int',
          )}),
          json_array_elements(${JSON.stringify(snapshots.map((q) => q.snapshot))}::json))`);
    }
    if (changed.size > 0) {
      const rows = [...changed.values()];
      const col = <K extends keyof AttemptRow>(k: K) => rows.map((r) => r[k]);
      await tx.execute(sql`
        UPDATE attempts AS a SET status = v.status, submitted_at = v.submitted_at, duration_ms = v.duration_ms,
          score = v.score, correct_count = v.correct_count, all_correct = v.all_correct, prediction = v.prediction,
          void_reason = v.void_reason
        FROM unnest(${pgArray(col('id'), 'int')}, ${pgArray(col('status'), 'text')}, ${pgArray(col('submittedAt'), 'bigint')},
                    ${pgArray(col('durationMs'), 'int')}, ${pgArray(col('score'), 'float8')}, ${pgArray(col('correctCount'), 'int')},
                    ${pgArray(col('allCorrect'), 'bool')}, ${pgArray(col('prediction'), 'float8')}, ${pgArray(col('voidReason'), 'text')})
          AS v(id, status, submitted_at, duration_ms, score, correct_count, all_correct, prediction, void_reason)
        WHERE a.id = v.id`);
    }
    const results = [...recounted.values()].filter((r): r is RoundResultRow => r !== null);
    if (results.length > 0) {
      const col = <K extends keyof RoundResultRow>(k: K) => results.map((r) => r[k]);
      await tx.execute(sql`
        INSERT INTO round_results (round_id, user_id, attempt_id, group_key, name, unit, score, duration_ms,
          submitted_at, all_correct, prediction)
        SELECT * FROM unnest(${pgArray(col('roundId'), 'int')}, ${pgArray(col('userId'), 'int')}, ${pgArray(col('attemptId'), 'int')},
                             ${pgArray(col('groupKey'), 'text')}, ${pgArray(col('name'), 'text')}, ${pgArray(col('unit'), 'text')},
                             ${pgArray(col('score'), 'float8')}, ${pgArray(col('durationMs'), 'int')}, ${pgArray(col('submittedAt'), 'bigint')},
                             ${pgArray(col('allCorrect'), 'bool')}, ${pgArray(col('prediction'), 'float8')})
        ON CONFLICT (round_id, user_id) DO UPDATE SET attempt_id = excluded.attempt_id, group_key = excluded.group_key,
          name = excluded.name, unit = excluded.unit, score = excluded.score, duration_ms = excluded.duration_ms,
          submitted_at = excluded.submitted_at, all_correct = excluded.all_correct, prediction = excluded.prediction`);
    }
    const dropped = [...recounted.entries()].filter(([, r]) => r === null).map(([key]) => pairs.get(key)!);
    if (dropped.length > 0) {
      await tx.execute(sql`
        DELETE FROM round_results WHERE (round_id, user_id) IN (
          SELECT * FROM unnest(${pgArray(
            dropped.map((p) => p.roundId),
            'int',
          )}, ${pgArray(
            dropped.map((p) => p.userId),
            'int',
          )}))`);
    }
    // Last: the audit log's lock is held from here to COMMIT only.
    await appendPgAuditMany(
      tx,
      audit.map((entry) => entry(inserted)),
    );
    return { decisions, inserted };
  }
}
