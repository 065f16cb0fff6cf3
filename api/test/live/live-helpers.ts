// Helpers of the live-game engine tests: a bank and a game through the HTTP API, and sockets whose
// every frame is checked against the server frame schemas and, before a reveal, for the key.
import type { FastifyInstance } from 'fastify';
import type WebSocket from 'ws';
import { checkServerFrame } from '../../src/schemas/live.ts';
import { call, closeSocket, injectSocket, ok, type Account, type QuestionInput } from '../helpers.ts';

export interface Frame {
  type: string;
  [key: string]: unknown;
}

export interface LiveSocket {
  socket: WebSocket;
  frames: Frame[];
  raw: string[];
  send(frame: unknown): void;
  /** The first frame from `from` on (default: every frame so far) that matches, waiting up to `ms`. */
  next(match: (f: Frame) => boolean, ms?: number, from?: number): Promise<Frame>;
  /** The next frame of `type` after what was seen so far. */
  expect(type: string, ms?: number): Promise<Frame>;
  close(): Promise<void>;
}

/**
 * Every frame off its schema or carrying the key before a reveal, on any socket opened here:
 * tests assert it is empty at the end.
 */
export const problems: string[] = [];

/** Frames that may show the key: the reveal, a player's result, the end, the host's detail. */
const MAY_SHOW_KEY = new Set(['reveal', 'result', 'ended']);

export async function openLive(app: FastifyInstance, cookie?: string): Promise<LiveSocket> {
  const socket = await injectSocket(app, '/api/live/ws', cookie);
  const frames: Frame[] = [];
  const raw: string[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }[] = [];
  let cursor = 0;
  socket.on('message', (data: WebSocket.RawData) => {
    const text = data.toString();
    const frame = JSON.parse(text) as Frame;
    if (!checkServerFrame.Check(frame)) {
      const first = [...checkServerFrame.Errors(frame)][0];
      problems.push(`frame off its schema: ${text} (${first?.path} ${first?.message})`);
    }
    if (!MAY_SHOW_KEY.has(frame.type) && /"correct(OptionIds)?"/.test(text)) {
      problems.push(`a ${frame.type} frame carries the key: ${text}`);
    }
    raw.push(text);
    frames.push(frame);
    for (const w of [...waiters]) {
      if (frames.length - 1 >= w.from && w.match(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  const next = (match: (f: Frame) => boolean, ms = 3000, from = 0): Promise<Frame> => {
    const i = frames.findIndex((f, j) => j >= from && match(f));
    if (i >= 0) return Promise.resolve(frames[i]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        from,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(frames.slice(from))}`));
      }, ms);
      waiters.push(waiter);
    });
  };
  return {
    socket,
    frames,
    raw,
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next,
    async expect(type, ms) {
      const f = await next((x) => x.type === type, ms, cursor);
      cursor = frames.indexOf(f) + 1;
      return f;
    },
    close: () => closeSocket(socket),
  };
}

export async function makeBank(app: FastifyInstance, organiser: Account, questions: QuestionInput[]) {
  const { cookie } = organiser;
  const { bank } = ok<{ bank: { id: number } }>(
    await call(app, 'POST', '/api/banks', { cookie, payload: { name: 'Live bank' } }),
    201,
  );
  const ids: number[] = [];
  for (const q of questions) {
    const { question } = ok<{ question: { id: number } }>(
      await call(app, 'POST', `/api/banks/${bank.id}/questions`, { cookie, payload: q }),
      201,
    );
    ids.push(question.id);
  }
  return { bankId: bank.id, ids };
}

export interface GameView {
  id: number;
  pin: string | null;
  joinPath: string | null;
  status: string;
  phase: string;
  index: number;
  playerCount: number;
  questionCount: number;
  [key: string]: unknown;
}

export async function createGame(app: FastifyInstance, organiser: Account, body: Record<string, unknown>) {
  return ok<{ game: GameView }>(
    await call(app, 'POST', '/api/live/games', { cookie: organiser.cookie, payload: body }),
    201,
  ).game;
}
