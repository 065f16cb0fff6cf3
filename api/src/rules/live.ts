// Rules of live host-paced games (DESIGN.md section 3, docs/api.md "Live games"): speed scoring,
// the streak bonus, nicknames, ranks with ties and team standings. Pure functions: no I/O, no
// clock; the server measures `elapsedMs` on its own clock and passes it in.
import { scoreQuestion, type ScorableQuestion } from './scoring.ts';

/** Points for a right answer given at once; half of it at the last moment. */
export const MAX_POINTS = 1000;
export const STREAK_STEP = 100;
export const STREAK_MAX_STEPS = 5;
export const NICKNAME_MAX = 20;
export const PIN_LENGTH = 6;

/** round(1000 * (1 - t / limit / 2)), t clamped to [0, limit]. */
export function speedPoints(elapsedMs: number, limitMs: number): number {
  const t = Math.min(Math.max(elapsedMs, 0), limitMs);
  return Math.round(MAX_POINTS * (1 - t / limitMs / 2));
}

/** The bonus of a right answer after `streakBefore` right answers in a row: +100 each, at most +500. */
export function streakBonus(streakBefore: number): number {
  return STREAK_STEP * Math.min(Math.max(streakBefore, 0), STREAK_MAX_STEPS);
}

export interface LiveAnswerInput {
  correct: boolean;
  elapsedMs: number;
  limitMs: number;
  /** The player's right answers in a row just before this question. */
  streakBefore: number;
  streakBonus: boolean;
}

export interface LiveAnswerScore {
  points: number;
  /** The player's streak after this answer. */
  streak: number;
}

/** A right answer scores by speed (plus the streak bonus when on); a wrong one 0 and resets the streak. */
export function scoreLiveAnswer(a: LiveAnswerInput): LiveAnswerScore {
  if (!a.correct) return { points: 0, streak: 0 };
  const bonus = a.streakBonus ? streakBonus(a.streakBefore) : 0;
  return { points: speedPoints(a.elapsedMs, a.limitMs) + bonus, streak: a.streakBefore + 1 };
}

/** Exactly the right set of options (multiple response is all-or-nothing in live games). */
export function isRightAnswer(question: ScorableQuestion, chosen: readonly string[]): boolean {
  return scoreQuestion(question, chosen, false).correct;
}

/**
 * A choice is well formed when it names options of the question, none twice, at least one, and
 * exactly one for single choice and true/false.
 */
export function isValidChoice(
  question: Pick<ScorableQuestion, 'type' | 'options'>,
  chosen: readonly string[],
): boolean {
  if (chosen.length === 0) return false;
  if (question.type !== 'multiple' && chosen.length !== 1) return false;
  const ids = new Set(question.options.map((o) => o.id));
  return new Set(chosen).size === chosen.length && chosen.every((id) => ids.has(id));
}

export type NicknameCheck = { ok: true; nickname: string; key: string } | { ok: false };

/**
 * Trimmed, NFC, inner runs of white space folded to one space, 1-20 characters (code points) with
 * no control characters. `key` decides uniqueness in a game: the same nickname in another case is taken.
 */
export function normaliseNickname(raw: string): NicknameCheck {
  const nickname = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const length = [...nickname].length;
  if (length < 1 || length > NICKNAME_MAX || /\p{Cc}|\p{Cf}/u.test(nickname)) return { ok: false };
  return { ok: true, nickname, key: nickname.toLocaleLowerCase('und').normalize('NFC') };
}

/**
 * Sorts by `value` desc and gives competition ranks (1, 2, 2, 4). Within a tie the input order is
 * kept (pass players in join order), so listings are stable.
 */
export function rankBy<T>(rows: readonly T[], value: (row: T) => number): (T & { rank: number })[] {
  const sorted = rows.map((row, i) => ({ row, i, v: value(row) })).sort((a, b) => b.v - a.v || a.i - b.i);
  let rank = 0;
  return sorted.map(({ row, v }, position) => {
    if (position === 0 || v !== sorted[position - 1]!.v) rank = position + 1;
    return { ...row, rank };
  });
}

export const rankByScore = <T extends { score: number }>(rows: readonly T[]) => rankBy(rows, (r) => r.score);

export interface TeamStanding {
  rank: number;
  unit: string;
  players: number;
  score: number;
  average: number;
}

/**
 * Teams (units) rank by the average score of their players, ties sharing a rank; the average is
 * rounded to 0.1. Units nobody joined are listed last with no players (rank after everyone).
 */
export function rankTeams(
  players: readonly { unit: string | null; score: number }[],
  units: readonly string[],
): TeamStanding[] {
  const totals = new Map<string, { players: number; score: number }>(
    units.map((u) => [u, { players: 0, score: 0 }]),
  );
  for (const p of players) {
    if (p.unit === null) continue;
    const t = totals.get(p.unit) ?? { players: 0, score: 0 };
    t.players += 1;
    t.score += p.score;
    totals.set(p.unit, t);
  }
  const rows = [...totals].map(([unit, t]) => ({
    unit,
    players: t.players,
    score: t.score,
    average: t.players === 0 ? 0 : Math.round((t.score / t.players) * 10) / 10,
  }));
  const joined = rankBy(
    rows.filter((r) => r.players > 0),
    (r) => r.average,
  );
  const empty = rows.filter((r) => r.players === 0).map((r) => ({ ...r, rank: joined.length + 1 }));
  return [...joined, ...empty];
}

/** A six-digit PIN (100000-999999) from a uniform random source in [0, 1). */
export function generatePin(random: () => number): string {
  return String(100000 + Math.floor(random() * 900000));
}
