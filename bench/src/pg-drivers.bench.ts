// Which PostgreSQL driver should carry the answer-save path (issue #8): node-postgres (`pg`) or
// postgres.js (`postgres`). Both are measured under the same group commit as db/src/answer-writer.ts
// (the saves of one event-loop turn go out as ONE multi-row statement, acknowledged only after its
// COMMIT, synchronous_commit on), against the embedded AnswerWriter on SQLite in the same run and
// the same harness: C closed-loop clients in this process, each awaiting its save before the next.
// No HTTP: this isolates the driver, the protocol and the database.
//
//   node --import tsx bench/src/pg-drivers.bench.ts [--clients 200] [--seconds 8] [--pool 4]
//
// It creates a throw-away database on DATABASE_URL's server (default
// postgres://postgres@127.0.0.1:5432/postgres) and drops it at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import Database from 'better-sqlite3';
import { AnswerWriter } from '@quizarena/db';
import { fmtMs, numberArg, percentile } from './lib/stats.ts';

const CLIENTS = numberArg('clients', 200);
const SECONDS = numberArg('seconds', 8);
const POOL = numberArg('pool', 4);
const ATTEMPTS = 10_000;
const QUESTIONS = 30;
const WARMUP_MS = 1500;

interface Save {
  attemptId: number;
  questionId: number;
  optionIds: string;
  savedAt: number;
}

/** One statement for a whole batch: arrays in, the attempts guard, last-wins upsert, every save logged. */
const BATCH_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::bigint[])
    WITH ORDINALITY AS t(attempt_id, question_id, option_ids, saved_at, ord)
), ok AS (
  SELECT i.* FROM input i JOIN attempts a ON a.id = i.attempt_id AND a.status = 'in_progress'
), up AS (
  INSERT INTO answers (attempt_id, question_id, option_ids, saved_at)
  SELECT DISTINCT ON (attempt_id, question_id) attempt_id, question_id, option_ids, saved_at
  FROM ok ORDER BY attempt_id, question_id, ord DESC
  ON CONFLICT (attempt_id, question_id) DO UPDATE
    SET option_ids = excluded.option_ids, saved_at = excluded.saved_at
)
INSERT INTO answer_log (attempt_id, question_id, option_ids, saved_at)
SELECT attempt_id, question_id, option_ids, saved_at FROM ok
RETURNING attempt_id`;

const SCHEMA = [
  `CREATE TABLE attempts (id int PRIMARY KEY, status text NOT NULL)`,
  `CREATE TABLE answers (attempt_id int NOT NULL, question_id int NOT NULL, option_ids text NOT NULL,
     saved_at bigint NOT NULL, PRIMARY KEY (attempt_id, question_id))`,
  `CREATE TABLE answer_log (id bigserial PRIMARY KEY, attempt_id int NOT NULL, question_id int NOT NULL,
     option_ids text NOT NULL, saved_at bigint NOT NULL)`,
  `CREATE INDEX answer_log_attempt_idx ON answer_log (attempt_id, id)`,
  `INSERT INTO attempts SELECT g, 'in_progress' FROM generate_series(1, ${ATTEMPTS}) g`,
];

type Execute = (batch: Save[]) => Promise<number>;

/** Group commit over any driver: a batch per turn of the event loop, up to `inFlight` batches at once. */
function groupCommit(execute: Execute, inFlight: number) {
  let queue: { save: Save; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  let running = 0;
  const pump = () => {
    while (running < inFlight && queue.length > 0) {
      const batch = queue;
      queue = [];
      running++;
      execute(batch.map((p) => p.save))
        .then(() => batch.forEach((p) => p.resolve()))
        .catch((err: unknown) => batch.forEach((p) => p.reject(err)))
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  return (save: Save) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ save, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          pump();
        });
      }
    });
}

const columns = (batch: Save[]) => [
  batch.map((s) => s.attemptId),
  batch.map((s) => s.questionId),
  batch.map((s) => s.optionIds),
  batch.map((s) => s.savedAt),
];

interface Outcome {
  name: string;
  saves: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuMsPerSave: number;
}

/** C closed-loop clients for SECONDS; latency of each save from call to acknowledgement. */
async function drive(name: string, save: (s: Save) => Promise<void>): Promise<Outcome> {
  const latencies: number[] = [];
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const stopAt = measureFrom + SECONDS * 1000;
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  let n = 0;
  const client = async () => {
    while (performance.now() < stopAt) {
      const s: Save = {
        attemptId: 1 + Math.floor(Math.random() * ATTEMPTS),
        questionId: 1 + Math.floor(Math.random() * QUESTIONS),
        optionIds: JSON.stringify([`o${n++ % 4}`]),
        savedAt: Date.now(),
      };
      const t = performance.now();
      await save(s);
      if (t >= measureFrom) {
        cpuAtStart ??= process.cpuUsage();
        latencies.push(performance.now() - t);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const cpu = process.cpuUsage(cpuAtStart ?? undefined);
  latencies.sort((a, b) => a - b);
  return {
    name,
    saves: latencies.length,
    perSecond: latencies.length / SECONDS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerSave: (cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length),
  };
}

async function main() {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `qa_bench_drivers_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  const outcomes: Outcome[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qa-drivers-'));
  try {
    const setup = new pg.Client({ connectionString: url.toString() });
    await setup.connect();
    const { rows } = await setup.query<{ v: string; sc: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc`,
    );
    console.log(
      `PostgreSQL ${rows[0]!.v}, synchronous_commit=${rows[0]!.sc}; ${CLIENTS} clients, ${SECONDS} s, pool ${POOL}`,
    );
    const reset = async () => {
      await setup.query('DROP TABLE IF EXISTS answer_log, answers, attempts');
      for (const statement of SCHEMA) await setup.query(statement);
    };

    // Embedded baseline: the real AnswerWriter on SQLite (WAL, synchronous=FULL), same harness.
    {
      const sqlite = new Database(path.join(dir, 'bench.sqlite'));
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = FULL');
      sqlite.exec(`CREATE TABLE attempts (id INTEGER PRIMARY KEY, status TEXT NOT NULL);
        CREATE TABLE answers (attempt_id INTEGER NOT NULL, question_id INTEGER NOT NULL, option_ids TEXT NOT NULL,
          saved_at INTEGER NOT NULL, PRIMARY KEY (attempt_id, question_id));
        CREATE TABLE answer_log (id INTEGER PRIMARY KEY AUTOINCREMENT, attempt_id INTEGER NOT NULL,
          question_id INTEGER NOT NULL, option_ids TEXT NOT NULL, saved_at INTEGER NOT NULL, ip TEXT,
          user_agent TEXT, hash TEXT);
        CREATE INDEX answer_log_attempt_idx ON answer_log (attempt_id, id);`);
      const insert = sqlite.prepare(`INSERT INTO attempts VALUES (?, 'in_progress')`);
      sqlite.transaction(() => {
        for (let i = 1; i <= ATTEMPTS; i++) insert.run(i);
      })();
      const writer = new AnswerWriter(sqlite);
      outcomes.push(
        await drive('sqlite (AnswerWriter)', async (s) => {
          await writer.save({
            ...s,
            optionIds: JSON.parse(s.optionIds) as string[],
            ip: null,
            userAgent: null,
          });
        }),
      );
      sqlite.close();
    }

    // node-postgres: a named (prepared) statement, a pool of POOL connections.
    await reset();
    {
      const pool = new pg.Pool({ connectionString: url.toString(), max: POOL });
      const execute: Execute = async (batch) =>
        (await pool.query({ name: 'save-batch', text: BATCH_SQL, values: columns(batch) })).rowCount ?? 0;
      outcomes.push(await drive('pg (node-postgres)', groupCommit(execute, POOL)));
      await pool.end();
    }

    // postgres.js: the same statement, prepared, a pool of POOL connections.
    await reset();
    {
      const sql = postgres(url.toString(), { max: POOL, prepare: true, onnotice: () => undefined });
      const execute: Execute = async (batch) =>
        (await sql.unsafe(BATCH_SQL, columns(batch), { prepare: true })).count;
      outcomes.push(await drive('postgres.js', groupCommit(execute, POOL)));
      await sql.end();
    }
    const { rows: logged } = await setup.query<{ n: string }>('SELECT count(*) AS n FROM answer_log');
    console.log(`(postgres.js run logged ${logged[0]!.n} saves)`);
    await setup.end();
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }

  const embedded = outcomes[0]!.perSecond;
  console.log('\n| store | saves/s | vs embedded | p50 | p99 | CPU of this process per save |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const o of outcomes) {
    console.log(
      `| ${o.name} | ${Math.round(o.perSecond)} | ${(o.perSecond / embedded).toFixed(2)} | ${fmtMs(o.p50)} | ${fmtMs(o.p99)} | ${o.cpuMsPerSave.toFixed(3)} ms |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
