// Builds the bench data before the server starts, on either store: the demo contest (as
// `npm start` loads it), `leaderboardSize` synthetic participants with finished attempts in week 1
// (so the board the server rebuilds at start-up is that large), and P load-test participants
// written straight to SQL, each with an entry in the demo contest and a live session whose cookie
// the bench sends. Everything goes through the repositories, generateParticipantsIn and the
// store-independent `database.query()` (multi-row INSERTs), so SQLite and PostgreSQL get the same rows.
import { createHash, randomBytes } from 'node:crypto';
import { sign } from '@fastify/cookie';
import { createRepositories, type Database } from '@quizarena/db';
import { hashPassword } from '@quizarena/api/services/passwords';
import { SESSION_COOKIE } from '@quizarena/api/plugins/auth';
import { generateParticipantsIn, seedDemo } from '@quizarena/seed';

export interface BenchParticipant {
  userId: number;
  /** The Cookie header value: `qa_session=<token signed as @fastify/cookie signs it>`. */
  cookie: string;
}

export interface PreparedData {
  contestId: number;
  roundId: number;
  participants: BenchParticipant[];
  /** Results on the round's board once the server has rebuilt it (synthetic ones). */
  synthetic: number;
  timings: { seedMs: number; generateMs: number; participantsMs: number };
}

/** Fills an empty, migrated store (`openDatabase(file)` or `openPostgres(url)`); the caller closes it. */
export async function prepareStore(
  database: Database,
  opts: { participants: number; leaderboardSize: number; sessionSecret: string },
): Promise<PreparedData> {
  const now = Date.now();
  let t = performance.now();
  const demo = await seedDemo(createRepositories(database), { now, hashPassword });
  const roundId = demo.roundIds[0];
  if (roundId === undefined) throw new Error('the demo seed created no round');
  const seedMs = performance.now() - t;

  t = performance.now();
  await generateParticipantsIn(database, {
    roundId,
    count: opts.leaderboardSize,
    seed: 'quizarena-bench',
    emailPrefix: 'bench-synthetic',
  });
  const generateMs = performance.now() - t;

  t = performance.now();
  const participants = await insertParticipants(
    database,
    demo.contestId,
    opts.participants,
    opts.sessionSecret,
    now,
    await hashPassword(randomBytes(16).toString('hex')),
  );
  const participantsMs = performance.now() - t;

  return {
    contestId: demo.contestId,
    roundId,
    participants,
    synthetic: opts.leaderboardSize,
    timings: { seedMs, generateMs, participantsMs },
  };
}

/** Rows per multi-row INSERT: 7 parameters a row stays far below either store's limit. */
const CHUNK = 500;

/** `(?, ?, …), (?, ?, …)` for `rows` rows of `columns` placeholders. */
const valuesList = (rows: number, columns: number): string =>
  Array.from({ length: rows }, () => `(${Array.from({ length: columns }, () => '?').join(', ')})`).join(', ');

/**
 * Users with one shared password hash, an entry that satisfies the demo's registration fields
 * (fullName, dateOfBirth, phone, unit, group), and a session: SQL keeps the SHA-256 hex of a random
 * token, the cookie carries the token signed with SESSION_SECRET (as the server's startSession).
 */
async function insertParticipants(
  database: Database,
  contestId: number,
  count: number,
  sessionSecret: string,
  now: number,
  passwordHash: string,
): Promise<BenchParticipant[]> {
  const units = (
    await database.query<{ code: string }>('SELECT code FROM units WHERE contest_id = ? ORDER BY id', [
      contestId,
    ])
  ).rows.map((u) => u.code);
  // A json column: text on SQLite, already parsed by node-postgres.
  const raw = (
    await database.query<{ groups: unknown }>('SELECT groups FROM contests WHERE id = ?', [contestId])
  ).rows[0]?.groups;
  const groups = ((typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as { key: string }[]).map(
    (g) => g.key,
  );
  if (units.length === 0 || groups.length === 0)
    throw new Error('the demo contest has no units or no groups');

  const tag = `${process.pid}-${now.toString(36)}`;
  const out: BenchParticipant[] = [];
  for (let from = 0; from < count; from += CHUNK) {
    const ids = Array.from({ length: Math.min(count, from + CHUNK) - from }, (_, k) => from + k);
    const email = (i: number) => `bench-${tag}-${i}@example.invalid`;
    const name = (i: number) => `Bench Participant ${i + 1}`;
    // RETURNING's row order is not promised by PostgreSQL: map the ids back by email.
    const users = await database.query<{ id: number; email: string }>(
      `INSERT INTO users (email, name, password_hash, roles, created_at) VALUES ${valuesList(ids.length, 5)} RETURNING id, email`,
      ids.flatMap((i) => [email(i), name(i), passwordHash, '["participant"]', now]),
    );
    const idOf = new Map(users.rows.map((r) => [r.email, Number(r.id)]));
    const userIds = ids.map((i) => {
      const id = idOf.get(email(i));
      if (id === undefined) throw new Error(`no id returned for ${email(i)}`);
      return id;
    });

    await database.query(
      `INSERT INTO entries (contest_id, user_id, full_name, unit_code, group_key, fields, created_at) VALUES ${valuesList(ids.length, 7)}`,
      ids.flatMap((i, k) => {
        const unit = units[i % units.length]!;
        const group = groups[i % groups.length]!;
        const fields = {
          fullName: name(i),
          dateOfBirth: `${1970 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
          phone: `09${String(10_000_000 + i).padStart(8, '0')}`,
          unit,
          group,
        };
        return [contestId, userIds[k], name(i), unit, group, JSON.stringify(fields), now];
      }),
    );

    const tokens = ids.map(() => randomBytes(32).toString('base64url'));
    await database.query(
      `INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ${valuesList(ids.length, 4)}`,
      tokens.flatMap((token, k) => [
        createHash('sha256').update(token).digest('hex'),
        userIds[k],
        now,
        now + 86_400_000,
      ]),
    );
    tokens.forEach((token, k) =>
      out.push({
        userId: userIds[k]!,
        cookie: `${SESSION_COOKIE}=${encodeURIComponent(sign(token, sessionSecret))}`,
      }),
    );
  }
  return out;
}
