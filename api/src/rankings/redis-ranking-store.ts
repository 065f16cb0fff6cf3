// RankingStore over Redis, used when REDIS_URL is set, so that every API node reads one board.
// One sorted set per board, every score 0 and members ordered lexicographically by a fixed-width
// encoding of the ranking key (see keys.ts): ZRANGE by index is the order, and ZLEXCOUNT up to a
// member's 36-character key prefix counts the results strictly better, which gives competition
// ranks with exact ties in O(log n). A plain numeric zset score could not carry three criteria
// (score, duration, submittedAt) at full precision in one double.
//
// Every write and every multi-key read is one Lua script, so readers never see a participant
// twice or a member without its display fields. The connection belongs to the caller: close()
// does not quit it. Scores are returned at 1/1000 of a point, the precision they are ranked at.

import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  BOARD_REBUILD_TTL_SECONDS,
  DEFAULT_PREFIX,
  boardKeys,
  boardRebuildKeys,
  projectionKeys,
} from './keys.ts';
import type { LeaderboardEntry, LeaderboardPage, RankedResult, RankingStore } from './ranking-store.ts';
import { assertPageArgs, assertRankable, scoreMillis } from './ranking-store.ts';

// Field widths of a member: <inverted score millis><duration><submittedAt>:<participantId>.
const SCORE_W = 12; // score millis < 1e12 (scores < 1e9 points)
const DURATION_W = 10; // < 1e10 ms
const SUBMITTED_W = 14; // < 1e14 epoch ms
const PID_W = 16; // Number.MAX_SAFE_INTEGER has 16 digits
const KEY_W = SCORE_W + DURATION_W + SUBMITTED_W; // 36: the tie-defining prefix
const MAX_MILLIS = 10 ** SCORE_W - 1;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The sorted-set member for a result; lexicographic order = ranking order. */
export function encodeMember(r: RankedResult): string {
  return (
    pad(MAX_MILLIS - scoreMillis(r.score), SCORE_W) +
    pad(r.durationMs, DURATION_W) +
    pad(r.submittedAt, SUBMITTED_W) +
    ':' +
    pad(r.participantId, PID_W)
  );
}

interface DecodedMember {
  participantId: number;
  score: number;
  durationMs: number;
  submittedAt: number;
}

export function decodeMember(m: string): DecodedMember {
  if (m.length !== KEY_W + 1 + PID_W || m[KEY_W] !== ':') throw new Error(`bad ranking member: ${m}`);
  return {
    score: (MAX_MILLIS - Number(m.slice(0, SCORE_W))) / 1000,
    durationMs: Number(m.slice(SCORE_W, SCORE_W + DURATION_W)),
    submittedAt: Number(m.slice(SCORE_W + DURATION_W, KEY_W)),
    participantId: Number(m.slice(KEY_W + 1)),
  };
}

interface DisplayInfo {
  name: string;
  unit: string | null;
}

function parseInfo(json: unknown, member: string): DisplayInfo {
  if (typeof json === 'string') {
    const v: unknown = JSON.parse(json);
    if (typeof v === 'object' && v !== null && 'name' in v && 'unit' in v) {
      const { name, unit } = v;
      if (typeof name === 'string' && (typeof unit === 'string' || unit === null)) return { name, unit };
    }
  }
  throw new Error(`ranking index corrupted: no display fields for member ${member}`);
}

// Shared Lua fragment: the participant id (hash field) from a member, without the zero padding.
const PID_OF = `string.match(m, ':0*(%d+)$')`;

const UPSERT = `
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old ~= ARGV[2] then
  if old then redis.call('ZREM', KEYS[1], old) end
  redis.call('ZADD', KEYS[1], 0, ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 1`;

const REMOVE = `
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then
  redis.call('ZREM', KEYS[1], old)
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return 1`;

const ENTRY = `
local m = redis.call('HGET', KEYS[2], ARGV[1])
if not m then return false end
local better = redis.call('ZLEXCOUNT', KEYS[1], '-', '(' .. string.sub(m, 1, ${KEY_W}))
return { m, redis.call('HGET', KEYS[3], ARGV[1]), better }`;

const PAGE = `
local total = redis.call('ZCARD', KEYS[1])
local ms = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])
if #ms == 0 then return { total, 0, {}, {} } end
local better = redis.call('ZLEXCOUNT', KEYS[1], '-', '(' .. string.sub(ms[1], 1, ${KEY_W}))
local infos = {}
for i, m in ipairs(ms) do infos[i] = redis.call('HGET', KEYS[2], ${PID_OF}) end
return { total, better, ms, infos }`;

/** A Lua script run by EVALSHA, loaded with EVAL on a NOSCRIPT miss (after a Redis restart). */
class LuaScript {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const scripts = {
  release: new LuaScript(RELEASE),
  upsert: new LuaScript(UPSERT),
  remove: new LuaScript(REMOVE),
  entry: new LuaScript(ENTRY),
  page: new LuaScript(PAGE),
};

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

function replyError(script: string, reply: unknown): Error {
  return new Error(`unexpected reply from ranking script ${script}: ${JSON.stringify(reply)}`);
}

/** Entries per pipeline when rebuilding a board. */
const REBUILD_CHUNK = 2000;

export class RedisRankingStore implements RankingStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_PREFIX,
  ) {}

  async upsert(board: string, result: RankedResult): Promise<void> {
    assertRankable(result);
    const k = boardKeys(this.prefix, board);
    const info = JSON.stringify({ name: result.name, unit: result.unit } satisfies DisplayInfo);
    await scripts.upsert.run(
      this.redis,
      [k.zset, k.members, k.info],
      [String(result.participantId), encodeMember(result), info],
    );
  }

  async remove(board: string, participantId: number): Promise<void> {
    const k = boardKeys(this.prefix, board);
    await scripts.remove.run(this.redis, [k.zset, k.members, k.info], [String(participantId)]);
  }

  async page(board: string, limit: number, offset: number): Promise<LeaderboardPage> {
    assertPageArgs(limit, offset);
    const k = boardKeys(this.prefix, board);
    if (limit === 0) return { total: await this.redis.zcard(k.zset), entries: [] };
    const reply = await scripts.page.run(this.redis, [k.zset, k.info], [offset, offset + limit - 1]);
    if (!Array.isArray(reply) || reply.length !== 4) throw replyError('page', reply);
    const [total, better, members, infos]: unknown[] = reply;
    if (typeof total !== 'number' || typeof better !== 'number' || !isStringArray(members)) {
      throw replyError('page', reply);
    }
    if (!Array.isArray(infos) || infos.length !== members.length) throw replyError('page', reply);
    const entries: LeaderboardEntry[] = [];
    let rank = better + 1; // the page may start in the middle of a tie
    members.forEach((m, i) => {
      if (i > 0 && m.slice(0, KEY_W) !== members[i - 1]?.slice(0, KEY_W)) rank = offset + i + 1;
      entries.push({ ...decodeMember(m), ...parseInfo(infos[i], m), rank });
    });
    return { total, entries };
  }

  async entryOf(board: string, participantId: number): Promise<LeaderboardEntry | null> {
    const k = boardKeys(this.prefix, board);
    const reply = await scripts.entry.run(this.redis, [k.zset, k.members, k.info], [String(participantId)]);
    if (reply === null) return null;
    if (!Array.isArray(reply) || reply.length !== 3) throw replyError('entry', reply);
    const [member, info, better]: unknown[] = reply;
    if (typeof member !== 'string' || typeof better !== 'number') throw replyError('entry', reply);
    return { ...decodeMember(member), ...parseInfo(info, member), rank: better + 1 };
  }

  async count(board: string): Promise<number> {
    return this.redis.zcard(boardKeys(this.prefix, board).zset);
  }

  async replaceAll(board: string, results: Iterable<RankedResult>): Promise<void> {
    const latest = new Map<number, RankedResult>(); // a participant listed twice: the last wins
    for (const r of results) {
      assertRankable(r);
      latest.set(r.participantId, r);
    }
    const live = boardKeys(this.prefix, board);
    if (latest.size === 0) {
      await this.redis.del(live.zset, live.members, live.info);
      return;
    }
    // Build the new board aside (with a TTL in case we die half-way), then swap it in with one
    // MULTI, so readers see either the old board or the new one, never a partial one.
    const tmp = boardRebuildKeys(this.prefix, board, randomUUID());
    try {
      const all = [...latest.values()];
      for (let start = 0; start < all.length; start += REBUILD_CHUNK) {
        const chunk = all.slice(start, start + REBUILD_CHUNK);
        const zargs: string[] = [];
        const members: Record<string, string> = {};
        const infos: Record<string, string> = {};
        for (const r of chunk) {
          const m = encodeMember(r);
          zargs.push('0', m);
          members[r.participantId] = m;
          infos[r.participantId] = JSON.stringify({ name: r.name, unit: r.unit } satisfies DisplayInfo);
        }
        const p = this.redis
          .pipeline()
          .zadd(tmp.zset, ...zargs)
          .hset(tmp.members, members)
          .hset(tmp.info, infos);
        if (start === 0) {
          for (const key of [tmp.zset, tmp.members, tmp.info]) p.expire(key, BOARD_REBUILD_TTL_SECONDS);
        }
        throwOnError(await p.exec());
      }
      const tx = this.redis.multi();
      tx.rename(tmp.zset, live.zset).rename(tmp.members, live.members).rename(tmp.info, live.info);
      tx.persist(live.zset).persist(live.members).persist(live.info);
      throwOnError(await tx.exec());
    } catch (err) {
      await this.redis.del(tmp.zset, tmp.members, tmp.info).catch(() => undefined);
      throw err;
    }
  }

  async builtVersion(): Promise<string | null> {
    return this.redis.get(projectionKeys(this.prefix).built);
  }

  async markBuilt(version: string): Promise<void> {
    await this.redis.set(projectionKeys(this.prefix).built, version);
  }

  async lockRebuild(ms: number): Promise<(() => Promise<void>) | null> {
    const key = projectionKeys(this.prefix).rebuildLock;
    const nonce = randomUUID();
    if ((await this.redis.set(key, nonce, 'PX', ms, 'NX')) !== 'OK') return null;
    // Released only by its holder: after PX ran out another node may hold it by now.
    return async () => {
      await scripts.release.run(this.redis, [key], [nonce]);
    };
  }

  /** Nothing to release: the Redis connection is owned (and quit) by whoever created it. */
  async close(): Promise<void> {}
}

function throwOnError(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error('Redis transaction aborted');
  for (const [err] of results) if (err) throw err;
}
