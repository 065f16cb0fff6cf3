// The one contract every RankingStore must pass (DESIGN.md section 4). The order and ranks a store
// reports are checked against two independent references: a comparator written here (not the one
// in ranking-store.ts) and SQLite's RANK() window function over the same rows, on thousands of
// random results with many exact ties, after inserts, updates and removals.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { LeaderboardEntry, RankedResult, RankingStore } from '../../src/rankings/ranking-store.ts';

/** Deterministic PRNG (mulberry32) so that a failing seed can be replayed with RANKING_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.RANKING_SEED ?? Math.floor(Math.random() * 2 ** 32));

const millis = (score: number): number => Math.round(score * 1000);

/** Independent reference: score (at millis) desc, duration asc, submitted asc, id asc. */
function referenceOrder(results: Iterable<RankedResult>): RankedResult[] {
  return [...results].sort((a, b) => {
    const sa = millis(a.score);
    const sb = millis(b.score);
    if (sa !== sb) return sa > sb ? -1 : 1;
    if (a.durationMs !== b.durationMs) return a.durationMs < b.durationMs ? -1 : 1;
    if (a.submittedAt !== b.submittedAt) return a.submittedAt < b.submittedAt ? -1 : 1;
    return a.participantId - b.participantId;
  });
}

/** Competition ranks ("1224") over a list already in reference order, by walking it. */
function referenceRanks(ordered: RankedResult[]): Map<number, number> {
  const ranks = new Map<number, number>();
  ordered.forEach((r, i) => {
    const prev = ordered[i - 1];
    const tied =
      prev !== undefined &&
      millis(prev.score) === millis(r.score) &&
      prev.durationMs === r.durationMs &&
      prev.submittedAt === r.submittedAt;
    ranks.set(r.participantId, tied && prev ? (ranks.get(prev.participantId) ?? 0) : i + 1);
  });
  return ranks;
}

/** SQLite's own ordering and RANK() of the same rows: [participantId, rank] in order. */
function sqliteRanking(results: Iterable<RankedResult>): [number, number][] {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE TABLE results (
      participant_id INTEGER PRIMARY KEY, score_millis INTEGER NOT NULL,
      duration_ms INTEGER NOT NULL, submitted_at INTEGER NOT NULL)`);
    const insert = db.prepare('INSERT INTO results VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (const r of results) insert.run(r.participantId, millis(r.score), r.durationMs, r.submittedAt);
    })();
    const rows = db
      .prepare(
        `SELECT participant_id AS id,
                RANK() OVER (ORDER BY score_millis DESC, duration_ms ASC, submitted_at ASC) AS rnk
           FROM results
          ORDER BY score_millis DESC, duration_ms ASC, submitted_at ASC, participant_id ASC`,
      )
      .all() as { id: number; rnk: number }[];
    return rows.map((r) => [r.id, r.rnk]);
  } finally {
    db.close();
  }
}

/** What a store returns for a result: the input with its score at millis precision. */
const expected = (r: RankedResult, rank: number): LeaderboardEntry => ({
  participantId: r.participantId,
  score: millis(r.score) / 1000,
  durationMs: r.durationMs,
  submittedAt: r.submittedAt,
  name: r.name,
  unit: r.unit,
  rank,
});

async function readAll(store: RankingStore, board: string, pageSize: number): Promise<LeaderboardEntry[]> {
  const all: LeaderboardEntry[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const { entries } = await store.page(board, pageSize, offset);
    all.push(...entries);
    if (entries.length < pageSize) return all;
  }
}

/** Checks everything a store reports about a board against the model of that board. */
async function assertBoardMatches(
  store: RankingStore,
  board: string,
  model: Map<number, RankedResult>,
  absent: Iterable<number> = [],
): Promise<void> {
  const ordered = referenceOrder(model.values());
  const ranks = referenceRanks(ordered);
  const want = ordered.map((r) => expected(r, ranks.get(r.participantId) ?? -1));

  // The two references agree with each other first, so a failure below is the store's.
  assert.deepEqual(
    sqliteRanking(model.values()),
    want.map((e) => [e.participantId, e.rank]),
    'test comparator disagrees with SQLite RANK()',
  );

  assert.equal(await store.count(board), model.size);
  for (const size of [7, 50, 333]) {
    assert.deepEqual(await readAll(store, board, size), want, `full listing with page size ${size}`);
  }
  // Pages starting anywhere, in particular in the middle of a tie, and running past the end.
  for (const [limit, offset] of [
    [13, 0],
    [13, 5],
    [29, 101],
    [97, 998],
    [1000, want.length - 17],
    [5, want.length],
    [0, 3],
  ] as const) {
    const page = await store.page(board, limit, Math.max(0, offset));
    assert.equal(page.total, model.size);
    assert.deepEqual(
      page.entries,
      want.slice(Math.max(0, offset), Math.max(0, offset) + limit),
      `page(${limit}, ${offset})`,
    );
  }
  // Reads are issued in concurrent batches: the answers must not depend on it, and it keeps a
  // networked store's suite fast.
  const insideTies = want.flatMap((e, i) => (i > 0 && want[i - 1]?.rank === e.rank ? [i] : []));
  await inBatches(insideTies, async (i) => {
    // a one-entry page that starts inside a tie must still carry the tie's rank
    assert.deepEqual((await store.page(board, 1, i)).entries, [want[i]], `page(1, ${i}) inside a tie`);
  });
  await inBatches(want, async (e) => {
    assert.deepEqual(await store.entryOf(board, e.participantId), e, `entryOf(${e.participantId})`);
  });
  await inBatches([...absent], async (id) => {
    assert.equal(await store.entryOf(board, id), null, `entryOf(${id}) after removal`);
  });
}

async function inBatches<T>(items: T[], check: (item: T) => Promise<void>, size = 200): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(check));
}

export function runRankingStoreContract(
  name: string,
  makeStore: () => Promise<RankingStore>,
  cleanup: (store: RankingStore) => Promise<void>,
): void {
  describe(`RankingStore contract: ${name}`, () => {
    /** Runs body against a fresh store and always cleans up after it. */
    const withStore = (body: (store: RankingStore) => Promise<void>) => async () => {
      const store = await makeStore();
      try {
        await body(store);
      } finally {
        await cleanup(store);
      }
    };

    test(
      'an empty board has no entries, no count and no participants',
      withStore(async (store) => {
        assert.equal(await store.count('round:1'), 0);
        assert.deepEqual(await store.page('round:1', 10, 0), { total: 0, entries: [] });
        assert.equal(await store.entryOf('round:1', 42), null);
        await store.remove('round:1', 42); // removing the unknown is a no-op
        assert.equal(await store.count('round:1'), 0);
      }),
    );

    test(
      'an unknown participant on a populated board is null',
      withStore(async (store) => {
        await store.upsert('round:1', {
          participantId: 1,
          score: 3,
          durationMs: 10,
          submittedAt: 5,
          name: 'A',
          unit: null,
        });
        assert.equal(await store.entryOf('round:1', 2), null);
        assert.equal(await store.entryOf('round:2', 1), null);
      }),
    );

    test(
      `thousands of results with many ties match the reference and SQLite (seed ${SEED})`,
      withStore(async (store) => {
        const rand = prng(SEED);
        const int = (n: number): number => Math.floor(rand() * n);
        const units = ['Ha Noi / Ba Dinh', 'Hue', null, 'Da Nang / Hai Chau'];
        // Tiny ranges so that exact ties on (score, duration, submittedAt) are everywhere.
        const randomResult = (participantId: number): RankedResult => ({
          participantId,
          score: [0, 0.5, 1, 2.333, 7, 10][int(6)] ?? 0,
          durationMs: 60_000 + int(3) * 250,
          submittedAt: 1_750_000_000_000 + int(3),
          name: `Participant ${participantId} ${int(1000)}`,
          unit: units[int(units.length)] ?? null,
        });
        const board = 'round:7';
        const model = new Map<number, RankedResult>();
        const ids = Array.from({ length: 3000 }, (_, i) => 1 + i * 3 + int(3)); // sparse, unordered below
        ids.sort(() => rand() - 0.5);

        await Promise.all(
          ids.map((id) => {
            const r = randomResult(id);
            model.set(id, r);
            return store.upsert(board, r);
          }),
        );
        await assertBoardMatches(store, board, model);

        // Updates, better and worse, some to an identical key with new display fields only.
        for (const id of ids.slice(0, 600)) {
          const old = model.get(id);
          assert.ok(old);
          const kind = int(3);
          const r: RankedResult =
            kind === 0
              ? { ...old, score: old.score + 1, name: `${old.name} (better)` }
              : kind === 1
                ? { ...old, durationMs: old.durationMs + 250, submittedAt: old.submittedAt + 1 }
                : { ...old, name: `${old.name} (renamed)`, unit: 'Moved unit' };
          model.set(id, r);
          await store.upsert(board, r);
        }
        // Removals, including of the unknown; then some come back, and new participants join.
        const removed = ids.slice(500, 900);
        for (const id of removed) {
          model.delete(id);
          await store.remove(board, id);
        }
        await store.remove(board, 999_999);
        for (const id of removed.slice(0, 100)) {
          const r = randomResult(id);
          model.set(id, r);
          await store.upsert(board, r);
        }
        for (let id = 20_000; id < 20_050; id++) {
          const r = randomResult(id);
          model.set(id, r);
          await store.upsert(board, r);
        }
        await assertBoardMatches(store, board, model, removed.slice(100));
      }),
    );

    test(
      'replaceAll replaces everything on the board',
      withStore(async (store) => {
        const board = 'round:3';
        const r = (id: number, score: number, name = `P${id}`): RankedResult => ({
          participantId: id,
          score,
          durationMs: 1000,
          submittedAt: 1,
          name,
          unit: null,
        });
        for (const id of [1, 2, 3, 4]) await store.upsert(board, r(id, id));
        const fresh = [r(3, 1, 'kept, new score'), r(5, 9), r(6, 1), r(7, 4)];
        await store.replaceAll(board, fresh);
        await assertBoardMatches(store, board, new Map(fresh.map((x) => [x.participantId, x])), [1, 2, 4]);

        // A participant listed twice: the last one wins.
        await store.replaceAll(board, [r(8, 1), r(9, 2), r(8, 3)]);
        await assertBoardMatches(
          store,
          board,
          new Map([
            [8, r(8, 3)],
            [9, r(9, 2)],
          ]),
          [3, 5, 6, 7],
        );

        // Updates after a rebuild work on the rebuilt board.
        await store.upsert(board, r(9, 5));
        await store.remove(board, 8);
        await assertBoardMatches(store, board, new Map([[9, r(9, 5)]]), [8]);

        await store.replaceAll(board, []);
        assert.equal(await store.count(board), 0);
        assert.deepEqual(await store.page(board, 10, 0), { total: 0, entries: [] });
        assert.equal(await store.entryOf(board, 9), null);
      }),
    );

    test(
      'separate boards are independent',
      withStore(async (store) => {
        const r = (id: number, score: number): RankedResult => ({
          participantId: id,
          score,
          durationMs: 500,
          submittedAt: 10,
          name: `P${id}`,
          unit: 'U',
        });
        const a = 'round:1';
        const b = 'round:1:group:B';
        await store.upsert(a, r(1, 5));
        await store.upsert(a, r(2, 3));
        await store.upsert(b, r(1, 1));
        await store.upsert(b, r(3, 9));
        assert.equal((await store.entryOf(a, 1))?.rank, 1);
        assert.equal((await store.entryOf(b, 1))?.rank, 2);
        await store.remove(a, 1);
        assert.equal(await store.entryOf(a, 1), null);
        assert.deepEqual(await store.entryOf(b, 1), { ...r(1, 1), rank: 2 });
        await store.replaceAll(a, [r(4, 1)]);
        await assertBoardMatches(store, a, new Map([[4, r(4, 1)]]));
        await assertBoardMatches(
          store,
          b,
          new Map([
            [1, r(1, 1)],
            [3, r(3, 9)],
          ]),
        );
        assert.equal(await store.count('round:99'), 0);
      }),
    );

    test(
      'fractional scores compare at 1/1000 of a point',
      withStore(async (store) => {
        const board = 'round:5';
        const r = (id: number, score: number): RankedResult => ({
          participantId: id,
          score,
          durationMs: 1000,
          submittedAt: 1,
          name: `P${id}`,
          unit: null,
        });
        const input = [
          r(1, 0.5),
          r(2, 2.333),
          r(3, 2.3334),
          r(4, 2.3336),
          r(5, 0.4996),
          r(6, 2.332),
          r(7, 0),
        ];
        for (const x of input) await store.upsert(board, x);
        const { entries } = await store.page(board, 10, 0);
        assert.deepEqual(
          entries.map((e) => [e.participantId, e.score, e.rank]),
          [
            [4, 2.334, 1],
            [2, 2.333, 2], // 2.333 and 2.3334 are the same score at millis: a tie
            [3, 2.333, 2],
            [6, 2.332, 4],
            [1, 0.5, 5], // 0.4996 rounds to 0.5: a tie
            [5, 0.5, 5],
            [7, 0, 7],
          ],
        );
        await assertBoardMatches(store, board, new Map(input.map((x) => [x.participantId, x])));
      }),
    );

    test(
      'invalid input is refused and changes nothing',
      withStore(async (store) => {
        const ok: RankedResult = {
          participantId: 1,
          score: 1,
          durationMs: 1,
          submittedAt: 1,
          name: 'A',
          unit: null,
        };
        await store.upsert('round:1', ok);
        for (const bad of [
          { ...ok, score: -1 },
          { ...ok, score: 1e9 },
          { ...ok, score: Number.NaN },
          { ...ok, durationMs: 1.5 },
          { ...ok, durationMs: 1e10 },
          { ...ok, submittedAt: -1 },
          { ...ok, participantId: 2.5 },
        ]) {
          await assert.rejects(store.upsert('round:1', bad), RangeError);
          await assert.rejects(store.replaceAll('round:1', [bad]), RangeError);
        }
        await assert.rejects(store.page('round:1', -1, 0), RangeError);
        await assert.rejects(store.page('round:1', 10, 1.5), RangeError);
        assert.deepEqual(await store.entryOf('round:1', 1), { ...ok, rank: 1 });
        assert.equal(await store.count('round:1'), 1);
      }),
    );

    test(
      'the largest accepted values keep their order',
      withStore(async (store) => {
        const board = 'round:8';
        const r = (id: number, score: number, durationMs: number, submittedAt: number): RankedResult => ({
          participantId: id,
          score,
          durationMs,
          submittedAt,
          name: `P${id}`,
          unit: null,
        });
        const input = [
          r(Number.MAX_SAFE_INTEGER, 999_999_999.999, 9_999_999_999, 99_999_999_999_999),
          r(0, 999_999_999.999, 9_999_999_999, 99_999_999_999_999),
          r(2, 999_999_999.998, 0, 0),
          r(3, 0, 0, 0),
          r(4, 0, 9_999_999_999, 0),
        ];
        for (const x of input) await store.upsert(board, x);
        await assertBoardMatches(store, board, new Map(input.map((x) => [x.participantId, x])));
      }),
    );

    test(
      'a new store has no built version; markBuilt records one',
      withStore(async (store) => {
        assert.equal(await store.builtVersion(), null);
        await store.markBuilt('7');
        assert.equal(await store.builtVersion(), '7');
      }),
    );

    test(
      'the rebuild lock is held by one at a time and free again once released',
      withStore(async (store) => {
        const release = await store.lockRebuild(10_000);
        assert.ok(release, 'a free lock is taken');
        assert.equal(await store.lockRebuild(10_000), null, 'a held lock is refused');
        await release();
        const again = await store.lockRebuild(10_000);
        assert.ok(again, 'a released lock can be taken again');
        await again();
      }),
    );
  });
}
