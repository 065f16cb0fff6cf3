// `npm run bench:live`: live host-paced games (docs/api.md "Live games") under N players.
//
// For each N: the real server (`node --import tsx api/src/server.ts`) as a child process with a
// fresh DATA_DIR, SEED_DEMO=false and an admin from ADMIN_EMAIL/ADMIN_PASSWORD; through the HTTP
// API a bank of questions (single, multiple response, true/false) and a live game; the host over
// `/api/live/ws` with the session cookie (this process); the players in separate processes
// (live-players.ts: at least two, at most `--per-process` players each) that join with the PIN. Then for each
// question the host sends `start`/`next` and the bench measures, on one clock (lib/live-ipc.ts),
// how long each player's `question` frame took to arrive after the command left; every player
// answers a random option at a random moment in the answer window after opensAt, and the bench
// counts acknowledgements (`answered`, sent once the answer is durable), refusals and silences,
// the acknowledgement latency, and the `result` frames. At the end the host goes on to `ended`,
// and the report (GET /api/live/games/:id/report) must hold every acknowledged answer.
//
// Options (after `npm run bench:live --`): --players 500,2000,10000  --questions 5  --repeat 1
// --per-process 5000  --question-time 10  --reading-time 2  --answer-window 2000 (ms)
// --join-concurrency 100 (per player process)  --pause 1000 (ms after each reveal)
// --quiet-wait 0 (s)  --profile (server under --cpu-prof; slower)  --port 3420 (first of 10 tried)
// --floor (instead of the real server, live-floor-server.ts: a bare `ws` broadcast, the floor of
// this machine and of the bench's own clients).
//
// Bounded: every wait has a timeout, a watchdog ends a run that hangs, children are killed and
// the data directories removed on exit, error or Ctrl-C. Only 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { formatSummary, summariseProfile, type CpuProfile, type ProfileSummary } from './cpuprofile.ts';
import { BENCH_HOST, Client } from './lib/http.ts';
import {
  clock,
  parseFrame,
  type AnswersReport,
  type DeliveryReport,
  type FinishReport,
  type JoinConfig,
  type JoinReport,
  type ParentMessage,
  type PlayersMessage,
  type ServerFrame,
} from './lib/live-ipc.ts';
import { machineBusyMs, machineInfo, waitForQuiet, type MachineInfo } from './lib/machine.ts';
import { openFileLimits, processCpuMs, startServer, withFileLimit, type ServerHandle } from './lib/server.ts';
import { fmtErrors, fmtMs, fmtRate, percentile } from './lib/stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const PLAYERS_SCRIPT = path.join(ROOT, 'bench', 'src', 'live-players.ts');

const { values: argv } = parseArgs({
  options: {
    players: { type: 'string', default: '500,2000,10000' },
    questions: { type: 'string', default: '5' },
    repeat: { type: 'string', default: '1' },
    'per-process': { type: 'string', default: '5000' },
    'question-time': { type: 'string', default: '10' },
    'reading-time': { type: 'string', default: '2' },
    'answer-window': { type: 'string', default: '2000' },
    'join-concurrency': { type: 'string', default: '100' },
    pause: { type: 'string', default: '1000' },
    'quiet-wait': { type: 'string', default: '0' },
    port: { type: 'string', default: '3420' },
    profile: { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
  },
});

const int = (name: string, raw: string, min: number, max: number): number => {
  const n = Number(raw.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} ${raw}: expected ${min}-${max}`);
  return n;
};

const settings = {
  players: argv.players
    .split(/[ ,]+/)
    .filter(Boolean)
    .map((v) => int('players', v.replaceAll('_', ''), 1, 10_000)),
  questions: int('questions', argv.questions, 1, 200),
  repeat: int('repeat', argv.repeat, 1, 10),
  perProcess: int('per-process', argv['per-process'], 1, 10_000),
  questionTimeSec: int('question-time', argv['question-time'], 5, 120),
  readingTimeSec: int('reading-time', argv['reading-time'], 0, 30),
  answerWindowMs: int('answer-window', argv['answer-window'], 0, 120_000),
  joinConcurrency: int('join-concurrency', argv['join-concurrency'], 1, 10_000),
  pauseMs: int('pause', argv.pause, 0, 60_000),
  quietWaitS: int('quiet-wait', argv['quiet-wait'], 0, 600),
  firstPort: int('port', argv.port, 1024, 65_525),
  profile: argv.profile,
  floor: argv.floor,
};
if (settings.answerWindowMs >= settings.questionTimeSec * 1000) {
  throw new Error('--answer-window must be shorter than --question-time');
}

/** Time from the host's command until the player has the question: p99 targets (issue #9). */
const TARGETS: Record<number, number> = { 2000: 100, 10_000: 500 };

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

/** Upper bound of one run: joins, questions, the end, the report and start/stop. */
const runBoundMs = (n: number): number =>
  joinTimeoutMs(n) +
  settings.questions *
    ((settings.readingTimeSec + settings.questionTimeSec) * 1000 +
      ANSWER_GRACE_MS +
      30_000 +
      settings.pauseMs) +
  5 * 60_000;
const ANSWER_GRACE_MS = 5000;
const joinTimeoutMs = (n: number): number => 60_000 + n * 20;
const WATCHDOG_MS =
  settings.repeat * settings.players.reduce((s, n) => s + runBoundMs(n), 0) + settings.quietWaitS * 2000;
setTimeout(() => {
  console.error(
    `bench:live did not finish in ${Math.round(WATCHDOG_MS / 60_000)} min: cleaning up and exiting`,
  );
  void cleanUp().finally(() => process.exit(2));
}, WATCHDOG_MS).unref();

function log(msg: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
const mib = (kib: number | null): number | null => (kib === null ? null : Math.round(kib / 1024));

/** The first free port of the ten from `first` (the bench's range on a shared machine). */
async function pickPort(first: number): Promise<number> {
  for (let port = first; port < first + 10; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, BENCH_HOST, () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${first}-${first + 9}`);
}

/** POST /api/auth/login; the Cookie header value of the session it sets. */
function login(port: number, email: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ email, password });
    const req = http.request(
      {
        host: BENCH_HOST,
        port,
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const cookies = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
          if (res.statusCode !== 200 || cookies.length === 0)
            reject(new Error(`login: ${res.statusCode}, cookies ${cookies.length}`));
          else resolve(cookies.join('; '));
        });
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('login: timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** GET of a file: status, bytes and time. */
function download(
  port: number,
  urlPath: string,
  cookie: string,
): Promise<{ status: number; bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: BENCH_HOST, port, path: urlPath, headers: { cookie } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t0 }));
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`${urlPath}: timeout`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// The host's socket: frames with their arrival time, and waits for a frame with a timeout.
// ---------------------------------------------------------------------------------------------
interface Waiter {
  match: (f: ServerFrame) => boolean;
  resolve: (v: { frame: ServerFrame; at: number }) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

class HostSocket {
  private readonly waiters = new Set<Waiter>();
  /** Frames received by type (all of the run). */
  readonly counts: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  lastLobbyCount = -1;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const at = clock();
      const frame = parseFrame(data);
      if (!frame) return;
      this.counts[frame.type] = (this.counts[frame.type] ?? 0) + 1;
      if (frame.type === 'lobby') this.lastLobbyCount = frame.count;
      if (frame.type === 'error') this.errors[frame.code] = (this.errors[frame.code] ?? 0) + 1;
      for (const w of this.waiters) {
        if (w.match(frame)) {
          this.waiters.delete(w);
          clearTimeout(w.timer);
          w.resolve({ frame, at });
        }
      }
    });
    ws.on('close', () => {
      for (const w of this.waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('the host socket closed'));
      }
      this.waiters.clear();
    });
  }

  static open(port: number, cookie: string): Promise<HostSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${BENCH_HOST}:${port}/api/live/ws`, {
        headers: { cookie },
        perMessageDeflate: false,
        handshakeTimeout: 15_000,
      });
      ws.once('open', () => resolve(new HostSocket(ws)));
      ws.once('error', reject);
    });
  }

  /** Register before sending what causes the frame: it may arrive at once. */
  waitFor(
    match: (f: ServerFrame) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<{ frame: ServerFrame; at: number }> {
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new Error(`host: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  /** Sends a command; returns clock() just before it was written. */
  send(frame: object): number {
    const at = clock();
    this.ws.send(JSON.stringify(frame));
    return at;
  }

  close(): void {
    this.ws.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The player processes and their reports.
// ---------------------------------------------------------------------------------------------
class PlayerProcesses {
  private readonly inbox: PlayersMessage[] = [];
  private wake: (() => void) | null = null;
  readonly children: ChildProcess[] = [];
  exited = 0;

  constructor(readonly sizes: number[]) {
    for (let w = 0; w < sizes.length; w++) {
      // Sockets plus what node and tsx hold open.
      const [command, args] = withFileLimit(
        process.execPath,
        ['--import', 'tsx', PLAYERS_SCRIPT],
        sizes[w]! + 256,
      );
      const child = spawn(command, args, {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      child.on('message', (msg: PlayersMessage) => {
        this.inbox.push(msg);
        this.wake?.();
      });
      child.once('exit', () => {
        this.exited++;
        this.wake?.();
      });
      this.children.push(child);
    }
  }

  send(msg: ParentMessage | ((worker: number) => ParentMessage)): void {
    this.children.forEach((c, w) => c.send(typeof msg === 'function' ? msg(w) : msg));
  }

  /** One message per process matching `match` (fewer if the time runs out or a process died). */
  async collect<T extends PlayersMessage>(
    match: (m: PlayersMessage) => m is T,
    timeoutMs: number,
  ): Promise<T[]> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const got = this.inbox.filter(match);
      if (got.length >= this.children.length) {
        for (const m of got) this.inbox.splice(this.inbox.indexOf(m), 1);
        return got;
      }
      const left = deadline - performance.now();
      if (left <= 0 || this.exited > 0) {
        for (const m of got) this.inbox.splice(this.inbox.indexOf(m), 1);
        return got;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  cpuMs(): number | null {
    let sum = 0;
    for (const c of this.children) {
      const ms = c.pid === undefined ? null : processCpuMs(c.pid);
      if (ms === null) return null;
      sum += ms;
    }
    return sum;
  }

  rssMiB(): number | null {
    let sum = 0;
    for (const c of this.children) {
      const kib = c.pid === undefined ? null : procStatusKiB(c.pid, 'VmRSS');
      if (kib === null) return null;
      sum += kib;
    }
    return mib(sum);
  }

  async stop(): Promise<void> {
    const alive = this.children.filter((c) => c.exitCode === null && c.signalCode === null);
    const exits = alive.map((c) => new Promise<void>((r) => c.once('exit', () => r())));
    for (const c of alive) {
      try {
        if (c.connected) c.send({ type: 'quit' } satisfies ParentMessage);
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => alive.forEach((c) => c.kill('SIGKILL')), 5000);
    await Promise.all(exits);
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// One run
// ---------------------------------------------------------------------------------------------
interface CpuWindow {
  wallMs: number;
  /** CPU over wall time, % of one core (the machine has `cores` × 100%). */
  serverPct: number | null;
  playersPct: number | null;
  /** This process (the host socket and the bookkeeping). */
  hostPct: number;
  othersPct: number | null;
  serverMs: number | null;
}

class CpuMeter {
  private readonly s0: number | null;
  private readonly p0: number | null;
  private readonly h0 = process.cpuUsage();
  private readonly m0 = machineBusyMs();
  private readonly t0 = performance.now();
  constructor(
    private readonly server: ServerHandle,
    private readonly players: PlayerProcesses,
  ) {
    this.s0 = server.cpuMs();
    this.p0 = players.cpuMs();
  }
  read(): CpuWindow {
    const wallMs = performance.now() - this.t0;
    const s1 = this.server.cpuMs();
    const p1 = this.players.cpuMs();
    const m1 = machineBusyMs();
    const h = process.cpuUsage(this.h0);
    const pct = (ms: number | null) => (ms === null || wallMs <= 0 ? null : (ms / wallMs) * 100);
    const serverMs = s1 !== null && this.s0 !== null ? s1 - this.s0 : null;
    const playersMs = p1 !== null && this.p0 !== null ? p1 - this.p0 : null;
    const hostMs = (h.user + h.system) / 1000;
    const machineMs = m1 !== null && this.m0 !== null ? m1 - this.m0 : null;
    return {
      wallMs,
      serverPct: pct(serverMs),
      playersPct: pct(playersMs),
      hostPct: pct(hostMs) ?? 0,
      othersPct:
        machineMs !== null && serverMs !== null && playersMs !== null
          ? Math.max(0, pct(machineMs - serverMs - playersMs - hostMs)!)
          : null,
      serverMs,
    };
  }
}

interface QuestionResult {
  index: number;
  /** From the command to the host's own `question` frame. */
  hostMs: number | null;
  /** Per player that got it: from the command to its `question` frame. */
  delivery: { count: number; missing: number; p50: number; p99: number; max: number };
  keyLeaks: number;
  sent: number;
  acked: number;
  refused: Record<string, number>;
  noReply: number;
  ack: { p50: number; p99: number; max: number };
  /** Acknowledged answers over the time from the first sent to the last acknowledged. */
  ackedPerSecond: number;
  results: { count: number; missing: number; afterRevealP99: number | null; afterRevealMax: number | null };
  resultMismatches: number;
  revealed: boolean;
  cpu: CpuWindow;
}

interface RunResult {
  players: number;
  repeat: number;
  processes: number;
  machineBusyBeforePct: number | null;
  serverStartMs: number;
  join: {
    joined: number;
    failed: Record<string, number>;
    wallMs: number;
    perSecond: number;
    p50: number;
    p99: number;
    max: number;
    lobbyCount: number;
    cpu: CpuWindow;
    serverUsPerJoin: number | null;
  };
  questions: QuestionResult[];
  /** Over every (player, question): command to `question` frame. */
  delivery: {
    count: number;
    missing: number;
    p50: number;
    p99: number;
    max: number;
    lastP50: number;
    lastMax: number;
  };
  answers: {
    sent: number;
    acked: number;
    refused: Record<string, number>;
    noReply: number;
    ackP50: number;
    ackP99: number;
    ackMax: number;
    ackedPerSecond: number;
    serverUsPerAnswer: number | null;
  };
  cpuQuestions: {
    serverPct: number | null;
    playersPct: number | null;
    hostPct: number;
    othersPct: number | null;
  };
  ended: { players: number; scoreSum: number; closedEarly: number; otherErrors: Record<string, number> };
  report: {
    ms: number;
    answered: number;
    players: number;
    scoreSum: number;
    xlsxMs: number;
    xlsxBytes: number;
  };
  checks: { noAnswerLost: boolean; storedNotAcked: number; keyLeaks: number; scoresMatch: boolean };
  rss: {
    serverAfterJoinMiB: number | null;
    serverPeakMiB: number | null;
    playersAfterJoinMiB: number | null;
  };
  hostFrames: Record<string, number>;
  profile?: { file: string; join: ProfileSummary; questions: ProfileSummary };
}

const summary = (values: number[]) => {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
};

const addCounts = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

async function run(n: number, repeat: number): Promise<RunResult> {
  const local: (() => Promise<void> | void)[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `quizarena-live-bench-${n}-`));
  local.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(async () => {
    while (local.length) await local.pop()!();
  });
  try {
    const quiet = await waitForQuiet(settings.quietWaitS);
    log(
      `machine ${quiet.busyPct === null ? '?' : quiet.busyPct.toFixed(0)}% busy before the run (other jobs)${quiet.waitedS > 1.5 ? `, after waiting ${quiet.waitedS.toFixed(0)} s` : ''}`,
    );

    const port = await pickPort(settings.firstPort);
    const email = 'live-bench@example.com';
    const password = randomBytes(12).toString('hex');
    const profileDir = settings.profile ? path.join(RESULTS, 'profiles', `live-${n}-${Date.now()}`) : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const t = performance.now();
    const server = await startServer({
      root: ROOT,
      port,
      env: {
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: BENCH_HOST,
        LOG_LEVEL: 'warn',
        SESSION_SECRET: randomBytes(32).toString('hex'),
        RATE_LIMIT_SCALE: '100000',
        SEED_DEMO: 'false',
        ADMIN_EMAIL: email,
        ADMIN_PASSWORD: password,
      },
      nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '500'] : [],
      // One socket per player, plus the host, SQLite and some slack.
      fileLimit: n + 512,
      ...(settings.floor ? { script: 'bench/src/live-floor-server.ts' } : {}),
    });
    let serverStopped = false;
    local.push(async () => {
      if (!serverStopped) await server.stop();
    });
    const serverStartMs = performance.now() - t;
    log(
      `server pid ${server.pid} on ${BENCH_HOST}:${port}, healthy after ${(serverStartMs / 1000).toFixed(1)} s`,
    );

    // --- the organiser's side, over HTTP ---
    const cookie = await login(port, email, password);
    const client = new Client(port, 4, 120_000);
    local.push(() => client.close());
    const { bank } = await client.json<{ bank: { id: number } }>(
      { method: 'POST', path: '/api/banks', cookie, body: { name: `Live bench ${n}` } },
      201,
    );
    // A bank of exactly the questions to play, and the game from all of it ({mode: "all"}, which
    // works with any server since the contract: ids and tags were refused until c5742ed).
    for (let i = 0; i < settings.questions; i++) {
      await client.json<{ question: { id: number } }>(
        { method: 'POST', path: `/api/banks/${bank.id}/questions`, cookie, body: benchQuestion(i) },
        201,
      );
    }
    const { game } = await client.json<{ game: { id: number; pin: string } }>(
      {
        method: 'POST',
        path: '/api/live/games',
        cookie,
        body: {
          bankId: bank.id,
          title: `Live bench, ${n} players`,
          questions: { mode: 'all' },
          questionTimeSec: settings.questionTimeSec,
          readingTimeSec: settings.readingTimeSec,
          shuffleOptions: true,
          streakBonus: true,
        },
      },
      201,
    );
    log(
      `game ${game.id}, PIN ${game.pin}: ${settings.questions} questions of ${settings.questionTimeSec} s after ${settings.readingTimeSec} s of reading`,
    );

    const host = await HostSocket.open(port, cookie);
    local.push(() => host.close());
    const attached = host.waitFor((f) => f.type === 'game', 15_000, '`game` after `host`');
    host.send({ type: 'host', gameId: game.id });
    await attached;

    // --- the players ---
    // Two processes at least: on this 2-core machine one process receiving every frame is the
    // bottleneck of the floor (live-floor-server.ts) at 2,000 players, and more than two per core
    // only add switching (docs/performance.md, "Live games").
    const processes = Math.min(n, Math.max(2, Math.ceil(n / settings.perProcess)));
    const sizes = Array.from(
      { length: processes },
      (_, w) => Math.floor(n / processes) + (w < n % processes ? 1 : 0),
    );
    const procs = new PlayerProcesses(sizes);
    local.push(() => procs.stop());
    const ready = await procs.collect(
      (m): m is Extract<PlayersMessage, { type: 'ready' }> => m.type === 'ready',
      60_000,
    );
    if (ready.length < processes)
      throw new Error(`only ${ready.length}/${processes} player processes started`);

    const monoJoin0 = monotonicUs();
    const joinCpu = new CpuMeter(server, procs);
    const joinStart = clock();
    procs.send((w): JoinConfig => ({
      type: 'join',
      worker: w,
      port,
      pin: game.pin,
      count: sizes[w]!,
      concurrency: settings.joinConcurrency,
      joinTimeoutMs: 30_000,
      answerWindowMs: settings.answerWindowMs,
      deliveryTimeoutMs: 30_000,
      answerGraceMs: ANSWER_GRACE_MS,
    }));
    const joins = await procs.collect((m): m is JoinReport => m.type === 'joined', joinTimeoutMs(n));
    const joinEnd = Math.max(...joins.map((j) => j.endedAt));
    const joinCpuWindow = joinCpu.read();
    const monoJoin1 = monotonicUs();
    const joined = joins.reduce((s, j) => s + j.joined, 0);
    const joinFailed: Record<string, number> = {};
    for (const j of joins) addCounts(joinFailed, j.failed);
    const joinLat = summary(joins.flatMap((j) => j.joinMs));
    // The lobby frame is throttled (at most 4 a second): give it a moment to say everyone.
    for (let i = 0; i < 40 && host.lastLobbyCount < joined; i++) await sleep(50);
    const join: RunResult['join'] = {
      joined,
      failed: joinFailed,
      wallMs: joinEnd - joinStart,
      perSecond: (joined * 1000) / Math.max(1, joinEnd - joinStart),
      ...joinLat,
      lobbyCount: host.lastLobbyCount,
      cpu: joinCpuWindow,
      serverUsPerJoin:
        joinCpuWindow.serverMs !== null && joined > 0 ? (joinCpuWindow.serverMs * 1000) / joined : null,
    };
    log(
      `joined ${joined}/${n} in ${(join.wallMs / 1000).toFixed(1)} s (${fmtRate(join.perSecond)}/s, p50 ${fmtMs(join.p50)}, p99 ${fmtMs(join.p99)}), failures ${fmtErrors(joinFailed)}; host lobby says ${host.lastLobbyCount}; CPU ${cpuText(joinCpuWindow)}`,
    );
    const rssAfterJoin = { server: mib(procStatusKiB(server.pid, 'VmRSS')), players: procs.rssMiB() };
    if (joined === 0) throw new Error('no player joined');

    // --- the questions ---
    const questions: QuestionResult[] = [];
    const allDelivery: number[] = [];
    const allAck: number[] = [];
    const monoQ0 = monotonicUs();
    const questionsCpu = new CpuMeter(server, procs);
    let answerWindowsMs = 0;
    for (let index = 0; index < settings.questions; index++) {
      const phaseMs = (settings.readingTimeSec + settings.questionTimeSec) * 1000;
      const hostQuestion = host.waitFor(
        (f) => f.type === 'question' && f.index === index,
        30_000,
        `question ${index}`,
      );
      const hostReveal = host.waitFor(
        (f) => f.type === 'reveal' && f.index === index,
        phaseMs + ANSWER_GRACE_MS + 30_000,
        `reveal ${index}`,
      );
      hostReveal.catch(() => undefined);
      const cpu = new CpuMeter(server, procs);
      const sentAt = host.send({ type: index === 0 ? 'start' : 'next' });
      const hostMs = await hostQuestion.then((r) => r.at - sentAt).catch(() => null);
      const deliveries = await procs.collect(
        (m): m is DeliveryReport => m.type === 'delivery' && m.index === index,
        35_000,
      );
      const answers = await procs.collect(
        (m): m is AnswersReport => m.type === 'answers' && m.index === index,
        phaseMs + ANSWER_GRACE_MS + 30_000,
      );
      const reveal = await hostReveal.catch(() => null);
      const cpuWindow = cpu.read();

      const lat: number[] = [];
      let missing = 0;
      let keyLeaks = 0;
      for (const d of deliveries) {
        keyLeaks += d.keyLeaks;
        for (const a of d.arrivals) {
          if (a === null) missing++;
          else lat.push(a - sentAt);
        }
      }
      missing += sizes.filter((_, w) => !deliveries.some((d) => d.worker === w)).reduce((s, v) => s + v, 0);
      allDelivery.push(...lat);
      const refused: Record<string, number> = {};
      let sent = 0;
      let acked = 0;
      let noReply = 0;
      let resultMismatches = 0;
      const ackMs: number[] = [];
      const afterReveal: number[] = [];
      let resultCount = 0;
      let firstSent = Infinity;
      let lastAck = -Infinity;
      for (const a of answers) {
        sent += a.sent;
        acked += a.acked;
        noReply += a.noReply;
        resultMismatches += a.resultMismatches;
        addCounts(refused, a.refused);
        ackMs.push(...a.ackMs);
        if (a.firstSentAt !== null) firstSent = Math.min(firstSent, a.firstSentAt);
        if (a.lastAckAt !== null) lastAck = Math.max(lastAck, a.lastAckAt);
        for (const r of a.results) {
          if (r === null) continue;
          resultCount++;
          if (reveal) afterReveal.push(r - reveal.at);
        }
      }
      allAck.push(...ackMs);
      const windowMs = lastAck > firstSent ? lastAck - firstSent : 0;
      answerWindowsMs += windowMs;
      const d = summary(lat);
      const ack = summary(ackMs);
      const ar = summary(afterReveal);
      const q: QuestionResult = {
        index,
        hostMs,
        delivery: { count: lat.length, missing, ...d },
        keyLeaks,
        sent,
        acked,
        refused,
        noReply,
        ack,
        ackedPerSecond: windowMs > 0 ? (acked * 1000) / windowMs : 0,
        results: {
          count: resultCount,
          missing: lat.length - resultCount,
          afterRevealP99: reveal ? ar.p99 : null,
          afterRevealMax: reveal ? ar.max : null,
        },
        resultMismatches,
        revealed: reveal !== null,
        cpu: cpuWindow,
      };
      questions.push(q);
      log(
        `q${index + 1}: host ${q.hostMs === null ? 'none' : fmtMs(q.hostMs)}; players p50 ${fmtMs(d.p50)}, p99 ${fmtMs(d.p99)}, last ${fmtMs(d.max)}${missing ? `, ${missing} missing` : ''}; answers ${sent} sent, ${acked} acked, refused ${fmtErrors(refused)}, no reply ${noReply}; ack p50 ${fmtMs(ack.p50)}, p99 ${fmtMs(ack.p99)}; ${fmtRate(q.ackedPerSecond)} acked/s; results ${resultCount}${reveal ? `, p99 ${fmtMs(ar.p99)} after the reveal` : ', NO REVEAL'}; CPU ${cpuText(cpuWindow)}`,
      );
      await sleep(settings.pauseMs);
    }
    const questionsCpuWindow = questionsCpu.read();
    const monoQ1 = monotonicUs();

    // --- the end ---
    const hostEnded = host.waitFor((f) => f.type === 'ended', 30_000, '`ended`');
    host.send({ type: 'next' });
    await hostEnded.catch((err: Error) => log(`warning: ${err.message}`));
    procs.send({ type: 'finish', timeoutMs: 20_000 });
    const finished = await procs.collect((m): m is FinishReport => m.type === 'finished', 30_000);
    const ended: RunResult['ended'] = { players: 0, scoreSum: 0, closedEarly: 0, otherErrors: {} };
    for (const f of finished) {
      ended.players += f.ended;
      ended.scoreSum += f.scoreSum;
      ended.closedEarly += f.closedEarly;
      addCounts(ended.otherErrors, f.otherErrors);
    }

    // --- what was stored ---
    const r0 = performance.now();
    const report = await client.json<{
      questions: { answered: number }[];
      players: { score: number; answeredCount: number }[];
    }>({ method: 'GET', path: `/api/live/games/${game.id}/report`, cookie }, 200);
    const reportMs = performance.now() - r0;
    const xlsx = await download(port, `/api/live/games/${game.id}/report.xlsx`, cookie);
    if (xlsx.status !== 200) log(`warning: report.xlsx answered ${xlsx.status}`);
    const storedAnswered = report.questions.reduce((s, q) => s + q.answered, 0);
    const storedByPlayers = report.players.reduce((s, p) => s + p.answeredCount, 0);
    const reportScoreSum = report.players.reduce((s, p) => s + p.score, 0);
    const totalAcked = questions.reduce((s, q) => s + q.acked, 0);
    const totalSent = questions.reduce((s, q) => s + q.sent, 0);
    if (storedByPlayers !== storedAnswered)
      log(`warning: the report's questions count ${storedAnswered} answers, its players ${storedByPlayers}`);

    const serverPeakMiB = mib(procStatusKiB(server.pid, 'VmHWM'));
    await procs.stop();
    host.close();
    client.close();
    const code = await server.stop();
    serverStopped = true;
    if (code !== 0) log(`warning: the server exited with code ${code}:\n${server.output().slice(-2000)}`);

    let profile: RunResult['profile'];
    if (profileDir)
      profile = summariseServerProfile(
        profileDir,
        { from: monoJoin0, to: monoJoin1 },
        { from: monoQ0, to: monoQ1 },
      );

    const refused: Record<string, number> = {};
    for (const q of questions) addCounts(refused, q.refused);
    const ackS = summary(allAck);
    const dS = summary(allDelivery);
    const lasts = summary(questions.map((q) => q.delivery.max));
    const keyLeaks = questions.reduce((s, q) => s + q.keyLeaks, 0);
    return {
      players: n,
      repeat,
      processes,
      machineBusyBeforePct: quiet.busyPct,
      serverStartMs,
      join,
      questions,
      delivery: {
        count: allDelivery.length,
        missing: questions.reduce((s, q) => s + q.delivery.missing, 0),
        ...dS,
        lastP50: lasts.p50,
        lastMax: lasts.max,
      },
      answers: {
        sent: totalSent,
        acked: totalAcked,
        refused,
        noReply: questions.reduce((s, q) => s + q.noReply, 0),
        ackP50: ackS.p50,
        ackP99: ackS.p99,
        ackMax: ackS.max,
        ackedPerSecond: answerWindowsMs > 0 ? (totalAcked * 1000) / answerWindowsMs : 0,
        serverUsPerAnswer:
          questionsCpuWindow.serverMs !== null && totalAcked > 0
            ? (questionsCpuWindow.serverMs * 1000) / totalAcked
            : null,
      },
      cpuQuestions: {
        serverPct: questionsCpuWindow.serverPct,
        playersPct: questionsCpuWindow.playersPct,
        hostPct: questionsCpuWindow.hostPct,
        othersPct: questionsCpuWindow.othersPct,
      },
      ended,
      report: {
        ms: reportMs,
        answered: storedAnswered,
        players: report.players.length,
        scoreSum: reportScoreSum,
        xlsxMs: xlsx.ms,
        xlsxBytes: xlsx.bytes,
      },
      checks: {
        noAnswerLost: storedAnswered >= totalAcked,
        storedNotAcked: Math.max(0, storedAnswered - totalAcked),
        keyLeaks,
        scoresMatch: ended.players === joined && ended.scoreSum === reportScoreSum,
      },
      rss: {
        serverAfterJoinMiB: rssAfterJoin.server,
        serverPeakMiB,
        playersAfterJoinMiB: rssAfterJoin.players,
      },
      hostFrames: host.counts,
      ...(profile ? { profile } : {}),
    };
  } finally {
    while (local.length) {
      try {
        await local.pop()!();
      } catch (err) {
        console.error('clean-up step failed:', err);
      }
    }
  }
}

/** Question i of the bench bank: mostly single choice, some multiple response and true/false. */
function benchQuestion(i: number): {
  type: string;
  stem: string;
  options: { text: string; correct: boolean }[];
} {
  const stem = `Câu ${i + 1}: which of these is the capital of the province in the bench's question number ${i + 1}?`;
  if (i % 5 === 4)
    return {
      type: 'truefalse',
      stem,
      options: [
        { text: 'Đúng', correct: i % 2 === 0 },
        { text: 'Sai', correct: i % 2 !== 0 },
      ],
    };
  if (i % 5 === 3)
    return {
      type: 'multiple',
      stem,
      options: ['Hà Nội', 'Huế', 'Đà Nẵng', 'Cần Thơ'].map((text, k) => ({ text, correct: k < 2 })),
    };
  return {
    type: 'single',
    stem,
    options: ['Hà Nội', 'Huế', 'Đà Nẵng', 'Cần Thơ'].map((text, k) => ({ text, correct: k === i % 4 })),
  };
}

type Window = { from: number; to: number };

function summariseServerProfile(dir: string, join: Window, questions: Window): RunResult['profile'] {
  // tsx's loader thread writes a profile too: the server's main thread is the largest one.
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!file) {
    log(`no .cpuprofile written in ${dir}`);
    return undefined;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const joinSummary = summariseProfile(profile, { fromUs: join.from, toUs: join.to, top: 25 });
  const questionsSummary = summariseProfile(profile, { fromUs: questions.from, toUs: questions.to, top: 25 });
  console.log(
    `\nserver CPU profile ${path.relative(ROOT, file)}\n-- joins --\n${formatSummary(joinSummary, 15)}`,
  );
  console.log(`-- questions (fan-out, answers, reveals) --\n${formatSummary(questionsSummary, 25)}\n`);
  return { file: path.relative(ROOT, file), join: joinSummary, questions: questionsSummary };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
const pctText = (pct: number | null): string => (pct === null ? '?' : `${pct.toFixed(0)}%`);
const cpuText = (c: {
  serverPct: number | null;
  playersPct: number | null;
  hostPct: number;
  othersPct: number | null;
}) =>
  `server ${pctText(c.serverPct)}, players ${pctText(c.playersPct)}, host ${pctText(c.hostPct)}, others ${pctText(c.othersPct)}`;

function buildTable(results: RunResult[]): { header: string[]; rows: string[][] } {
  const header = [
    'metric',
    ...results.map((r) => `N=${fmtRate(r.players)}${settings.repeat > 1 ? ` #${r.repeat}` : ''}`),
    'target',
  ];
  const rows: string[][] = [];
  const add = (metric: string, target: string, cell: (r: RunResult) => string) =>
    rows.push([metric, ...results.map(cell), target]);
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  add('player processes', '', (r) => String(r.processes));
  add('machine busy before run', '(other jobs)', (r) => pctText(r.machineBusyBeforePct));
  add(
    'players joined',
    '= N',
    (r) => `${fmtRate(r.join.joined)}${r.join.joined === r.players ? '' : ` of ${fmtRate(r.players)}`}`,
  );
  add('  join failures', '0', (r) => fmtErrors(r.join.failed));
  add(
    '  join time (all) / joins/s',
    '',
    (r) => `${(r.join.wallMs / 1000).toFixed(1)} s / ${fmtRate(r.join.perSecond)}`,
  );
  add('  join p50 / p99', '', (r) => `${fmtMs(r.join.p50)} / ${fmtMs(r.join.p99)}`);
  add('  server CPU per join', '', (r) =>
    r.join.serverUsPerJoin === null ? '?' : `${r.join.serverUsPerJoin.toFixed(0)} µs`,
  );
  add('  host lobby count', '= joined', (r) => fmtRate(r.join.lobbyCount));
  add('question reached player p50', '', (r) => fmtMs(r.delivery.p50));
  add('  p99', 'see below', (r) => fmtMs(r.delivery.p99));
  add('  max', '', (r) => fmtMs(r.delivery.max));
  add('  last player, median of questions', '', (r) => fmtMs(r.delivery.lastP50));
  add('  deliveries missing', '0', (r) => fmtRate(r.delivery.missing));
  add('  target', '2,000: p99 < 100 ms; 10,000: < 500 ms', (r) => {
    const target = TARGETS[r.players];
    return target === undefined
      ? '-'
      : `${verdict(r.delivery.p99 < target && r.delivery.missing === 0)} (< ${target} ms)`;
  });
  add('answers sent / acked', '', (r) => `${fmtRate(r.answers.sent)} / ${fmtRate(r.answers.acked)}`);
  add('  refused / no reply', '0 / 0', (r) => `${fmtErrors(r.answers.refused)} / ${r.answers.noReply}`);
  add('  acked/s (first sent to last ack)', '', (r) => fmtRate(r.answers.ackedPerSecond));
  add(
    '  ack p50 / p99 / max',
    '',
    (r) => `${fmtMs(r.answers.ackP50)} / ${fmtMs(r.answers.ackP99)} / ${fmtMs(r.answers.ackMax)}`,
  );
  add('  server CPU per answer', '', (r) =>
    r.answers.serverUsPerAnswer === null ? '?' : `${r.answers.serverUsPerAnswer.toFixed(0)} µs`,
  );
  add('results received / expected', '', (r) => {
    const got = r.questions.reduce((s, q) => s + q.results.count, 0);
    return `${fmtRate(got)} / ${fmtRate(r.delivery.count)}`;
  });
  add('  result after reveal, p99 (worst q)', '', (r) => {
    const v = r.questions.map((q) => q.results.afterRevealP99).filter((x): x is number => x !== null);
    return v.length ? fmtMs(Math.max(...v)) : '-';
  });
  add(
    'CPU during questions',
    'server / players / host / others',
    (r) =>
      `${pctText(r.cpuQuestions.serverPct)} / ${pctText(r.cpuQuestions.playersPct)} / ${pctText(r.cpuQuestions.hostPct)} / ${pctText(r.cpuQuestions.othersPct)}`,
  );
  add(
    'server RSS after join / peak',
    '',
    (r) => `${r.rss.serverAfterJoinMiB ?? '?'} / ${r.rss.serverPeakMiB ?? '?'} MiB`,
  );
  add('player processes RSS after join', '', (r) => `${r.rss.playersAfterJoinMiB ?? '?'} MiB`);
  add('ended received', '= joined', (r) => fmtRate(r.ended.players));
  add('report: answers stored', '>= acked', (r) => fmtRate(r.report.answered));
  add(
    '  no answer lost',
    'PASS',
    (r) =>
      `${verdict(r.checks.noAnswerLost)}${r.checks.storedNotAcked ? ` (+${r.checks.storedNotAcked} stored, not acked)` : ''}`,
  );
  add("  scores: report = players' ended", 'PASS', (r) => verdict(r.checks.scoresMatch));
  add('  key in question frames', '0', (r) => String(r.checks.keyLeaks));
  add(
    'report JSON / XLSX',
    '',
    (r) =>
      `${fmtMs(r.report.ms)} / ${fmtMs(r.report.xlsxMs)} (${(r.report.xlsxBytes / 1024).toFixed(0)} KiB)`,
  );
  add('server start', '', (r) => `${(r.serverStartMs / 1000).toFixed(1)} s`);
  return { header, rows };
}

function printTable({ header, rows }: { header: string[]; rows: string[][] }): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
}

function machineText(m: MachineInfo): string[] {
  const limits = openFileLimits();
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}; open files ${limits.soft} (hard ${limits.hard})`,
    `data disk: ${m.dataDisk.fileSystem} on ${m.dataDisk.device} (${m.dataDisk.path}); fdatasync of 4 KiB p50 ${fmtMs(m.dataDisk.fdatasyncP50Ms)}, p99 ${fmtMs(m.dataDisk.fdatasyncP99Ms)}`,
    `note: the server, the player processes (at least 2, up to ${fmtRate(settings.perProcess)} players each) and this process (the host) share these ${m.cores} cores over loopback: the CPU rows show each one's share (100% = one core); "others" is every other process on the machine.`,
  ];
}

async function main(): Promise<void> {
  const machine = machineInfo(os.tmpdir());
  console.log(
    `Quizarena bench:live: N = ${settings.players.map(fmtRate).join(', ')}${settings.repeat > 1 ? ` (× ${settings.repeat})` : ''}; ${settings.questions} questions of ${settings.questionTimeSec} s (${settings.readingTimeSec} s reading), answers within ${settings.answerWindowMs} ms of opening; at most ${fmtRate(settings.perProcess)} players a process${settings.profile ? '; PROFILED (--cpu-prof)' : ''}${settings.floor ? '; FLOOR: a bare ws broadcast server, not Quizarena' : ''}`,
  );
  for (const l of machineText(machine)) console.log(l);
  const results: RunResult[] = [];
  for (const n of settings.players) {
    for (let rep = 1; rep <= settings.repeat; rep++) {
      console.log(`\n== ${fmtRate(n)} players${settings.repeat > 1 ? `, run ${rep}` : ''} ==`);
      results.push(await run(n, rep));
      await cleanUp();
    }
  }
  console.log('\n== results ==');
  const table = buildTable(results);
  printTable(table);
  console.log('');
  for (const l of machineText(machine)) console.log(l);
  console.log(
    "delivery: from clock() just before the host wrote `start`/`next` to each player's `question` frame (one clock across processes); ack: from sending an answer to its `answered` (durable) frame.",
  );
  mkdirSync(RESULTS, { recursive: true });
  const out = path.join(
    RESULTS,
    settings.floor ? 'live-floor.json' : settings.profile ? 'live-latest-profiled.json' : 'live-latest.json',
  );
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, settings, targets: TARGETS, table, runs: results }, null, 2)}\n`,
  );
  console.log(`written ${path.relative(ROOT, out)}`);
  const missed = results.some(
    (r) => !r.checks.noAnswerLost || r.checks.keyLeaks > 0 || r.join.joined < r.players,
  );
  if (missed) process.exitCode = 1;
}

main()
  .catch(async (err: unknown) => {
    console.error(err);
    await cleanUp();
    process.exitCode = 1;
  })
  .finally(() => {
    // Nothing may keep the process alive (sockets, timers): the bench ends by itself.
    setTimeout(() => process.exit(), 100).unref();
  });
