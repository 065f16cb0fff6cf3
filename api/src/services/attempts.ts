// Timed attempts (DESIGN.md section 2): server-side draw with a recorded seed, snapshots of every
// question as shown, durable answer saves, deadlines on the server clock with a grace period,
// lazy and swept expiry, scoring, and the counted result fed to the rankings.
import { randomBytes } from 'node:crypto';
import type {
  AttemptQuestionRow,
  AttemptRow,
  QuestionSnapshot,
  Repositories,
  RoundRow,
  UserRow,
} from '@quizarena/db';
import type { FastifyBaseLogger } from 'fastify';
import { badRequest, conflict, forbidden, notFound } from '../errors.ts';
import { roundWithContest } from './lookups.ts';
import type { RequestMeta } from '../request-meta.ts';
import { arrangeAttempt, drawQuestions, DrawUnsatisfiableError } from '../rules/draw.ts';
import { scoreAttempt, scoreQuestion } from '../rules/scoring.ts';
import type { RankingService } from './rankings.ts';

export type { RequestMeta } from '../request-meta.ts';

export type RoundState = 'upcoming' | 'open' | 'closed';

export const roundState = (round: Pick<RoundRow, 'opensAt' | 'closesAt'>, now: number): RoundState =>
  now < round.opensAt ? 'upcoming' : now >= round.closesAt ? 'closed' : 'open';

/** Whether answers (or the leaderboard) may be shown to participants now. */
export const visibleNow = (
  when: RoundRow['showAnswers'],
  round: Pick<RoundRow, 'closesAt'>,
  now: number,
): boolean => when === 'immediately' || (when === 'after_close' && now >= round.closesAt);

const FINAL = new Set(['submitted', 'expired', 'voided']);

export interface AttemptViewQuestion {
  id: number;
  type: QuestionSnapshot['type'];
  stem: string;
  points: number;
  options: { id: string; text: string }[];
  correctOptionIds?: string[];
  explanation?: string | null;
  correct?: boolean;
}

export function createAttemptService(deps: {
  repos: Repositories;
  rankings: RankingService;
  now: () => number;
  graceMs: number;
  log: FastifyBaseLogger;
}) {
  const { repos, rankings, now, graceMs, log } = deps;

  const loadRound = (roundId: number) => roundWithContest(repos, roundId);

  /** The attempt when it belongs to `user`; someone else's reads as unknown. */
  const ownAttempt = async (attemptId: number, user: UserRow): Promise<AttemptRow> => {
    const attempt = await repos.attempts.get(attemptId);
    if (!attempt || attempt.userId !== user.id) throw notFound('ATTEMPT_NOT_FOUND', 'No such attempt');
    return attempt;
  };

  const overdue = (attempt: Pick<AttemptRow, 'deadline'>, t: number) => t > attempt.deadline + graceMs;

  /**
   * What an answer save checks, per attempt in progress: owner, deadline, and each question's type
   * and option ids. Saves were spending a third of their time re-reading these. A stale entry is
   * harmless: the writer re-checks inside its transaction that the attempt is still in progress.
   */
  interface OpenAttempt {
    userId: number;
    deadline: number;
    questions: Map<number, { type: QuestionSnapshot['type']; optionIds: Set<string> }>;
  }
  const openAttempts = new Map<number, OpenAttempt>();
  const OPEN_ATTEMPTS_MAX = 100_000;
  const openAttempt = async (attemptId: number, user: UserRow): Promise<OpenAttempt> => {
    const hit = openAttempts.get(attemptId);
    if (hit) {
      if (hit.userId !== user.id) throw notFound('ATTEMPT_NOT_FOUND', 'No such attempt');
      return hit;
    }
    const attempt = await ownAttempt(attemptId, user);
    if (attempt.status !== 'in_progress') throw conflict('ATTEMPT_CLOSED', 'This attempt is closed');
    const rows = await repos.attempts.questions(attemptId);
    const entry: OpenAttempt = {
      userId: attempt.userId,
      deadline: attempt.deadline,
      questions: new Map(
        rows.map((q) => [
          q.questionId,
          { type: q.snapshot.type, optionIds: new Set(q.snapshot.options.map((o) => o.id)) },
        ]),
      ),
    };
    if (openAttempts.size >= OPEN_ATTEMPTS_MAX) openAttempts.delete(openAttempts.keys().next().value!);
    openAttempts.set(attemptId, entry);
    return entry;
  };

  /** Finalises an attempt (submit or expiry) and updates the rankings. Null if already final. */
  const finalise = async (
    attempt: AttemptRow,
    round: RoundRow,
    kind: { status: 'submitted'; at: number; prediction: number | null } | { status: 'expired' },
    meta: RequestMeta = { ip: null, userAgent: null },
  ) => {
    // Saves acknowledged before this point are committed before the answers are read.
    await repos.answerWriter.flush();
    const outcome = await repos.attempts.finalise(
      attempt.id,
      (current, questionRows, saved) => {
        const scored = scoreAttempt(
          questionRows.map((q) => ({ ...q.snapshot, questionId: q.questionId })),
          saved,
          round.partialCredit,
        );
        const end = kind.status === 'submitted' ? Math.min(kind.at, current.deadline) : current.deadline;
        return {
          status: kind.status,
          submittedAt: kind.status === 'submitted' ? kind.at : current.deadline,
          durationMs: end - current.startedAt,
          score: scored.score,
          correctCount: scored.correctCount,
          allCorrect: scored.allCorrect,
          prediction: kind.status === 'submitted' ? kind.prediction : current.prediction,
        };
      },
      meta,
    );
    openAttempts.delete(attempt.id);
    repos.answerWriter.forget(attempt.id);
    if (!outcome) return null;
    const entry = await repos.contests.entry(round.contestId, attempt.userId);
    await rankings.apply(round.id, attempt.userId, entry?.groupKey ?? null, outcome.counted);
    return outcome.attempt;
  };

  /** Expires the attempt when its deadline and grace have passed; returns the fresh row. */
  const settle = async (attempt: AttemptRow, round?: RoundRow): Promise<AttemptRow> => {
    if (attempt.status !== 'in_progress' || !overdue(attempt, now())) return attempt;
    const r = round ?? (await loadRound(attempt.roundId)).round;
    await finalise(attempt, r, { status: 'expired' });
    return (await repos.attempts.get(attempt.id)) ?? attempt;
  };

  const validatePrediction = (round: RoundRow, value: number): void => {
    if (round.predictionKind === 'count') {
      if (!Number.isInteger(value) || value < 0 || value > 1e9) {
        throw badRequest('BAD_PREDICTION', 'The prediction must be a whole number of participants');
      }
    } else if (round.predictionKind === 'percent') {
      const fiveDecimals = Math.abs(value * 1e5 - Math.round(value * 1e5)) < 1e-6;
      if (value < 0 || value > 100 || !fiveDecimals) {
        throw badRequest(
          'BAD_PREDICTION',
          'The prediction must be a percentage from 0 to 100 with at most 5 decimals',
        );
      }
    } else {
      throw badRequest('NO_PREDICTION', 'This round has no prediction question');
    }
  };

  const view = async (attempt: AttemptRow, round: RoundRow) => {
    const t = now();
    const [questionRows, saved] = await Promise.all([
      repos.attempts.questions(attempt.id),
      repos.attempts.answers(attempt.id),
    ]);
    const final = FINAL.has(attempt.status);
    const reveal = final && attempt.status !== 'voided' && visibleNow(round.showAnswers, round, t);
    const chosen = new Map(saved.map((a) => [a.questionId, a.optionIds]));
    return {
      id: attempt.id,
      roundId: attempt.roundId,
      status: attempt.status,
      startedAt: new Date(attempt.startedAt).toISOString(),
      deadline: new Date(attempt.deadline).toISOString(),
      now: new Date(t).toISOString(),
      questions: questionRows.map((q: AttemptQuestionRow): AttemptViewQuestion => {
        const s = q.snapshot;
        const base: AttemptViewQuestion = {
          id: q.questionId,
          type: s.type,
          stem: s.stem,
          points: s.points,
          options: s.options.map((o) => ({ id: o.id, text: o.text })),
        };
        if (!reveal) return base;
        return {
          ...base,
          correctOptionIds: s.options.filter((o) => o.correct).map((o) => o.id),
          explanation: s.explanation,
          correct: scoreQuestion(s, chosen.get(q.questionId) ?? [], false).correct,
        };
      }),
      answers: saved.map((a) => ({ questionId: a.questionId, optionIds: a.optionIds })),
      prediction: attempt.prediction,
      result: final
        ? {
            score: attempt.score ?? 0,
            maxScore: attempt.maxScore,
            correctCount: attempt.correctCount ?? 0,
            durationMs: attempt.durationMs ?? 0,
            submittedAt: new Date(attempt.submittedAt ?? attempt.deadline).toISOString(),
          }
        : null,
    };
  };

  return {
    roundState,
    settle,

    async start(roundId: number, user: UserRow, meta: RequestMeta) {
      const { round, contest } = await loadRound(roundId);
      const t = now();
      if (contest.status !== 'published' || roundState(round, t) !== 'open') {
        throw conflict('ROUND_NOT_OPEN', 'This round is not open');
      }
      const entry = await repos.contests.entry(contest.id, user.id);
      if (!entry) throw forbidden('NOT_ENTERED', 'Register for the contest before taking a round');

      // An overdue attempt in progress is finalised first, so it no longer blocks a new one.
      for (const a of await repos.attempts.ofParticipant(roundId, user.id)) {
        if (a.status === 'in_progress') await settle(a, round);
      }

      const seed = randomBytes(16).toString('hex');
      const pools = await Promise.all(
        round.draw.map(async (rule) => ({
          candidates: await repos.banks.candidateIds(rule),
          count: rule.count,
        })),
      );
      let drawn: number[];
      try {
        drawn = drawQuestions(pools, seed);
      } catch (err) {
        if (err instanceof DrawUnsatisfiableError) {
          log.error({ roundId, err: err.message }, 'draw unsatisfiable at attempt start');
          throw conflict(
            'DRAW_UNSATISFIABLE',
            'This round cannot draw its questions; the organisers have been told',
          );
        }
        throw err;
      }
      const rows = new Map((await repos.banks.questionsByIds(drawn)).map((q) => [q.id, q]));
      const ordered = drawn.map((id) => rows.get(id)!);
      const arrangement = arrangeAttempt(
        ordered.map((q) => ({ id: q.id, type: q.type, optionIds: q.options.map((o) => o.id) })),
        seed,
        round,
      );
      const questionRows = arrangement.map((a, position) => {
        const q = rows.get(a.questionId)!;
        const byId = new Map(q.options.map((o) => [o.id, o]));
        const snapshot: QuestionSnapshot = {
          questionId: q.id,
          type: q.type,
          stem: q.stem,
          options: a.optionIds.map((id) => byId.get(id)!),
          points: q.points,
          explanation: q.explanation,
        };
        return { position, questionId: q.id, snapshot };
      });
      const outcome = await repos.attempts.start(
        {
          roundId,
          userId: user.id,
          entryId: entry.id,
          seed,
          startedAt: t,
          deadline: Math.min(t + round.timeLimitSec * 1000, round.closesAt),
          maxScore: questionRows.reduce((s, q) => s + q.snapshot.points, 0),
          ip: meta.ip,
          userAgent: meta.userAgent,
        },
        round.maxAttempts,
        questionRows,
      );
      if (!outcome.ok) {
        if (outcome.reason === 'in_progress') {
          throw conflict('ATTEMPT_IN_PROGRESS', 'You already have an attempt in progress in this round', {
            attemptId: outcome.attemptId,
          });
        }
        throw conflict('ATTEMPT_LIMIT', `This round allows ${round.maxAttempts} attempt(s)`);
      }
      return view(outcome.attempt, round);
    },

    async get(attemptId: number, user: UserRow) {
      const attempt = await ownAttempt(attemptId, user);
      const { round } = await loadRound(attempt.roundId);
      return view(await settle(attempt, round), round);
    },

    async saveAnswer(
      attemptId: number,
      questionId: number,
      optionIds: string[],
      user: UserRow,
      meta: RequestMeta,
    ) {
      const open = await openAttempt(attemptId, user);
      const t = now();
      if (overdue(open, t)) {
        openAttempts.delete(attemptId);
        const attempt = await repos.attempts.get(attemptId);
        if (attempt) await settle(attempt);
        throw conflict('ATTEMPT_CLOSED', 'The time for this attempt is over');
      }
      const q = open.questions.get(questionId);
      if (!q) throw notFound('UNKNOWN_QUESTION', 'This question is not part of the attempt');
      const unique = [...new Set(optionIds)];
      if (unique.length !== optionIds.length || unique.some((id) => !q.optionIds.has(id))) {
        throw badRequest('BAD_OPTION', 'An option id does not belong to this question');
      }
      if (q.type !== 'multiple' && unique.length > 1) {
        throw badRequest('BAD_OPTION', 'This question takes a single option');
      }
      const ok = await repos.answerWriter.save({
        attemptId,
        questionId,
        optionIds: unique,
        savedAt: t,
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      if (!ok) {
        openAttempts.delete(attemptId);
        throw conflict('ATTEMPT_CLOSED', 'This attempt is closed');
      }
      return { questionId, optionIds: unique, savedAt: new Date(t).toISOString() };
    },

    async setPrediction(attemptId: number, value: number, user: UserRow) {
      const attempt = await ownAttempt(attemptId, user);
      const { round } = await loadRound(attempt.roundId);
      if (attempt.status !== 'in_progress' || overdue(attempt, now())) {
        await settle(attempt, round);
        throw conflict('ATTEMPT_CLOSED', 'This attempt is closed');
      }
      validatePrediction(round, value);
      if (!(await repos.attempts.setPrediction(attemptId, value))) {
        throw conflict('ATTEMPT_CLOSED', 'This attempt is closed');
      }
      return { prediction: value };
    },

    async submit(attemptId: number, prediction: number | undefined, user: UserRow, meta?: RequestMeta) {
      const attempt = await ownAttempt(attemptId, user);
      const { round } = await loadRound(attempt.roundId);
      const t = now();
      if (attempt.status !== 'in_progress') throw conflict('ATTEMPT_CLOSED', 'This attempt is already final');
      if (overdue(attempt, t)) {
        await settle(attempt, round);
        throw conflict(
          'ATTEMPT_CLOSED',
          'The time for this attempt is over; it was submitted with the answers saved',
        );
      }
      let value: number | null = prediction ?? attempt.prediction;
      if (round.predictionKind) {
        // Before the deadline the prediction is required; the client's automatic submission at
        // zero is taken without one (the attempt then ranks after every prediction on ties).
        if (value === null && t < attempt.deadline) {
          throw badRequest('PREDICTION_REQUIRED', 'Answer the prediction question before submitting');
        }
        if (value !== null) validatePrediction(round, value);
      } else if (prediction !== undefined) {
        throw badRequest('NO_PREDICTION', 'This round has no prediction question');
      } else {
        value = null;
      }
      const final = await finalise(attempt, round, { status: 'submitted', at: t, prediction: value }, meta);
      if (!final) throw conflict('ATTEMPT_CLOSED', 'This attempt is already final');
      return {
        id: final.id,
        status: final.status,
        score: final.score ?? 0,
        maxScore: final.maxScore,
        correctCount: final.correctCount ?? 0,
        durationMs: final.durationMs ?? 0,
        submittedAt: new Date(final.submittedAt ?? t).toISOString(),
      };
    },

    /** Finalises every attempt past its deadline and grace (the sweeper). */
    async sweep(): Promise<number> {
      let done = 0;
      for (;;) {
        const ids = await repos.attempts.overdue(now() - graceMs, 200);
        if (ids.length === 0) return done;
        for (const id of ids) {
          const attempt = await repos.attempts.get(id);
          if (attempt) {
            await settle(attempt);
            done++;
          }
        }
      }
    },

    /** The participant's standing in a round, for the round card. */
    async mine(round: RoundRow, user: UserRow) {
      const list = await repos.attempts.ofParticipant(round.id, user.id);
      const inProgress = list.find((a) => a.status === 'in_progress' && !overdue(a, now()));
      const result = await repos.attempts.result(round.id, user.id);
      const best = result ? list.find((a) => a.id === result.attemptId) : undefined;
      return {
        attemptsUsed: list.length,
        attemptsLeft: Math.max(0, round.maxAttempts - list.length),
        inProgressAttemptId: inProgress?.id ?? null,
        best: best
          ? {
              attemptId: best.id,
              score: best.score ?? 0,
              maxScore: best.maxScore,
              correctCount: best.correctCount ?? 0,
              durationMs: best.durationMs ?? 0,
            }
          : null,
      };
    },
  };
}

export type AttemptService = ReturnType<typeof createAttemptService>;
