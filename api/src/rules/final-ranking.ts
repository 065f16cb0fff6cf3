// The final ranking of a round (DESIGN.md section 2), computed when a judge finalises it:
// score desc, then |prediction - actual| asc (no prediction ranks after every prediction), then
// duration asc, then submitted-at asc. Pure: no I/O, no clock. Also prize allocation by rank
// bands, with ties across a band boundary reported for the judges instead of settled silently.

/** A participant's counted attempt, as read from SQL. */
export interface FinalCandidate {
  userId: number;
  attemptId: number;
  groupKey: string | null;
  score: number;
  correctCount: number;
  durationMs: number;
  submittedAt: number;
  allCorrect: boolean;
  prediction: number | null;
}

export type PredictionKind = 'count' | 'percent';

/** The prediction question's answer: how many (or what share of) participants got all right. */
export interface PredictionActual {
  kind: PredictionKind;
  /** The count, or the percentage rounded to 5 decimals. */
  value: number;
  allCorrect: number;
  participants: number;
}

/** Which rule put a row after the row above it. */
export type DecidedBy = 'score' | 'prediction' | 'duration' | 'submitted' | 'tie';

export interface FinalRow extends FinalCandidate {
  /** Competition rank within its group ("1224"): rows equal on every rule share a rank. */
  rank: number;
  /** |prediction - actual|, null when there is no prediction question or no prediction. */
  predictionDistance: number | null;
  /** The rule that ordered this row after the previous one (null for the first row). */
  decidedBy: DecidedBy | null;
}

export interface PrizeBand {
  /** e.g. "Giải Nhất / First prize". */
  name: string;
  count: number;
}

export interface PrizeAward {
  userId: number;
  rank: number;
  prize: string;
}

export interface BoundaryTie {
  /** The band whose last place is contested. */
  prize: string;
  rank: number;
  /** Everyone sharing that rank, more than the band has room for. */
  userIds: number[];
  places: number;
}

export interface PrizeAllocation {
  awards: PrizeAward[];
  /** Ties across a band boundary: left for the judges to decide. */
  ties: BoundaryTie[];
}

/** Scores are compared at 1/1000 point, so 18 and 18.0004 (float sums of partial credit) tie. */
const SCORE_SCALE = 1000;
/**
 * Prediction distances are compared at 1e-6: a percentage has at most 5 decimals, and
 * |33.33334 - 33.33333| and |33.33332 - 33.33333| differ in binary floating point but not here.
 */
const DISTANCE_SCALE = 1_000_000;
/** The percentage actual keeps 5 decimals (DESIGN.md section 2). */
const PERCENT_SCALE = 100_000;

/**
 * The actual answer to the prediction question over every candidate of the round, all groups
 * together: how many counted attempts are all correct, or that share as a percentage rounded half
 * up to 5 decimals (0 when nobody took part).
 */
export function predictionActual(
  candidates: readonly FinalCandidate[],
  kind: PredictionKind,
): PredictionActual {
  const participants = candidates.length;
  let allCorrect = 0;
  for (const c of candidates) if (c.allCorrect) allCorrect++;
  let value = allCorrect;
  if (kind === 'percent') {
    // 100 * 1e5 * allCorrect is an exact integer, so one division and one rounding: no error
    // piles up before the rounding to 5 decimals.
    value =
      participants === 0 ? 0 : Math.round((100 * PERCENT_SCALE * allCorrect) / participants) / PERCENT_SCALE;
  }
  return { kind, value, allCorrect, participants };
}

/** A row reduced to the numbers the rules compare. */
interface RankKey {
  score: number;
  /** In millionths; Infinity for no distance, so it sorts after every number. */
  distance: number;
  durationMs: number;
  submittedAt: number;
}

const scoreKey = (score: number): number => Math.round(score * SCORE_SCALE);
const roundDistance = (distance: number): number => Math.round(distance * DISTANCE_SCALE) / DISTANCE_SCALE;
function distanceKey(distance: number | null): number {
  if (distance === null) return Infinity;
  const key = Math.round(distance * DISTANCE_SCALE);
  // An absurd prediction (beyond 1e302) still ranks before no prediction.
  return Number.isFinite(key) ? key : Number.MAX_VALUE;
}

function keyOf(row: Pick<FinalRow, 'score' | 'predictionDistance' | 'durationMs' | 'submittedAt'>): RankKey {
  return {
    score: scoreKey(row.score),
    distance: distanceKey(row.predictionDistance),
    durationMs: row.durationMs,
    submittedAt: row.submittedAt,
  };
}

/** Negative when a ranks first, positive when b does, 0 when the rules cannot tell them apart. */
function compareKeys(a: RankKey, b: RankKey): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.distance !== b.distance) return a.distance < b.distance ? -1 : 1;
  if (a.durationMs !== b.durationMs) return a.durationMs - b.durationMs;
  return a.submittedAt - b.submittedAt;
}

/** The first rule on which two keys differ. */
function ruleBetween(a: RankKey, b: RankKey): DecidedBy {
  if (a.score !== b.score) return 'score';
  if (a.distance !== b.distance) return 'prediction';
  if (a.durationMs !== b.durationMs) return 'duration';
  if (a.submittedAt !== b.submittedAt) return 'submitted';
  return 'tie';
}

/**
 * Ranks one group's candidates (the caller splits the round by group; mixing groups throws).
 * Competition ranking ("1224"): rows equal on all four rules share a rank and are listed by user
 * id. The stored predictionDistance is rounded to 1e-6, the precision at which it is compared,
 * and explainOrder derives its keys from the rows the same way. One sort: O(n log n).
 */
export function finalRanking(
  candidates: readonly FinalCandidate[],
  actual: PredictionActual | null,
): FinalRow[] {
  const first = candidates[0];
  if (first !== undefined && candidates.some((c) => c.groupKey !== first.groupKey)) {
    throw new RangeError('finalRanking ranks one group at a time; split the candidates by groupKey first');
  }
  const rows = candidates.map((c): FinalRow => {
    // A non-finite prediction cannot be measured; it ranks like no prediction.
    const predicted = c.prediction;
    const distance =
      actual !== null && predicted !== null && Number.isFinite(predicted)
        ? roundDistance(Math.abs(predicted - actual.value))
        : null;
    // Fields copied one by one: an object spread here costs seconds at 100k rows in V8.
    return {
      userId: c.userId,
      attemptId: c.attemptId,
      groupKey: c.groupKey,
      score: c.score,
      correctCount: c.correctCount,
      durationMs: c.durationMs,
      submittedAt: c.submittedAt,
      allCorrect: c.allCorrect,
      prediction: c.prediction,
      rank: 0,
      predictionDistance: distance,
      decidedBy: null,
    };
  });
  const keys = rows.map(keyOf);
  const order = Array.from({ length: rows.length }, (_, i) => i);
  order.sort(
    (i, j) =>
      compareKeys(keys[i]!, keys[j]!) ||
      rows[i]!.userId - rows[j]!.userId ||
      rows[i]!.attemptId - rows[j]!.attemptId,
  );
  return order.map((i, k) => {
    const row = rows[i]!;
    if (k === 0) {
      row.rank = 1;
    } else {
      const above = order[k - 1]!;
      row.decidedBy = ruleBetween(keys[above]!, keys[i]!);
      row.rank = row.decidedBy === 'tie' ? rows[above]!.rank : k + 1;
    }
    return row;
  });
}

const showScore = (key: number): string => String(key / SCORE_SCALE);
const showDistance = (key: number): string => (key === Infinity ? 'none' : String(key / DISTANCE_SCALE));
const showTime = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
const relation = (a: number, b: number): string => (a < b ? '<' : a > b ? '>' : '=');

/**
 * Why two adjacent rows stand in that order: the deciding rule and an English sentence with the
 * compared values, e.g. "equal score 18; prediction distance 3 < 7". The sentence is for logs and
 * exports; the UI translates by rule. Works in either argument order (the relation sign follows).
 */
export function explainOrder(a: FinalRow, b: FinalRow): { rule: DecidedBy; detail: string } {
  const ka = keyOf(a);
  const kb = keyOf(b);
  const rule = ruleBetween(ka, kb);
  const equal: string[] = [];
  const said = (difference: string): string => [...equal, difference].join('; ');

  if (rule === 'score') {
    return {
      rule,
      detail: said(`score ${showScore(ka.score)} ${relation(ka.score, kb.score)} ${showScore(kb.score)}`),
    };
  }
  equal.push(`equal score ${showScore(ka.score)}`);

  if (rule === 'prediction') {
    const sign = relation(ka.distance, kb.distance);
    const last = ka.distance === Infinity || kb.distance === Infinity ? ' (no prediction ranks last)' : '';
    return {
      rule,
      detail: said(
        `prediction distance ${showDistance(ka.distance)} ${sign} ${showDistance(kb.distance)}${last}`,
      ),
    };
  }
  equal.push(
    ka.distance === Infinity
      ? 'neither has a prediction distance'
      : `equal prediction distance ${showDistance(ka.distance)}`,
  );

  if (rule === 'duration') {
    return {
      rule,
      detail: said(
        `duration ${ka.durationMs} ms ${relation(ka.durationMs, kb.durationMs)} ${kb.durationMs} ms`,
      ),
    };
  }
  equal.push(`equal duration ${ka.durationMs} ms`);

  if (rule === 'submitted') {
    return {
      rule,
      detail: said(
        `submitted at ${showTime(ka.submittedAt)} ${relation(ka.submittedAt, kb.submittedAt)} ${showTime(kb.submittedAt)}`,
      ),
    };
  }
  equal.push(`equal submission time ${showTime(ka.submittedAt)}`);
  return { rule, detail: said('tied on every rule, same rank (listed by user id)') };
}

/**
 * Prize bands filled by rank, band after band. A group of tied rows (one rank) that fits in what
 * is left of the current band gets that band. A group with more rows than the band has places
 * left is a boundary tie: nobody in it is awarded, the band's remaining places stay empty, and
 * the tie is reported for the judges to settle (they may also give those rows a later band, so
 * the tied rows consume no later band here). Allocation then carries on with the next band from
 * the row after the tie group. Bands with no places are skipped.
 * Expects the rows of one group as finalRanking returns them.
 */
export function allocatePrizes(rows: readonly FinalRow[], bands: readonly PrizeBand[]): PrizeAllocation {
  const awards: PrizeAward[] = [];
  const ties: BoundaryTie[] = [];
  const ordered = [...rows].sort((a, b) => a.rank - b.rank);
  let band = 0;
  let left = bands[0]?.count ?? 0;
  let i = 0;
  while (i < ordered.length) {
    while (band < bands.length && left <= 0) {
      band++;
      left = bands[band]?.count ?? 0;
    }
    const current = bands[band];
    if (current === undefined) break;
    const rank = ordered[i]!.rank;
    let end = i;
    while (end < ordered.length && ordered[end]!.rank === rank) end++;
    const tied = ordered.slice(i, end);
    if (tied.length <= left) {
      for (const row of tied) awards.push({ userId: row.userId, rank, prize: current.name });
      left -= tied.length;
    } else {
      ties.push({ prize: current.name, rank, userIds: tied.map((r) => r.userId), places: left });
      left = 0;
    }
    i = end;
  }
  return { awards, ties };
}

/** One unit's turnout in a round, for the collective prizes. */
export interface UnitParticipation {
  unitCode: string;
  unitName: string;
  participants: number;
  /** The unit's known headcount, null when unknown. */
  headcount: number | null;
}

export interface UnitCountRow extends UnitParticipation {
  rank: number;
}

export interface UnitRateRow extends UnitParticipation {
  headcount: number;
  /** participants / headcount. */
  rate: number;
  rank: number;
}

export interface UnitPrizes {
  /** Every unit, most participants first (ties share a rank, listed by unit code). */
  byCount: UnitCountRow[];
  /** Units with a known headcount > 0, highest participation rate first. */
  byRate: UnitRateRow[];
}

/** Competition ranks over a sorted list: an entry equal to the one above shares its rank. */
function withRanks<T>(sorted: T[], same: (a: T, b: T) => boolean): (T & { rank: number })[] {
  const ranked: (T & { rank: number })[] = [];
  sorted.forEach((item, i) => {
    const above = ranked[i - 1];
    const rank = above !== undefined && same(sorted[i - 1]!, item) ? above.rank : i + 1;
    ranked.push({ ...item, rank });
  });
  return ranked;
}

/**
 * Collective prizes per unit: most participants, and highest participation rate where the
 * headcount is known. Rates are compared by cross-multiplication (p1 * h2 vs p2 * h1), exact for
 * integer counts, so 1/3 and 2/6 tie however the division rounds.
 */
export function unitPrizes(participation: readonly UnitParticipation[]): UnitPrizes {
  const byUnitCode = (a: UnitParticipation, b: UnitParticipation): number =>
    a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0;

  const counted = [...participation].sort((a, b) => b.participants - a.participants || byUnitCode(a, b));
  const byCount = withRanks(counted, (a, b) => a.participants === b.participants);

  const known: (UnitParticipation & { headcount: number; rate: number })[] = [];
  for (const unit of participation) {
    if (unit.headcount !== null && unit.headcount > 0) {
      known.push({ ...unit, headcount: unit.headcount, rate: unit.participants / unit.headcount });
    }
  }
  const rateOrder = (a: (typeof known)[number], b: (typeof known)[number]): number =>
    b.participants * a.headcount - a.participants * b.headcount;
  known.sort((a, b) => rateOrder(a, b) || byUnitCode(a, b));
  const byRate = withRanks(known, (a, b) => rateOrder(a, b) === 0);
  return { byCount, byRate };
}
