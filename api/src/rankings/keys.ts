// Every Redis key and channel Quizarena uses, in one place (as ClassQuiz does), with what it holds
// and its TTL. Redis only ever holds projections and transient traffic: SQL is the source of
// truth, so any key here may be deleted and rebuilt (rankings) or simply lost (events).
//
// `prefix` (default 'qa:') lets several deployments or test runs share one Redis. Board keys wrap
// the board name in a hash tag `{...}` so that all keys of one board live in the same Redis
// Cluster slot, which the Lua scripts and the MULTI/RENAME of a rebuild need.

export const DEFAULT_PREFIX = 'qa:';

// ---------------------------------------------------------------------------------------------
// Rankings (RedisRankingStore). One board = one round, or one round and group (`roundBoard`).
// ---------------------------------------------------------------------------------------------

export interface BoardKeys {
  /**
   * `<prefix>rank:{<board>}:z` — sorted set, the board in order. Every score is 0; the members
   * are ordered lexicographically: `<inverted score millis, 12><duration ms, 10><submittedAt, 14>:
   * <participantId, 16>` (zero-padded decimals), so ZRANGE by index is the ranking order and
   * `ZLEXCOUNT key - (<first 36 chars>` counts the results strictly better. TTL: none.
   */
  zset: string;
  /** `<prefix>rank:{<board>}:m` — hash participantId -> current member of `zset`. TTL: none. */
  members: string;
  /**
   * `<prefix>rank:{<board>}:i` — hash participantId -> JSON `{ "name": string, "unit": string |
   * null }`, the display fields of a leaderboard entry. TTL: none.
   */
  info: string;
}

export const boardKeys = (prefix: string, board: string): BoardKeys => {
  const base = `${prefix}rank:{${board}}`;
  return { zset: `${base}:z`, members: `${base}:m`, info: `${base}:i` };
};

/**
 * `<prefix>rank:{<board>}:tmp:<nonce>:z|m|i` — a board being rebuilt by `replaceAll`, RENAMEd over
 * the live keys (and PERSISTed) in one MULTI when complete. TTL: BOARD_REBUILD_TTL_SECONDS, so a
 * rebuild that dies half-way leaves nothing behind for long.
 */
export const boardRebuildKeys = (prefix: string, board: string, nonce: string): BoardKeys => {
  const base = `${prefix}rank:{${board}}:tmp:${nonce}`;
  return { zset: `${base}:z`, members: `${base}:m`, info: `${base}:i` };
};

export const BOARD_REBUILD_TTL_SECONDS = 600;

export interface ProjectionKeys {
  /**
   * `<prefix>rank:built` — string, the projection version (PROJECTION_VERSION in
   * services/rankings.ts) written once a full rebuild completed. Missing (a new or flushed Redis)
   * or another version: the next node to look rebuilds every board. TTL: none.
   */
  built: string;
  /**
   * `<prefix>rank:rebuild-lock` — string, a random nonce of the node rebuilding, so that nodes
   * starting together rebuild once. TTL: the rebuild's time limit (REBUILD_LOCK_MS).
   */
  rebuildLock: string;
}

export const projectionKeys = (prefix: string): ProjectionKeys => ({
  built: `${prefix}rank:built`,
  rebuildLock: `${prefix}rank:rebuild-lock`,
});

// ---------------------------------------------------------------------------------------------
// Events (RedisEventBus). Pub/sub channels, not keys: nothing is stored, so there is no TTL, and a
// node that is down when an event is published misses it (clients re-read state on reconnect).
// ---------------------------------------------------------------------------------------------

/** `<prefix>ev:<topic>` — channel carrying the JSON payloads published on one EventBus topic. */
export const eventChannel = (prefix: string, topic: string): string => `${prefix}ev:${topic}`;

// Topics in use: `round:<id>[:group:<key>]:leaderboard` (a board changed; routes/ws),
// `sessions` (`{kind: 'logout', tokenHash}` or `{kind: 'user', userId}`: drop those cached
// sessions on every node; plugins/auth.ts), `live:<gameId>` (the steps of a live game, LiveEvent in
// live/events.ts: every node holding sockets of the game subscribes while it has them).

// ---------------------------------------------------------------------------------------------
// Sessions. `<prefix>sess:<id>` is NOT used: sessions live in SQL (DESIGN.md section 4, "sessions
// outlive the process"), so a restart or a second API node keeps everyone signed in without Redis.
// Should sessions ever move to Redis, declare the key and its TTL (the session lifetime) here.
// ---------------------------------------------------------------------------------------------
