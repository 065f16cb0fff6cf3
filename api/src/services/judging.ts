// Judges' work on a round (issue: finalise, audit, void, publish). Finalising computes the final
// ranking of DESIGN.md section 2 from SQL, per group, freezes it with a SHA-256 of its canonical
// content (the same data always gives the same hash), and checks the ranking projection.
import { createHash } from 'node:crypto';
import type { Candidate, Repositories, RoundRow, UserRow } from '@quizarena/db';
import { canonicalJson } from '@quizarena/db';
import { conflict, notFound } from '../errors.ts';
import { roundWithContest } from './lookups.ts';
import {
  allocatePrizes,
  finalRanking,
  predictionActual,
  type FinalRow,
  type PredictionActual,
} from '../rules/final-ranking.ts';
import { roundBoard, scoreMillis, type RankingStore } from '../rankings/ranking-store.ts';
import type { RankingService } from './rankings.ts';
import type { AttemptService, RequestMeta } from './attempts.ts';

export interface JudgingDeps {
  repos: Repositories;
  rankings: RankingService;
  store: RankingStore;
  attempts: AttemptService;
  now: () => number;
  graceMs: number;
}

/** Compares the ranking projection with SQL; rebuilds the round's boards when they differ. */
async function checkProjection(
  store: RankingStore,
  rankings: RankingService,
  roundId: number,
  candidates: Candidate[],
) {
  const board = roundBoard(roundId);
  const expected = new Map(candidates.map((c) => [c.userId, c]));
  let mismatches = (await store.count(board)) === candidates.length ? 0 : 1;
  for (let offset = 0; mismatches === 0 && offset < candidates.length; offset += 1000) {
    const page = await store.page(board, 1000, offset);
    for (const e of page.entries) {
      const c = expected.get(e.participantId);
      if (
        !c ||
        scoreMillis(c.score) !== scoreMillis(e.score) ||
        c.durationMs !== e.durationMs ||
        c.submittedAt !== e.submittedAt
      ) {
        mismatches++;
      }
    }
  }
  if (mismatches > 0) await rankings.rebuildRound(roundId);
  return { ok: mismatches === 0, rebuilt: mismatches > 0 };
}

export function createJudgingService(deps: JudgingDeps) {
  const { repos, rankings, store, now, graceMs } = deps;

  const loadRound = (roundId: number) => roundWithContest(repos, roundId);

  /** The final ranking of every group of the round, computed from SQL now. */
  const compute = async (round: RoundRow, groupKeys: string[]) => {
    const candidates = await repos.judging.candidates(round.id);
    const actual: PredictionActual | null = round.predictionKind
      ? predictionActual(candidates, round.predictionKind)
      : null;
    const groups = groupKeys.length > 0 ? groupKeys : [''];
    const byGroup = new Map<string, Candidate[]>(groups.map((g) => [g, []]));
    // A participant whose group is not (or no longer) one of the contest's is ranked in a group of
    // its own rather than dropped.
    for (const c of candidates) {
      const key = groupKeys.length > 0 ? (c.groupKey ?? '') : '';
      const list = byGroup.get(key) ?? [];
      if (list.length === 0) byGroup.set(key, list);
      list.push(c);
    }
    const ranked = new Map<
      string,
      { rows: FinalRow[]; prizes: Map<number, string>; ties: ReturnType<typeof allocatePrizes>['ties'] }
    >();
    for (const [group, list] of byGroup) {
      const rows = finalRanking(list, actual);
      const allocation = allocatePrizes(rows, round.prizeBands);
      ranked.set(group, {
        rows,
        prizes: new Map(allocation.awards.map((a) => [a.userId, a.prize])),
        ties: allocation.ties,
      });
    }
    return { candidates, actual, ranked };
  };

  return {
    async finalize(roundId: number, judge: UserRow, meta: RequestMeta) {
      const { round, contest } = await loadRound(roundId);
      const t = now();
      if (t < round.closesAt + graceMs)
        throw conflict('ROUND_NOT_CLOSED', 'A round can be finalised only after it closes');
      if (round.resultsStatus !== 'open')
        throw conflict('ALREADY_FINALIZED', 'This round is already finalised');
      // Attempts still open at the close are finalised first: every counted attempt is final.
      await deps.attempts.sweep();
      const { candidates, actual, ranked } = await compute(
        round,
        contest.groups.map((g) => g.key),
      );
      const byUser = new Map(candidates.map((c) => [c.userId, c]));

      const hash = createHash('sha256');
      hash.update(
        canonicalJson({
          roundId: round.id,
          rules: ['score desc', 'prediction distance asc', 'duration asc', 'submitted asc'],
          prediction: actual,
          prizeBands: round.prizeBands,
        }),
      );
      const rows = [];
      for (const [groupKey, { rows: list, prizes }] of ranked) {
        for (let i = 0; i < list.length; i++) {
          const r = list[i]!;
          const c = byUser.get(r.userId)!;
          const row = {
            groupKey,
            position: i + 1,
            rank: r.rank,
            userId: r.userId,
            attemptId: r.attemptId,
            name: c.name,
            unit: c.unit,
            score: r.score,
            correctCount: r.correctCount,
            durationMs: r.durationMs,
            submittedAt: r.submittedAt,
            prediction: r.prediction,
            predictionDistance: r.predictionDistance,
            decidedBy: r.decidedBy,
            prize: prizes.get(r.userId) ?? null,
          };
          hash.update('\n').update(canonicalJson(row));
          rows.push(row);
        }
      }
      const digest = hash.digest('hex');
      const check = await checkProjection(store, rankings, round.id, candidates);
      const boundaryTies = [...ranked].flatMap(([group, r]) =>
        r.ties.map((tie) => ({ group: group || null, ...tie })),
      );
      const finalisation = await repos.judging.saveFinalisation({
        roundId: round.id,
        createdAt: t,
        createdBy: judge.id,
        hash: digest,
        predictionKind: round.predictionKind,
        actualValue: actual?.value ?? null,
        allCorrect: actual?.allCorrect ?? candidates.filter((c) => c.allCorrect).length,
        participants: candidates.length,
        boundaryTies,
        rows,
        audit: { at: t, actorId: judge.id, ...meta },
      });
      return {
        finalisation: {
          id: finalisation.id,
          roundId: round.id,
          hash: digest,
          createdAt: new Date(t).toISOString(),
          createdBy: judge.id,
          participants: candidates.length,
          prediction: actual,
          rankingCheck: check,
          boundaryTies,
          auditEntry: finalisation.auditEntry,
        },
      };
    },

    async publishResults(roundId: number, judge: UserRow, meta: RequestMeta) {
      const { round } = await loadRound(roundId);
      if (round.resultsStatus === 'open')
        throw conflict('NOT_FINALIZED', 'Finalise the round before publishing its results');
      if (round.resultsStatus === 'published')
        throw conflict('ALREADY_PUBLISHED', 'The results are already published');
      const t = now();
      await repos.judging.publish(roundId, t, { at: t, actorId: judge.id, ...meta });
      return { round: { id: roundId, resultsStatus: 'published' as const } };
    },

    async reopen(roundId: number, reason: string, judge: UserRow, meta: RequestMeta) {
      const { round } = await loadRound(roundId);
      if (round.resultsStatus === 'open') throw conflict('NOT_FINALIZED', 'This round is not finalised');
      await repos.judging.reopen(roundId, judge.id, reason, now(), meta);
      return { round: { id: roundId, resultsStatus: 'open' as const } };
    },

    async voidAttempt(attemptId: number, reason: string, judge: UserRow, meta: RequestMeta) {
      const attempt = await repos.attempts.get(attemptId);
      if (!attempt) throw notFound('ATTEMPT_NOT_FOUND', 'No such attempt');
      const { round } = await loadRound(attempt.roundId);
      if (round.resultsStatus !== 'open') {
        throw conflict('ROUND_FINALIZED', 'The round is finalised: reopen it before voiding an attempt');
      }
      const outcome = await repos.attempts.void(attemptId, judge.id, reason, now(), meta);
      if (!outcome) throw conflict('ALREADY_VOID', 'This attempt is already void');
      const entry = await repos.contests.entry(round.contestId, attempt.userId);
      await rankings.apply(round.id, attempt.userId, entry?.groupKey ?? null, outcome.counted);
      return {
        attempt: { id: attemptId, status: 'voided' as const, voidReason: reason },
        counted: outcome.counted
          ? { attemptId: outcome.counted.attemptId, score: outcome.counted.score }
          : null,
      };
    },

    async audit(attemptId: number) {
      const attempt = await repos.attempts.get(attemptId);
      if (!attempt) throw notFound('ATTEMPT_NOT_FOUND', 'No such attempt');
      const [participant, entry] = await Promise.all([
        repos.users.findById(attempt.userId),
        repos.attempts.entryOf(attempt.entryId),
      ]);
      const [questions, saved, log, events] = await Promise.all([
        repos.attempts.questions(attemptId),
        repos.attempts.answers(attemptId),
        repos.attempts.answerLog(attemptId),
        repos.audit.list({ targetType: 'attempt', targetId: String(attemptId) }, 1000, 0),
      ]);
      const chosen = new Map(saved.map((a) => [a.questionId, a.optionIds]));
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      return {
        participant: {
          userId: attempt.userId,
          name: entry?.fullName ?? participant?.name ?? '',
          email: participant?.email ?? null,
          fields: entry?.fields ?? {},
        },
        attempt: {
          id: attempt.id,
          roundId: attempt.roundId,
          userId: attempt.userId,
          status: attempt.status,
          seed: attempt.seed,
          startedAt: iso(attempt.startedAt)!,
          deadline: iso(attempt.deadline)!,
          submittedAt: iso(attempt.submittedAt),
          durationMs: attempt.durationMs,
          score: attempt.score,
          maxScore: attempt.maxScore,
          correctCount: attempt.correctCount,
          prediction: attempt.prediction,
          ip: attempt.ip,
          userAgent: attempt.userAgent,
          voidReason: attempt.voidReason,
        },
        questions: questions.map((q) => ({
          position: q.position + 1,
          questionId: q.questionId,
          type: q.snapshot.type,
          stem: q.snapshot.stem,
          points: q.snapshot.points,
          options: q.snapshot.options.map((o) => ({ id: o.id, text: o.text, correct: o.correct })),
          chosen: chosen.get(q.questionId) ?? [],
        })),
        saves: log.map((l) => ({
          questionId: l.questionId,
          optionIds: l.optionIds,
          at: iso(l.savedAt)!,
          ip: l.ip,
          userAgent: l.userAgent,
        })),
        events: events
          .slice()
          .reverse()
          .map((e) => ({
            action: e.action,
            at: iso(e.at)!,
            actorId: e.actorId,
            ip: e.ip,
            userAgent: e.userAgent,
            data: e.data,
          })),
      };
    },

    async results(roundId: number, query: Parameters<Repositories['judging']['results']>[1]) {
      await loadRound(roundId);
      const { total, rows, finalisation } = await repos.judging.results(roundId, query);
      return {
        total,
        finalisation: finalisation
          ? {
              id: finalisation.id,
              hash: finalisation.hash,
              createdAt: new Date(finalisation.createdAt).toISOString(),
              actualValue: finalisation.actualValue,
              boundaryTies: finalisation.boundaryTies,
            }
          : null,
        rows: rows.map((r) => ({
          ...r,
          submittedAt: new Date(r.submittedAt).toISOString(),
        })),
      };
    },
  };
}

export type JudgingService = ReturnType<typeof createJudgingService>;
