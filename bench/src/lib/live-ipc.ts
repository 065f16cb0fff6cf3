// What the live-game benchmark's parent (live.bench.ts) and its player processes (live-players.ts)
// tell each other over the child_process IPC channel, and the frames of the live WebSocket they
// read (docs/api.md "Live games": only the fields the bench uses).
//
// One clock for every process: `clock()` = performance.timeOrigin + performance.now(), wall-clock
// milliseconds with sub-millisecond resolution that only move forward within a process. The parent
// takes it when the host sends a command, a player process when a frame arrives; both run on this
// machine, so the difference is the delivery time (to within the processes' timeOrigin skew, a
// fraction of a millisecond).

export const clock = (): number => performance.timeOrigin + performance.now();

export interface JoinConfig {
  type: 'join';
  /** Which player process this is (nicknames are `p<worker>-<i>`). */
  worker: number;
  port: number;
  pin: string;
  count: number;
  /** Sockets being opened and joined at once, in this process. */
  concurrency: number;
  /** Give up on a join (connect + `joined`) after this long. */
  joinTimeoutMs: number;
  /** Answers are sent at opensAt + a uniform random delay in [0, answerWindowMs). */
  answerWindowMs: number;
  /** A question's delivery is reported this long after its first frame even if players are missing. */
  deliveryTimeoutMs: number;
  /** Answers and results are reported at the latest this long after closesAt. */
  answerGraceMs: number;
}

export type ParentMessage =
  | JoinConfig
  /** Report how many players saw `ended` (waits for them at most `timeoutMs`). */
  | { type: 'finish'; timeoutMs: number }
  /** Close every socket and exit. */
  | { type: 'quit' };

/** Sent once the process listens on the channel (messages sent before that would be lost). */
export interface ReadyReport {
  type: 'ready';
}

export interface JoinReport {
  type: 'joined';
  worker: number;
  joined: number;
  /** Failed joins by error code (`NICKNAME_TAKEN`, `timeout`, `ECONNRESET`, ...). */
  failed: Record<string, number>;
  /** Per joined player: from opening its socket to its `joined` frame (ms). */
  joinMs: number[];
  startedAt: number;
  endedAt: number;
}

export interface DeliveryReport {
  type: 'delivery';
  worker: number;
  index: number;
  /** clock() at which each player's `question` frame arrived; null for a player that had none. */
  arrivals: (number | null)[];
  /** Question frames carrying `correct` or `correctOptionIds` (the key must not leave before the reveal). */
  keyLeaks: number;
}

export interface AnswersReport {
  type: 'answers';
  worker: number;
  index: number;
  sent: number;
  acked: number;
  /** Refusals of sent answers by code (`TIME_UP`, ...). */
  refused: Record<string, number>;
  /** Sent answers that got neither `answered` nor an error before the report. */
  noReply: number;
  /** Per acknowledged answer: from sending it to its `answered` frame (ms). */
  ackMs: number[];
  firstSentAt: number | null;
  lastAckAt: number | null;
  /** clock() of each player's `result` frame (null: none). */
  results: (number | null)[];
  /** Result frames whose `correctOptionIds` differ between players (they must all agree). */
  resultMismatches: number;
}

export interface FinishReport {
  type: 'finished';
  worker: number;
  /** Players that received `ended`. */
  ended: number;
  /** Sum of the players' own `score` in their `ended` frames. */
  scoreSum: number;
  /** Sockets that closed before `quit` (server side or network). */
  closedEarly: number;
  /** Error frames not attributable to an answer, by code. */
  otherErrors: Record<string, number>;
}

export type PlayersMessage = ReadyReport | JoinReport | DeliveryReport | AnswersReport | FinishReport;

// ---------------------------------------------------------------------------------------------
// Server frames (the subset the bench reads).
// ---------------------------------------------------------------------------------------------

export interface QuestionFrame {
  type: 'question';
  index: number;
  total: number;
  kind: string;
  options: { id: string; text: string; correct?: unknown }[];
  opensAt: string;
  closesAt: string;
  now: string;
  correctOptionIds?: unknown;
}

export type ServerFrame =
  | { type: 'joined'; player: { id: string | number; nickname: string; score: number; token: string } }
  | { type: 'game'; game: { id: number; status: string; phase: string; index: number; playerCount: number } }
  | { type: 'lobby'; count: number; locked: boolean }
  | QuestionFrame
  | { type: 'count'; index: number; answered: number; players: number }
  | { type: 'answered'; index: number }
  | { type: 'reveal'; index: number; total: number; answered: number; players: number; last: boolean }
  | {
      type: 'result';
      index: number;
      correctOptionIds: string[];
      correct: boolean;
      points: number;
      score: number;
      rank: number;
    }
  | { type: 'skipped'; index: number }
  | { type: 'ended'; players: number; rank?: number; score?: number }
  | { type: 'kicked' }
  | { type: 'pong'; now: string }
  | { type: 'error'; code: string; message: string };

/** Parses a frame; null for anything that is not a JSON object with a string `type`. */
export function parseFrame(data: unknown): ServerFrame | null {
  try {
    const text =
      typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    if (typeof (value as { type?: unknown }).type !== 'string') return null;
    return value as ServerFrame;
  } catch {
    return null;
  }
}
