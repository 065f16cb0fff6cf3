// The steps of a live game as they travel on the EventBus (Redis pub/sub with several nodes), one
// topic per game. The node that made a step in SQL publishes it with what every node needs to
// tell its own sockets without asking SQL again (a reveal carries what the winner computed);
// each node holding sockets of the game subscribes while it has them. Times are epoch ms.
//
// Topic `live:<gameId>` (channel `<prefix>ev:live:<gameId>`, see rankings/keys.ts): nothing is
// stored, so an event published while a node is cut off is lost to it; nodes re-read SQL when a
// socket attaches and when a step they expected does not arrive (hub.ts), so a lost event delays
// a screen, never the game.
import type { EndedFrame, LobbyFrame, RevealFrame } from '../schemas/live.ts';

export const liveTopic = (gameId: number): string => `live:${gameId}`;

export type LiveEvent =
  /** Question `index` started: its answers open at `opensAt` (after the reading time), close at `closesAt`. */
  | { kind: 'question'; index: number; opensAt: number; closesAt: number }
  /** Question `index` closed: the host's reveal frame as the winner of the step computed it. */
  | { kind: 'reveal'; index: number; reveal: Omit<RevealFrame, 'type'> }
  /** The host voided question `index`; a `question` or `ended` event follows. */
  | { kind: 'skipped'; index: number }
  /** The game is over: the standings everyone sees (each node adds its players' own rank). */
  | { kind: 'ended'; ended: Omit<EndedFrame, 'type' | 'rank' | 'score'> }
  /** Players joined or left, or the lobby was locked (coalesced: at most 4 a second per node). */
  | { kind: 'lobby'; lobby: Omit<LobbyFrame, 'type'> }
  /** Answers stored for question `index` so far (coalesced: at most 4 a second per node). */
  | { kind: 'count'; index: number; answered: number; players: number }
  /** The host removed a player: the node holding their sockets closes them. */
  | { kind: 'kick'; playerId: number }
  /** The lobby was locked or unlocked. */
  | { kind: 'lock'; locked: boolean };

/**
 * How far a game has gone, to order what a node knows: an event or a row read from SQL that is
 * behind what the node already applied is ignored (an event may arrive while SQL is being read).
 */
export function progress(state: { phase: string; index: number }): number {
  switch (state.phase) {
    case 'lobby':
      return -1;
    case 'question':
      return state.index * 2;
    case 'reveal':
      return state.index * 2 + 1;
    default:
      return Number.MAX_SAFE_INTEGER;
  }
}
