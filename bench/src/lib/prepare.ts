// Builds a bench data directory before the server starts: the demo contest (as `npm start` loads
// it), `leaderboardSize` synthetic participants with finished attempts in week 1 (so the board
// the server rebuilds at start-up is that large), and P load-test participants written straight to
// SQL, each with an entry in the demo contest and a live session whose cookie the bench sends.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { sign } from '@fastify/cookie';
import { createRepositories, openDatabase } from '@quizarena/db';
import { hashPassword } from '@quizarena/api/services/passwords';
import { SESSION_COOKIE } from '@quizarena/api/plugins/auth';
import { generateParticipants, seedDemo } from '@quizarena/seed';

export interface BenchParticipant {
  userId: number;
  /** The Cookie header value: `qa_session=<token signed as @fastify/cookie signs it>`. */
  cookie: string;
}

export interface PreparedData {
  databaseFile: string;
  contestId: number;
  roundId: number;
  participants: BenchParticipant[];
  /** Results on the round's board once the server has rebuilt it (synthetic ones). */
  synthetic: number;
  timings: { seedMs: number; generateMs: number; participantsMs: number };
}

export async function prepareDataDir(
  dataDir: string,
  opts: { participants: number; leaderboardSize: number; sessionSecret: string },
): Promise<PreparedData> {
  const databaseFile = path.join(dataDir, 'quizarena.sqlite');
  const database = openDatabase(databaseFile);
  try {
    const now = Date.now();
    let t = performance.now();
    const demo = await seedDemo(createRepositories(database), { now, hashPassword });
    const roundId = demo.roundIds[0];
    if (roundId === undefined) throw new Error('the demo seed created no round');
    const seedMs = performance.now() - t;

    t = performance.now();
    generateParticipants(database, {
      roundId,
      count: opts.leaderboardSize,
      seed: 'quizarena-bench',
      emailPrefix: 'bench-synthetic',
    });
    const generateMs = performance.now() - t;

    t = performance.now();
    const participants = insertParticipants(
      database.sqlite,
      demo.contestId,
      opts.participants,
      opts.sessionSecret,
      now,
      await hashPassword(randomBytes(16).toString('hex')),
    );
    const participantsMs = performance.now() - t;

    return {
      databaseFile,
      contestId: demo.contestId,
      roundId,
      participants,
      synthetic: opts.leaderboardSize,
      timings: { seedMs, generateMs, participantsMs },
    };
  } finally {
    database.close();
  }
}

type Sqlite = ReturnType<typeof openDatabase>['sqlite'];

/**
 * Users with one shared password hash, an entry that satisfies the demo's registration fields
 * (fullName, dateOfBirth, phone, unit, group), and a session: SQL keeps the SHA-256 hex of a random
 * token, the cookie carries the token signed with SESSION_SECRET (as the server's startSession).
 */
function insertParticipants(
  sqlite: Sqlite,
  contestId: number,
  count: number,
  sessionSecret: string,
  now: number,
  passwordHash: string,
): BenchParticipant[] {
  const units = (
    sqlite.prepare('SELECT code FROM units WHERE contest_id = ? ORDER BY id').all(contestId) as {
      code: string;
    }[]
  ).map((u) => u.code);
  const contest = sqlite.prepare('SELECT groups FROM contests WHERE id = ?').get(contestId) as
    { groups: string } | undefined;
  const groups = contest ? (JSON.parse(contest.groups) as { key: string }[]).map((g) => g.key) : [];
  if (units.length === 0 || groups.length === 0)
    throw new Error('the demo contest has no units or no groups');

  const insertUser = sqlite.prepare(
    `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES (?, ?, ?, '["participant"]', ?)`,
  );
  const insertEntry = sqlite.prepare(
    `INSERT INTO entries (contest_id, user_id, full_name, unit_code, group_key, fields, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSession = sqlite.prepare(
    'INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  );

  const tag = `${process.pid}-${now.toString(36)}`;
  const out: BenchParticipant[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const name = `Bench Participant ${i + 1}`;
      const userId = Number(
        insertUser.run(`bench-${tag}-${i}@example.invalid`, name, passwordHash, now).lastInsertRowid,
      );
      const unit = units[i % units.length]!;
      const group = groups[i % groups.length]!;
      const fields = {
        fullName: name,
        dateOfBirth: `${1970 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
        phone: `09${String(10_000_000 + i).padStart(8, '0')}`,
        unit,
        group,
      };
      insertEntry.run(contestId, userId, name, unit, group, JSON.stringify(fields), now);
      const token = randomBytes(32).toString('base64url');
      insertSession.run(createHash('sha256').update(token).digest('hex'), userId, now, now + 86_400_000);
      out.push({ userId, cookie: `${SESSION_COOKIE}=${encodeURIComponent(sign(token, sessionSecret))}` });
    }
  })();
  return out;
}
