// The leaderboard projection. SQL (round_results) is the source of truth; a RankingStore is a fast,
// rebuildable index over it with O(log n) updates and rank look-ups. Two implementations share
// this interface and one contract suite: Redis sorted sets and an in-process skip list.

/** One participant's counted result on a board. */
export interface RankedResult {
  participantId: number;
  /** Points; may be fractional (partial credit). Compared at 1/1000 of a point. */
  score: number;
  durationMs: number;
  /** Epoch milliseconds (server clock) of the submission or auto-finalisation. */
  submittedAt: number;
  name: string;
  unit: string | null;
}

export interface LeaderboardEntry extends RankedResult {
  /** Competition rank ("1224"): 1 + the number of results strictly better. Exact ties share it. */
  rank: number;
}

export interface LeaderboardPage {
  total: number;
  entries: LeaderboardEntry[];
}

/**
 * Provisional order (DESIGN.md section 2): score desc, durationMs asc, submittedAt asc. Results equal
 * on all three share a rank and are listed by participantId asc so that pages are stable.
 */
export interface RankingStore {
  /** Inserts or replaces the participant's entry on the board. */
  upsert(board: string, result: RankedResult): Promise<void>;
  remove(board: string, participantId: number): Promise<void>;
  /** A page of the board in order, with ranks, and the board's size. */
  page(board: string, limit: number, offset: number): Promise<LeaderboardPage>;
  /** The participant's entry with rank, or null when not on the board. */
  entryOf(board: string, participantId: number): Promise<LeaderboardEntry | null>;
  count(board: string): Promise<number>;
  /** Replaces the whole board atomically (rebuild from SQL). */
  replaceAll(board: string, results: Iterable<RankedResult>): Promise<void>;
  /**
   * The version of the projection written by the last complete rebuild, or null when there was
   * none (a new or flushed store): shared by every node using the same store.
   */
  builtVersion(): Promise<string | null>;
  markBuilt(version: string): Promise<void>;
  /**
   * Takes the rebuild lock for at most `ms` unless someone (another node) holds it; returns its
   * release, or null when it is taken, so that nodes starting together rebuild once.
   */
  lockRebuild(ms: number): Promise<(() => Promise<void>) | null>;
  close(): Promise<void>;
}

/** Board names: one per round, and one per round and group when the contest has groups. */
export const roundBoard = (roundId: number, group?: string | null): string =>
  group ? `round:${roundId}:group:${group}` : `round:${roundId}`;

/** Score in integer thousandths of a point, the unit every implementation compares in. */
export const scoreMillis = (score: number): number => Math.round(score * 1000);

/** The reference comparator; negative when a ranks before b. */
export function compareResults(a: RankedResult, b: RankedResult): number {
  return (
    scoreMillis(b.score) - scoreMillis(a.score) ||
    a.durationMs - b.durationMs ||
    a.submittedAt - b.submittedAt ||
    a.participantId - b.participantId
  );
}

/** True when a and b tie on every ranking criterion (and so share a rank). */
export function tiesWith(a: RankedResult, b: RankedResult): boolean {
  return (
    scoreMillis(a.score) === scoreMillis(b.score) &&
    a.durationMs === b.durationMs &&
    a.submittedAt === b.submittedAt
  );
}

/**
 * Bounds every implementation accepts, so that the Redis store can encode each criterion in a
 * fixed-width decimal field (and so that both stores refuse the same inputs).
 */
export const RANKING_LIMITS = {
  /** Exclusive upper bound of a score, in points (scores are >= 0). */
  maxScore: 1e9,
  /** Exclusive upper bound of a duration, in milliseconds. */
  maxDurationMs: 1e10,
  /** Exclusive upper bound of submittedAt, in epoch milliseconds. */
  maxSubmittedAt: 1e14,
} as const;

const isIntIn = (n: number, max: number): boolean => Number.isSafeInteger(n) && n >= 0 && n < max;

/** Throws a RangeError unless the result can be ranked by every RankingStore. */
export function assertRankable(result: RankedResult): void {
  const { participantId, score, durationMs, submittedAt } = result;
  if (!Number.isSafeInteger(participantId) || participantId < 0) {
    throw new RangeError(`participantId must be a non-negative safe integer, got ${participantId}`);
  }
  if (!isIntIn(scoreMillis(score), RANKING_LIMITS.maxScore * 1000)) {
    throw new RangeError(`score must be >= 0 and < ${RANKING_LIMITS.maxScore}, got ${score}`);
  }
  if (!isIntIn(durationMs, RANKING_LIMITS.maxDurationMs)) {
    throw new RangeError(`durationMs must be an integer in [0, 1e10), got ${durationMs}`);
  }
  if (!isIntIn(submittedAt, RANKING_LIMITS.maxSubmittedAt)) {
    throw new RangeError(`submittedAt must be an integer in [0, 1e14), got ${submittedAt}`);
  }
}

/** Throws a RangeError unless limit and offset are non-negative integers. */
export function assertPageArgs(limit: number, offset: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0 || !Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`limit and offset must be non-negative integers, got ${limit}, ${offset}`);
  }
}
