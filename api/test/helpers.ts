// Shared set-up for the route tests: every test builds the real server with buildApp(testConfig())
// and a clock it can move, then talks to it through app.inject() the way a browser or script would.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import type WebSocket from 'ws';
import { openDatabase, openPostgres, type Database } from '@quizarena/db';
import { createTestPgDatabase, testStoreKind } from '@quizarena/db/testing';
import { buildApp } from '../src/app.ts';
import { testConfig, type Config } from '../src/config.ts';
import type { RedisEventBus } from '../src/events/redis-event-bus.ts';

/** A fixed, recognisable start time (a Monday morning, UTC) so that runs are reproducible. */
export const T0 = Date.parse('2026-03-02T08:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const PASSWORD = 'correct horse battery';

export interface TestClock {
  now: number;
  advance(ms: number): number;
  set(t: number | string): number;
}

export function makeClock(start = T0): TestClock {
  const clock: TestClock = {
    now: start,
    advance(ms) {
      clock.now += ms;
      return clock.now;
    },
    set(t) {
      clock.now = typeof t === 'number' ? t : Date.parse(t);
      return clock.now;
    },
  };
  return clock;
}

export interface TestApp {
  app: FastifyInstance;
  clock: TestClock;
  close(): Promise<void>;
}

/**
 * The real server with a test configuration and a controllable clock (share one to sync nodes).
 * Under QUIZARENA_TEST_STORE=postgres a server given no store of its own gets a fresh PostgreSQL
 * database, dropped when it closes: every route test runs on both stores.
 */
export async function makeApp(
  overrides: Partial<Config> = {},
  clock: TestClock = makeClock(),
): Promise<TestApp> {
  let own: { drop(): Promise<void> } | null = null;
  if (
    testStoreKind() === 'postgres' &&
    overrides.databaseUrl === undefined &&
    overrides.databaseFile === undefined
  ) {
    const created = await createTestPgDatabase();
    own = created;
    overrides = { ...overrides, databaseUrl: created.url };
  }
  let app: FastifyInstance;
  try {
    app = await buildApp(testConfig(overrides), { now: () => clock.now });
    await app.ready();
  } catch (err) {
    await own?.drop();
    throw err;
  }
  let closed = false;
  return {
    app,
    clock,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await own?.drop();
    },
  };
}

export interface TempDatabase {
  /** A fresh directory (for anchors, images) with the SQLite file's path in it. */
  file: string;
  dir: string;
  /** The store for makeApp: the SQLite file, or on PostgreSQL runs a fresh database's URL. */
  store: Pick<Config, 'databaseFile' | 'databaseUrl'>;
  remove(): Promise<void>;
}

/** Another connection to a shared store (a second SQLite handle, or another pool): close it. */
export async function secondConnection(db: TempDatabase): Promise<Database> {
  return db.store.databaseUrl ? openPostgres(db.store.databaseUrl, { pool: 1 }) : openDatabase(db.file);
}

/** A store several servers (nodes, restarts) share: removed by `remove`. */
export async function tempDatabase(): Promise<TempDatabase> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quizarena-test-'));
  const file = path.join(dir, 'quizarena.sqlite');
  const pg = testStoreKind() === 'postgres' ? await createTestPgDatabase() : null;
  return {
    file,
    dir,
    store: { databaseFile: file, databaseUrl: pg?.url ?? null },
    remove: async () => {
      rmSync(dir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Redis: tests that use it fail (not skip) when it is unreachable; each run uses its own prefix.
// ---------------------------------------------------------------------------------------------

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let prefixCount = 0;

export const redisPrefix = (): string => `qa-test-${process.pid}-${Date.now()}-${prefixCount++}:`;

/** CLIENT KILL of the pub/sub connections named `name` (what a Redis restart or a network cut does). */
export async function killPubsubClients(admin: Redis, name: string): Promise<number> {
  const list = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  const ids = [...list.matchAll(/^id=(\d+) .*\bname=(\S*)/gm)].filter((m) => m[2] === name).map((m) => m[1]!);
  for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
  return ids.length;
}

/**
 * Cuts a node's event-bus subscription as a network cut or a Redis restart would (CLIENT KILL of
 * its subscriber connection); `back` settles when the node reports it live again (EventBus.onGap),
 * with the phases it reported. ioredis reconnects after 50 ms, so a test making something happen
 * "in the gap" checks that it did (see `missed`).
 */
export async function cutSubscription(
  app: FastifyInstance,
  topic: string,
): Promise<{ back: Promise<string[]>; missed(): boolean }> {
  const bus = app.events as RedisEventBus;
  if (!bus.name) throw new Error('the event bus is not a named Redis bus');
  let seen = false;
  const stopProbe = await bus.subscribe(topic, () => (seen = true));
  const phases: string[] = [];
  const back = new Promise<string[]>((resolve) => {
    const stop = bus.onGap((phase) => {
      phases.push(phase);
      if (phase !== 'back') return;
      stop();
      void stopProbe().then(() => resolve(phases));
    });
  });
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  admin.on('error', () => undefined);
  try {
    if ((await killPubsubClients(admin, `${bus.name}:sub`)) !== 1) {
      throw new Error(`no connection named ${bus.name}:sub in CLIENT LIST`);
    }
  } finally {
    admin.disconnect();
  }
  // An event on `topic` seen by the probe arrived after all: it was not missed.
  return { back, missed: () => !seen };
}

/**
 * Opens a WebSocket on the app in memory (injectWS). Its request has no socket, so it is given the
 * peer address a real connection would have: socket opens are rate-limited per IP.
 */
export function injectSocket(
  app: FastifyInstance,
  path: '/api/ws' | '/api/live/ws',
  cookie?: string,
  remoteAddress = '127.0.0.1',
): Promise<WebSocket> {
  return app.injectWS(path, {
    ...(cookie ? { headers: { cookie } } : {}),
    socket: { remoteAddress },
  } as Parameters<FastifyInstance['injectWS']>[1]);
}

/** Deletes every key under the prefix (a test's leftovers). */
export async function cleanRedis(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

export interface CallOptions {
  cookie?: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export function call(
  app: FastifyInstance,
  method: Method,
  url: string,
  opts: CallOptions = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  const payload = opts.payload;
  if (payload === undefined) return app.inject({ method, url, headers });
  if (typeof payload === 'string' || Buffer.isBuffer(payload))
    return app.inject({ method, url, headers, payload });
  if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  return app.inject({ method, url, headers, payload: JSON.stringify(payload) });
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: string;
  attemptId?: number;
}

/** Asserts a refusal in Fastify's error shape with the given status (and code, when given). */
export function refusal(res: LightMyRequestResponse, status: number, code?: string): ErrorBody {
  const body = res.json<ErrorBody>();
  const where = `${res.statusCode} ${res.body}`;
  if (res.statusCode !== status) throw new Error(`expected ${status}${code ? ` ${code}` : ''}, got ${where}`);
  if (
    body.statusCode !== status ||
    typeof body.error !== 'string' ||
    typeof body.message !== 'string' ||
    typeof body.code !== 'string'
  ) {
    throw new Error(`not Fastify's error shape: ${where}`);
  }
  if (code !== undefined && body.code !== code) throw new Error(`expected code ${code}, got ${where}`);
  return body;
}

/** Asserts the status and returns the JSON body. */
export function ok<T>(res: LightMyRequestResponse, status = 200): T {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

export type Role = 'participant' | 'organiser' | 'judge' | 'admin';
export interface UserView {
  id: number;
  email: string;
  name: string;
  roles: Role[];
}
export interface Account {
  cookie: string;
  id: number;
  email: string;
}

let emailCount = 0;
export const uniqueEmail = (label = 'user'): string => `${label}-${process.pid}-${++emailCount}@example.test`;

/** The `name=value` pair of the session cookie in a response, ready for a Cookie header. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const found = list.find((c) => c.startsWith('qa_session='));
  if (!found) throw new Error(`no qa_session cookie in ${res.statusCode} ${res.body}`);
  return found.split(';')[0]!;
}

export async function registerAccount(
  app: FastifyInstance,
  email = uniqueEmail(),
  name = 'Nguyễn Văn A',
): Promise<Account> {
  const res = await call(app, 'POST', '/api/auth/register', { payload: { email, password: PASSWORD, name } });
  const { user } = ok<{ user: UserView }>(res, 201);
  return { cookie: sessionCookie(res), id: user.id, email: user.email };
}

/** Registers a participant and returns the Cookie header value of their session. */
export async function register(app: FastifyInstance, email?: string): Promise<string> {
  return (await registerAccount(app, email)).cookie;
}

export async function signIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<string> {
  const res = await call(app, 'POST', '/api/auth/login', { payload: { email, password } });
  ok(res);
  return sessionCookie(res);
}

/** There is no public way to become an organiser: set the role in SQL, as an admin would. */
export async function makeAccountWithRoles(
  app: FastifyInstance,
  roles: Role[],
  label = roles.join('-'),
): Promise<Account> {
  const account = await registerAccount(app, uniqueEmail(label), `${label} account`);
  await app.repos.users.update(account.id, { roles });
  await app.forgetUser(account.id);
  return account;
}

export const makeOrganiser = (app: FastifyInstance): Promise<Account> =>
  makeAccountWithRoles(app, ['participant', 'organiser'], 'organiser');
export const makeAdmin = (app: FastifyInstance): Promise<Account> =>
  makeAccountWithRoles(app, ['admin'], 'admin');

// ---------------------------------------------------------------------------------------------
// Authoring
// ---------------------------------------------------------------------------------------------

export interface QuestionInput {
  type: 'single' | 'multiple' | 'truefalse';
  stem: string;
  options: { text: string; correct: boolean }[];
  points?: number;
  tags?: string[];
  difficulty?: number;
  explanation?: string;
}

export const singleQuestion = (i: number, points = 1): QuestionInput => ({
  type: 'single',
  stem: `Question ${i}: which is right?`,
  options: [
    { text: `Right ${i}`, correct: true },
    { text: `Wrong ${i}a`, correct: false },
    { text: `Wrong ${i}b`, correct: false },
  ],
  points,
  explanation: `Because ${i}.`,
});

export interface RoundOptions {
  title?: string;
  opensAt?: number;
  closesAt?: number;
  timeLimitSec?: number;
  questionCount?: number;
  maxAttempts?: number;
  prediction?: { prompt: string; kind: 'count' | 'percent' };
  showAnswers?: 'immediately' | 'after_close' | 'never';
  showLeaderboard?: 'immediately' | 'after_close' | 'never';
  shuffleQuestions?: boolean;
  shuffleOptions?: boolean;
  partialCredit?: boolean;
}

export interface ContestOptions extends RoundOptions {
  organiser?: Account;
  /** Questions for the bank, or how many single-choice ones (default 3). */
  questions?: QuestionInput[] | number;
  slug?: string;
  registrationFields?: { key: string; label: string; type: string; required: boolean; options?: string[] }[];
  groups?: { key: string; name: string }[];
  units?: { code: string; name: string; parentCode?: string | null }[];
  publish?: boolean;
}

export interface ContestFixture {
  organiser: Account;
  bankId: number;
  questionIds: number[];
  contestId: number;
  slug: string;
  roundId: number;
}

let slugCount = 0;

export function roundBody(bankId: number, questionCount: number, o: RoundOptions, now: number) {
  return {
    title: o.title ?? 'Round 1',
    opensAt: new Date(o.opensAt ?? now - MINUTE).toISOString(),
    closesAt: new Date(o.closesAt ?? now + DAY).toISOString(),
    timeLimitSec: o.timeLimitSec ?? 600,
    questionCount: o.questionCount ?? questionCount,
    maxAttempts: o.maxAttempts ?? 2,
    draw: [{ bankId, count: o.questionCount ?? questionCount }],
    ...(o.prediction ? { prediction: o.prediction } : {}),
    showAnswers: o.showAnswers ?? 'immediately',
    showLeaderboard: o.showLeaderboard ?? 'immediately',
    shuffleQuestions: o.shuffleQuestions ?? true,
    shuffleOptions: o.shuffleOptions ?? true,
    partialCredit: o.partialCredit ?? false,
  };
}

/** A bank of questions, a contest and one round over the whole bank, published (by default). */
export async function makeContestWithRound(
  app: FastifyInstance,
  opts: ContestOptions = {},
): Promise<ContestFixture> {
  const organiser = opts.organiser ?? (await makeOrganiser(app));
  const cookie = organiser.cookie;
  const questions =
    typeof opts.questions === 'object'
      ? opts.questions
      : Array.from({ length: opts.questions ?? 3 }, (_, i) => singleQuestion(i + 1));

  const { bank } = ok<{ bank: { id: number } }>(
    await call(app, 'POST', '/api/banks', { cookie, payload: { name: 'Bank' } }),
    201,
  );
  const questionIds: number[] = [];
  for (const q of questions) {
    const { question } = ok<{ question: { id: number } }>(
      await call(app, 'POST', `/api/banks/${bank.id}/questions`, { cookie, payload: q }),
      201,
    );
    questionIds.push(question.id);
  }
  const slug = opts.slug ?? `contest-${process.pid}-${++slugCount}`;
  const { contest } = ok<{ contest: { id: number; slug: string } }>(
    await call(app, 'POST', '/api/contests', {
      cookie,
      payload: {
        slug,
        title: `Contest ${slug}`,
        description: 'A test contest',
        rulesText: 'Be fair.',
        ...(opts.registrationFields ? { registrationFields: opts.registrationFields } : {}),
        ...(opts.groups ? { groups: opts.groups } : {}),
        ...(opts.units ? { units: opts.units } : {}),
      },
    }),
    201,
  );
  const { round } = ok<{ round: { id: number } }>(
    await call(app, 'POST', `/api/contests/${contest.id}/rounds`, {
      cookie,
      payload: roundBody(bank.id, questions.length, opts, app.now()),
    }),
    201,
  );
  if (opts.publish !== false) ok(await call(app, 'POST', `/api/contests/${contest.id}/publish`, { cookie }));
  return { organiser, bankId: bank.id, questionIds, contestId: contest.id, slug, roundId: round.id };
}

// ---------------------------------------------------------------------------------------------
// Participants and attempts
// ---------------------------------------------------------------------------------------------

export interface EntryView {
  id: number;
  fullName: string;
  unitCode: string | null;
  groupKey: string | null;
  fields: Record<string, string>;
}

export async function enter(
  app: FastifyInstance,
  slug: string,
  cookie: string,
  fields: Record<string, string> = { fullName: 'Trần Thị B' },
): Promise<EntryView> {
  const res = await call(app, 'POST', `/api/contests/${slug}/entry`, { cookie, payload: { fields } });
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw new Error(`entry failed: ${res.statusCode} ${res.body}`);
  return res.json<{ entry: EntryView }>().entry;
}

// Registering costs a scrypt hash (~50-100 ms), so participants are drawn from a pool per app:
// the k-th participant of every contest is the same account. Within one contest they are distinct.
const pools = new WeakMap<FastifyInstance, { accounts: Promise<Account>[]; taken: Map<string, number> }>();

/** A participant (distinct within the contest) with an entry in the contest. */
export async function makeParticipant(
  app: FastifyInstance,
  slug: string,
  fields?: Record<string, string>,
): Promise<Account> {
  let pool = pools.get(app);
  if (!pool) pools.set(app, (pool = { accounts: [], taken: new Map() }));
  const k = pool.taken.get(slug) ?? 0;
  pool.taken.set(slug, k + 1);
  pool.accounts[k] ??= registerAccount(app);
  const account = await pool.accounts[k];
  await enter(app, slug, account.cookie, fields);
  return account;
}

export interface AttemptQuestionView {
  id: number;
  type: 'single' | 'multiple' | 'truefalse';
  stem: string;
  points: number;
  options: { id: string; text: string }[];
  correctOptionIds?: string[];
  explanation?: string | null;
  correct?: boolean;
}

export interface AttemptResult {
  score: number;
  maxScore: number;
  correctCount: number;
  durationMs: number;
  submittedAt: string;
}

export interface AttemptView {
  id: number;
  roundId: number;
  status: 'in_progress' | 'submitted' | 'expired' | 'voided';
  startedAt: string;
  deadline: string;
  now: string;
  questions: AttemptQuestionView[];
  answers: { questionId: number; optionIds: string[] }[];
  prediction: number | null;
  result: AttemptResult | null;
}

export interface SubmitView {
  id: number;
  status: string;
  score: number;
  maxScore: number;
  correctCount: number;
  durationMs: number;
  submittedAt: string;
}

export async function startAttempt(
  app: FastifyInstance,
  roundId: number,
  cookie: string,
): Promise<AttemptView> {
  return ok<{ attempt: AttemptView }>(
    await call(app, 'POST', `/api/rounds/${roundId}/attempts`, { cookie }),
    201,
  ).attempt;
}

export async function getAttempt(
  app: FastifyInstance,
  attemptId: number,
  cookie: string,
): Promise<AttemptView> {
  return ok<{ attempt: AttemptView }>(await call(app, 'GET', `/api/attempts/${attemptId}`, { cookie }))
    .attempt;
}

export function saveAnswer(
  app: FastifyInstance,
  attemptId: number,
  questionId: number,
  optionIds: string[],
  cookie: string,
) {
  return call(app, 'PUT', `/api/attempts/${attemptId}/answers/${questionId}`, {
    cookie,
    payload: { optionIds },
  });
}

/** Submits as the web client does: a JSON body, `{}` when there is no prediction. */
export async function submit(
  app: FastifyInstance,
  attemptId: number,
  cookie: string,
  body: { prediction?: number } = {},
): Promise<SubmitView> {
  return ok<{ attempt: SubmitView }>(
    await call(app, 'POST', `/api/attempts/${attemptId}/submit`, { cookie, payload: body }),
  ).attempt;
}

/** The answer key of an attempt, read from its snapshots in SQL (never from the API). */
export async function answerKey(
  app: FastifyInstance,
  attemptId: number,
): Promise<Map<number, { right: string[]; wrong: string[]; points: number }>> {
  const rows = await app.repos.attempts.questions(attemptId);
  return new Map(
    rows.map((q) => [
      q.questionId,
      {
        right: q.snapshot.options.filter((o) => o.correct).map((o) => o.id),
        wrong: q.snapshot.options.filter((o) => !o.correct).map((o) => o.id),
        points: q.snapshot.points,
      },
    ]),
  );
}

/** Answers the first `rightCount` questions (in the attempt's order) right and the rest wrong. */
export async function answerAttempt(
  app: FastifyInstance,
  attempt: AttemptView,
  cookie: string,
  rightCount = attempt.questions.length,
): Promise<void> {
  const key = await answerKey(app, attempt.id);
  for (const [i, q] of attempt.questions.entries()) {
    const k = key.get(q.id)!;
    const optionIds = i < rightCount ? k.right : [k.wrong[0]!];
    ok(await saveAnswer(app, attempt.id, q.id, optionIds, cookie));
  }
}

/** Starts, answers (`rightCount` right) and submits an attempt; the clock moves `takeMs` in between. */
export async function takeRound(
  t: TestApp,
  roundId: number,
  cookie: string,
  opts: { rightCount?: number; takeMs?: number; prediction?: number } = {},
): Promise<SubmitView> {
  const attempt = await startAttempt(t.app, roundId, cookie);
  await answerAttempt(t.app, attempt, cookie, opts.rightCount);
  if (opts.takeMs) t.clock.advance(opts.takeMs);
  return submit(
    t.app,
    attempt.id,
    cookie,
    opts.prediction === undefined ? {} : { prediction: opts.prediction },
  );
}

// ---------------------------------------------------------------------------------------------
// Leaderboards and WebSockets
// ---------------------------------------------------------------------------------------------

export interface LeaderboardEntry {
  rank: number;
  participantId: number;
  name: string;
  unit: string | null;
  score: number;
  durationMs: number;
}
export interface LeaderboardPage {
  total: number;
  entries: LeaderboardEntry[];
}

export interface WsMessage {
  type: string;
  topic?: string;
  code?: string;
  message?: string;
  total?: number;
  entries?: LeaderboardEntry[];
}

/** Records every frame a socket receives and lets a test wait for one that matches. */
export function inbox(socket: WebSocket) {
  const messages: WsMessage[] = [];
  /** Date.now() at which each message arrived (pushes are timed by the real clock). */
  const times: number[] = [];
  const waiters: { match: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }[] = [];
  socket.on('message', (raw: WebSocket.RawData) => {
    const m = JSON.parse(raw.toString()) as WsMessage;
    messages.push(m);
    times.push(Date.now());
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    messages,
    times,
    /** The first message from index `from` on that matches, waiting up to `ms`. */
    next(match: (m: WsMessage) => boolean, ms = 2000, from = 0): Promise<WsMessage> {
      const seen = messages.slice(from).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching WebSocket message within ${ms} ms; got ${JSON.stringify(messages)}`));
        }, ms);
        const waiter = {
          match,
          resolve: (m: WsMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Closes a socket from the client side and waits for it. terminate() rather than close(): over
 * injectWS's in-memory streams a close handshake leaves the server's 30 s close timer running
 * (the streams never emit 'close'), which would keep the test process alive; destroying the
 * client stream still runs the server's 'close' handler at once.
 */
export function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.terminate();
  });
}
