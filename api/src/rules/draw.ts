// The draw: which questions an attempt gets. Each rule asks for `count` questions from its pool
// (a bank filtered by tags and difficulty); pools may overlap, and a question is drawn at most
// once. Drawing is a bipartite matching of rule slots to questions (Kuhn's augmenting paths over
// shuffled candidates), so it succeeds for every seed whenever any valid draw exists, and a
// round's draw can be validated once, at creation, by drawing with any seed.
import { seededRandom, shuffled } from './random.ts';

export interface DrawPool {
  /** Question ids matching the rule. */
  candidates: readonly number[];
  count: number;
}

export class DrawUnsatisfiableError extends Error {
  constructor(
    readonly needed: number,
    readonly found: number,
  ) {
    super(`The draw needs ${needed} distinct questions but only ${found} can be drawn`);
  }
}

/**
 * Returns the drawn question ids, grouped by rule in rule order (each group in random order).
 * Throws DrawUnsatisfiableError when the pools cannot supply every slot.
 */
export function drawQuestions(pools: readonly DrawPool[], seed: string): number[] {
  const random = seededRandom(seed);
  const slots: number[][] = [];
  for (const pool of pools) {
    const candidates = shuffled([...new Set(pool.candidates)], random);
    for (let i = 0; i < pool.count; i++) slots.push(candidates);
  }
  const owner = new Map<number, number>(); // question id -> slot index
  const assigned: number[] = new Array<number>(slots.length).fill(-1);

  const tryAssign = (slot: number, seen: Set<number>): boolean => {
    for (const q of slots[slot]!) {
      if (seen.has(q)) continue;
      seen.add(q);
      const holder = owner.get(q);
      if (holder === undefined || tryAssign(holder, seen)) {
        owner.set(q, slot);
        assigned[slot] = q;
        return true;
      }
    }
    return false;
  };

  let matched = 0;
  for (let slot = 0; slot < slots.length; slot++) {
    // Fast path: a free candidate needs no search.
    const free = slots[slot]!.find((q) => !owner.has(q));
    if (free !== undefined) {
      owner.set(free, slot);
      assigned[slot] = free;
      matched++;
    } else if (tryAssign(slot, new Set())) {
      matched++;
    }
  }
  if (matched < slots.length) throw new DrawUnsatisfiableError(slots.length, matched);
  return assigned;
}

/** Question order and per-question option order for an attempt. */
export function arrangeAttempt<Q extends { id: number; type: string; optionIds: readonly string[] }>(
  drawn: readonly Q[],
  seed: string,
  opts: { shuffleQuestions: boolean; shuffleOptions: boolean },
): { questionId: number; optionIds: string[] }[] {
  const random = seededRandom(`${seed}:arrange`);
  const ordered = opts.shuffleQuestions ? shuffled(drawn, random) : drawn.slice();
  return ordered.map((q) => ({
    questionId: q.id,
    // True/false keeps its natural order: "False, True" shuffled reads oddly and helps nobody.
    optionIds:
      opts.shuffleOptions && q.type !== 'truefalse' ? shuffled(q.optionIds, random) : q.optionIds.slice(),
  }));
}
