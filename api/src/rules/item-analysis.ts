// Classical item analysis of a round's questions over the counted attempts (one per participant).
// Facility = share of responses fully right. Discrimination (Kelley's upper-lower index) =
// facility among the top 27% of attempts by score minus facility among the bottom 27%. Flags point
// judges at questions to re-read: a negative index, and a possible miskey when the strongest
// participants chose one wrong option more often than the keyed one. Pure: no I/O.
//
// Built as an accumulator so that a service can feed 100,000 attempts page by page without
// holding them: memory is O(questions x options).

/** The share of attempts in each extreme group (Kelley, 1939). */
export const EXTREME_SHARE = 0.27;

export type Band = 'top' | 'middle' | 'bottom';
export type ItemFlag = 'negative_discrimination' | 'possible_miskey';

export interface ItemOption {
  id: string;
  text: string;
  correct: boolean;
}

export interface ItemQuestion {
  questionId: number;
  type: string;
  stem: string;
  options: readonly ItemOption[];
}

export interface ItemResponse {
  band: Band;
  /** The question as this attempt showed it (its own key decides whether the choice is right). */
  question: ItemQuestion;
  /** 0-based place of the question in the attempt. */
  position: number;
  /** Option ids chosen; null or empty: not answered. */
  chosen: readonly string[] | null;
}

export interface GroupStats {
  responses: number;
  correct: number;
  /** correct / responses, null without responses. */
  facility: number | null;
}

export interface OptionStats extends ItemOption {
  chosen: number;
  chosenTop: number;
  chosenBottom: number;
}

export interface ItemStats {
  questionId: number;
  type: string;
  stem: string;
  responses: number;
  correct: number;
  facility: number | null;
  unanswered: number;
  top: GroupStats;
  bottom: GroupStats;
  /** top facility - bottom facility; null when either group never saw the question. */
  discrimination: number | null;
  options: OptionStats[];
  flags: ItemFlag[];
}

/**
 * How many attempts form each extreme group: 27% of n, rounded, at least 1 once there are two
 * attempts, and never so many that the groups overlap.
 */
export function extremeGroupSize(n: number, share = EXTREME_SHARE): number {
  if (n < 2) return 0;
  return Math.min(Math.floor(n / 2), Math.max(1, Math.round(n * share)));
}

/** The band of the attempt at `index` (0 = best) of `n` attempts ordered by score desc. */
export function bandOf(index: number, n: number, k = extremeGroupSize(n)): Band {
  if (index < k) return 'top';
  if (index >= n - k) return 'bottom';
  return 'middle';
}

/** Right when all the keyed options and only those were chosen (as scoring says). */
export function isCorrect(options: readonly ItemOption[], chosen: readonly string[] | null): boolean {
  const picked = new Set(chosen ?? []);
  const keyed = options.filter((o) => o.correct);
  return (
    keyed.length > 0 &&
    keyed.every((o) => picked.has(o.id)) &&
    options.every((o) => o.correct || !picked.has(o.id))
  );
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const share = (part: number, whole: number): number | null => (whole === 0 ? null : round4(part / whole));

interface Tally {
  questionId: number;
  type: string;
  stem: string;
  firstPosition: number;
  options: Map<string, OptionStats>;
  responses: number;
  correct: number;
  unanswered: number;
  top: { responses: number; correct: number };
  bottom: { responses: number; correct: number };
}

export function createItemAnalysis() {
  const tallies = new Map<number, Tally>();

  return {
    add(r: ItemResponse): void {
      const q = r.question;
      let t = tallies.get(q.questionId);
      if (!t) {
        t = {
          questionId: q.questionId,
          type: q.type,
          stem: q.stem,
          firstPosition: r.position,
          options: new Map(),
          responses: 0,
          correct: 0,
          unanswered: 0,
          top: { responses: 0, correct: 0 },
          bottom: { responses: 0, correct: 0 },
        };
        tallies.set(q.questionId, t);
      }
      t.firstPosition = Math.min(t.firstPosition, r.position);
      for (const o of q.options) {
        if (!t.options.has(o.id)) t.options.set(o.id, { ...o, chosen: 0, chosenTop: 0, chosenBottom: 0 });
      }
      const right = isCorrect(q.options, r.chosen);
      t.responses++;
      if (right) t.correct++;
      if (!r.chosen || r.chosen.length === 0) t.unanswered++;
      const group = r.band === 'top' ? t.top : r.band === 'bottom' ? t.bottom : null;
      if (group) {
        group.responses++;
        if (right) group.correct++;
      }
      for (const id of new Set(r.chosen ?? [])) {
        const o = t.options.get(id);
        if (!o) continue;
        o.chosen++;
        if (r.band === 'top') o.chosenTop++;
        if (r.band === 'bottom') o.chosenBottom++;
      }
    },

    /** Per question, in the order the questions were shown (first position), then by id. */
    result(): ItemStats[] {
      return [...tallies.values()]
        .sort((a, b) => a.firstPosition - b.firstPosition || a.questionId - b.questionId)
        .map((t): ItemStats => {
          const options = [...t.options.values()];
          const top: GroupStats = { ...t.top, facility: share(t.top.correct, t.top.responses) };
          const bottom: GroupStats = { ...t.bottom, facility: share(t.bottom.correct, t.bottom.responses) };
          const measurable = t.top.responses > 0 && t.bottom.responses > 0;
          const discrimination = measurable
            ? round4(t.top.correct / t.top.responses - t.bottom.correct / t.bottom.responses)
            : null;
          const flags: ItemFlag[] = [];
          // Compared by cross-multiplication: exact, whatever the rounding of the shares.
          if (measurable && t.top.correct * t.bottom.responses < t.bottom.correct * t.top.responses) {
            flags.push('negative_discrimination');
          }
          const keyed = options.filter((o) => o.correct);
          if (t.top.responses > 0 && keyed.length > 0) {
            // For multiple response, "the right one" is the least chosen keyed option.
            const keyedTop = Math.min(...keyed.map((o) => o.chosenTop));
            if (options.some((o) => !o.correct && o.chosenTop > keyedTop)) flags.push('possible_miskey');
          }
          return {
            questionId: t.questionId,
            type: t.type,
            stem: t.stem,
            responses: t.responses,
            correct: t.correct,
            facility: share(t.correct, t.responses),
            unanswered: t.unanswered,
            top,
            bottom,
            discrimination,
            options,
            flags,
          };
        });
    },
  };
}

export interface ScoredAttempt {
  attemptId: number;
  score: number;
  answers: readonly { question: ItemQuestion; position: number; chosen: readonly string[] | null }[];
}

/**
 * One-shot analysis of attempts already in memory: ordered by score desc (ties keep the given
 * order, so pass them in ranking order), split into bands, tallied.
 */
export function analyseItems(attempts: readonly ScoredAttempt[]): ItemStats[] {
  const ordered = attempts.map((a, i) => ({ a, i })).sort((x, y) => y.a.score - x.a.score || x.i - y.i);
  const n = ordered.length;
  const k = extremeGroupSize(n);
  const analysis = createItemAnalysis();
  ordered.forEach(({ a }, index) => {
    const band = bandOf(index, n, k);
    for (const answer of a.answers) analysis.add({ band, ...answer });
  });
  return analysis.result();
}
