// Live leaderboard over the API's WebSocket (/api/ws). One instance per leaderboard page:
// `connect()` when the page mounts, `close()` when it is left; nothing is opened at import time.
// The socket reconnects with capped, jittered backoff (and at once when the browser comes back
// online or the tab becomes visible again), re-subscribing each time.
import type { LeaderboardEntry } from './api.ts';

export type SocketStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'closed';

interface LeaderboardPush {
  type: 'leaderboard';
  topic: string;
  total: number;
  entries: LeaderboardEntry[];
}

function isPush(v: unknown): v is LeaderboardPush {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o.type === 'leaderboard' && typeof o.topic === 'string' && Array.isArray(o.entries);
}

export function leaderboardTopic(roundId: string, group?: string | null): string {
  return group ? `round:${roundId}:group:${group}:leaderboard` : `round:${roundId}:leaderboard`;
}

export class LeaderboardSocket {
  readonly topic: string;
  status = $state<SocketStatus>('idle');
  entries = $state.raw<LeaderboardEntry[] | null>(null);
  total = $state(0);
  /** Local time of the last push, to show "updated" and to refresh the pinned own row. */
  updatedAt = $state(0);

  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #detach: (() => void) | undefined;

  constructor(topic: string) {
    this.topic = topic;
  }

  connect(): void {
    this.#closed = false;
    const wake = () => {
      if (document.visibilityState === 'hidden') return;
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

  close(): void {
    this.#closed = true;
    this.status = 'closed';
    this.#detach?.();
    this.#detach = undefined;
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.onerror = null;
      if (ws.readyState === WebSocket.OPEN) {
        try {
          ws.send(JSON.stringify({ type: 'unsubscribe', topic: this.topic }));
        } catch {
          // closing anyway
        }
      }
      ws.close(1000);
    }
  }

  #clearTimers(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#ping !== undefined) clearInterval(this.#ping);
    this.#timer = undefined;
    this.#ping = undefined;
  }

  #open(): void {
    if (this.#closed) return;
    this.#clearTimers();
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/ws`;
    this.status = this.#attempt === 0 && this.entries === null ? 'connecting' : 'reconnecting';
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.#retry();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'subscribe', topic: this.topic }));
      // Keeps mobile carriers' and proxies' idle timers from dropping the connection.
      this.#ping = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' }));
      }, 25_000);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (isPush(msg) && msg.topic === this.topic) {
        this.#attempt = 0;
        this.entries = msg.entries;
        this.total = typeof msg.total === 'number' ? msg.total : msg.entries.length;
        this.updatedAt = Date.now();
        this.status = 'live';
      } else if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'error') {
        console.warn('leaderboard socket error frame', msg);
      }
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
    const base = Math.min(30_000, 1000 * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 10);
    this.#timer = setTimeout(() => this.#open(), base * (0.5 + Math.random() * 0.5));
  }
}
