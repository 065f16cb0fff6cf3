// `npm run bench`: end-to-end load test of the real server over loopback, in two modes:
//   embedded  SQLite + in-process rankings (no REDIS_URL)
//   redis     SQLite + Redis rankings, events and rate-limit counters (REDIS_URL, default
//             redis://127.0.0.1:6379, under a unique REDIS_PREFIX whose keys are deleted after)
// For each: a fresh DATA_DIR with the demo contest, a 100k-participant week-1 leaderboard and P
// load-test participants with sessions; the server as a child process; attempt starts; a
// closed-loop load of durable answer saves; submissions; leaderboard reads. Then a table against
// the targets (DESIGN.md section 4, docs/performance.md), also written to bench/results/latest.json.
//
// Settings (environment), see docs/performance.md: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2),
// BENCH_CONNECTIONS (64), BENCH_PARTICIPANTS (400), BENCH_LEADERBOARD_SIZE (100000), BENCH_MODES
// (embedded,redis), BENCH_CLIENT (autocannon, or http for node:http with a keep-alive Agent),
// BENCH_DATA_ROOT (os.tmpdir(): put it on the disk you want to measure), BENCH_QUIET_WAIT (0: seconds
// to wait, before each mode, for other jobs on a shared machine to leave it < 15% busy),
// BENCH_MAX_REQUESTS (2,000,000 per phase), BENCH_PROFILE=1 (the server runs under --cpu-prof and
// each phase's top functions are printed; figures are then slowed by the profiler and written to
// latest-profiled.json instead).
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '@quizarena/db';
import { formatSummary, summariseProfile, type CpuProfile, type ProfileSummary } from './cpuprofile.ts';
import { autocannonLoop } from './lib/autocannon-loop.ts';
import {
  Client,
  closedLoop,
  forEachConcurrent,
  type LoopOptions,
  type LoopResult,
  type Res,
} from './lib/http.ts';
import { machineBusyMs, machineInfo, waitForQuiet, type MachineInfo } from './lib/machine.ts';
import { prepareDataDir, type BenchParticipant } from './lib/prepare.ts';
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
  modes: (process.env.BENCH_MODES ?? 'embedded,redis')
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
};
if (settings.client !== 'autocannon' && settings.client !== 'http') {
  throw new Error(`BENCH_CLIENT=${settings.client}: expected autocannon or http`);
}
for (const m of settings.modes) {
  if (m !== 'embedded' && m !== 'redis') throw new Error(`BENCH_MODES: unknown mode ${m} (embedded, redis)`);
}

const TARGETS = {
  answerSavesPerSecond: 5000,
  answerSaveP99Ms: 50,
  leaderboardP99Ms: 5,
};

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
  /** CPU time over wall time, in % of one core (the machine has `cores` × 100%). */
  serverPct: number | null;
  clientPct: number;
  /** The local Redis server (redis mode), or null. */
  redisPct: number | null;
  /** Every other process on the machine (other jobs, kernel threads). */
  othersPct: number | null;
  /** Server CPU time per request (µs): the cost of one request, mostly independent of contention. */
  serverUsPerRequest: number | null;
}

interface ModeResult {
  mode: string;
  redisVersion?: string;
  prepareMs: { seed: number; generate: number; participants: number };
  serverStartMs: number;
  /** How busy the whole machine was (0-100%) just before the run: other jobs skew the figures. */
  machineBusyBeforePct: number | null;
  serverPeakRssMiB: number | null;
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

/** Measures client and server CPU over `run`. */
async function withCpu(
  server: ServerHandle,
  redisPid: number | null,
  run: () => Promise<LoopResult>,
): Promise<{ value: LoopResult; cpu: CpuShare }> {
  const c0 = process.cpuUsage();
  const s0 = server.cpuMs();
  const r0 = redisPid === null ? null : processCpuMs(redisPid);
  const m0 = machineBusyMs();
  const t0 = performance.now();
  const value = await run();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const s1 = server.cpuMs();
  const r1 = redisPid === null ? null : processCpuMs(redisPid);
  const m1 = machineBusyMs();
  const clientPct = ((c.user + c.system) / 1000 / wall) * 100;
  const serverPct = s0 !== null && s1 !== null ? ((s1 - s0) / wall) * 100 : null;
  const machinePct = m0 !== null && m1 !== null ? ((m1 - m0) / wall) * 100 : null;
  const redisPct = r0 !== null && r1 !== null ? ((r1 - r0) / wall) * 100 : null;
  return {
    value,
    cpu: {
      clientPct,
      serverPct,
      redisPct,
      othersPct:
        machinePct !== null && serverPct !== null
          ? Math.max(0, machinePct - serverPct - clientPct - (redisPct ?? 0))
          : null,
      serverUsPerRequest:
        s0 !== null && s1 !== null && sentCount(value) > 0 ? ((s1 - s0) * 1000) / sentCount(value) : null,
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

async function runMode(mode: 'embedded' | 'redis'): Promise<ModeResult> {
  const { participants: P, connections: C } = settings;
  const dataDir = mkdtempSync(path.join(settings.dataRoot, `quizarena-bench-${mode}-`));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

  let redisVersion: string | undefined;
  let redisPid: number | null = null;
  let redisPrefix: string | undefined;
  // Filled in as the run goes; the Redis key count only by the clean-up, after the run.
  const checks: ModeResult['checks'] = { acknowledgedSaves: 0, loggedSaves: 0, submittedAttempts: 0 };
  if (mode === 'redis') {
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

  const sessionSecret = randomBytes(32).toString('hex');
  log(
    `preparing ${dataDir}: demo, ${settings.leaderboardSize.toLocaleString('en')} ranked participants, ${P} load participants`,
  );
  const data = await prepareDataDir(dataDir, {
    participants: P,
    leaderboardSize: settings.leaderboardSize,
    sessionSecret,
  });
  log(
    `prepared in ${((data.timings.seedMs + data.timings.generateMs + data.timings.participantsMs) / 1000).toFixed(1)} s (round ${data.roundId})`,
  );

  const quiet = await waitForQuiet(settings.quietWait);
  const machineBusyBeforePct = quiet.busyPct;
  log(
    `machine ${quiet.busyPct === null ? '?' : quiet.busyPct.toFixed(0)}% busy before the server starts (other jobs)${quiet.waitedS > 1.5 ? `, after waiting ${quiet.waitedS.toFixed(0)} s` : ''}`,
  );
  const port = await freePort();
  const profileDir = settings.profile ? path.join(RESULTS, 'profiles', `${mode}-${Date.now()}`) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SESSION_SECRET: sessionSecret,
    RATE_LIMIT_SCALE: '100000',
    SEED_DEMO: 'true',
    ...(mode === 'redis' ? { REDIS_URL: settings.redisUrl, REDIS_PREFIX: redisPrefix! } : {}),
  };
  const t = performance.now();
  const server = await startServer({
    root: ROOT,
    port,
    env,
    nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '500'] : [],
  });
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await server.stop();
  });
  const serverStartMs = performance.now() - t;
  log(`server pid ${server.pid} on 127.0.0.1:${port}, healthy after ${(serverStartMs / 1000).toFixed(1)} s`);

  const client = new Client(port, C);
  try {
    // Attempt starts: one per load participant, C at a time.
    const starts = await forEachConcurrent(
      data.participants,
      C,
      (p) => client.send({ method: 'POST', path: `/api/rounds/${data.roundId}/attempts`, cookie: p.cookie }),
      201,
    );
    const bad = starts.results.find((r) => r.status !== 201);
    if (bad) throw new Error(`attempt start failed: ${bad.status || bad.error} ${bad.body.slice(0, 300)}`);
    const attempts = starts.results.map((r) => (JSON.parse(r.body) as { attempt: AttemptView }).attempt);
    const attemptStarts = starts.recorder.summary(starts.elapsedMs);
    log(line(`attempt starts (${P})`, attemptStarts, '/s'));

    const loop = (opts: Omit<LoopOptions, 'client'>): Promise<LoopResult> =>
      settings.client === 'autocannon' ? autocannonLoop(port, opts) : closedLoop({ client, ...opts });

    // Answer saves: closed loop, random participant / question / option.
    const answerLoad = async (connections: number, seconds: number, warmupSeconds: number) => {
      log(`answer saves: ${connections} connection(s), ${warmupSeconds} s warm-up + ${seconds} s`);
      const run = await withCpu(server, redisPid, () =>
        loop({
          connections,
          seconds,
          warmupSeconds,
          maxRequests: settings.maxRequests,
          next: () => {
            const i = randomInt(P);
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
      attempts.map((a, i) => ({ id: a.id, cookie: data.participants[i]!.cookie })),
      C,
      (a) =>
        client.send({
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
      const run = await withCpu(server, redisPid, () =>
        loop({
          connections,
          seconds,
          warmupSeconds,
          maxRequests: settings.maxRequests,
          next: (w, n) => {
            const p: BenchParticipant = data.participants[randomInt(P)]!;
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

    const serverPeakRssMiB = peakRssMiB(server.pid);
    client.close();
    const code = await server.stop();
    stopped = true;
    if (code !== 0) log(`warning: server exited with code ${code}:\n${server.output()}`);

    // Integrity: every acknowledged save is in SQL; every attempt was submitted.
    const db = openDatabase(data.databaseFile);
    let loggedSaves: number;
    let submittedAttempts: number;
    try {
      loggedSaves = (db.sqlite.prepare('SELECT count(*) AS n FROM answer_log').get() as { n: number }).n;
      submittedAttempts = (
        db.sqlite
          .prepare(`SELECT count(*) AS n FROM attempts WHERE seed != 'synthetic' AND status = 'submitted'`)
          .get() as { n: number }
      ).n;
    } finally {
      db.close();
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
    if (profileDir)
      profile = summariseServerProfile(profileDir, {
        answers: answerRun.windowUs,
        submissions: submitWindow,
        leaderboard: boardRun.windowUs,
      });

    return {
      mode,
      ...(redisVersion ? { redisVersion } : {}),
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
    client.close();
  }
}

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
  `server ${pctText(c.serverPct)}, load generator ${pctText(c.clientPct)}${c.redisPct === null ? '' : `, redis-server ${pctText(c.redisPct)}`}, other processes ${pctText(c.othersPct)}; server CPU per request ${usText(c.serverUsPerRequest)}`;

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
    `${pctText(c.serverPct)} / ${pctText(c.clientPct)} / ${c.redisPct === null ? '' : `${pctText(c.redisPct)} / `}${pctText(c.othersPct)}`;
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
  add('  CPU server / load gen / [redis /] others', '(100% = one core)', (r) => cpuCells(r.answers.cpu));
  add('  server CPU per save', '', (r) => usText(r.answers.cpu.serverUsPerRequest));
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
  add('  CPU server / load gen / [redis /] others', '(100% = one core)', (r) => cpuCells(r.leaderboard.cpu));
  add('  server CPU per read', '', (r) => usText(r.leaderboard.cpu.serverUsPerRequest));
  add(`attempt starts/s (${settings.participants})`, '', (r) => fmtRate(r.attemptStarts.perSecond));
  add('  start p50 / p99', '', (r) => `${fmtMs(r.attemptStarts.p50)} / ${fmtMs(r.attemptStarts.p99)}`);
  add('machine busy before run', '(other jobs)', (r) => pctText(r.machineBusyBeforePct));
  add('server start-up (rebuild)', '', (r) => `${(r.serverStartMs / 1000).toFixed(1)} s`);
  add('server peak RSS', '', (r) => (r.serverPeakRssMiB === null ? '?' : `${r.serverPeakRssMiB} MiB`));
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
    `note: the load generator (this process) and the server share these ${m.cores} cores over loopback; the CPU rows show each one's share (100% = one core), the local redis-server's, and what every other process on the machine used meanwhile.`,
  ];
}

async function main(): Promise<void> {
  const machine = machineInfo(settings.dataRoot);
  console.log(
    `Quizarena bench: ${settings.modes.join(' + ')}; P=${settings.participants}, C=${settings.connections}, D=${settings.seconds} s (+${settings.warmupSeconds} s warm-up), load generator ${settings.client === 'autocannon' ? 'autocannon' : 'node:http'}${settings.profile ? ', PROFILED (--cpu-prof)' : ''}`,
  );
  for (const l of machineText(machine)) console.log(l);
  if (machine.dataDisk.fileSystem === 'tmpfs') {
    console.log(
      'warning: DATA_DIR is on tmpfs, where fsync is free: set BENCH_DATA_ROOT to a real disk for durable figures',
    );
  }

  const results: Record<string, ModeResult | { skipped: string }> = {};
  for (const mode of settings.modes as ('embedded' | 'redis')[]) {
    console.log(`\n== ${mode} ==`);
    try {
      results[mode] = await runMode(mode);
    } catch (err) {
      if (
        mode === 'redis' &&
        !settings.redisRequired &&
        err instanceof Error &&
        err.message.startsWith('Redis not reachable')
      ) {
        log(`skipped: ${err.message} (set REDIS_URL to require it)`);
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
