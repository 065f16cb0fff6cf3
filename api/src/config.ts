// Configuration from environment variables, validated at start-up: a bad value stops the server
// with a message that names the variable and says what it should be.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ANCHOR_FILE_NAME, parseDatabaseUrl, redactUrl } from '@quizarena/db';

export interface RateLimits {
  /** Per IP per minute. */
  login: number;
  register: number;
  /** WebSocket opens (/api/ws, /api/live/ws) per IP per minute: a hall of phones behind one NAT. */
  socketOpen: number;
  /** Per signed-in user per minute. */
  attemptStart: number;
  answerSave: number;
}

export interface Config {
  port: number;
  host: string;
  /** Directory for the SQLite file, uploads and the generated session secret. */
  dataDir: string;
  /** SQLite file, or ':memory:' (tests); used when databaseUrl is null. */
  databaseFile: string;
  /** PostgreSQL (postgres://…): the store of several API nodes. Null: SQLite under dataDir. */
  databaseUrl: string | null;
  /** Connections per node to PostgreSQL. */
  databasePool: number;
  redisUrl: string | null;
  /** Prefix for every Redis key and channel, so several deployments or test runs share a server. */
  redisPrefix: string;
  sessionSecret: string;
  sessionTtlDays: number;
  cookieSecure: boolean;
  logLevel: string;
  admin: { email: string; password: string } | null;
  rateLimits: RateLimits;
  /** Serve the built web app from this directory (null: API only). */
  webDist: string | null;
  /** Grace after the deadline during which saves and submits are still taken. */
  graceMs: number;
  /** How often overdue attempts are finalised in the background (0: never). */
  sweepIntervalMs: number;
  /** Load the demo contest on an empty database. */
  seedDemo: boolean;
  /**
   * Which reverse proxies to believe about the client's IP (rate limits, audits): false, a hop
   * count, or proxy addresses/CIDRs. Never `true` behind a proxy that appends to X-Forwarded-For:
   * the client would choose its own IP.
   */
  trustProxy: boolean | number | string[];
  /** Extra origins allowed for cookie-authenticated mutations (besides the request's own host). */
  trustedOrigins: string[];
  /**
   * Where the audit log's head is anchored outside the database (db/src/audit-anchors.ts), or null
   * for none (an in-memory database has nothing to anchor against).
   */
  auditAnchorFile: string | null;
  /** How often the head is anchored when it moved (also at finalisation and shutdown; 0: only then). */
  auditAnchorIntervalMs: number;
}

export class ConfigError extends Error {}

export const defaultRateLimits: RateLimits = {
  login: 10,
  register: 10,
  socketOpen: 600,
  attemptStart: 20,
  answerSave: 600,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${name}=${raw}: expected true or false`);
    return fallback;
  };

  const port = int('PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const dataDir = path.resolve(env.DATA_DIR || 'data');

  let redisUrl: string | null = env.REDIS_URL || null;
  if (redisUrl) {
    try {
      const u = new URL(redisUrl);
      if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('protocol');
    } catch {
      problems.push(`REDIS_URL=${redisUrl}: expected a URL like redis://127.0.0.1:6379`);
      redisUrl = null;
    }
  }

  let databaseUrl: string | null = env.DATABASE_URL || null;
  if (databaseUrl) {
    try {
      parseDatabaseUrl(databaseUrl);
    } catch (err) {
      problems.push(`${(err as Error).message}`);
      databaseUrl = null;
    }
  }
  const databasePool = int('DATABASE_POOL', 10, 1, 1000);

  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL=${logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  let sessionSecret = env.SESSION_SECRET || '';
  if (sessionSecret && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET: expected at least 32 characters');
  }

  let admin: Config['admin'] = null;
  const adminEmail = env.ADMIN_EMAIL;
  const adminPassword = env.ADMIN_PASSWORD;
  if (adminEmail || adminPassword) {
    if (!adminEmail || !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
      problems.push('ADMIN_EMAIL: expected an email address (set together with ADMIN_PASSWORD)');
    } else if (!adminPassword || adminPassword.length < 8) {
      problems.push('ADMIN_PASSWORD: expected at least 8 characters (set together with ADMIN_EMAIL)');
    } else {
      admin = { email: adminEmail.toLowerCase(), password: adminPassword };
    }
  }

  const scale = Number(env.RATE_LIMIT_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) {
    problems.push(`RATE_LIMIT_SCALE=${env.RATE_LIMIT_SCALE}: expected a positive number`);
  }
  const s = Number.isFinite(scale) && scale > 0 ? scale : 1;
  const rateLimits: RateLimits = {
    login: Math.ceil(defaultRateLimits.login * s),
    register: Math.ceil(defaultRateLimits.register * s),
    socketOpen: Math.ceil(defaultRateLimits.socketOpen * s),
    attemptStart: Math.ceil(defaultRateLimits.attemptStart * s),
    answerSave: Math.ceil(defaultRateLimits.answerSave * s),
  };

  const cookieSecure = bool('COOKIE_SECURE', false);
  let trustProxy: Config['trustProxy'] = false;
  const rawProxy = (env.TRUST_PROXY ?? '').trim();
  if (/^\d{1,2}$/.test(rawProxy)) trustProxy = Number(rawProxy);
  else if (rawProxy && !['false', '0', 'no', 'off'].includes(rawProxy.toLowerCase())) {
    const list = rawProxy.split(',').map((a) => a.trim());
    if (list.some((a) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(a))) {
      problems.push(
        `TRUST_PROXY=${rawProxy}: expected a hop count or proxy addresses/CIDRs (e.g. 127.0.0.1)`,
      );
    } else trustProxy = list;
  }
  const seedDemo = bool('SEED_DEMO', true);
  const sweepIntervalMs = int('SWEEP_INTERVAL_MS', 5000, 0, 3_600_000);
  const auditAnchorIntervalMs = int('AUDIT_ANCHOR_INTERVAL_MS', 5000, 0, 3_600_000);
  const trustedOrigins = (env.TRUSTED_ORIGINS || '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);

  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }

  if (!sessionSecret) sessionSecret = persistentSecret(dataDir);

  return {
    port,
    host,
    dataDir,
    databaseFile: path.join(dataDir, 'quizarena.sqlite'),
    databaseUrl,
    databasePool,
    redisUrl,
    redisPrefix: env.REDIS_PREFIX || 'qa:',
    sessionSecret,
    sessionTtlDays: 30,
    cookieSecure,
    logLevel,
    admin,
    rateLimits,
    webDist: path.resolve(env.WEB_DIST || path.join(import.meta.dirname, '..', '..', 'web', 'dist')),
    graceMs: 2000,
    sweepIntervalMs,
    seedDemo,
    trustProxy,
    trustedOrigins,
    auditAnchorFile: path.join(dataDir, ANCHOR_FILE_NAME),
    auditAnchorIntervalMs,
  };
}

/** Where the data lives, for the start-up line (no password). */
export function describeStore(config: Pick<Config, 'databaseUrl' | 'databaseFile'>): string {
  return config.databaseUrl ? `PostgreSQL ${redactUrl(config.databaseUrl)}` : `SQLite ${config.databaseFile}`;
}

/** A secret generated once and kept in the data directory, so restarts keep everyone signed in. */
function persistentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** A configuration for tests: in-memory SQLite, no web app, no sweeper, generous rate limits. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir: '/tmp/quizarena-test',
    databaseFile: ':memory:',
    databaseUrl: null,
    databasePool: 4,
    redisUrl: null,
    redisPrefix: `qa-test-${process.pid}-${Date.now()}:`,
    sessionSecret: 'test-secret-test-secret-test-secret-0123',
    sessionTtlDays: 30,
    cookieSecure: false,
    logLevel: 'silent',
    admin: null,
    rateLimits: { login: 1000, register: 1000, socketOpen: 1000, attemptStart: 1000, answerSave: 100000 },
    webDist: null,
    graceMs: 2000,
    sweepIntervalMs: 0,
    seedDemo: false,
    trustProxy: false,
    trustedOrigins: [],
    auditAnchorFile: null,
    auditAnchorIntervalMs: 0,
    ...overrides,
  };
}
