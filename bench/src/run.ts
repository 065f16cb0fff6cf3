// `npm run bench`: end-to-end load test of the real server over loopback, in up to four modes:
//   embedded    SQLite + in-process rankings (no REDIS_URL)
//   redis       SQLite + Redis rankings, events and rate-limit counters (REDIS_URL, default
//               redis://127.0.0.1:6379, under a unique REDIS_PREFIX whose keys are deleted after)
//   postgres    one node on PostgreSQL (DATABASE_URL: a fresh database on QUIZARENA_TEST_PG's
//               server, dropped after) + Redis as above: the multi-node deployment with one node
//   postgres-2  two nodes on that one database and Redis prefix; every phase's connections and
//               participants alternate between the two ports (BENCH_SPREAD); CPU summed over both
// For each: a fresh DATA_DIR (and database) with the demo contest, a 100k-participant week-1
// leaderboard and P load-test participants with sessions; the server(s) as child processes;
// attempt starts; a closed-loop load of durable answer saves; submissions; leaderboard reads. Then
// a table against the targets (DESIGN.md section 4, docs/performance.md), also written to
// bench/results/latest.json.
//
// Settings (environment), see docs/performance.md: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2),
// BENCH_CONNECTIONS (64), BENCH_PARTICIPANTS (400), BENCH_LEADERBOARD_SIZE (100000), BENCH_MODES
// (embedded,redis,postgres,postgres-2; a mode whose Redis or PostgreSQL does not answer is skipped
// unless REDIS_URL / QUIZARENA_TEST_PG is set), BENCH_DATABASE_POOL (the server's DATABASE_POOL
// per node; unset: its default), BENCH_SPREAD (participant: participant i's requests all go to node
// i mod N; request: any participant on any node),
// BENCH_CLIENT (autocannon, or http for node:http with a keep-alive Agent),
// BENCH_DATA_ROOT (os.tmpdir(): put it on the disk you want to measure), BENCH_QUIET_WAIT (0: seconds
// to wait, before each mode, for other jobs on a shared machine to leave it < 15% busy),
// BENCH_MAX_REQUESTS (2,000,000 per phase), BENCH_PROFILE=1 (the server runs under --cpu-prof and
// each phase's top functions are printed; figures are then slowed by the profiler and written to
// latest-profiled.json instead).
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, openPostgres, type Database } from '@quizarena/db';
import { formatSummary, summariseProfile, type CpuProfile, type ProfileSummary } from './cpuprofile.ts';
import { autocannonLoop } from './lib/autocannon-loop.ts';
import {
  Client,
  closedLoop,
  forEachConcurrent,
  mergeLoops,
  type LoopOptions,
  type LoopResult,
  type Res,
} from './lib/http.ts';
import { machineBusyMs, machineInfo, waitForQuiet, type MachineInfo } from './lib/machine.ts';
import { cpuBetween, createBenchDatabase, PgMonitor, type PgCounters, type PgInfo } from './lib/postgres.ts';
import { prepareStore, type BenchParticipant } from './lib/prepare.ts';
import { connectRedis, deleteKeys } from './lib/redis.ts';
import { freePort, processCpuMs, startServer, type ServerHandle } from './lib/server.ts';
import { fmtErrors, fmtMs, fmtRate, type LatencySummary } from './lib/stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results');

const num = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${raw}: expected a number >= ${min}`);
  return n;
};

const settings = {
  seconds: num('BENCH_SECONDS', 10, 1),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 2, 0),
  connections: Math.floor(num('BENCH_CONNECTIONS', 64, 1)),
  participants: Math.floor(num('BENCH_PARTICIPANTS', 400, 1)),
  leaderboardSize: Math.floor(num('BENCH_LEADERBOARD_SIZE', 100_000, 1)),
  maxRequests: Math.floor(num('BENCH_MAX_REQUESTS', 2_000_000, 1)),
  modes: (process.env.BENCH_MODES ?? 'embedded,redis,postgres,postgres-2')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean),
  dataRoot: path.resolve(process.env.BENCH_DATA_ROOT || os.tmpdir()),
  quietWait: num('BENCH_QUIET_WAIT', 0, 0),
  /** Load generator of the closed loops: autocannon (leaner) or node:http. */
  client: (process.env.BENCH_CLIENT ?? 'autocannon') as 'autocannon' | 'http',
  /** Length of the one-connection phases. */
  singleSeconds: Math.min(5, num('BENCH_SECONDS', 10, 1)),
  profile: ['1', 'true', 'yes'].includes((process.env.BENCH_PROFILE ?? '').toLowerCase()),
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  redisRequired: Boolean(process.env.REDIS_URL),
  /** The postgres modes are skipped when PostgreSQL does not answer, unless QUIZARENA_TEST_PG names it. */
  postgresRequired: Boolean(process.env.QUIZARENA_TEST_PG),
  /** Several nodes: which node a participant's saves and reads go to (see runMode's loop). */
  spread: (process.env.BENCH_SPREAD ?? 'participant') as 'participant' | 'request',
  databasePool: process.env.BENCH_DATABASE_POOL ? Math.floor(num('BENCH_DATABASE_POOL', 10, 1)) : null,
};
if (settings.spread !== 'participant' && settings.spread !== 'request') {
  throw new Error(`BENCH_SPREAD=${settings.spread}: expected participant or request`);
}
if (settings.client !== 'autocannon' && settings.client !== 'http') {
  throw new Error(`BENCH_CLIENT=${settings.client}: expected autocannon or http`);
}
const MODES = ['embedded', 'redis', 'postgres', 'postgres-2'] as const;
type Mode = (typeof MODES)[number];
for (const m of settings.modes) {
  if (!(MODES as readonly string[]).includes(m))
    throw new Error(`BENCH_MODES: unknown mode ${m} (${MODES.join(', ')})`);
}
const usesRedis = (mode: Mode): boolean => mode !== 'embedded';
const usesPostgres = (mode: Mode): boolean => mode === 'postgres' || mode === 'postgres-2';
const nodesOf = (mode: Mode): number => (mode === 'postgres-2' ? 2 : 1);

const TARGETS = {
  answerSavesPerSecond: 5000,
  answerSaveP99Ms: 50,
  leaderboardP99Ms: 5,
};
/** Issue #8's aim for PostgreSQL on the 2-core machine: this share of the same run's embedded saves/s. */
const PG_AIM = { ratio: 0.6, p99Ms: 50 };

// ---------------------------------------------------------------------------------------------
// Clean-up: everything the run creates is registered here and undone on exit, error or Ctrl-C.
// ---------------------------------------------------------------------------------------------
const cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      console.error('clean-up step failed:', err);
    }
  }
}
process.once('SIGINT', () => {
  console.error('\ninterrupted: cleaning up');
  void cleanUp().finally(() => process.exit(130));
});
// The whole run is bounded; this only fires if something hangs.
const WATCHDOG_MS =
  ((settings.seconds + settings.warmupSeconds) * 4 + settings.quietWait * 2) * 1000 + 15 * 60_000;
setTimeout(() => {
  console.error(`bench did not finish in ${WATCHDOG_MS / 60_000} min: cleaning up and exiting`);
  void cleanUp().finally(() => process.exit(2));
}, WATCHDOG_MS).unref();

// ---------------------------------------------------------------------------------------------

interface AttemptView {
  id: number;
  questions: { id: number; options: { id: string }[] }[];
}

interface CpuShare {
  /** CPU time over wall time, in % of one core (the machine has `cores` × 100%); every node summed. */
  serverPct: number | null;
  clientPct: number;
  /** The local Redis server (modes with Redis), or null. */
  redisPct: number | null;
  /** The local PostgreSQL's processes (the bench database's backends, background processes), or null. */
  postgresPct: number | null;
  /** The same by backend_type ('client backend' = the servers' pool connections, 'walwriter', ...). */
  postgresByTypePct: Record<string, number> | null;
  /** Every other process on the machine (other jobs, kernel threads). */
  othersPct: number | null;
  /** Server CPU time per request (µs): the cost of one request, mostly independent of contention. */
  serverUsPerRequest: number | null;
  /** PostgreSQL's CPU time per request (µs). */
  postgresUsPerRequest: number | null;
  /** Requests sent over the measured time (warm-up included, as the CPU times). */
  requests: number;
  /**
   * PostgreSQL over the phase (postgres modes): the bench database's transactions (every statement
   * outside a transaction counts as one, reads too) and the cluster's WAL flushes (durable commits
   * share one when they wait together; other databases' commits count too), with their rates.
   */
  pg: (PgCounters & { commitsPerSecond: number; walSyncsPerSecond: number }) | null;
}

interface ModeResult {
  mode: string;
  /** Server processes (API nodes) sharing the load. */
  nodes: number;
  redisVersion?: string;
  postgres?: PgInfo & { databasePool: number | null };
  prepareMs: { seed: number; generate: number; participants: number };
  /** Per node, started one after the other (the first rebuilds the rankings). */
  serverStartMs: number[];
  /** How busy the whole machine was (0-100%) just before the run: other jobs skew the figures. */
  machineBusyBeforePct: number | null;
  serverPeakRssMiB: (number | null)[];
  attemptStarts: LatencySummary;
  answers: LatencySummary & { windowMs: number; cpu: CpuShare };
  submissions: LatencySummary;
  leaderboardPage: LatencySummary;
  leaderboardMe: LatencySummary;
  leaderboard: { windowMs: number; cpu: CpuShare; boardTotal: number };
  /** The same requests from one connection: service time without queueing behind other requests. */
  single: { answers: LatencySummary; leaderboardPage: LatencySummary; leaderboardMe: LatencySummary };
  checks: {
    acknowledgedSaves: number;
    loggedSaves: number;
    submittedAttempts: number;
    redisKeysDeleted?: number;
  };
  profile?: {
    file: string;
    /** CLOCK_MONOTONIC µs windows of the two phases, for `bench/src/cpuprofile.ts --from --to`. */
    windows: { answers: Window; submissions: Window; leaderboard: Window };
    answers: ProfileSummary;
    submissions: ProfileSummary;
    leaderboard: ProfileSummary;
  };
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

function log(msg: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

const line = (label: string, s: LatencySummary, rateLabel: string): string =>
  `${label}: ${fmtRate(s.perSecond)} ${rateLabel}, p50 ${fmtMs(s.p50)}, p99 ${fmtMs(s.p99)}, p99.9 ${fmtMs(s.p999)}, max ${fmtMs(s.max)}; errors ${fmtErrors(s.errors)}`;

/** The summed CPU time (ms) of the servers, or null when one cannot be read. */
function serversCpuMs(servers: ServerHandle[]): number | null {
  let ms = 0;
  for (const s of servers) {
    const v = s.cpuMs();
    if (v === null) return null;
    ms += v;
  }
  return ms;
}

/** Measures client, server(s), Redis and PostgreSQL CPU over `run`. */
async function withCpu(
  servers: ServerHandle[],
  redisPid: number | null,
  pgMonitor: PgMonitor | null,
  run: () => Promise<LoopResult>,
): Promise<{ value: LoopResult; cpu: CpuShare }> {
  const g0 = pgMonitor?.local ? await pgMonitor.cpuSnapshot() : null;
  const k0 = pgMonitor ? await pgMonitor.counters() : null;
  const c0 = process.cpuUsage();
  const s0 = serversCpuMs(servers);
  const r0 = redisPid === null ? null : processCpuMs(redisPid);
  const m0 = machineBusyMs();
  const t0 = performance.now();
  const value = await run();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const s1 = serversCpuMs(servers);
  const r1 = redisPid === null ? null : processCpuMs(redisPid);
  const m1 = machineBusyMs();
  const g1 = pgMonitor?.local ? await pgMonitor.cpuSnapshot() : null;
  const k1 = pgMonitor ? await pgMonitor.counters() : null;
  const clientPct = ((c.user + c.system) / 1000 / wall) * 100;
  const serverPct = s0 !== null && s1 !== null ? ((s1 - s0) / wall) * 100 : null;
  const machinePct = m0 !== null && m1 !== null ? ((m1 - m0) / wall) * 100 : null;
  const redisPct = r0 !== null && r1 !== null ? ((r1 - r0) / wall) * 100 : null;
  const pgCpu = g0 !== null && g1 !== null ? cpuBetween(g0, g1) : null;
  const pgMs = pgCpu?.ms ?? null;
  const postgresPct = pgMs === null ? null : (pgMs / wall) * 100;
  const sent = sentCount(value);
  return {
    value,
    cpu: {
      clientPct,
      serverPct,
      redisPct,
      postgresPct,
      postgresByTypePct: pgCpu
        ? Object.fromEntries(Object.entries(pgCpu.byType).map(([k, v]) => [k, (v / wall) * 100]))
        : null,
      othersPct:
        machinePct !== null && serverPct !== null
          ? Math.max(0, machinePct - serverPct - clientPct - (redisPct ?? 0) - (postgresPct ?? 0))
          : null,
      serverUsPerRequest: s0 !== null && s1 !== null && sent > 0 ? ((s1 - s0) * 1000) / sent : null,
      postgresUsPerRequest: pgMs !== null && sent > 0 ? (pgMs * 1000) / sent : null,
      requests: sent,
      pg:
        k0 && k1
          ? {
              commits: k1.commits - k0.commits,
              walSyncs: k1.walSyncs - k0.walSyncs,
              commitsPerSecond: ((k1.commits - k0.commits) * 1000) / wall,
              walSyncsPerSecond: ((k1.walSyncs - k0.walSyncs) * 1000) / wall,
            }
          : null,
    },
  };
}

/** Every request a loop sent, warm-up included. */
function sentCount(loop: LoopResult): number {
  let n = 0;
  for (const byStatus of loop.sent.values()) for (const c of byStatus.values()) n += c;
  return n;
}

function peakRssMiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function runMode(mode: Mode): Promise<ModeResult> {
  const { participants: P, connections: C } = settings;
  const N = nodesOf(mode);
  const dataDir = mkdtempSync(path.join(settings.dataRoot, `quizarena-bench-${mode}-`));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

  let redisVersion: string | undefined;
  let redisPid: number | null = null;
  let redisPrefix: string | undefined;
  // Filled in as the run goes; the Redis key count only by the clean-up, after the run.
  const checks: ModeResult['checks'] = { acknowledgedSaves: 0, loggedSaves: 0, submittedAttempts: 0 };
  if (usesRedis(mode)) {
    const { redis, version, pid } = await connectRedis(settings.redisUrl);
    redisVersion = version;
    redisPid = pid;
    redisPrefix = `qa-bench-${process.pid}-${randomBytes(3).toString('hex')}:`;
    const prefix = redisPrefix;
    cleanups.push(async () => {
      checks.redisKeysDeleted = await deleteKeys(redis, prefix);
      await redis.quit();
    });
    log(`redis ${version} at ${settings.redisUrl}, prefix ${prefix}`);
  }

  // The store: SQLite in DATA_DIR, or a fresh PostgreSQL database (DATA_DIR still holds the
  // session secret file and the audit anchors).
  let pgDatabase: { url: string; name: string } | null = null;
  let pgMonitor: PgMonitor | null = null;
  let pgInfo: PgInfo | undefined;
  if (usesPostgres(mode)) {
    let created: Awaited<ReturnType<typeof createBenchDatabase>>;
    try {
      created = await createBenchDatabase();
    } catch (err) {
      throw new PostgresUnavailable((err as Error).message);
    }
    pgDatabase = created;
    cleanups.push(() => created.drop());
    const monitor = await PgMonitor.open(created.url, created.name);
    pgMonitor = monitor;
    cleanups.push(() => monitor.close());
    pgInfo = await monitor.info();
    log(
      `postgres ${pgInfo.version}, database ${created.name}; a one-row commit from one connection: p50 ${fmtMs(pgInfo.commitProbe.p50Ms)}, p99 ${fmtMs(pgInfo.commitProbe.p99Ms)}`,
    );
  }
  const databaseFile = path.join(dataDir, 'quizarena.sqlite');
  const openStore = async (): Promise<Database> =>
    pgDatabase ? openPostgres(pgDatabase.url, { pool: 4 }) : openDatabase(databaseFile);

  const sessionSecret = randomBytes(32).toString('hex');
  log(
    `preparing ${pgDatabase ? `database ${pgDatabase.name}` : dataDir}: demo, ${settings.leaderboardSize.toLocaleString('en')} ranked participants, ${P} load participants`,
  );
  const prepStore = await openStore();
  let data: Awaited<ReturnType<typeof prepareStore>>;
  try {
    data = await prepareStore(prepStore, {
      participants: P,
      leaderboardSize: settings.leaderboardSize,
      sessionSecret,
    });
  } finally {
    await prepStore.close();
  }
  log(
    `prepared in ${((data.timings.seedMs + data.timings.generateMs + data.timings.participantsMs) / 1000).toFixed(1)} s (round ${data.roundId})`,
  );

  const quiet = await waitForQuiet(settings.quietWait);
  const machineBusyBeforePct = quiet.busyPct;
  log(
    `machine ${quiet.busyPct === null ? '?' : quiet.busyPct.toFixed(0)}% busy before the server starts (other jobs)${quiet.waitedS > 1.5 ? `, after waiting ${quiet.waitedS.toFixed(0)} s` : ''}`,
  );
  const profileRoot = settings.profile ? path.join(RESULTS, 'profiles', `${mode}-${Date.now()}`) : null;
  const servers: ServerHandle[] = [];
  const serverStartMs: number[] = [];
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await Promise.all(servers.map((s) => s.stop()));
  });
  // One after the other: the first migrates, loads the demo and rebuilds the rankings, the
  // second finds them done (as a node joining a running deployment).
  for (let node = 0; node < N; node++) {
    const port = await freePort();
    const profileDir = profileRoot ? path.join(profileRoot, `node-${node + 1}`) : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: sessionSecret,
      RATE_LIMIT_SCALE: '100000',
      SEED_DEMO: 'true',
      ...(usesRedis(mode) ? { REDIS_URL: settings.redisUrl, REDIS_PREFIX: redisPrefix! } : {}),
      ...(pgDatabase ? { DATABASE_URL: pgDatabase.url } : {}),
      ...(pgDatabase && settings.databasePool !== null
        ? { DATABASE_POOL: String(settings.databasePool) }
        : {}),
    };
    const t = performance.now();
    const server = await startServer({
      root: ROOT,
      port,
      env,
      nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '500'] : [],
    });
    servers.push(server);
    serverStartMs.push(performance.now() - t);
    log(
      `server${N > 1 ? ` node ${node + 1}` : ''} pid ${server.pid} on 127.0.0.1:${port}, healthy after ${(serverStartMs[node]! / 1000).toFixed(1)} s`,
    );
  }
  const ports = servers.map((s) => s.port);

  // Request i of a phase goes to node i mod N (participant i for starts and submissions).
  const clients = ports.map((port) => new Client(port, C));
  const clientFor = (i: number): Client => clients[i % clients.length]!;
  const closeClients = () => clients.forEach((c) => c.close());
  try {
    // Attempt starts: one per load participant, C at a time.
    const starts = await forEachConcurrent(
      data.participants.map((p, i) => ({ p, i })),
      C,
      ({ p, i }) =>
        clientFor(i).send({ method: 'POST', path: `/api/rounds/${data.roundId}/attempts`, cookie: p.cookie }),
      201,
    );
    const bad = starts.results.find((r) => r.status !== 201);
    if (bad)
      throw new Error(
        `attempt start failed: ${bad.status || bad.error} ${bad.body.slice(0, 300)}\n${servers.map((s) => s.output().split('\n').slice(-20).join('\n')).join('\n--\n')}`,
      );
    const attempts = starts.results.map((r) => (JSON.parse(r.body) as { attempt: AttemptView }).attempt);
    const attemptStarts = starts.recorder.summary(starts.elapsedMs);
    log(line(`attempt starts (${P})`, attemptStarts, '/s'));

    const participantOn = (node: number): number =>
      N === 1 || settings.spread === 'request'
        ? randomInt(P)
        : node + N * randomInt(Math.ceil((P - node) / N));

    // A closed loop over every node: its connections split between the ports (the first ones
    // get the remainder), each node's loop with its own load generator instance, pooled after.
    // `next` is told the node: with BENCH_SPREAD=participant (default) node k only sends for the
    // participants i ≡ k (mod N), as with starts and submissions; with `request`, any participant
    // on any node (a balancer alternating every request of a participant).
    const loop = async (
      opts: Omit<LoopOptions, 'client' | 'next'> & {
        next: (node: number, w: number, n: number) => ReturnType<LoopOptions['next']>;
      },
    ): Promise<LoopResult> => {
      const shares = ports
        .map((_, k) => Math.floor(opts.connections / N) + (k < opts.connections % N ? 1 : 0))
        .map((connections, k) => ({ connections, k }))
        .filter((s) => s.connections > 0);
      const results = await Promise.all(
        shares.map(({ connections, k }) => {
          const o = {
            ...opts,
            connections,
            maxRequests: Math.ceil(opts.maxRequests / shares.length),
            next: (w: number, n: number) => opts.next(k, w, n),
          };
          return settings.client === 'autocannon'
            ? autocannonLoop(ports[k]!, o)
            : closedLoop({ client: clients[k]!, ...o });
        }),
      );
      return mergeLoops(results, opts.expected);
    };

    // Answer saves: closed loop, random participant / question / option.
    const answerLoad = async (connections: number, seconds: number, warmupSeconds: number) => {
      log(`answer saves: ${connections} connection(s), ${warmupSeconds} s warm-up + ${seconds} s`);
      const run = await withCpu(servers, redisPid, pgMonitor, () =>
        loop({
          connections,
          seconds,
          warmupSeconds,
          maxRequests: settings.maxRequests,
          next: (node) => {
            const i = participantOn(node);
            const a = attempts[i]!;
            const q = a.questions[randomInt(a.questions.length)]!;
            const option = q.options[randomInt(q.options.length)]!;
            return {
              kind: 'answer',
              req: {
                method: 'PUT',
                path: `/api/attempts/${a.id}/answers/${q.id}`,
                cookie: data.participants[i]!.cookie,
                body: { optionIds: [option.id] },
              },
            };
          },
        }),
      );
      const result: LoopResult = run.value;
      const summary = { ...summarise(result, 'answer', true), windowMs: result.windowMs, cpu: run.cpu };
      checks.acknowledgedSaves += result.sent.get('answer')?.get(200) ?? 0;
      log(line('answer saves', summary, 'saved/s'));
      log(`  CPU (100% = one core): ${cpuText(run.cpu)}`);
      return { summary, windowUs: result.windowUs };
    };
    const answerRun = await answerLoad(C, settings.seconds, settings.warmupSeconds);
    const answers = answerRun.summary;
    const answersSingle = (await answerLoad(1, settings.singleSeconds, 0.5)).summary;

    // Submissions: every attempt, with a prediction, C at a time.
    const submitFromUs = monotonicUs();
    const subs = await forEachConcurrent(
      attempts.map((a, i) => ({ id: a.id, cookie: data.participants[i]!.cookie, i })),
      C,
      (a) =>
        clientFor(a.i).send({
          method: 'POST',
          path: `/api/attempts/${a.id}/submit`,
          cookie: a.cookie,
          body: { prediction: randomInt(200_000) },
        }),
      200,
    );
    const submitWindow = { from: submitFromUs, to: monotonicUs() };
    const submissions = subs.recorder.summary(subs.elapsedMs);
    log(line(`submissions (${P})`, submissions, '/s'));

    // Leaderboard reads: alternate the top-50 page and the participant's own entry.
    let boardTotal = -1;
    let boardProblem: string | null = null;
    const boardLoad = async (connections: number, seconds: number, warmupSeconds: number) => {
      log(`leaderboard reads: ${connections} connection(s), ${warmupSeconds} s warm-up + ${seconds} s`);
      const run = await withCpu(servers, redisPid, pgMonitor, () =>
        loop({
          connections,
          seconds,
          warmupSeconds,
          maxRequests: settings.maxRequests,
          next: (node, w, n) => {
            const p: BenchParticipant = data.participants[participantOn(node)]!;
            return (w + n) % 2 === 0
              ? {
                  kind: 'page',
                  req: {
                    method: 'GET',
                    path: `/api/rounds/${data.roundId}/leaderboard?limit=50`,
                    cookie: p.cookie,
                  },
                }
              : {
                  kind: 'me',
                  req: {
                    method: 'GET',
                    path: `/api/rounds/${data.roundId}/leaderboard/me`,
                    cookie: p.cookie,
                  },
                };
          },
          onResponse: (kind: string, res: Res) => {
            if (boardTotal < 0 && kind === 'page' && res.status === 200) {
              const page = JSON.parse(res.body) as { total: number; entries: unknown[] };
              boardTotal = page.total;
              if (page.entries.length !== 50)
                boardProblem = `a leaderboard page has ${page.entries.length} entries, not 50`;
            }
          },
        }),
      );
      if (boardProblem) throw new Error(boardProblem);
      const page = summarise(run.value, 'page', true);
      const me = summarise(run.value, 'me', false);
      log(line(`leaderboard top 50 (board of ${boardTotal.toLocaleString('en')})`, page, 'reads/s'));
      log(line('leaderboard/me', me, 'reads/s'));
      log(`  CPU (100% = one core): ${cpuText(run.cpu)}`);
      return { page, me, cpu: run.cpu, windowMs: run.value.windowMs, windowUs: run.value.windowUs };
    };
    const boardRun = await boardLoad(C, settings.seconds, settings.warmupSeconds);
    const leaderboardPage = boardRun.page;
    const leaderboardMe = boardRun.me;
    const boardSingle = await boardLoad(1, settings.singleSeconds, 0.5);

    const serverPeakRssMiB = servers.map((s) => peakRssMiB(s.pid));
    closeClients();
    const codes = await Promise.all(servers.map((s) => s.stop()));
    stopped = true;
    codes.forEach((code, k) => {
      if (code !== 0) log(`warning: server ${k + 1} exited with code ${code}:\n${servers[k]!.output()}`);
    });

    // Integrity: every acknowledged save is in SQL; every attempt was submitted.
    const db = await openStore();
    let loggedSaves: number;
    let submittedAttempts: number;
    try {
      const count = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]!.n);
      loggedSaves = await count('SELECT count(*) AS n FROM answer_log');
      submittedAttempts = await count(
        `SELECT count(*) AS n FROM attempts WHERE seed != 'synthetic' AND status = 'submitted'`,
      );
    } finally {
      await db.close();
    }
    checks.loggedSaves = loggedSaves;
    checks.submittedAttempts = submittedAttempts;
    const { acknowledgedSaves } = checks;
    if (loggedSaves < acknowledgedSaves) {
      throw new Error(`only ${loggedSaves} answer_log rows for ${acknowledgedSaves} acknowledged saves`);
    }
    log(
      `checks: ${acknowledgedSaves} saves acknowledged, ${loggedSaves} in answer_log; ${submittedAttempts}/${P} attempts submitted`,
    );

    let profile: ModeResult['profile'];
    // The first node's profile (with two nodes, each served half the load).
    if (profileRoot)
      profile = summariseServerProfile(path.join(profileRoot, 'node-1'), {
        answers: answerRun.windowUs,
        submissions: submitWindow,
        leaderboard: boardRun.windowUs,
      });

    return {
      mode,
      nodes: N,
      ...(redisVersion ? { redisVersion } : {}),
      ...(pgInfo ? { postgres: { ...pgInfo, databasePool: settings.databasePool } } : {}),
      prepareMs: {
        seed: data.timings.seedMs,
        generate: data.timings.generateMs,
        participants: data.timings.participantsMs,
      },
      serverStartMs,
      machineBusyBeforePct,
      serverPeakRssMiB,
      attemptStarts,
      answers,
      submissions,
      leaderboardPage,
      leaderboardMe,
      leaderboard: { windowMs: boardRun.windowMs, cpu: boardRun.cpu, boardTotal },
      single: { answers: answersSingle, leaderboardPage: boardSingle.page, leaderboardMe: boardSingle.me },
      checks,
      ...(profile ? { profile } : {}),
    };
  } finally {
    closeClients();
  }
}

/** The local PostgreSQL does not answer: a default run skips the postgres modes. */
class PostgresUnavailable extends Error {}

type Window = { from: number; to: number };

function summariseServerProfile(
  dir: string,
  windows: { answers: Window; submissions: Window; leaderboard: Window },
): ModeResult['profile'] {
  // tsx's loader thread writes a profile too: the server's main thread is the largest one.
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const file = files[0];
  if (!file) {
    log(`no .cpuprofile written in ${dir}`);
    return undefined;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const cut = (w: Window) => summariseProfile(profile, { fromUs: w.from, toUs: w.to, top: 25 });
  const answers = cut(windows.answers);
  const submissions = cut(windows.submissions);
  const leaderboard = cut(windows.leaderboard);
  if (answers.windowMs < 100)
    log(`warning: the answer-save window matched little of the profile (${answers.windowMs} ms)`);
  console.log(
    `\nserver CPU profile ${path.relative(ROOT, file)}\n-- answer saves (${settings.connections} connections) --`,
  );
  console.log(formatSummary(answers, 20));
  console.log(`-- submissions --\n${formatSummary(submissions, 12)}`);
  console.log(
    `-- leaderboard reads (${settings.connections} connections) --\n${formatSummary(leaderboard, 12)}\n`,
  );
  return { file: path.relative(ROOT, file), windows, answers, submissions, leaderboard };
}

/** One kind's summary; `withFailures` adds the loop's unattributed failures to its errors. */
function summarise(loop: LoopResult, kind: string, withFailures: boolean): LatencySummary {
  const s = loop.recorders.get(kind)?.summary(loop.windowMs) ?? emptySummary();
  if (withFailures && loop.failures) {
    if (loop.failures.errors > 0) s.errors['connection error'] = loop.failures.errors;
    if (loop.failures.timeouts > 0) s.errors.timeout = loop.failures.timeouts;
  }
  return s;
}

function emptySummary(): LatencySummary {
  return {
    count: 0,
    ok: 0,
    perSecond: 0,
    p50: NaN,
    p90: NaN,
    p99: NaN,
    p999: NaN,
    max: NaN,
    mean: NaN,
    errors: {},
  };
}

const pctText = (pct: number | null): string => (pct === null ? '?' : `${pct.toFixed(0)}%`);
const usText = (us: number | null): string => (us === null ? '?' : `${us.toFixed(0)} µs`);
const cpuText = (c: CpuShare): string =>
  `server ${pctText(c.serverPct)}, load generator ${pctText(c.clientPct)}${c.redisPct === null ? '' : `, redis-server ${pctText(c.redisPct)}`}${c.postgresPct === null ? '' : `, postgres ${pctText(c.postgresPct)}`}, other processes ${pctText(c.othersPct)}; server CPU per request ${usText(c.serverUsPerRequest)}${c.postgresPct === null ? '' : `, postgres ${usText(c.postgresUsPerRequest)}`}${c.pg === null ? '' : `; postgres transactions ${fmtRate(c.pg.commitsPerSecond)}/s (${c.requests > 0 ? (c.pg.commits / c.requests).toFixed(1) : '?'} a request), WAL flushes ${fmtRate(c.pg.walSyncsPerSecond)}/s (cluster)`}${
    c.postgresByTypePct === null
      ? ''
      : `; postgres by process: ${Object.entries(c.postgresByTypePct)
          .filter(([, v]) => v >= 0.5)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${pctText(v)}`)
          .join(', ')}`
  }`;

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

interface Row {
  metric: string;
  values: Record<string, string>;
  target: string;
}

function buildTable(results: Record<string, ModeResult | { skipped: string }>): Row[] {
  const modes = settings.modes;
  const rows: Row[] = [];
  const add = (metric: string, target: string, value: (r: ModeResult) => string) =>
    rows.push({
      metric,
      target,
      values: Object.fromEntries(
        modes.map((m) => {
          const r = results[m];
          return [m, !r ? '-' : 'skipped' in r ? 'skipped' : value(r)];
        }),
      ),
    });
  const cpuCells = (c: CpuShare) =>
    `${pctText(c.serverPct)} / ${pctText(c.clientPct)} / ${c.redisPct === null ? '' : `${pctText(c.redisPct)} / `}${c.postgresPct === null ? '' : `${pctText(c.postgresPct)} / `}${pctText(c.othersPct)}`;
  const pgOnly = (r: ModeResult, text: () => string) => (r.postgres ? text() : '-');
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) : '?');
  const xactsCell = (c: CpuShare) =>
    c.pg === null
      ? '-'
      : `${fmtRate(c.pg.commitsPerSecond)}/s (${ratio(c.pg.commits, c.requests)} a request)`;
  const flushesCell = (c: CpuShare, per: string) =>
    c.pg === null ? '-' : `${fmtRate(c.pg.walSyncsPerSecond)}/s (${ratio(c.requests, c.pg.walSyncs)} ${per})`;
  const embedded = results.embedded && 'answers' in results.embedded ? results.embedded : null;
  const CPU_LABEL = 'CPU server / load gen / [redis /] [postgres /] others';
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const saveOk = (r: ModeResult) =>
    r.answers.perSecond >= TARGETS.answerSavesPerSecond && r.answers.p99 < TARGETS.answerSaveP99Ms;

  add(
    `answer saves/s (${settings.connections} conns)`,
    `>= ${fmtRate(TARGETS.answerSavesPerSecond)}/s`,
    (r) => fmtRate(r.answers.perSecond),
  );
  add('  save p50', '', (r) => fmtMs(r.answers.p50));
  add('  save p99', `< ${TARGETS.answerSaveP99Ms} ms`, (r) => fmtMs(r.answers.p99));
  add('  save p99.9', '', (r) => fmtMs(r.answers.p999));
  add('  save errors', '0', (r) => fmtErrors(r.answers.errors));
  add('  durable saves target', `>= 5,000/s at p99 < 50 ms`, (r) => verdict(saveOk(r)));
  add(
    `  ${PG_AIM.ratio} × embedded saves/s at p99 < ${PG_AIM.p99Ms} ms`,
    '(issue #8, postgres modes)',
    (r) =>
      !r.postgres || !embedded || embedded.answers.perSecond <= 0
        ? '-'
        : `${(r.answers.perSecond / embedded.answers.perSecond).toFixed(2)} ${verdict(
            r.answers.perSecond >= PG_AIM.ratio * embedded.answers.perSecond && r.answers.p99 < PG_AIM.p99Ms,
          )}`,
  );
  add(`  ${CPU_LABEL}`, '(100% = one core)', (r) => cpuCells(r.answers.cpu));
  add('  server CPU per save', '', (r) => usText(r.answers.cpu.serverUsPerRequest));
  add('  postgres CPU per save', '', (r) => pgOnly(r, () => usText(r.answers.cpu.postgresUsPerRequest)));
  add('  postgres transactions (reads included)', '', (r) => xactsCell(r.answers.cpu));
  add('  postgres WAL flushes (cluster-wide)', '', (r) => flushesCell(r.answers.cpu, 'saves a flush'));
  add('  1 connection: saves/s', '', (r) => fmtRate(r.single.answers.perSecond));
  add(
    '  1 connection: p50 / p99',
    '',
    (r) => `${fmtMs(r.single.answers.p50)} / ${fmtMs(r.single.answers.p99)}`,
  );
  add(`submissions/s (${settings.participants}, ${settings.connections} at a time)`, '', (r) =>
    fmtRate(r.submissions.perSecond),
  );
  add('  submit p50 / p99', '', (r) => `${fmtMs(r.submissions.p50)} / ${fmtMs(r.submissions.p99)}`);
  add('  submit errors', '0', (r) => fmtErrors(r.submissions.errors));
  add('leaderboard board size', '100,000', (r) => fmtRate(r.leaderboard.boardTotal));
  add('leaderboard top-50 reads/s', '', (r) => fmtRate(r.leaderboardPage.perSecond));
  add(
    '  top-50 p50 / p99',
    `p99 < ${TARGETS.leaderboardP99Ms} ms`,
    (r) => `${fmtMs(r.leaderboardPage.p50)} / ${fmtMs(r.leaderboardPage.p99)}`,
  );
  add('  top-50 target', `p99 < ${TARGETS.leaderboardP99Ms} ms`, (r) =>
    verdict(r.leaderboardPage.p99 < TARGETS.leaderboardP99Ms && r.leaderboardPage.ok > 0),
  );
  add('leaderboard /me reads/s', '', (r) => fmtRate(r.leaderboardMe.perSecond));
  add(
    '  /me p50 / p99',
    `p99 < ${TARGETS.leaderboardP99Ms} ms`,
    (r) => `${fmtMs(r.leaderboardMe.p50)} / ${fmtMs(r.leaderboardMe.p99)}`,
  );
  add('  /me target', `p99 < ${TARGETS.leaderboardP99Ms} ms`, (r) =>
    verdict(r.leaderboardMe.p99 < TARGETS.leaderboardP99Ms && r.leaderboardMe.ok > 0),
  );
  add('  read errors', '0', (r) => fmtErrors({ ...r.leaderboardPage.errors, ...r.leaderboardMe.errors }));
  add(
    '  1 connection: top-50 p50 / p99',
    `p99 < ${TARGETS.leaderboardP99Ms} ms`,
    (r) =>
      `${fmtMs(r.single.leaderboardPage.p50)} / ${fmtMs(r.single.leaderboardPage.p99)} ${verdict(r.single.leaderboardPage.p99 < TARGETS.leaderboardP99Ms)}`,
  );
  add(
    '  1 connection: /me p50 / p99',
    `p99 < ${TARGETS.leaderboardP99Ms} ms`,
    (r) =>
      `${fmtMs(r.single.leaderboardMe.p50)} / ${fmtMs(r.single.leaderboardMe.p99)} ${verdict(r.single.leaderboardMe.p99 < TARGETS.leaderboardP99Ms)}`,
  );
  add(`  ${CPU_LABEL}`, '(100% = one core)', (r) => cpuCells(r.leaderboard.cpu));
  add('  server CPU per read', '', (r) => usText(r.leaderboard.cpu.serverUsPerRequest));
  add('  postgres CPU per read', '', (r) => pgOnly(r, () => usText(r.leaderboard.cpu.postgresUsPerRequest)));
  add('  postgres transactions (reads included)', '', (r) => xactsCell(r.leaderboard.cpu));
  add(`attempt starts/s (${settings.participants})`, '', (r) => fmtRate(r.attemptStarts.perSecond));
  add('  start p50 / p99', '', (r) => `${fmtMs(r.attemptStarts.p50)} / ${fmtMs(r.attemptStarts.p99)}`);
  add('machine busy before run', '(other jobs)', (r) => pctText(r.machineBusyBeforePct));
  add('server nodes', '', (r) => String(r.nodes));
  add('server start-up (rebuild)', '', (r) =>
    r.serverStartMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' + '),
  );
  add('server peak RSS', '', (r) =>
    r.serverPeakRssMiB.map((m) => (m === null ? '?' : `${m} MiB`)).join(' + '),
  );
  add('postgres: one-row commit, 1 conn, idle', 'p50 / p99', (r) =>
    pgOnly(r, () => `${fmtMs(r.postgres!.commitProbe.p50Ms)} / ${fmtMs(r.postgres!.commitProbe.p99Ms)}`),
  );
  add('postgres: DATABASE_POOL per node', '', (r) =>
    pgOnly(r, () => (r.postgres!.databasePool === null ? 'default (10)' : String(r.postgres!.databasePool))),
  );
  return rows;
}

function printTable(rows: Row[]): void {
  const modes = settings.modes;
  const header = ['metric', ...modes, 'target'];
  const body = rows.map((r) => [r.metric, ...modes.map((m) => r.values[m] ?? '-'), r.target]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(fmt(b));
}

function machineText(m: MachineInfo): string[] {
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}`,
    `data disk: ${m.dataDisk.fileSystem} on ${m.dataDisk.device} (${m.dataDisk.path}); fdatasync of 4 KiB p50 ${fmtMs(m.dataDisk.fdatasyncP50Ms)}, p99 ${fmtMs(m.dataDisk.fdatasyncP99Ms)}`,
    `note: the load generator (this process) and the server share these ${m.cores} cores over loopback; the CPU rows show each one's share (100% = one core; with two nodes both servers summed), the local redis-server's and PostgreSQL's (the bench database's backends, background processes, postmaster), and what every other process on the machine used meanwhile.`,
  ];
}

async function main(): Promise<void> {
  const machine = machineInfo(settings.dataRoot);
  console.log(
    `Quizarena bench: ${settings.modes.join(' + ')}; P=${settings.participants}, C=${settings.connections}, D=${settings.seconds} s (+${settings.warmupSeconds} s warm-up), load generator ${settings.client === 'autocannon' ? 'autocannon' : 'node:http'}${settings.modes.includes('postgres-2') ? `, spread over nodes by ${settings.spread}` : ''}${settings.databasePool !== null ? `, DATABASE_POOL=${settings.databasePool}` : ''}${settings.profile ? ', PROFILED (--cpu-prof)' : ''}`,
  );
  for (const l of machineText(machine)) console.log(l);
  if (machine.dataDisk.fileSystem === 'tmpfs') {
    console.log(
      'warning: DATA_DIR is on tmpfs, where fsync is free: set BENCH_DATA_ROOT to a real disk for durable figures',
    );
  }

  const results: Record<string, ModeResult | { skipped: string }> = {};
  for (const mode of settings.modes as Mode[]) {
    console.log(`\n== ${mode}${nodesOf(mode) > 1 ? ` (${nodesOf(mode)} nodes)` : ''} ==`);
    try {
      results[mode] = await runMode(mode);
    } catch (err) {
      // A service that does not answer skips its modes, unless its URL was given explicitly.
      if (
        usesRedis(mode) &&
        !settings.redisRequired &&
        err instanceof Error &&
        err.message.startsWith('Redis not reachable')
      ) {
        log(`skipped: ${err.message} (set REDIS_URL to require it)`);
        results[mode] = { skipped: err.message };
      } else if (err instanceof PostgresUnavailable && !settings.postgresRequired) {
        log(`skipped: ${err.message}`);
        results[mode] = { skipped: err.message };
      } else {
        throw err;
      }
    } finally {
      await cleanUp();
    }
    const r = results[mode];
    if (r && 'checks' in r && r.checks.redisKeysDeleted !== undefined)
      log(`deleted ${r.checks.redisKeysDeleted} Redis keys`);
  }

  console.log('\n== results ==');
  const rows = buildTable(results);
  printTable(rows);
  console.log('');
  for (const l of machineText(machine)) console.log(l);
  console.log(
    'durability: SQLite WAL with synchronous=FULL; a save is acknowledged after the group-commit transaction holding it is fsynced.',
  );
  if (settings.modes.some((m) => usesPostgres(m as Mode))) {
    console.log(
      'durability (postgres): synchronous_commit=on; a save is acknowledged after the COMMIT of its batch returned, i.e. its WAL was flushed.',
    );
    for (const m of settings.modes) {
      const r = results[m];
      if (r && 'postgres' in r && r.postgres)
        console.log(
          `postgres (${m}): ${r.postgres.version}; ${Object.entries(r.postgres.settings)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        );
    }
  }

  mkdirSync(RESULTS, { recursive: true });
  const out = path.join(RESULTS, settings.profile ? 'latest-profiled.json' : 'latest.json');
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, settings, targets: TARGETS, table: rows, modes: results }, null, 2)}\n`,
  );
  console.log(`written ${path.relative(ROOT, out)}`);
}

main()
  .catch(async (err: unknown) => {
    console.error(err);
    await cleanUp();
    process.exitCode = 1;
  })
  .finally(() => {
    // Nothing may keep the process alive (agents, timers): the bench ends by itself.
    setTimeout(() => process.exit(), 100).unref();
  });
