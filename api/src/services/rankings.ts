// Keeps the ranking projection in step with SQL and tells subscribers when a board changed.
import type { Repositories, RoundResultRow } from '@quizarena/db';
import type { EventBus } from '../events/event-bus.ts';
import { roundBoard, type RankedResult, type RankingStore } from '../rankings/ranking-store.ts';

/** Topic of the change notifications for a board; the WebSocket topic adds ':leaderboard'. */
export const boardTopic = (roundId: number, group?: string | null): string =>
  `${roundBoard(roundId, group)}:leaderboard`;

const toRanked = (r: RoundResultRow): RankedResult => ({
  participantId: r.userId,
  score: r.score,
  durationMs: r.durationMs,
  submittedAt: r.submittedAt,
  name: r.name,
  unit: r.unit,
});

export function createRankingService(deps: { repos: Repositories; store: RankingStore; events: EventBus }) {
  const { repos, store, events } = deps;

  const notify = async (roundId: number, group: string | null) => {
    await events.publish(boardTopic(roundId), { roundId });
    if (group) await events.publish(boardTopic(roundId, group), { roundId, group });
  };

  return {
    /** Applies a participant's new counted result (null: no result counts any more). */
    async apply(roundId: number, userId: number, group: string | null, counted: RoundResultRow | null) {
      if (counted) {
        const ranked = toRanked(counted);
        await store.upsert(roundBoard(roundId), ranked);
        if (group) await store.upsert(roundBoard(roundId, group), ranked);
      } else {
        await store.remove(roundBoard(roundId), userId);
        if (group) await store.remove(roundBoard(roundId, group), userId);
      }
      await notify(roundId, group);
    },

    /**
     * Rebuilds every board of a round from SQL. Results counted while it ran (on any node: they
     * reach the live boards, which the swap then replaces) are put back by a second read after the
     * swap, compared with what was written: every change is committed in SQL before it is applied
     * to the store, so whatever the interleaving the second read or the live update has it.
     */
    async rebuildRound(roundId: number): Promise<number> {
      const results = await repos.attempts.results(roundId);
      const byGroup = new Map<string, RankedResult[]>();
      for (const r of results) {
        if (!r.groupKey) continue;
        const list = byGroup.get(r.groupKey) ?? [];
        list.push(toRanked(r));
        byGroup.set(r.groupKey, list);
      }
      await store.replaceAll(roundBoard(roundId), results.map(toRanked));
      for (const [group, list] of byGroup) await store.replaceAll(roundBoard(roundId, group), list);

      const written = new Map(results.map((r) => [r.userId, r]));
      for (const r of await repos.attempts.results(roundId)) {
        const w = written.get(r.userId);
        written.delete(r.userId);
        if (w && w.groupKey === r.groupKey && !differs(w, r)) continue;
        if (w?.groupKey && w.groupKey !== r.groupKey)
          await store.remove(roundBoard(roundId, w.groupKey), r.userId);
        await this.apply(roundId, r.userId, r.groupKey, r);
      }
      for (const w of written.values()) await this.apply(roundId, w.userId, w.groupKey, null);
      return results.length;
    },

    /** Rebuilds every board from SQL (by command, or when the store is new or flushed). */
    async rebuildAll(): Promise<{ rounds: number; results: number }> {
      const rounds = await repos.contests.allRounds();
      let results = 0;
      for (const round of rounds) results += await this.rebuildRound(round.id);
      return { rounds: rounds.length, results };
    },

    /**
     * Brings the projection in line with SQL with as little work as it takes, once across nodes
     * (the store's rebuild lock): a store never built at this PROJECTION_VERSION (new, flushed, or
     * of an older encoding) is rebuilt whole; otherwise only the rounds whose board does not hold
     * as many results as SQL (written while no node ran, by `npm run seed`, say). `check: 'marker'`
     * looks at the version alone (cheap enough to run every few seconds, to catch a flush).
     * Returns null when another node holds the lock.
     */
    async ensureFresh(check: 'counts' | 'marker' = 'counts') {
      const whole = (await store.builtVersion()) !== PROJECTION_VERSION;
      if (!whole && check === 'marker') return { whole, rounds: 0, results: 0 };
      const release = await store.lockRebuild(REBUILD_LOCK_MS);
      if (!release) return null;
      try {
        const counts = whole ? null : await repos.attempts.resultCounts();
        let rounds = 0;
        let results = 0;
        for (const round of await repos.contests.allRounds()) {
          if (counts && (await store.count(roundBoard(round.id))) === (counts.get(round.id) ?? 0)) continue;
          results += await this.rebuildRound(round.id);
          rounds++;
        }
        if (whole) await store.markBuilt(PROJECTION_VERSION);
        return { whole, rounds, results };
      } finally {
        await release();
      }
    },
  };
}

/** Bump when the stores' encoding of a board changes: every node then rebuilds once. */
export const PROJECTION_VERSION = '1';
/** A rebuild holding the lock longer than this (100k results take a few seconds) lets another node try. */
export const REBUILD_LOCK_MS = 120_000;

const differs = (a: RoundResultRow, b: RoundResultRow): boolean =>
  a.score !== b.score ||
  a.durationMs !== b.durationMs ||
  a.submittedAt !== b.submittedAt ||
  a.name !== b.name ||
  a.unit !== b.unit;

export type RankingService = ReturnType<typeof createRankingService>;
