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

    /** Rebuilds every board of a round from SQL. */
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
      return results.length;
    },

    /** Rebuilds every board from SQL (start-up, or by command). */
    async rebuildAll(): Promise<{ rounds: number; results: number }> {
      const rounds = await repos.contests.allRounds();
      let results = 0;
      for (const round of rounds) results += await this.rebuildRound(round.id);
      return { rounds: rounds.length, results };
    },
  };
}

export type RankingService = ReturnType<typeof createRankingService>;
