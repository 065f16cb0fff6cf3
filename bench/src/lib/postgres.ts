// PostgreSQL for the "postgres" and "postgres-2" modes: a fresh database on the local server
// (createTestPgDatabase: QUIZARENA_TEST_PG, default postgres://postgres@127.0.0.1:5432/postgres),
// dropped after the mode, and a monitoring connection to it that reads what the figures need:
// the server's settings, the pids of the PostgreSQL processes working for the bench (to sum their
// CPU time from /proc, as pidstat would), the database's commit count and the cluster's WAL syncs,
// and the latency of a one-row durable commit from one connection (the floor of a save's commit).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createTestPgDatabase } from '@quizarena/db/testing';
import { processCpuMs } from './server.ts';
import { percentile } from './stats.ts';

export interface PgInfo {
  version: string;
  settings: Record<string, string>;
  /** A one-row INSERT + COMMIT (synchronous_commit=on) from one idle connection, before the load. */
  commitProbe: { n: number; p50Ms: number; p99Ms: number };
}

export interface PgCounters {
  /** Transactions committed in the bench database (pg_stat_database, flushed by backends about once a second). */
  commits: number;
  /** WAL flushes of the whole cluster (pg_stat_wal.wal_sync: other databases' commits count too). */
  walSyncs: number;
}

const SETTINGS = [
  'synchronous_commit',
  'fsync',
  'wal_sync_method',
  'commit_delay',
  'shared_buffers',
  'max_connections',
  'wal_level',
  'data_directory',
];

/** pid → CPU time so far (ms) and backend_type ('client backend', 'walwriter', ..., 'postmaster'). */
export type CpuSnapshot = Map<number, { ms: number; type: string }>;

export class PgMonitor {
  private constructor(
    private readonly client: pg.Client,
    readonly name: string,
    private readonly selfPid: number,
    private readonly postmasterPid: number | null,
  ) {}

  static async open(url: string, name: string): Promise<PgMonitor> {
    const client = new pg.Client({ connectionString: url, application_name: 'quizarena-bench-monitor' });
    await client.connect();
    const self = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    // The postmaster is our backend's parent; only meaningful when the server runs on this machine.
    const local = ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(url).hostname);
    return new PgMonitor(client, name, self, local ? parentPid(self) : null);
  }

  /** Whether CPU times of the server's processes can be read here (a loopback server). */
  get local(): boolean {
    return this.postmasterPid !== null;
  }

  async info(probeCommits = 200): Promise<PgInfo> {
    const version = (await this.client.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
      .rows[0]!.v;
    const settings: Record<string, string> = {};
    const rows = await this.client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
      [SETTINGS],
    );
    for (const r of rows.rows) settings[r.name] = r.unit ? `${r.setting} (${r.unit})` : r.setting;
    await this.client.query(
      'CREATE TABLE bench_commit_probe (id int GENERATED ALWAYS AS IDENTITY, at bigint)',
    );
    await this.client.query('SET synchronous_commit = on');
    const samples: number[] = [];
    for (let i = 0; i < probeCommits; i++) {
      const t = performance.now();
      // One statement outside a transaction block: its own transaction, COMMIT included.
      await this.client.query('INSERT INTO bench_commit_probe (at) VALUES ($1)', [Date.now()]);
      samples.push(performance.now() - t);
    }
    await this.client.query('DROP TABLE bench_commit_probe');
    samples.sort((a, b) => a - b);
    return {
      version,
      settings,
      commitProbe: { n: probeCommits, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) },
    };
  }

  /**
   * The processes whose CPU counts as PostgreSQL's: the bench database's backends (the server
   * pools' connections, autovacuum workers on it) but not this monitor, the cluster's background
   * processes (WAL writer, checkpointer, background writer, ...), and the postmaster.
   */
  async pids(): Promise<{ pid: number; type: string }[]> {
    if (this.postmasterPid === null) return [];
    const { rows } = await this.client.query<{ pid: number; type: string }>(
      `SELECT pid, backend_type AS type FROM pg_stat_activity
       WHERE pid <> pg_backend_pid() AND (datname = current_database() OR backend_type <> 'client backend')`,
    );
    return [
      { pid: this.postmasterPid, type: 'postmaster' },
      ...rows.map((r) => ({ pid: Number(r.pid), type: r.type })).filter((p) => p.pid !== this.selfPid),
    ];
  }

  /** CPU time so far (ms) and kind (backend_type) of each of `pids()`. */
  async cpuSnapshot(): Promise<CpuSnapshot> {
    const out: CpuSnapshot = new Map();
    for (const { pid, type } of await this.pids()) {
      const ms = processCpuMs(pid);
      if (ms !== null) out.set(pid, { ms, type });
    }
    return out;
  }

  async counters(): Promise<PgCounters> {
    await this.client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await this.client.query<{ commits: string; syncs: string }>(
      `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
              (SELECT wal_sync FROM pg_stat_wal) AS syncs`,
    );
    return { commits: Number(rows[0]!.commits), walSyncs: Number(rows[0]!.syncs) };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/**
 * CPU (ms) the PostgreSQL processes used between two snapshots. A backend forked meanwhile (a pool
 * growing under load) starts from zero; one that exited meanwhile is lost (rare: pools keep theirs).
 */
export function cpuBetween(
  before: CpuSnapshot,
  after: CpuSnapshot,
): { ms: number; byType: Record<string, number> } {
  let ms = 0;
  const byType: Record<string, number> = {};
  for (const [pid, end] of after) {
    const d = Math.max(0, end.ms - (before.get(pid)?.ms ?? 0));
    ms += d;
    byType[end.type] = (byType[end.type] ?? 0) + d;
  }
  return { ms, byType };
}

function parentPid(pid: number): number | null {
  // Field 4 of /proc/<pid>/stat; readable for other users' processes.
  const stat = readStat(pid);
  if (stat === null) return null;
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return ppid > 1 ? ppid : null;
}

function readStat(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
}

/** A fresh database for one mode; `drop()` removes it (ending its connections). */
export async function createBenchDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  return createTestPgDatabase();
}
