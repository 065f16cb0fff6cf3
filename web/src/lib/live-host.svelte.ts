// The host's side of a live game: the socket attached with `{type:"host", gameId}` (again after
// every reconnect, so a dropped projector comes back to the current phase by itself), the
// commands, and what the projector shows. Kept apart from the phone's session so that players
// never load it.
import {
  initialHostState,
  reduceHost,
  type ClientFrame,
  type ErrorFrame,
  type HostState,
  type LiveId,
} from './live-game.ts';
import { LiveSocket, type ConnectionStatus } from './live-socket.svelte.ts';

type Command = Extract<ClientFrame, { type: 'start' | 'next' | 'skip' | 'end' | 'kick' | 'lock' }>;

export class HostSession {
  readonly gameId: LiveId;
  state = $state.raw<HostState>(initialHostState());
  /** The last refusal (BAD_STATE, NO_PLAYERS, NOT_HOST, …), until the next command or dismissal. */
  error = $state<ErrorFrame | null>(null);
  /** A command was sent and no frame has answered it yet (buttons wait, double clicks do nothing). */
  busy = $state(false);

  #socket: LiveSocket;
  #busyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(gameId: LiveId) {
    this.gameId = gameId;
    this.#socket = new LiveSocket({
      hello: () => ({ type: 'host', gameId }),
      onFrame: (f) => {
        if (f.type === 'error') {
          this.error = f;
          this.#idle();
          if (f.code === 'UNAUTHENTICATED' || f.code === 'NOT_HOST' || f.code === 'GAME_NOT_FOUND') {
            // Not ours (or signed out): reconnecting would only be refused again.
            if (this.state.game === null) this.#socket.close();
          }
          return;
        }
        this.state = reduceHost(this.state, f);
        // Answers arriving say nothing about the command; any other frame is its outcome.
        if (f.type !== 'count') this.#idle();
      },
    });
  }

  get status(): ConnectionStatus {
    return this.#socket.status;
  }
  get offset(): number {
    return this.#socket.offset;
  }

  connect(): void {
    this.#socket.connect();
  }

  close(): void {
    this.#idle();
    this.#socket.close();
  }

  /** Sends a host command; false when the socket is down (the button tells the host to wait). */
  command(frame: Command): boolean {
    this.error = null;
    const sent = this.#socket.send(frame);
    if (sent && frame.type !== 'kick') {
      this.busy = true;
      // A command the server ignores silently must not freeze the buttons.
      clearTimeout(this.#busyTimer);
      this.#busyTimer = setTimeout(() => (this.busy = false), 4000);
    }
    return sent;
  }

  dismissError(): void {
    this.error = null;
  }

  #idle(): void {
    clearTimeout(this.#busyTimer);
    this.#busyTimer = undefined;
    this.busy = false;
  }
}
