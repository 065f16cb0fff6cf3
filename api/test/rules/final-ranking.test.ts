import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allocatePrizes,
  explainOrder,
  finalRanking,
  predictionActual,
  unitPrizes,
  type DecidedBy,
  type FinalCandidate,
  type FinalRow,
  type PredictionActual,
  type PredictionKind,
} from '../../src/rules/final-ranking.ts';

const T0 = Date.UTC(2025, 4, 1, 8, 0, 0);

function candidate(userId: number, over: Partial<FinalCandidate> = {}): FinalCandidate {
  return {
    userId,
    attemptId: userId * 10,
    groupKey: null,
    score: 10,
    correctCount: 5,
    durationMs: 60_000,
    submittedAt: T0,
    allCorrect: false,
    prediction: null,
    ...over,
  };
}

const countActual = (value: number): PredictionActual => ({
  kind: 'count',
  value,
  allCorrect: value,
  participants: 1000,
});
const order = (rows: FinalRow[]) => rows.map((r) => r.userId);
const ranks = (rows: FinalRow[]) => rows.map((r) => r.rank);
const decided = (rows: FinalRow[]) => rows.map((r) => r.decidedBy);

// ---------------------------------------------------------------------------------------------
// Independent reference. It reduces a candidate to a fixed-width string whose plain string order
// is the ranking order, working in decimal strings and integer units instead of the module's
// float rounding, then ranks by binary search over the sorted keys. It is only valid for the
// generated data: scores with at most 4 decimals away from a half-thousandth, predictions and
// actual with at most 5 decimals.
// ---------------------------------------------------------------------------------------------
const FIELDS: DecidedBy[] = ['score', 'prediction', 'duration', 'submitted'];
const pad = (n: number, width: number) => {
  assert.ok(Number.isInteger(n) && n >= 0, `pad ${n}`);
  return String(n).padStart(width, '0');
};

function refActual(all: FinalCandidate[], kind: PredictionKind): number {
  const right = all.filter((c) => c.allCorrect).length;
  if (kind === 'count') return right;
  // Long division in integers: 100 * right / n in units of 1e-5, half up.
  const scaled = 10_000_000 * right;
  const whole = Math.floor(scaled / all.length);
  const rest = scaled - whole * all.length;
  return (2 * rest >= all.length ? whole + 1 : whole) / 100_000;
}

function refTuple(c: FinalCandidate, actual: number | null): [number, number | null, number, number] {
  const millis = Number(c.score.toFixed(3).replace('.', ''));
  const distance =
    actual === null || c.prediction === null
      ? null
      : Math.abs(Math.round(c.prediction * 100_000) - Math.round(actual * 100_000)) * 10; // 1e-6 units
  return [millis, distance, c.durationMs, c.submittedAt];
}

function refKey(c: FinalCandidate, actual: number | null): string {
  const [millis, distance, duration, submitted] = refTuple(c, actual);
  return [
    pad(1_000_000_000 - millis, 10),
    distance === null ? '~' : pad(distance, 15),
    pad(duration, 12),
    pad(submitted, 16),
  ].join('|');
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Checks a whole group's ranking against the string-key reference: order, ranks, decidedBy. */
function checkAgainstReference(input: FinalCandidate[], rows: FinalRow[], actual: number | null) {
  assert.equal(rows.length, input.length);
  assert.deepEqual(
    [...order(rows)].sort((a, b) => a - b),
    input.map((c) => c.userId).sort((a, b) => a - b),
    'a permutation of the input',
  );
  const keys = rows.map((r) => refKey(r, actual));
  const sorted = [...keys].sort();
  const tally: Record<string, number> = {};
  rows.forEach((row, i) => {
    assert.equal(row.rank, lowerBound(sorted, keys[i]!) + 1, `rank of row ${i} (user ${row.userId})`);
    if (i === 0) {
      assert.equal(row.decidedBy, null);
      return;
    }
    const above = keys[i - 1]!.split('|');
    const here = keys[i]!.split('|');
    const differs = FIELDS.findIndex((_, f) => above[f] !== here[f]);
    const expected: DecidedBy = differs === -1 ? 'tie' : FIELDS[differs]!;
    assert.ok(keys[i - 1]! <= keys[i]!, `rows ${i - 1} and ${i} out of order`);
    if (expected === 'tie')
      assert.ok(rows[i - 1]!.userId < row.userId, `exact tie at ${i} listed by user id`);
    assert.equal(row.decidedBy, expected, `decidedBy of row ${i}`);
    tally[expected] = (tally[expected] ?? 0) + 1;
  });
  return tally;
}

/** Second reference on a sample: rank = 1 + how many rows are strictly better, by O(n^2) count. */
function checkQuadraticRanks(sample: FinalCandidate[], rows: FinalRow[], actual: number | null) {
  const tuples = new Map(sample.map((c) => [c.userId, refTuple(c, actual)]));
  const better = (a: readonly (number | null)[], b: readonly (number | null)[]): boolean => {
    for (let f = 0; f < 4; f++) {
      const x = a[f] ?? null;
      const y = b[f] ?? null;
      if (x === y) continue;
      if (f === 0) return (x as number) > (y as number);
      if (x === null) return false;
      if (y === null) return true;
      return x < y;
    }
    return false;
  };
  for (const row of rows) {
    const mine = tuples.get(row.userId)!;
    let ahead = 0;
    for (const other of tuples.values()) if (better(other, mine)) ahead++;
    assert.equal(row.rank, ahead + 1, `sample rank of user ${row.userId}`);
  }
}

/** Seeded generator (mulberry32) so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A round with planted ties: few distinct scores (17.0004 and 19.9996 tie with 17 and 20 at
 * 1/1000 point), predictions at equal distances on both sides of the actual, a few durations and
 * submission times, null predictions, and exact clones of other rows under new user ids.
 */
function generateRound(opts: {
  seed: number;
  size: number;
  allCorrect: number;
  predictions: (number | null)[];
  groups: string[];
}): FinalCandidate[] {
  const rnd = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const scores = [15, 16, 16.5, 17, 17.0004, 18, 18.5, 19, 19.9996];
  const durations = [60_000, 60_001, 61_500, 90_000, 120_000];
  const submitted = [T0, T0 + 1, T0 + 500, T0 + 60_000];
  const clones = Math.floor(opts.size / 50);
  // User ids shuffled against input order, so "ties by user id" is not the input order.
  const ids = Array.from({ length: opts.size }, (_, i) => 7 * (i + 1));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const out: FinalCandidate[] = [];
  for (let i = 0; i < opts.size - clones; i++) {
    const allCorrect = i < opts.allCorrect;
    out.push({
      userId: ids[i]!,
      attemptId: 100_000 + i,
      groupKey: pick(opts.groups),
      score: allCorrect ? 20 : pick(scores),
      correctCount: allCorrect ? 20 : 15,
      durationMs: pick(durations),
      submittedAt: pick(submitted),
      allCorrect,
      prediction: pick(opts.predictions),
    });
  }
  for (let i = opts.size - clones; i < opts.size; i++) {
    // A clone of a row that is not all-correct, so the actual stays as planned.
    const source = out[opts.allCorrect + Math.floor(rnd() * (opts.size - clones - opts.allCorrect))]!;
    out.push({ ...source, userId: ids[i]!, attemptId: 100_000 + i });
  }
  // Shuffle the input order too.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Score and prediction can decide only between their few distinct levels; the others decide often. */
function assertEveryRuleUsed(tally: Record<string, number>) {
  const least: Record<string, number> = {
    score: 6,
    prediction: 30,
    duration: 100,
    submitted: 100,
    tie: 100,
  };
  for (const [rule, min] of Object.entries(least)) {
    assert.ok((tally[rule] ?? 0) >= min, `${rule} decided ${tally[rule] ?? 0} rows`);
  }
}

function rankGroups(all: FinalCandidate[], actual: PredictionActual | null) {
  const groups = new Map<string | null, FinalCandidate[]>();
  for (const c of all) groups.set(c.groupKey, [...(groups.get(c.groupKey) ?? []), c]);
  return [...groups.entries()].map(([group, members]) => ({
    group,
    members,
    rows: finalRanking(members, actual),
  }));
}

test('10,000 participants with planted ties (count): every rank and decidedBy match the reference', () => {
  const all = generateRound({
    seed: 20250501,
    size: 10_000,
    allCorrect: 500,
    predictions: [497, 503, 500, 499, 501, 490, 510, 0, 10_000, null],
    groups: ['A', 'A', 'B'],
  });
  const actual = predictionActual(all, 'count');
  assert.deepEqual(actual, { kind: 'count', value: 500, allCorrect: 500, participants: 10_000 });
  assert.equal(actual.value, refActual(all, 'count'));

  const total: Record<string, number> = {};
  for (const { members, rows } of rankGroups(all, actual)) {
    const tally = checkAgainstReference(members, rows, actual.value);
    for (const [rule, n] of Object.entries(tally)) total[rule] = (total[rule] ?? 0) + n;
    // Adjacent rows: explainOrder names the same rule as decidedBy.
    for (let i = 1; i < rows.length; i++)
      assert.equal(explainOrder(rows[i - 1]!, rows[i]!).rule, rows[i]!.decidedBy);
  }
  // The planted ties exercise every rule.
  assertEveryRuleUsed(total);

  // Second reference: O(n^2) rank count on a 2,000-row sample of group A ranked on its own.
  const sample = all.filter((c) => c.groupKey === 'A').slice(0, 2_000);
  checkQuadraticRanks(sample, finalRanking(sample, actual), actual.value);
});

test('7,000 participants with planted ties (percent, 5 decimals): ranks and decidedBy match the reference', () => {
  const all = generateRound({
    seed: 7,
    size: 7_000,
    allCorrect: 3333,
    // Pairs at equal decimal distance either side of the actual 47.61429 (0.00001, 0.00002,
    // 0.01429); the first two pairs differ in binary floating point.
    predictions: [47.61428, 47.6143, 47.61427, 47.61431, 47.61429, 47.6, 47.62858, 0.00001, 100, null],
    groups: ['only'],
  });
  const actual = predictionActual(all, 'percent');
  assert.deepEqual(actual, { kind: 'percent', value: 47.61429, allCorrect: 3333, participants: 7_000 });
  assert.equal(actual.value, refActual(all, 'percent'));
  // The premise: without rounding, these equal decimal distances would not compare equal.
  assert.notEqual(Math.abs(47.61428 - actual.value), Math.abs(47.6143 - actual.value));
  assert.notEqual(Math.abs(47.61427 - actual.value), Math.abs(47.61431 - actual.value));
  const rows = finalRanking(all, actual);
  const tally = checkAgainstReference(all, rows, actual.value);
  assertEveryRuleUsed(tally);
  const sample = all.slice(0, 2_000);
  checkQuadraticRanks(sample, finalRanking(sample, actual), actual.value);
});

test('ranks 100,000 rows completely', () => {
  const all = generateRound({
    seed: 99,
    size: 100_000,
    allCorrect: 3_000,
    predictions: [2_990, 3_010, 3_000, null],
    groups: ['A'],
  });
  const actual = predictionActual(all, 'count');
  // Timing belongs in bench/, not in assertions: this checks that 100k rows rank completely.
  const rows = finalRanking(all, actual);
  assert.equal(rows.length, 100_000);
  assert.equal(new Set(rows.map((r) => r.userId)).size, 100_000);
  assert.equal(rows[0]!.rank, 1);
});

test('predictionActual counts all-correct attempts over the whole round; percent keeps 5 decimals', () => {
  const three = [
    candidate(1, { allCorrect: true, groupKey: 'A' }),
    candidate(2, { groupKey: 'B' }),
    candidate(3, { groupKey: 'B' }),
  ];
  assert.deepEqual(predictionActual(three, 'count'), {
    kind: 'count',
    value: 1,
    allCorrect: 1,
    participants: 3,
  });
  assert.deepEqual(predictionActual(three, 'percent'), {
    kind: 'percent',
    value: 33.33333,
    allCorrect: 1,
    participants: 3,
  });
  const twoOfThree = three.map((c) => ({ ...c, allCorrect: c.userId !== 3 }));
  assert.equal(predictionActual(twoOfThree, 'percent').value, 66.66667);
  assert.equal(predictionActual([candidate(1, { allCorrect: true })], 'percent').value, 100);
  assert.deepEqual(predictionActual([], 'percent'), {
    kind: 'percent',
    value: 0,
    allCorrect: 0,
    participants: 0,
  });
  assert.deepEqual(predictionActual([], 'count'), {
    kind: 'count',
    value: 0,
    allCorrect: 0,
    participants: 0,
  });
});

test('score decides first, compared at 1/1000 point', () => {
  const rows = finalRanking(
    [
      candidate(1, { score: 17, durationMs: 1 }),
      candidate(2, { score: 18.0004, durationMs: 50_000 }),
      candidate(3, { score: 18, durationMs: 40_000 }),
      candidate(4, { score: 18.001, durationMs: 90_000 }),
    ],
    null,
  );
  assert.deepEqual(order(rows), [4, 3, 2, 1]);
  assert.deepEqual(decided(rows), [null, 'score', 'duration', 'score']);
  assert.deepEqual(ranks(rows), [1, 2, 3, 4]);
});

test('prediction distance: equal on both sides of the actual, nulls after every number', () => {
  const rows = finalRanking(
    [
      candidate(1, { prediction: 503, durationMs: 61_000 }),
      candidate(2, { prediction: 497, durationMs: 62_000 }),
      candidate(3, { prediction: 499 }),
      candidate(4, { prediction: null, durationMs: 1_000 }),
      candidate(5, { prediction: 100_000 }),
      candidate(6, { prediction: null, durationMs: 2_000 }),
      candidate(7, { prediction: 500, score: 9 }),
    ],
    countActual(500),
  );
  assert.deepEqual(order(rows), [3, 1, 2, 5, 4, 6, 7]);
  assert.deepEqual(
    rows.map((r) => r.predictionDistance),
    [1, 3, 3, 99_500, null, null, 0],
  );
  assert.deepEqual(decided(rows), [
    null,
    'prediction',
    'duration',
    'prediction',
    'prediction',
    'duration',
    'score',
  ]);
  assert.deepEqual(ranks(rows), [1, 2, 3, 4, 5, 6, 7]);
});

test('percent prediction: distances equal in 5 decimals tie despite float noise', () => {
  const actual = predictionActual(
    [candidate(10, { allCorrect: true }), candidate(11), candidate(12)],
    'percent',
  );
  assert.equal(actual.value, 33.33333);
  // The premise: in binary floating point these two distances differ.
  assert.notEqual(Math.abs(33.33334 - 33.33333), Math.abs(33.33332 - 33.33333));
  const rows = finalRanking(
    [
      candidate(1, { prediction: 33.33334, durationMs: 70_000 }),
      candidate(2, { prediction: 33.33332, durationMs: 65_000 }),
      candidate(3, { prediction: 33.33333, durationMs: 99_000 }),
      candidate(4, { prediction: 33.33335, durationMs: 1_000 }),
    ],
    actual,
  );
  assert.deepEqual(order(rows), [3, 2, 1, 4]);
  assert.deepEqual(
    rows.map((r) => r.predictionDistance),
    [0, 0.00001, 0.00001, 0.00002],
  );
  assert.deepEqual(decided(rows), [null, 'prediction', 'duration', 'prediction']);
});

test('no prediction question: no distances, order by duration then submission time', () => {
  const rows = finalRanking(
    [
      candidate(1, { prediction: 500, durationMs: 80_000 }),
      candidate(2, { prediction: 3, durationMs: 70_000, submittedAt: T0 + 2 }),
      candidate(3, { prediction: null, durationMs: 70_000, submittedAt: T0 + 1 }),
    ],
    null,
  );
  assert.deepEqual(order(rows), [3, 2, 1]);
  assert.deepEqual(
    rows.map((r) => r.predictionDistance),
    [null, null, null],
  );
  assert.deepEqual(decided(rows), [null, 'submitted', 'duration']);
});

test('rows equal on every rule share a rank ("1224"), listed by user id', () => {
  const same = { score: 15, prediction: 497, durationMs: 60_000, submittedAt: T0 };
  const rows = finalRanking(
    [
      candidate(40, { ...same, score: 14 }),
      candidate(30, same),
      candidate(9, same),
      candidate(20, { ...same, prediction: 503 }),
      candidate(50, { ...same, score: 16 }),
    ],
    countActual(500),
  );
  assert.deepEqual(order(rows), [50, 9, 20, 30, 40]);
  assert.deepEqual(ranks(rows), [1, 2, 2, 2, 5]);
  assert.deepEqual(decided(rows), [null, 'score', 'tie', 'tie', 'score']);
});

test('finalRanking: empty input, input left untouched, one group at a time', () => {
  assert.deepEqual(finalRanking([], null), []);
  const input = [candidate(2, { score: 1 }), candidate(1, { score: 2 })];
  const copy = structuredClone(input);
  finalRanking(input, countActual(3));
  assert.deepEqual(input, copy);
  assert.throws(
    () => finalRanking([candidate(1, { groupKey: 'A' }), candidate(2, { groupKey: 'B' })], null),
    RangeError,
  );
});

test('explainOrder names the deciding rule with the compared values', () => {
  const rows = finalRanking(
    [
      candidate(1, { score: 19 }),
      candidate(2, { score: 18, prediction: 497 }),
      candidate(3, { score: 18, prediction: 507 }),
      candidate(4, { score: 18, prediction: null, durationMs: 61_000 }),
      candidate(5, { score: 18, prediction: null, durationMs: 62_500 }),
      candidate(6, { score: 18, prediction: null, durationMs: 62_500, submittedAt: T0 + 1500 }),
      candidate(7, { score: 18, prediction: null, durationMs: 62_500, submittedAt: T0 + 1500 }),
    ],
    countActual(500),
  );
  assert.deepEqual(order(rows), [1, 2, 3, 4, 5, 6, 7]);
  const explained = rows.slice(1).map((row, i) => explainOrder(rows[i]!, row));
  assert.deepEqual(explained, [
    { rule: 'score', detail: 'score 19 > 18' },
    { rule: 'prediction', detail: 'equal score 18; prediction distance 3 < 7' },
    { rule: 'prediction', detail: 'equal score 18; prediction distance 7 < none (no prediction ranks last)' },
    {
      rule: 'duration',
      detail: 'equal score 18; neither has a prediction distance; duration 61000 ms < 62500 ms',
    },
    {
      rule: 'submitted',
      detail:
        'equal score 18; neither has a prediction distance; equal duration 62500 ms; ' +
        'submitted at 2025-05-01T08:00:00.000Z < 2025-05-01T08:00:01.500Z',
    },
    {
      rule: 'tie',
      detail:
        'equal score 18; neither has a prediction distance; equal duration 62500 ms; ' +
        'equal submission time 2025-05-01T08:00:01.500Z; tied on every rule, same rank (listed by user id)',
    },
  ]);
  assert.deepEqual(
    explained.map((e) => e.rule),
    rows.slice(1).map((r) => r.decidedBy),
  );
  // Reversed arguments: same rule, the relation follows the arguments.
  assert.deepEqual(explainOrder(rows[2]!, rows[1]!), {
    rule: 'prediction',
    detail: 'equal score 18; prediction distance 7 > 3',
  });
  assert.equal(
    explainOrder(rows[3]!, rows[2]!).detail,
    'equal score 18; prediction distance none > 7 (no prediction ranks last)',
  );
});

test('explainOrder on a percent round and on fractional scores', () => {
  const actual: PredictionActual = { kind: 'percent', value: 33.33333, allCorrect: 1, participants: 3 };
  const rows = finalRanking(
    [
      candidate(1, { score: 17.5, prediction: 33.33334, durationMs: 5 }),
      candidate(2, { score: 17.5, prediction: 33.33332, durationMs: 6 }),
      candidate(3, { score: 17.5, prediction: 33.3 }),
      candidate(4, { score: 17.333 }),
    ],
    actual,
  );
  assert.deepEqual(
    rows.slice(1).map((row, i) => explainOrder(rows[i]!, row).detail),
    [
      'equal score 17.5; equal prediction distance 0.00001; duration 5 ms < 6 ms',
      'equal score 17.5; prediction distance 0.00001 < 0.03333',
      'score 17.5 > 17.333',
    ],
  );
});

/** Rows for prize tests from a list of ranks (user id = position + 1). */
function ranked(rankList: number[]): FinalRow[] {
  return rankList.map((rank, i) => ({
    ...candidate(i + 1),
    rank,
    predictionDistance: null,
    decidedBy: null,
  }));
}
const bands = [
  { name: 'First', count: 1 },
  { name: 'Second', count: 2 },
  { name: 'Third', count: 3 },
  { name: 'Consolation', count: 5 },
];
const prizeOf = (awards: { userId: number; prize: string }[]) =>
  Object.fromEntries(awards.map((a) => [a.userId, a.prize]));

test('allocatePrizes fills bands 1/2/3/5 by rank', () => {
  const { awards, ties } = allocatePrizes(ranked([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), bands);
  assert.deepEqual(ties, []);
  assert.deepEqual(
    awards.map((a) => a.prize),
    ['First', 'Second', 'Second', 'Third', 'Third', 'Third', ...Array<string>(5).fill('Consolation')],
  );
  assert.deepEqual(
    awards.map((a) => [a.userId, a.rank]),
    Array.from({ length: 11 }, (_, i) => [i + 1, i + 1]),
  );
  // Fewer participants than places: everyone is awarded, nothing is reported.
  assert.deepEqual(allocatePrizes(ranked([1, 2]), bands), {
    awards: [
      { userId: 1, rank: 1, prize: 'First' },
      { userId: 2, rank: 2, prize: 'Second' },
    ],
    ties: [],
  });
  assert.deepEqual(allocatePrizes([], bands), { awards: [], ties: [] });
});

test('allocatePrizes reports a tie across the second/third boundary and awards none of it', () => {
  // Ranks 1, 2, 3, 3: one Second place is left for two tied rows.
  const { awards, ties } = allocatePrizes(ranked([1, 2, 3, 3, 5, 6, 7, 8]), bands);
  assert.deepEqual(ties, [{ prize: 'Second', rank: 3, userIds: [3, 4], places: 1 }]);
  assert.deepEqual(prizeOf(awards), {
    1: 'First',
    2: 'Second',
    // The tied rows get no Third either; Third goes on from the next row.
    5: 'Third',
    6: 'Third',
    7: 'Third',
    8: 'Consolation',
  });
});

test('allocatePrizes awards ties that fit inside a band, even exactly', () => {
  // Second: a two-way tie fills both places exactly. Consolation: a three-way tie inside it.
  const { awards, ties } = allocatePrizes(ranked([1, 2, 2, 4, 5, 6, 7, 8, 8, 8, 11, 12, 13]), bands);
  assert.deepEqual(ties, []);
  assert.deepEqual(prizeOf(awards), {
    1: 'First',
    2: 'Second',
    3: 'Second',
    4: 'Third',
    5: 'Third',
    6: 'Third',
    7: 'Consolation',
    8: 'Consolation',
    9: 'Consolation',
    10: 'Consolation',
    11: 'Consolation',
  });
});

test('allocatePrizes: a tie larger than a whole band, ties in several bands, empty bands', () => {
  const { awards, ties } = allocatePrizes(ranked([1, 1, 3, 3, 3, 3, 7, 8, 9, 9, 11]), [
    { name: 'First', count: 1 },
    { name: 'None', count: 0 },
    { name: 'Second', count: 3 },
    { name: 'Third', count: 3 },
  ]);
  // Third: ranks 7 and 8 take two places, the 9-9 tie needs two with one left.
  assert.deepEqual(ties, [
    { prize: 'First', rank: 1, userIds: [1, 2], places: 1 },
    { prize: 'Second', rank: 3, userIds: [3, 4, 5, 6], places: 3 },
    { prize: 'Third', rank: 9, userIds: [9, 10], places: 1 },
  ]);
  assert.deepEqual(prizeOf(awards), { 7: 'Third', 8: 'Third' });
});

test('allocatePrizes works on finalRanking output with real ties', () => {
  const same = { score: 18, durationMs: 70_000 };
  const rows = finalRanking(
    [candidate(1, { score: 20 }), candidate(2, { score: 19 }), candidate(3, same), candidate(4, same)],
    null,
  );
  assert.deepEqual(ranks(rows), [1, 2, 3, 3]);
  assert.deepEqual(allocatePrizes(rows, bands), {
    awards: [
      { userId: 1, rank: 1, prize: 'First' },
      { userId: 2, rank: 2, prize: 'Second' },
    ],
    ties: [{ prize: 'Second', rank: 3, userIds: [3, 4], places: 1 }],
  });
});

const unit = (unitCode: string, participants: number, headcount: number | null) => ({
  unitCode,
  unitName: `Unit ${unitCode}`,
  participants,
  headcount,
});

test('unitPrizes: most participants first, ties share a rank and are listed by unit code', () => {
  const { byCount } = unitPrizes([
    unit('C', 40, null),
    unit('B', 120, 400),
    unit('A', 40, 50),
    unit('D', 300, 0),
    unit('E', 0, 10),
  ]);
  assert.deepEqual(
    byCount.map((u) => [u.unitCode, u.participants, u.rank]),
    [
      ['D', 300, 1],
      ['B', 120, 2],
      ['A', 40, 3],
      ['C', 40, 3],
      ['E', 0, 5],
    ],
  );
  assert.equal(byCount[0]!.unitName, 'Unit D');
});

test('unitPrizes: participation rate only where the headcount is known, equal rates share a rank', () => {
  const { byRate } = unitPrizes([
    unit('C', 40, null),
    unit('H', 90, 300),
    unit('B', 120, 400),
    unit('A', 40, 50),
    unit('D', 300, 0),
    unit('G', 2, 6),
    unit('F', 1, 3),
    unit('E', 0, 10),
  ]);
  // C (unknown headcount) and D (headcount 0) have no rate.
  assert.deepEqual(
    byRate.map((u) => [u.unitCode, u.participants, u.headcount, u.rank]),
    [
      ['A', 40, 50, 1],
      ['F', 1, 3, 2],
      ['G', 2, 6, 2],
      ['B', 120, 400, 4],
      ['H', 90, 300, 4],
      ['E', 0, 10, 6],
    ],
  );
  assert.deepEqual(
    byRate.map((u) => u.rate),
    [0.8, 1 / 3, 1 / 3, 0.3, 0.3, 0],
  );
  assert.deepEqual(unitPrizes([]), { byCount: [], byRate: [] });
});
