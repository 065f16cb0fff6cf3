// Helpers of the process-level tests (issue #8): real server processes (`node --import tsx
// api/src/server.ts`, as `npm start` runs it) on free ports over one PostgreSQL database and one
// Redis, and a small HTTP client over fetch that keeps the session cookie by hand.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createTestPgDatabase } from '@quizarena/db/testing';
import { cleanRedis, REDIS_URL, redisPrefix } from '../helpers.ts';

/** The repository root: the servers run from there, as `npm start` does. */
export const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** The same secret on every node, so a cookie signed by one is good on the others. */
export const SESSION_SECRET = 'process-test-secret-0123456789-abcdefghij';

/** A port nobody listens on right now (the kernel's pick, released again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface NodeOptions {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  seedDemo?: boolean;
  sweepIntervalMs?: number;
  env?: Record<string, string>;
}

export interface ServerNode {
  name: string;
  base: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGTERM (a clean shutdown), then SIGKILL after `ms`; resolves once it is gone. */
  stop(ms?: number): Promise<void>;
}

// Children still running when the test process exits (a failed `before`, an interrupted run) are
// killed with it, so that no server outlives its test.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns one server process; it is not ready until waitHealthy says so. */
export async function startNode(opts: NodeOptions): Promise<ServerNode> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `quizarena-${opts.name}-`));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: opts.databaseUrl,
    DATABASE_POOL: '10',
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: opts.redisPrefix,
    SESSION_SECRET,
    SEED_DEMO: String(opts.seedDemo ?? true),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_SCALE: '100',
    SWEEP_INTERVAL_MS: String(opts.sweepIntervalMs ?? 1000),
    // No web app: the server warns and serves the API only.
    WEB_DIST: path.join(dataDir, 'no-web-dist'),
    ...opts.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let up = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      up = false;
      running.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });
  return {
    name: opts.name,
    base: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    exited,
    alive: () => up,
    async stop(ms = 5000) {
      if (!up) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => up && child.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until /api/health answers 200; fails with the process's output if it ends or times out. */
export async function waitHealthy(node: ServerNode, ms = 60_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (!node.alive()) {
      const { code, signal } = await node.exited;
      throw new Error(
        `${node.name} ended (code ${code}, signal ${signal}) before it was healthy:\n${node.output()}`,
      );
    }
    try {
      const res = await fetch(`${node.base}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - start > ms) {
      throw new Error(`${node.name} not healthy within ${ms} ms:\n${node.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  text: string;
}

/** A scripted client (no Origin header, so no CSRF refusal) keeping its qa_session cookie. */
export class Client {
  cookie = '';

  async call<T = Record<string, unknown>>(
    node: ServerNode | string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<HttpResult<T>> {
    const base = typeof node === 'string' ? node : node.base;
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${url}`, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
      signal: AbortSignal.timeout(15_000),
    });
    for (const c of res.headers.getSetCookie()) {
      if (c.startsWith('qa_session=')) this.cookie = c.split(';')[0]!;
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body: body as T, text };
  }

  /** Like call, but asserts the status and returns the body. */
  async ok<T = Record<string, unknown>>(
    node: ServerNode | string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    status = 200,
  ): Promise<T> {
    const res = await this.call<T>(node, method, url, payload);
    if (res.status !== status) {
      // A 500 hides its cause from the client: show what the server logged.
      const log =
        res.status >= 500 && typeof node !== 'string'
          ? `\n${node.name} logged:\n${node.output().slice(-3000)}`
          : '';
      throw new Error(`${method} ${url}: expected ${status}, got ${res.status} ${res.text}${log}`);
    }
    return res.body;
  }
}

// The demo content (seed/src/index.ts), as e2e/utils.ts uses it.
export const DEMO_SLUG = 'tim-hieu-tu-tuong-ho-chi-minh-2026';
export const WEEK1_TITLE = 'Tuần 1 / Week 1';
export const DEMO_EMAILS = [
  'admin@quizarena.local',
  'organiser@quizarena.local',
  'judge@quizarena.local',
  'participant@quizarena.local',
];

/** A complete registration for the demo contest (e2e/utils.ts demoEntryFields). */
export function demoEntryFields(fullName: string): Record<string, string> {
  return { fullName, dateOfBirth: '2004-05-19', phone: '0912345678', unit: 'NA-DHV', group: 'B' };
}

export interface AttemptBody {
  id: number;
  roundId: number;
  status: string;
  deadline: string;
  questions: { id: number; type: string; options: { id: string; text: string }[] }[];
  answers: { questionId: number; optionIds: string[] }[];
  prediction: number | null;
}

/** The id of the demo contest's week 1 round, read over HTTP. */
export async function week1Of(client: Client, node: ServerNode): Promise<number> {
  const { contest } = await client.ok<{ contest: { rounds: { id: number; title: string }[] } }>(
    node,
    'GET',
    `/api/contests/${DEMO_SLUG}`,
  );
  const round = contest.rounds.find((r) => r.title === WEEK1_TITLE);
  if (!round) throw new Error(`no round ${WEEK1_TITLE} in the demo contest`);
  return round.id;
}

let emailCount = 0;
export const processEmail = (label: string): string =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${++emailCount}@example.test`;

export const PASSWORD = 'correct horse battery';

/** Registers (which signs in) a participant through `node`; the client keeps the cookie. */
export async function registerClient(
  node: ServerNode,
  label = 'p',
): Promise<{ client: Client; email: string; id: number }> {
  const client = new Client();
  const email = processEmail(label);
  const { user } = await client.ok<{ user: { id: number } }>(
    node,
    'POST',
    '/api/auth/register',
    { email, password: PASSWORD, name: `Người thi ${label}` },
    201,
  );
  return { client, email, id: user.id };
}

/** Polls `check` until it holds, for at most `ms` real milliseconds; returns how long it took. */
export async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Pair {
  a: ServerNode;
  b: ServerNode;
  databaseUrl: string;
  redisPrefix: string;
  /** Stops both nodes (those still running), empties the Redis prefix, drops the database. */
  close(): Promise<void>;
}

/**
 * Two server processes started at the same moment on a fresh PostgreSQL database and one Redis
 * prefix, both healthy. Fails (never skips) when PostgreSQL or Redis is missing: the database is
 * created first, and a node whose Redis does not answer is not healthy.
 */
export async function startPair(prefix = redisPrefix()): Promise<Pair> {
  await requireRedis();
  const database = await createTestPgDatabase();
  const common = { databaseUrl: database.url, redisUrl: REDIS_URL, redisPrefix: prefix };
  const nodes: ServerNode[] = [];
  const close = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await cleanRedis(prefix);
    await database.drop();
  };
  try {
    nodes.push(
      await startNode({ name: 'node-a', ...common }),
      await startNode({ name: 'node-b', ...common }),
    );
    await Promise.all(nodes.map((n) => waitHealthy(n)));
  } catch (err) {
    await close();
    throw err;
  }
  return { a: nodes[0]!, b: nodes[1]!, databaseUrl: database.url, redisPrefix: prefix, close };
}

/** Fails loudly (never skips) when the test Redis does not answer. */
export async function requireRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    await redis.quit();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis for tests is not reachable at ${REDIS_URL} (set REDIS_URL): ${(err as Error).message}`,
    );
  }
}
