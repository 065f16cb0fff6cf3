// The WebSocket of a live game (/api/live/ws) and the phone's session on top of it. One socket
// per page, owned by a state class with an explicit lifecycle (`connect()` when the page wants
// it, `close()` when it is left); nothing opens at import time. The socket reconnects with capped,
// jittered backoff, and at once when the browser comes back online or the tab is shown again;
// every (re)connection begins with the caller's hello frame (`host` or `join` with the token), so
// the server puts the client back where the game is. Pings keep carriers' idle timers from
// dropping the connection and give the server's clock.
import {
  ANSWER_REFUSALS,
  ClockSync,
  initialPlayerState,
  JOIN_REFUSALS,
  parseServerFrame,
  parseSeat,
  reconnectDelay,
  reducePlayer,
  seatKey,
  type ClientFrame,
  type ErrorFrame,
  type PlayerState,
  type SavedSeat,
  type ServerFrame,
} from './live-game.ts';

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

const PING_EVERY_MS = 15_000;

export class LiveSocket {
  status = $state<ConnectionStatus>('idle');
  /** Server time minus local time, in ms. */
  offset = $state(0);

  #hello: () => ClientFrame;
  #onFrame: (frame: ServerFrame) => void;
  #onOpen: () => void;
  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #pings: number[] = [];
  #clock = new ClockSync();
  #closed = true;
  #detach: (() => void) | undefined;

  constructor(opts: {
    hello: () => ClientFrame;
    onFrame: (frame: ServerFrame) => void;
    onOpen?: () => void;
  }) {
    this.#hello = opts.hello;
    this.#onFrame = opts.onFrame;
    this.#onOpen = opts.onOpen ?? (() => undefined);
  }

  connect(): void {
    if (!this.#closed) return;
    this.#closed = false;
    const wake = () => {
      if (document.visibilityState === 'hidden' || this.#closed) return;
      if (!this.#ws || this.#ws.readyState === WebSocket.CLOSED) {
        this.#attempt = 0;
        this.#open();
      }
    };
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', wake);
    this.#detach = () => {
      window.removeEventListener('online', wake);
      document.removeEventListener('visibilitychange', wake);
    };
    this.#open();
  }

  /** Stops for good (the page is left, the player was kicked, the game is over). */
  close(): void {
    this.#closed = true;
    this.status = 'closed';
    this.#detach?.();
    this.#detach = undefined;
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = null;
      ws.onclose = null;
      ws.onmessage = null;
      ws.onerror = null;
      ws.close(1000);
    }
  }

  /** Sends a frame if the socket is open; false if it is not (the caller keeps it for later). */
  send(frame: ClientFrame): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  #clearTimers(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#ping !== undefined) clearInterval(this.#ping);
    this.#timer = undefined;
    this.#ping = undefined;
    this.#pings = [];
  }

  #sendPing(): void {
    if (this.send({ type: 'ping' })) {
      this.#pings.push(Date.now());
      if (this.#pings.length > 4) this.#pings.shift();
    }
  }

  #open(): void {
    if (this.#closed) return;
    this.#clearTimers();
    this.status = this.status === 'idle' || this.status === 'closed' ? 'connecting' : 'reconnecting';
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/live/ws`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.#retry();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      this.status = 'open';
      this.send(this.#hello());
      this.#sendPing();
      this.#ping = setInterval(() => this.#sendPing(), PING_EVERY_MS);
      this.#onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => {
      const receivedAt = Date.now();
      const frame = parseServerFrame(ev.data);
      if (!frame) return;
      if (frame.type === 'pong') {
        const sentAt = this.#pings.shift();
        if (sentAt !== undefined) this.offset = this.#clock.pong(frame.now, sentAt, receivedAt);
        return;
      }
      if (frame.type === 'question') this.offset = this.#clock.push(frame.now, receivedAt);
      this.#onFrame(frame);
    };
    ws.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
    ws.onclose = () => {
      if (this.#ws === ws) this.#ws = null;
      this.#retry();
    };
  }

  #retry(): void {
    if (this.#closed) return;
    this.#clearTimers();
    this.status = 'reconnecting';
    const delay = reconnectDelay(this.#attempt, Math.random());
    this.#attempt = Math.min(this.#attempt + 1, 10);
    this.#timer = setTimeout(() => this.#open(), delay);
  }
}

function loadSeat(pin: string): SavedSeat | null {
  try {
    return parseSeat(localStorage.getItem(seatKey(pin)));
  } catch {
    return null;
  }
}

function storeSeat(pin: string, seat: SavedSeat | null): void {
  try {
    if (seat) localStorage.setItem(seatKey(pin), JSON.stringify(seat));
    else localStorage.removeItem(seatKey(pin));
  } catch {
    // storage disabled: a reload will ask for the nickname again
  }
}

/**
 * A player's seat in one game: joining, the token kept per PIN so that a reload or a lost
 * network rejoins with the same nickname and score, answers (kept and sent again after a
 * reconnect until the server confirms them), and what the phone shows.
 */
export class PlayerSession {
  readonly pin: string;
  state = $state.raw<PlayerState>(initialPlayerState());
  /** Sent `join`, waiting for `joined` or a refusal. */
  joining = $state(false);
  /** Why the last join was refused (a code of JOIN_REFUSALS), for the form. */
  joinError = $state<ErrorFrame | null>(null);
  /** Why the last answer was refused, or another refusal worth telling. */
  error = $state<ErrorFrame | null>(null);
  /** The answer tapped for the current question, until the server stores it. */
  pending = $state.raw<{ index: number; optionIds: string[] } | null>(null);
  /** What this player answered to the question on screen (kept once stored, so it stays marked). */
  chosen = $state.raw<{ index: number; optionIds: string[] } | null>(null);
  /** A seat was found in this browser: the phone rejoins without asking for the nickname. */
  readonly saved: SavedSeat | null;
  /** Rejoining after a drop found the game over (ended meanwhile): there is nothing to go back to. */
  gone = $state(false);

  #seat: SavedSeat | null;
  #join: { nickname: string; unit: string | null } | null = null;
  #socket: LiveSocket;

  constructor(pin: string) {
    this.pin = pin;
    this.saved = loadSeat(pin);
    this.#seat = this.saved;
    this.#socket = new LiveSocket({
      hello: () => this.#helloFrame(),
      onFrame: (f) => this.#frame(f),
    });
  }

  get status(): ConnectionStatus {
    return this.#socket.status;
  }
  get offset(): number {
    return this.#socket.offset;
  }
  get joined(): boolean {
    return this.state.me !== null;
  }

  #helloFrame(): ClientFrame {
    this.joining = this.state.me === null;
    const seat = this.#seat;
    const who =
      this.#join ?? (seat ? { nickname: seat.nickname, unit: seat.unit } : { nickname: '', unit: null });
    return {
      type: 'join',
      pin: this.pin,
      nickname: who.nickname,
      ...(who.unit ? { unit: who.unit } : {}),
      ...(seat ? { token: seat.token } : {}),
    };
  }

  /** Joins with a nickname (and unit in team mode), or rejoins with the saved seat when null. */
  join(who: { nickname: string; unit: string | null } | null): void {
    this.joinError = null;
    this.error = null;
    if (who) this.#join = who;
    this.joining = true;
    if (this.#socket.status === 'open') this.#socket.send(this.#helloFrame());
    else this.#socket.connect();
  }

  /** Answers the current question; kept and sent again after a reconnect until it is stored. */
  answer(optionIds: string[]): void {
    const q = this.state.question;
    if (!q || this.state.answered || this.pending) return;
    this.error = null;
    this.pending = { index: q.index, optionIds };
    this.chosen = this.pending;
    this.#socket.send({ type: 'answer', index: q.index, optionIds });
  }

  /** Forgets the seat (the player wants another nickname, or the game is over). */
  forget(): void {
    this.#seat = null;
    storeSeat(this.pin, null);
  }

  close(): void {
    this.#socket.close();
  }

  #frame(f: ServerFrame): void {
    if (f.type === 'error') {
      this.#refusal(f);
      return;
    }
    this.state = reducePlayer(this.state, f);
    switch (f.type) {
      case 'joined':
        this.joining = false;
        this.joinError = null;
        this.#seat = { token: f.player.token, nickname: f.player.nickname, unit: f.player.unit };
        storeSeat(this.pin, this.#seat);
        break;
      case 'question': {
        const p = this.pending;
        if (p && p.index !== f.index) this.pending = null;
        else if (p && !this.state.answered)
          this.#socket.send({ type: 'answer', index: p.index, optionIds: p.optionIds });
        else if (p) this.pending = null;
        break;
      }
      case 'answered':
        if (this.pending?.index === f.index) this.pending = null;
        break;
      case 'result':
      case 'skipped':
        this.pending = null;
        break;
      case 'ended':
        this.pending = null;
        this.forget();
        this.#socket.close();
        break;
      case 'kicked':
        this.forget();
        this.#socket.close();
        break;
    }
  }

  #refusal(f: ErrorFrame): void {
    if (f.code === 'KICKED') {
      this.state = reducePlayer(this.state, { type: 'kicked' });
      this.forget();
      this.#socket.close();
      return;
    }
    if (!this.joined && (JOIN_REFUSALS.has(f.code) || this.joining)) {
      this.joining = false;
      // A saved seat of a game that is over (its PIN is freed): the seat is useless now.
      if (f.code === 'GAME_NOT_FOUND' || f.code === 'GAME_ENDED') this.forget();
      this.joinError = f;
      this.#socket.close();
      return;
    }
    if (f.code === 'GAME_NOT_FOUND' || f.code === 'GAME_ENDED') {
      this.gone = true;
      this.pending = null;
      this.forget();
      this.#socket.close();
      return;
    }
    if (ANSWER_REFUSALS.has(f.code) && this.pending) {
      this.pending = null;
      if (f.code === 'ALREADY_ANSWERED') {
        this.state = { ...this.state, answered: true };
        return;
      }
    }
    this.error = f;
  }
}
