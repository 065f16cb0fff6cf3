// In-process RankingStore, used when REDIS_URL is not set. Each board is an indexable skip list
// (forward pointers carry span counts, as in Redis's zset), so upsert, remove, rank and the start
// of a page are O(log n) and a page costs O(log n + limit). A Map from participantId to node finds
// a participant's current key without a search.
//
// Scores are kept (and returned) at 1/1000 of a point, the precision they are compared at, so
// that this store and the Redis store return the same figures for the same input.

import type { LeaderboardEntry, LeaderboardPage, RankedResult, RankingStore } from './ranking-store.ts';
import { assertPageArgs, assertRankable, scoreMillis } from './ranking-store.ts';

const MAX_LEVEL = 32;
const P = 0.5; // measured faster than Redis's 0.25 here: fewer steps per level, memory is no concern

interface SkipNode {
  /** Score in thousandths; the sort key is (sm desc, d asc, t asc, pid asc). */
  sm: number;
  d: number;
  t: number;
  pid: number;
  result: RankedResult;
  next: (SkipNode | null)[];
  /** span[i]: how many level-0 steps next[i] jumps (to the end of the list when next[i] is null). */
  span: number[];
}

function makeNode(level: number, result: RankedResult | null): SkipNode {
  const r = result ?? { participantId: -1, score: 0, durationMs: 0, submittedAt: 0, name: '', unit: null };
  // Filled by push so V8 keeps them packed (new Array(n) would make holey, slower arrays).
  const next: (SkipNode | null)[] = [];
  const span: number[] = [];
  for (let i = 0; i < level; i++) {
    next.push(null);
    span.push(0);
  }
  return {
    sm: scoreMillis(r.score),
    d: r.durationMs,
    t: r.submittedAt,
    pid: r.participantId,
    result: r,
    next,
    span,
  };
}

/** True when node n sorts strictly before the key (sm, d, t, pid). */
function before(n: SkipNode, sm: number, d: number, t: number, pid: number): boolean {
  if (n.sm !== sm) return n.sm > sm;
  if (n.d !== d) return n.d < d;
  if (n.t !== t) return n.t < t;
  return n.pid < pid;
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

class SkipList {
  readonly head = makeNode(MAX_LEVEL, null);
  level = 1;
  length = 0;
  // Scratch arrays reused by insert/delete: no allocation on the hot path besides the node.
  private readonly update = new Array<SkipNode>(MAX_LEVEL).fill(this.head);
  private readonly rank = new Array<number>(MAX_LEVEL).fill(0);

  insert(result: RankedResult): SkipNode {
    const sm = scoreMillis(result.score);
    const { durationMs: d, submittedAt: t, participantId: pid } = result;
    const { update, rank } = this;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let nx = x.next[i];
      while (nx !== null && before(nx, sm, d, t, pid)) {
        rank[i] += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.length;
      }
      this.level = level;
    }
    const node = makeNode(level, result);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.next[i] = u.next[i];
      u.next[i] = node;
      node.span[i] = u.span[i] - (rank[0] - rank[i]);
      u.span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    this.length++;
    return node;
  }

  delete(node: SkipNode): void {
    const { sm, d, t, pid } = node;
    const { update } = this;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && before(nx, sm, d, t, pid)) {
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    if (x.next[0] !== node) throw new Error('skip list corrupted: node not found');
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.next[i] === node) {
        u.span[i] += node.span[i] - 1;
        u.next[i] = node.next[i];
      } else {
        u.span[i]--;
      }
    }
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
    this.length--;
  }

  /** Number of nodes sorting strictly before the key (sm, d, t, pid). */
  countBefore(sm: number, d: number, t: number, pid: number): number {
    let x = this.head;
    let count = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && before(nx, sm, d, t, pid)) {
        count += x.span[i];
        x = nx;
        nx = x.next[i];
      }
    }
    return count;
  }

  /** The node at 0-based position index, or null past the end. */
  at(index: number): SkipNode | null {
    if (index < 0 || index >= this.length) return null;
    const target = index + 1;
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && traversed + x.span[i] <= target) {
        traversed += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** Competition rank: 1 + the number of nodes strictly better on (score, duration, submittedAt). */
  rankOf(n: SkipNode): number {
    return 1 + this.countBefore(n.sm, n.d, n.t, Number.NEGATIVE_INFINITY);
  }
}

interface Board {
  list: SkipList;
  byParticipant: Map<number, SkipNode>;
}

const newBoard = (): Board => ({ list: new SkipList(), byParticipant: new Map() });

/** A copy of the result with the score at the precision it is ranked at. */
function normalise(r: RankedResult): RankedResult {
  return {
    participantId: r.participantId,
    score: scoreMillis(r.score) / 1000,
    durationMs: r.durationMs,
    submittedAt: r.submittedAt,
    name: r.name,
    unit: r.unit,
  };
}

const sameKey = (n: SkipNode, r: RankedResult): boolean =>
  n.sm === scoreMillis(r.score) && n.d === r.durationMs && n.t === r.submittedAt;

// A literal rather than a spread: pages build many of these and V8 makes literals much faster.
const entry = ({ result: r }: SkipNode, rank: number): LeaderboardEntry => ({
  participantId: r.participantId,
  score: r.score,
  durationMs: r.durationMs,
  submittedAt: r.submittedAt,
  name: r.name,
  unit: r.unit,
  rank,
});

function put(board: Board, result: RankedResult): void {
  const r = normalise(result);
  const old = board.byParticipant.get(r.participantId);
  if (old !== undefined) {
    if (sameKey(old, r)) {
      old.result = r; // same place in the order: only the display fields may have changed
      return;
    }
    board.list.delete(old);
  }
  board.byParticipant.set(r.participantId, board.list.insert(r));
}

export class MemoryRankingStore implements RankingStore {
  private readonly boards = new Map<string, Board>();

  async upsert(board: string, result: RankedResult): Promise<void> {
    assertRankable(result);
    let b = this.boards.get(board);
    if (b === undefined) {
      b = newBoard();
      this.boards.set(board, b);
    }
    put(b, result);
  }

  async remove(board: string, participantId: number): Promise<void> {
    const b = this.boards.get(board);
    const node = b?.byParticipant.get(participantId);
    if (b === undefined || node === undefined) return;
    b.list.delete(node);
    b.byParticipant.delete(participantId);
    if (b.list.length === 0) this.boards.delete(board);
  }

  async page(board: string, limit: number, offset: number): Promise<LeaderboardPage> {
    assertPageArgs(limit, offset);
    const b = this.boards.get(board);
    if (b === undefined) return { total: 0, entries: [] };
    const entries: LeaderboardEntry[] = [];
    let node = limit > 0 ? b.list.at(offset) : null;
    if (node === null) return { total: b.list.length, entries };
    let rank = b.list.rankOf(node); // the page may start in the middle of a tie
    let prev = node;
    for (let i = 0; node !== null && i < limit; i++) {
      if (i > 0 && !sameKey(prev, node.result)) rank = offset + i + 1;
      entries.push(entry(node, rank));
      prev = node;
      node = node.next[0];
    }
    return { total: b.list.length, entries };
  }

  async entryOf(board: string, participantId: number): Promise<LeaderboardEntry | null> {
    const b = this.boards.get(board);
    const node = b?.byParticipant.get(participantId);
    if (b === undefined || node === undefined) return null;
    return entry(node, b.list.rankOf(node));
  }

  async count(board: string): Promise<number> {
    return this.boards.get(board)?.list.length ?? 0;
  }

  async replaceAll(board: string, results: Iterable<RankedResult>): Promise<void> {
    // Build aside and swap, so a failure (an invalid result) leaves the old board untouched.
    const b = newBoard();
    for (const r of results) {
      assertRankable(r);
      put(b, r);
    }
    if (b.list.length === 0) this.boards.delete(board);
    else this.boards.set(board, b);
  }

  private version: string | null = null;
  private locked = false;

  async builtVersion(): Promise<string | null> {
    return this.version;
  }

  async markBuilt(version: string): Promise<void> {
    this.version = version;
  }

  /** One process holds this store, so the lock only keeps two rebuilds of this process apart. */
  async lockRebuild(): Promise<(() => Promise<void>) | null> {
    if (this.locked) return null;
    this.locked = true;
    return async () => {
      this.locked = false;
    };
  }

  async close(): Promise<void> {
    this.boards.clear();
    this.version = null;
  }
}
