// Shared set-up for the contract tests of live games (docs/api.md "Live games (host-paced)"):
// banks and games through the HTTP API, and a recorder for /api/live/ws sockets that keeps every
// frame raw (so tests can prove that no frame before a reveal carries the answer key) and parsed.
// Written from the contract, not from the server's code: frame shapes are declared here as the
// contract names them.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type WebSocket from 'ws';
import {
  call,
  closeSocket,
  injectSocket,
  ok,
  type Account,
  type QuestionInput,
  type TestClock,
} from '../helpers.ts';

// ---------------------------------------------------------------------------------------------
// Shapes from the contract
// ---------------------------------------------------------------------------------------------

export interface LiveSettings {
  questionTimeSec: number;
  readingTimeSec: number;
  shuffleOptions: boolean;
  streakBonus: boolean;
  teamMode: boolean;
  units: string[] | null;
}

export interface LiveGame {
  id: number;
  title: string;
  status: 'lobby' | 'running' | 'ended';
  phase: 'lobby' | 'question' | 'reveal' | 'ended';
  index: number;
  pin: string | null;
  joinPath: string | null;
  bankId: number;
  questionCount: number;
  playerCount: number;
  locked: boolean;
  settings: LiveSettings;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface LiveDetail {
  game: LiveGame;
  questions: {
    position: number;
    questionId: number;
    type: 'single' | 'multiple' | 'truefalse';
    stem: string;
    options: { id: string; text: string; correct: boolean }[];
  }[];
}

export interface Frame {
  type: string;
  [key: string]: unknown;
}
export interface ErrorFrame extends Frame {
  type: 'error';
  code: string;
  message: string;
}
export interface JoinedFrame extends Frame {
  type: 'joined';
  player: { id: number; nickname: string; unit: string | null; score: number; token: string };
}
export interface GameFrame extends Frame {
  type: 'game';
  game: LiveGame;
}
export interface LobbyFrame extends Frame {
  type: 'lobby';
  count: number;
  locked: boolean;
  players: { id: number; nickname: string; unit: string | null }[];
}
export interface QuestionFrame extends Frame {
  type: 'question';
  index: number;
  total: number;
  kind: 'single' | 'multiple' | 'truefalse';
  stem: string;
  options: { id: string; text: string }[];
  opensAt: string;
  closesAt: string;
  now: string;
  readingMs: number;
  limitMs: number;
  answered?: boolean;
}
export interface CountFrame extends Frame {
  type: 'count';
  index: number;
  answered: number;
  players: number;
}
export interface Entry {
  rank: number;
  playerId: number;
  nickname: string;
  unit: string | null;
  score: number;
}
export interface TeamEntry {
  rank: number;
  unit: string;
  players: number;
  score: number;
  average: number;
}
export interface RevealFrame extends Frame {
  type: 'reveal';
  index: number;
  total: number;
  correctOptionIds: string[];
  distribution: { optionId: string; count: number }[];
  answered: number;
  correct: number;
  players: number;
  top: Entry[];
  teams: TeamEntry[] | null;
  last: boolean;
}
export interface ResultFrame extends Frame {
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
export interface EndedFrame extends Frame {
  type: 'ended';
  podium: Entry[];
  top: Entry[];
  teams: TeamEntry[] | null;
  players: number;
  rank?: number;
  score?: number;
}

// ---------------------------------------------------------------------------------------------
// HTTP set-up
// ---------------------------------------------------------------------------------------------

export const single = (i: number): QuestionInput => ({
  type: 'single',
  stem: `Live ${i}: which is right?`,
  options: [
    { text: `Right ${i}`, correct: true },
    { text: `Wrong ${i}a`, correct: false },
    { text: `Wrong ${i}b`, correct: false },
    { text: `Wrong ${i}c`, correct: false },
  ],
});
export const multiple = (i: number): QuestionInput => ({
  type: 'multiple',
  stem: `Live ${i}: which two are right?`,
  options: [
    { text: `Right ${i}a`, correct: true },
    { text: `Wrong ${i}`, correct: false },
    { text: `Right ${i}b`, correct: true },
  ],
});
export const trueFalse = (i: number): QuestionInput => ({
  type: 'truefalse',
  stem: `Live ${i}: true?`,
  options: [
    { text: 'True', correct: true },
    { text: 'False', correct: false },
  ],
});

/** A bank owned by `owner` with these questions (ids in order). */
export async function makeBank(
  app: FastifyInstance,
  owner: Account,
  questions: QuestionInput[],
): Promise<{ bankId: number; questionIds: number[] }> {
  const cookie = owner.cookie;
  const { bank } = ok<{ bank: { id: number } }>(
    await call(app, 'POST', '/api/banks', { cookie, payload: { name: 'Live bank' } }),
    201,
  );
  const questionIds: number[] = [];
  for (const q of questions) {
    const { question } = ok<{ question: { id: number } }>(
      await call(app, 'POST', `/api/banks/${bank.id}/questions`, { cookie, payload: q }),
      201,
    );
    questionIds.push(question.id);
  }
  return { bankId: bank.id, questionIds };
}

export const createGameRaw = (app: FastifyInstance, cookie: string | undefined, body: unknown) =>
  call(app, 'POST', '/api/live/games', { ...(cookie ? { cookie } : {}), payload: body });

export async function createGame(
  app: FastifyInstance,
  cookie: string,
  body: Record<string, unknown>,
): Promise<LiveGame> {
  return ok<{ game: LiveGame }>(
    await createGameRaw(app, cookie, { questions: { mode: 'all' }, ...body }),
    201,
  ).game;
}

export async function detail(app: FastifyInstance, gameId: number, cookie: string): Promise<LiveDetail> {
  return ok<LiveDetail>(await call(app, 'GET', `/api/live/games/${gameId}`, { cookie }));
}

export interface Key {
  type: 'single' | 'multiple' | 'truefalse';
  right: string[];
  wrong: string[];
  order: string[];
}

/** The answer key per position, read from the host's detail (the only place it is shown). */
export async function answerKeys(app: FastifyInstance, gameId: number, cookie: string): Promise<Key[]> {
  const { questions } = await detail(app, gameId, cookie);
  return [...questions]
    .sort((a, b) => a.position - b.position)
    .map((q) => ({
      type: q.type,
      right: q.options.filter((o) => o.correct).map((o) => o.id),
      wrong: q.options.filter((o) => !o.correct).map((o) => o.id),
      order: q.options.map((o) => o.id),
    }));
}

// ---------------------------------------------------------------------------------------------
// WebSocket recorder
// ---------------------------------------------------------------------------------------------

type Match = string | ((f: Frame) => boolean);

export class LiveSocket {
  readonly raw: string[] = [];
  readonly frames: Frame[] = [];
  closed = false;
  private readonly waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private readonly closeWaiters: (() => void)[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly label: string,
  ) {
    socket.on('message', (data: WebSocket.RawData) => {
      const text = data.toString();
      const frame = JSON.parse(text) as Frame;
      this.raw.push(text);
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const resolve of this.closeWaiters.splice(0)) resolve();
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Where the next frame will land: pass it as `from` to wait only for what comes after. */
  mark(): number {
    return this.frames.length;
  }

  /** The first frame from `from` on that matches (a type or a predicate), waiting up to `ms`. */
  next<T extends Frame = Frame>(match: Match, from = 0, ms = 3000): Promise<T> {
    const test = typeof match === 'string' ? (f: Frame) => f.type === match : match;
    const seen = this.frames.slice(from).find(test);
    if (seen) return Promise.resolve(seen as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        match: test,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `${this.label}: no frame matching ${String(match)} within ${ms} ms; got ${this.raw.slice(from).join('\n')}`,
          ),
        );
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /** Sends a frame and returns the error frame it gets back (asserting its code). */
  async refused(frame: unknown, code: string, ms = 3000): Promise<ErrorFrame> {
    const from = this.mark();
    this.send(frame);
    const err = await this.next<ErrorFrame>('error', from, ms);
    assert.equal(err.code, code, `${this.label}: ${JSON.stringify(frame)} -> ${JSON.stringify(err)}`);
    assert.equal(typeof err.message, 'string');
    return err;
  }

  /** Every frame of a type received since `from`. */
  all<T extends Frame = Frame>(type: string, from = 0): T[] {
    return this.frames.slice(from).filter((f) => f.type === type) as T[];
  }

  waitClosed(ms = 3000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.label}: socket still open after ${ms} ms`)),
        ms,
      );
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Keeps every socket a test opens so that they are all closed at the end (by the client side). */
export class SocketPool {
  readonly sockets: LiveSocket[] = [];
  constructor(private readonly app: FastifyInstance) {}

  async open(label: string, cookie?: string, app: FastifyInstance = this.app): Promise<LiveSocket> {
    const socket = await injectSocket(app, '/api/live/ws', cookie);
    const live = new LiveSocket(socket, label);
    this.sockets.push(live);
    return live;
  }

  /** A socket attached as the game's host: `game` received. */
  async host(gameId: number, cookie: string, app: FastifyInstance = this.app): Promise<LiveSocket> {
    const s = await this.open('host', cookie, app);
    s.send({ type: 'host', gameId });
    await s.next<GameFrame>('game');
    return s;
  }

  /** A player socket that joined: `joined` and `game` received. */
  async join(
    pin: string,
    nickname: string,
    extra: { unit?: string; token?: string } = {},
    app: FastifyInstance = this.app,
  ): Promise<{ s: LiveSocket; player: JoinedFrame['player'] }> {
    const s = await this.open(nickname, undefined, app);
    s.send({ type: 'join', pin, nickname, ...extra });
    const joined = await s.next<JoinedFrame>((f) => f.type === 'joined' || f.type === 'error');
    if (joined.type !== 'joined') throw new Error(`${nickname}: join refused ${JSON.stringify(joined)}`);
    await s.next<GameFrame>('game');
    return { s, player: joined.player };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.sockets.map((s) => closeSocket(s.socket)));
  }
}

/**
 * The answer key never travels before its reveal: in every frame other than `reveal` and `result`
 * the raw JSON has no `correct` property and no `correctOptionIds`; question options are {id, text}.
 */
export function assertNoKeyBeforeReveal(sockets: LiveSocket[]): void {
  for (const s of sockets) {
    s.frames.forEach((f, i) => {
      if (f.type === 'reveal' || f.type === 'result') return;
      const raw = s.raw[i]!;
      assert.ok(!raw.includes('"correct"'), `${s.label}: key in a ${f.type} frame: ${raw}`);
      assert.ok(!raw.includes('correctOptionIds'), `${s.label}: key in a ${f.type} frame: ${raw}`);
      if (f.type === 'question') {
        for (const o of (f as QuestionFrame).options) {
          assert.deepEqual(Object.keys(o).sort(), ['id', 'text'], `${s.label}: option ${JSON.stringify(o)}`);
        }
      }
    });
  }
}

/** Moves the test clock to `ms` after the question's answers open. */
export const at = (clock: TestClock, q: QuestionFrame, ms: number): number =>
  clock.set(Date.parse(q.opensAt) + ms);

/** Sends an answer and waits for `answered` (asserting it is for that index). */
export async function answer(s: LiveSocket, index: number, optionIds: string[]): Promise<void> {
  const from = s.mark();
  s.send({ type: 'answer', index, optionIds });
  const reply = await s.next((f) => f.type === 'answered' || f.type === 'error', from);
  assert.deepEqual(reply, { type: 'answered', index }, `${s.label}: answer ${index}`);
}

export const isIndex =
  (type: string, index: number) =>
  (f: Frame): boolean =>
    f.type === type && f.index === index;

/** The player's `result` of question `index`. */
export const resultOf = (s: LiveSocket, index: number, from = 0) =>
  s.next<ResultFrame>(isIndex('result', index), from);
export const revealOf = (s: LiveSocket, index: number, from = 0) =>
  s.next<RevealFrame>(isIndex('reveal', index), from);
export const questionOf = (s: LiveSocket, index: number, from = 0) =>
  s.next<QuestionFrame>(isIndex('question', index), from);

/** round(1000 * (1 - t / limit / 2)): the contract's formula, for expected values. */
export const speed = (tMs: number, limitMs: number): number => Math.round(1000 * (1 - tMs / limitMs / 2));
