// The HTTP part of live games (docs/api.md "Live games"): the organiser's calls and the public
// PIN look-up, through the shared `request` so refusals arrive as ApiError with the server's code.
// Separate exports, so that the phone's chunk keeps only `lookupPin`.
import { request, type Id } from './api.ts';
import type { LiveGame, LiveKind, LiveTeam } from './live-game.ts';
import type { LiveGameBody } from './organise-live.ts';

const enc = (id: Id) => encodeURIComponent(String(id));

/** What a phone learns from a PIN before joining. */
export interface PinGame {
  title: string;
  status: 'lobby' | 'running';
  locked: boolean;
  teamMode: boolean;
  units: string[];
}

/** GET /api/live/pin/:pin — 404 GAME_NOT_FOUND for a wrong PIN or a game that is over. */
export const lookupPin = (pin: string) => request<{ game: PinGame }>('GET', `/live/pin/${enc(pin)}`);

export interface HostQuestion {
  position: number;
  questionId: Id;
  type: LiveKind;
  stem: string;
  options: { id: string; text: string; correct: boolean }[];
}

export interface ReportQuestion {
  position: number;
  questionId: Id;
  type: LiveKind;
  stem: string;
  skipped: boolean;
  answered: number;
  correct: number;
  /** correct / players. */
  shareCorrect: number;
  /** Of the right answers; null when there is none. */
  averageMs: number | null;
  options: { id: string; text: string; correct: boolean; count: number }[];
}

export interface ReportPlayer {
  /** null for kicked players (listed last). */
  rank: number | null;
  playerId: Id;
  nickname: string;
  unit: string | null;
  score: number;
  correctCount: number;
  answeredCount: number;
  kicked: boolean;
}

export interface LiveReport {
  game: LiveGame;
  questions: ReportQuestion[];
  players: ReportPlayer[];
  teams: LiveTeam[] | null;
}

export const liveApi = {
  list: () => request<{ games: LiveGame[] }>('GET', '/live/games'),
  create: (body: LiveGameBody) => request<{ game: LiveGame }>('POST', '/live/games', body),
  get: (gameId: Id) =>
    request<{ game: LiveGame; questions: HostQuestion[] }>('GET', `/live/games/${enc(gameId)}`),
  end: (gameId: Id) => request<{ game: LiveGame }>('POST', `/live/games/${enc(gameId)}/end`),
  report: (gameId: Id) => request<LiveReport>('GET', `/live/games/${enc(gameId)}/report`),
};

/** Plain links: the browser loads them with the session cookie. */
export const liveLinks = {
  qr: (gameId: Id) => `/api/live/games/${enc(gameId)}/qr.svg`,
  xlsx: (gameId: Id) => `/api/live/games/${enc(gameId)}/report.xlsx`,
};
