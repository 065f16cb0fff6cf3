// Scoring rules (DESIGN.md section 2). Pure functions: no I/O, no clock.

export interface ScorableQuestion {
  type: 'single' | 'multiple' | 'truefalse';
  points: number;
  options: readonly { id: string; correct: boolean }[];
}

export interface QuestionScore {
  points: number;
  /** Fully right (all and only the right options chosen). */
  correct: boolean;
}

/**
 * Single choice and true/false: right or wrong. Multiple response: all-or-nothing, or with
 * partialCredit (right chosen - wrong chosen) / right total of the points, never below zero.
 */
export function scoreQuestion(
  q: ScorableQuestion,
  chosen: readonly string[],
  partialCredit: boolean,
): QuestionScore {
  const picked = new Set(chosen);
  const right = q.options.filter((o) => o.correct);
  const rightPicked = right.filter((o) => picked.has(o.id)).length;
  const wrongPicked = q.options.filter((o) => !o.correct && picked.has(o.id)).length;
  const correct = rightPicked === right.length && wrongPicked === 0 && right.length > 0;
  if (correct) return { points: q.points, correct };
  if (q.type === 'multiple' && partialCredit && right.length > 0) {
    const fraction = Math.max(0, (rightPicked - wrongPicked) / right.length);
    return { points: roundPoints(q.points * fraction), correct };
  }
  return { points: 0, correct };
}

export interface AttemptScore {
  score: number;
  maxScore: number;
  correctCount: number;
  allCorrect: boolean;
}

export function scoreAttempt(
  questions: readonly (ScorableQuestion & { questionId: number })[],
  answers: ReadonlyMap<number, readonly string[]>,
  partialCredit: boolean,
): AttemptScore {
  let score = 0;
  let maxScore = 0;
  let correctCount = 0;
  for (const q of questions) {
    const s = scoreQuestion(q, answers.get(q.questionId) ?? [], partialCredit);
    score += s.points;
    maxScore += q.points;
    if (s.correct) correctCount++;
  }
  return {
    score: roundPoints(score),
    maxScore: roundPoints(maxScore),
    correctCount,
    allCorrect: correctCount === questions.length && questions.length > 0,
  };
}

/** Points are compared at 1/1000 (see ranking-store.ts); keep stored values on that grid. */
export const roundPoints = (p: number): number => Math.round(p * 1000) / 1000;
