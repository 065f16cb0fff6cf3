// Live host-paced games (docs/api.md "Live games"): the frames of /api/live/ws, a light check of
// what arrives, the reducers that fold frames into what the phone and the projector show, the
// server-clock estimate and the timing of a question. No Svelte and no DOM here, so that every
// rule is unit-tested under Node (web/test/live-game.test.ts); the sockets that feed these live
// in live-socket.svelte.ts.

export type LiveId = string | number;
export type LiveKind = 'single' | 'multiple' | 'truefalse';
export type LiveStatus = 'lobby' | 'running' | 'ended';
export type LivePhase = 'lobby' | 'question' | 'reveal' | 'ended';

export interface LiveSettings {
  questionTimeSec: number;
  readingTimeSec: number;
  shuffleOptions: boolean;
  streakBonus: boolean;
  teamMode: boolean;
  units: string[];
}

export interface LiveGame {
  id: LiveId;
  title: string;
  status: LiveStatus;
  phase: LivePhase;
  /** The current question, -1 in the lobby. */
  index: number;
  pin: string | null;
  joinPath: string | null;
  bankId: LiveId;
  questionCount: number;
  playerCount: number;
  locked: boolean;
  settings: LiveSettings;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface LiveEntry {
  rank: number;
  playerId: LiveId;
  nickname: string;
  unit: string | null;
  score: number;
}

export interface LiveTeam {
  rank: number;
  unit: string;
  players: number;
  score: number;
  average: number;
}

export interface LiveOption {
  id: string;
  text: string;
}

export interface JoinedPlayer {
  id: LiveId;
  nickname: string;
  unit: string | null;
  score: number;
  token: string;
}

export interface QuestionFrame {
  type: 'question';
  index: number;
  total: number;
  kind: LiveKind;
  stem: string;
  options: LiveOption[];
  opensAt: string;
  closesAt: string;
  now: string;
  readingMs: number;
  limitMs: number;
  answered?: boolean;
}

export interface LobbyFrame {
  type: 'lobby';
  count: number;
  locked: boolean;
  players: { id: LiveId; nickname: string; unit: string | null }[];
}

export interface RevealFrame {
  type: 'reveal';
  index: number;
  total: number;
  correctOptionIds: string[];
  distribution: { optionId: string; count: number }[];
  answered: number;
  correct: number;
  players: number;
  top: LiveEntry[];
  teams: LiveTeam[] | null;
  last: boolean;
}

export interface ResultFrame {
  type: 'result';
  index: number;
  total: number;
  correctOptionIds: string[];
  chosen: string[] | null;
  correct: boolean;
  points: number;
  streak: number;
  score: number;
  rank: number;
  players: number;
  last: boolean;
}

export interface EndedFrame {
  type: 'ended';
  podium: LiveEntry[];
  top: LiveEntry[];
  teams: LiveTeam[] | null;
  players: number;
  rank?: number;
  score?: number;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
}

export type ServerFrame =
  | { type: 'joined'; player: JoinedPlayer }
  | { type: 'game'; game: LiveGame }
  | LobbyFrame
  | QuestionFrame
  | { type: 'count'; index: number; answered: number; players: number }
  | { type: 'answered'; index: number }
  | RevealFrame
  | ResultFrame
  | { type: 'skipped'; index: number }
  | EndedFrame
  | { type: 'kicked' }
  | { type: 'pong'; now: string }
  | ErrorFrame;

export type ClientFrame =
  | { type: 'host'; gameId: LiveId }
  | { type: 'join'; pin: string; nickname: string; unit?: string; token?: string }
  | { type: 'answer'; index: number; optionIds: string[] }
  | { type: 'start' }
  | { type: 'next' }
  | { type: 'skip' }
  | { type: 'end' }
  | { type: 'kick'; playerId: LiveId }
  | { type: 'lock'; locked: boolean }
  | { type: 'ping' };

// ---- checking what arrives -----------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is LiveId => isStr(v) || isNum(v);
const isTime = (v: unknown): v is string => isStr(v) && !Number.isNaN(Date.parse(v));
const arrayOf = (v: unknown, item: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(item);
const isEntry = (v: unknown): boolean =>
  isObj(v) && isNum(v.rank) && isId(v.playerId) && isStr(v.nickname) && isNum(v.score);
const isTeam = (v: unknown): boolean => isObj(v) && isStr(v.unit) && isNum(v.average) && isNum(v.rank);
const isTeams = (v: unknown): boolean => v === null || v === undefined || arrayOf(v, isTeam);
const isOption = (v: unknown): boolean => isObj(v) && isId(v.id) && isStr(v.text);

const checks: Record<ServerFrame['type'], (f: Obj) => boolean> = {
  joined: (f) => isObj(f.player) && isId(f.player.id) && isStr(f.player.nickname) && isStr(f.player.token),
  game: (f) => isObj(f.game) && isId(f.game.id) && isStr(f.game.phase) && isNum(f.game.index),
  lobby: (f) =>
    isNum(f.count) && typeof f.locked === 'boolean' && arrayOf(f.players, (p) => isObj(p) && isId(p.id)),
  question: (f) =>
    isNum(f.index) &&
    isNum(f.total) &&
    isStr(f.stem) &&
    arrayOf(f.options, isOption) &&
    isTime(f.opensAt) &&
    isTime(f.closesAt) &&
    isTime(f.now),
  count: (f) => isNum(f.index) && isNum(f.answered) && isNum(f.players),
  answered: (f) => isNum(f.index),
  reveal: (f) =>
    isNum(f.index) &&
    arrayOf(f.correctOptionIds, isId) &&
    arrayOf(f.distribution, (d) => isObj(d) && isId(d.optionId) && isNum(d.count)) &&
    arrayOf(f.top, isEntry) &&
    isTeams(f.teams),
  result: (f) => isNum(f.index) && arrayOf(f.correctOptionIds, isId) && isNum(f.score) && isNum(f.points),
  skipped: (f) => isNum(f.index),
  ended: (f) => arrayOf(f.podium, isEntry) && arrayOf(f.top, isEntry) && isTeams(f.teams),
  kicked: () => true,
  pong: (f) => isTime(f.now),
  error: (f) => isStr(f.code),
};

/**
 * The frame in a WebSocket message, or null for anything that is not one we know (the server
 * validates what it sends; this keeps a proxy's garbage or a newer server's frames out of the
 * reducers). Option ids are compared as strings everywhere, so they are made strings here.
 */
export function parseServerFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  let f: unknown;
  try {
    f = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObj(f) || !isStr(f.type) || !Object.hasOwn(checks, f.type)) return null;
  const type = f.type as ServerFrame['type'];
  if (!checks[type](f)) return null;
  if (type === 'question') {
    f.options = (f.options as Obj[]).map((o) => ({ ...o, id: String(o.id) }));
  } else if (type === 'reveal') {
    f.correctOptionIds = (f.correctOptionIds as LiveId[]).map(String);
    f.distribution = (f.distribution as Obj[]).map((d) => ({ ...d, optionId: String(d.optionId) }));
  } else if (type === 'result') {
    f.correctOptionIds = (f.correctOptionIds as LiveId[]).map(String);
    if (Array.isArray(f.chosen)) f.chosen = (f.chosen as LiveId[]).map(String);
  } else if (type === 'error' && !isStr(f.message)) {
    f.message = '';
  }
  return f as unknown as ServerFrame;
}

// ---- the phone ---------------------------------------------------------------------------------

export type PlayerView = 'waiting' | 'lobby' | 'question' | 'result' | 'skipped' | 'ended' | 'kicked';

export interface PlayerState {
  me: JoinedPlayer | null;
  game: LiveGame | null;
  view: PlayerView;
  question: QuestionFrame | null;
  /** The current question's answer is stored on the server. */
  answered: boolean;
  result: ResultFrame | null;
  ended: EndedFrame | null;
  score: number;
}

export const initialPlayerState = (): PlayerState => ({
  me: null,
  game: null,
  view: 'waiting',
  question: null,
  answered: false,
  result: null,
  ended: null,
  score: 0,
});

/** What a phone shows after `frame`. Frames meant for the host only leave it as it is. */
export function reducePlayer(s: PlayerState, frame: ServerFrame): PlayerState {
  switch (frame.type) {
    case 'joined':
      return { ...s, me: frame.player, score: frame.player.score };
    case 'game': {
      const game = frame.game;
      // The frame of the current phase follows; the lobby has none for players.
      if (game.phase === 'lobby') return { ...s, game, view: 'lobby' };
      return { ...s, game };
    }
    case 'question': {
      const same = s.question?.index === frame.index;
      return {
        ...s,
        view: 'question',
        question: frame,
        answered: frame.answered === true || (same && s.answered),
        result: null,
        game: s.game ? { ...s.game, status: 'running', phase: 'question', index: frame.index } : s.game,
      };
    }
    case 'answered':
      return s.question?.index === frame.index ? { ...s, answered: true } : s;
    case 'result':
      return {
        ...s,
        view: 'result',
        result: frame,
        score: frame.score,
        game: s.game ? { ...s.game, phase: 'reveal', index: frame.index } : s.game,
      };
    case 'skipped':
      return { ...s, view: 'skipped', result: null };
    case 'ended':
      return {
        ...s,
        view: 'ended',
        ended: frame,
        score: frame.score ?? s.score,
        game: s.game ? { ...s.game, status: 'ended', phase: 'ended' } : s.game,
      };
    case 'kicked':
      return { ...s, view: 'kicked' };
    default:
      return s;
  }
}

// ---- the projector -------------------------------------------------------------------------------

export type HostView = 'waiting' | 'lobby' | 'question' | 'reveal' | 'skipped' | 'ended';

export interface HostState {
  game: LiveGame | null;
  view: HostView;
  lobby: LobbyFrame | null;
  question: QuestionFrame | null;
  count: { answered: number; players: number } | null;
  reveal: RevealFrame | null;
  ended: EndedFrame | null;
}

export const initialHostState = (): HostState => ({
  game: null,
  view: 'waiting',
  lobby: null,
  question: null,
  count: null,
  reveal: null,
  ended: null,
});

/** What the host's screen shows after `frame`. */
export function reduceHost(s: HostState, frame: ServerFrame): HostState {
  switch (frame.type) {
    case 'game': {
      const game = frame.game;
      const view: HostView = game.phase === 'lobby' ? 'lobby' : s.view;
      return { ...s, game, view };
    }
    case 'lobby': {
      // Players may join a running game: the list changes, the screen does not.
      const game = s.game ? { ...s.game, locked: frame.locked, playerCount: frame.count } : s.game;
      const view: HostView = s.view === 'waiting' && (!game || game.phase === 'lobby') ? 'lobby' : s.view;
      return { ...s, lobby: frame, game, view };
    }
    case 'question':
      return {
        ...s,
        view: 'question',
        question: frame,
        count:
          s.count && s.question?.index === frame.index
            ? s.count
            : { answered: 0, players: s.game?.playerCount ?? s.lobby?.count ?? 0 },
        reveal: null,
        game: s.game ? { ...s.game, status: 'running', phase: 'question', index: frame.index } : s.game,
      };
    case 'count':
      return s.question === null || s.question.index === frame.index
        ? { ...s, count: { answered: frame.answered, players: frame.players } }
        : s;
    case 'reveal':
      return {
        ...s,
        view: 'reveal',
        reveal: frame,
        count: { answered: frame.answered, players: frame.players },
        game: s.game ? { ...s.game, status: 'running', phase: 'reveal', index: frame.index } : s.game,
      };
    case 'skipped':
      return { ...s, view: 'skipped' };
    case 'ended':
      return {
        ...s,
        view: 'ended',
        ended: frame,
        game: s.game ? { ...s.game, status: 'ended', phase: 'ended', pin: null, joinPath: null } : s.game,
      };
    default:
      return s;
  }
}

/** The reveal's bars in the options' order, with each option's share of the answers (0-1). */
export function distributionRows(
  options: readonly LiveOption[],
  reveal: Pick<RevealFrame, 'distribution' | 'correctOptionIds'>,
): { option: LiveOption; index: number; count: number; share: number; correct: boolean }[] {
  const counts = new Map(reveal.distribution.map((d) => [String(d.optionId), d.count]));
  const total = reveal.distribution.reduce((sum, d) => sum + d.count, 0);
  const right = new Set(reveal.correctOptionIds.map(String));
  return options.map((option, index) => {
    const count = counts.get(option.id) ?? 0;
    return { option, index, count, share: total === 0 ? 0 : count / total, correct: right.has(option.id) };
  });
}

/** The podium in its 2-1-3 layout (second on the left, first in the middle, third on the right). */
export function podiumOrder<T>(podium: readonly T[]): { entry: T; place: number }[] {
  const places = [1, 0, 2].filter((i) => i < podium.length);
  return places.map((i) => ({ entry: podium[i]!, place: i + 1 }));
}

// ---- time ----------------------------------------------------------------------------------------

/**
 * Server time minus local time. A pong gives it with the round trip known: the sample with the
 * shortest trip is the best (the error is at most half of it). A pushed frame's `now` is late by
 * the network's one-way delay, so it is used only until a pong has come back.
 */
export class ClockSync {
  offset = 0;
  #bestRtt = Infinity;
  #fromPong = false;

  /** A pong: `serverNow` was read between `sentAt` and `receivedAt` (local ms). */
  pong(serverNow: string, sentAt: number, receivedAt: number): number {
    const server = Date.parse(serverNow);
    const rtt = receivedAt - sentAt;
    if (Number.isNaN(server) || rtt < 0) return this.offset;
    // Older samples age: a drifting clock or a changed network makes them less true.
    this.#bestRtt *= 1.1;
    if (rtt <= this.#bestRtt) {
      this.#bestRtt = rtt;
      this.offset = server - (sentAt + receivedAt) / 2;
      this.#fromPong = true;
    }
    return this.offset;
  }

  /** A pushed frame's `now`, received at `receivedAt`. */
  push(serverNow: string, receivedAt: number): number {
    const server = Date.parse(serverNow);
    if (!this.#fromPong && !Number.isNaN(server)) this.offset = server - receivedAt;
    return this.offset;
  }
}

export type QuestionStage = 'reading' | 'open' | 'closed';

/**
 * Where a question stands at `serverNow`: reading (the stem only, until `opensAt`), open (the
 * options may be answered until `closesAt`) or closed. `remainingMs` counts to the next boundary,
 * `fraction` is the share of the answering time left (1 while reading, 0 once closed).
 */
export function questionStage(
  q: Pick<QuestionFrame, 'opensAt' | 'closesAt'>,
  serverNow: number,
): { stage: QuestionStage; remainingMs: number; fraction: number } {
  const opens = Date.parse(q.opensAt);
  const closes = Date.parse(q.closesAt);
  if (serverNow < opens) return { stage: 'reading', remainingMs: opens - serverNow, fraction: 1 };
  if (serverNow < closes) {
    const span = Math.max(1, closes - opens);
    return { stage: 'open', remainingMs: closes - serverNow, fraction: (closes - serverNow) / span };
  }
  return { stage: 'closed', remainingMs: 0, fraction: 0 };
}

/** Whole seconds left, rounded up (the big number on the screens: 20 … 1, then 0). */
export const secondsLeft = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/** Reconnect delays: 0.5 s, 1 s, 2 s, … capped at 8 s (a game moves fast), with jitter. */
export function reconnectDelay(attempt: number, random: number): number {
  const base = Math.min(8000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.5 + random * 0.5));
}

// ---- joining -------------------------------------------------------------------------------------

export const NICKNAME_MAX = 20;

/** The six digits of a PIN typed or pasted with spaces or dashes ("123 456"); null if not six. */
export function normalisePin(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * The nickname as the server will keep it (trimmed, NFC, inner spaces folded), or the reason it
 * will be refused: empty, longer than 20 characters, or with control characters.
 */
export function checkNickname(
  raw: string,
): { ok: true; nickname: string } | { ok: false; reason: 'empty' | 'long' | 'bad' } {
  const nickname = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const length = [...nickname].length;
  if (length === 0) return { ok: false, reason: 'empty' };
  if (length > NICKNAME_MAX) return { ok: false, reason: 'long' };
  if (/\p{Cc}|\p{Cf}/u.test(nickname)) return { ok: false, reason: 'bad' };
  return { ok: true, nickname };
}

/** What a phone keeps per PIN to rejoin after a reload: the token and who it was. */
export interface SavedSeat {
  token: string;
  nickname: string;
  unit: string | null;
}

export const seatKey = (pin: string): string => `qa.live.${pin}`;

export function parseSeat(raw: string | null): SavedSeat | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (isObj(v) && isStr(v.token) && v.token && isStr(v.nickname)) {
      return { token: v.token, nickname: v.nickname, unit: isStr(v.unit) ? v.unit : null };
    }
  } catch {
    // a damaged entry is as good as none
  }
  return null;
}

/** Refusals of `join`: the player is not in, and the form says why. */
export const JOIN_REFUSALS: ReadonlySet<string> = new Set([
  'GAME_NOT_FOUND',
  'GAME_ENDED',
  'LOBBY_LOCKED',
  'GAME_FULL',
  'BAD_NICKNAME',
  'NICKNAME_TAKEN',
  'BAD_UNIT',
  'ALREADY_JOINED',
]);

/** Refusals of `answer`: the answer was not taken (ALREADY_ANSWERED: an earlier one was). */
export const ANSWER_REFUSALS: ReadonlySet<string> = new Set([
  'NOT_JOINED',
  'NOT_OPEN',
  'TIME_UP',
  'ALREADY_ANSWERED',
  'BAD_OPTION',
]);

// ---- the options' looks ------------------------------------------------------------------------

export type OptionShape = 'triangle' | 'diamond' | 'circle' | 'square' | 'hexagon' | 'star';

/**
 * Each option has a colour, a shape and a letter, the same on the projector and on every phone,
 * so that "the red triangle" and "B" both work, also for colour-blind players.
 */
export function optionLook(index: number): { shape: OptionShape; tone: number; letter: string } {
  const shapes: OptionShape[] = ['triangle', 'diamond', 'circle', 'square', 'hexagon', 'star'];
  return {
    shape: shapes[index % shapes.length]!,
    tone: index % shapes.length,
    letter: index < 26 ? String.fromCharCode(65 + index) : String(index + 1),
  };
}
