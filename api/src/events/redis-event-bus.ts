// EventBus over Redis pub/sub, used when REDIS_URL is set, so that a WebSocket on any API node
// sees every event. A connection in subscriber mode can run nothing else, hence two: one to
// publish, one to subscribe. Each topic is one channel (keys.ts); this node SUBSCRIBEs to it while
// at least one local handler wants it. ioredis reconnects and re-subscribes by itself; events
// published while a node is disconnected are lost (pub/sub keeps nothing). SQL holds the state, and
// onGap tells whoever caches on the strength of events (sessions, leaderboard pushes) when the
// subscription went away and when it is live again, so they re-read rather than trust a cache.

import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { DEFAULT_PREFIX, eventChannel } from '../rankings/keys.ts';
import type { EventBus, EventHandler, GapListener } from './event-bus.ts';

export interface RedisEventBusOptions {
  /** Extra ioredis options for both connections (timeouts, retry strategy, TLS). */
  redis?: RedisOptions;
  /** Called on connection errors, undecodable messages and handlers that throw. */
  onError?: (err: unknown, context: string) => void;
  /**
   * Names the two connections `<name>:pub` and `<name>:sub` in Redis' CLIENT LIST, so an operator
   * (or a test) can tell which node holds which.
   */
  name?: string;
}

/** How long a SUBSCRIBE waits for a subscriber connection that is not ready (Redis down). */
const READY_TIMEOUT_MS = 10_000;

interface TopicState {
  handlers: Set<EventHandler>;
  /** Settles when this node's SUBSCRIBE for the topic has been acknowledged. */
  subscribed: Promise<unknown>;
}

export class RedisEventBus implements EventBus {
  /** See RedisEventBusOptions.name. */
  readonly name: string | undefined;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly topics = new Map<string, TopicState>();
  private readonly channelPrefix: string;
  private readonly prefix: string;
  private readonly onError: (err: unknown, context: string) => void;
  private closing: Promise<void> | null = null;
  /** The last SUBSCRIBE/UNSUBSCRIBE queued, see inOrder. */
  private order: Promise<unknown> = Promise.resolve();
  private readonly gapListeners = new Set<GapListener>();
  /** The subscriber connection has been ready once; a later 'ready' is a reconnection. */
  private connectedOnce = false;
  /** Between a lost subscriber connection and its resubscription. */
  private lost = false;

  constructor(url: string, prefix = DEFAULT_PREFIX, options: RedisEventBusOptions = {}) {
    this.prefix = prefix;
    this.name = options.name;
    this.channelPrefix = eventChannel(prefix, '');
    this.onError = options.onError ?? ((err, context) => console.error(`[event-bus] ${context}`, err));
    const named = (role: string) => (options.name ? { connectionName: `${options.name}:${role}` } : {});
    this.pub = new Redis(url, { ...options.redis, ...named('pub') });
    this.sub = new Redis(url, { ...options.redis, ...named('sub') });
    this.pub.on('error', (err) => this.onError(err, 'publisher connection'));
    this.sub.on('error', (err) => this.onError(err, 'subscriber connection'));
    this.sub.on('message', (channel: string, message: string) => this.deliver(channel, message));
    this.sub.on('close', () => {
      if (this.closing || !this.connectedOnce || this.lost) return;
      this.lost = true;
      this.gap('lost');
    });
    this.sub.on('ready', () => {
      if (!this.connectedOnce) {
        this.connectedOnce = true;
        return;
      }
      // ioredis has just queued SUBSCRIBE for every channel we hold (before emitting 'ready'); a
      // PING queued after them answers once they are all in force again.
      this.sub.ping().then(
        () => {
          if (this.closing || !this.lost) return;
          this.lost = false;
          this.gap('back');
        },
        (err: unknown) => this.onError(err, 'resubscription check'),
      );
    });
  }

  onGap(listener: GapListener): () => void {
    this.gapListeners.add(listener);
    return () => {
      this.gapListeners.delete(listener);
    };
  }

  private gap(phase: 'lost' | 'back'): void {
    for (const listener of [...this.gapListeners]) {
      try {
        listener(phase);
      } catch (err) {
        this.onError(err, `gap listener (${phase})`);
      }
    }
  }

  /**
   * Sends a SUBSCRIBE or UNSUBSCRIBE once the subscriber connection is ready, each after the one
   * called before it. Not earlier: ioredis (5.8.2 and later, its issue #2037) writes these at once
   * on a connection still in its handshake, since Redis allows them while loading; the reply puts
   * the connection in subscriber mode, ioredis' own ready check (INFO) is then refused, and it drops
   * the connection and reconnects without the subscription. The node never heard that topic again
   * (sessions: a logout elsewhere stayed unseen here until the 10 s cache ran out).
   */
  private inOrder<T>(send: () => Promise<T>): Promise<T> {
    // The chain moves on once a command is written, not answered: they still go out pipelined.
    const written = this.order.then(() => this.ready()).then(() => ({ reply: send() }));
    this.order = written.catch(() => undefined);
    return written.then((w) => w.reply);
  }

  private ready(): Promise<void> {
    if (this.sub.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (err?: Error) => {
        clearTimeout(timer);
        this.sub.off('ready', onReady);
        this.sub.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => settle();
      const onEnd = () => settle(new Error('event bus closed'));
      const timer = setTimeout(
        () => settle(new Error(`Redis subscriber connection not ready within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      timer.unref();
      this.sub.once('ready', onReady);
      this.sub.once('end', onEnd);
    });
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    if (this.closing) throw new Error('event bus closed');
    await this.pub.publish(eventChannel(this.prefix, topic), JSON.stringify(payload) ?? 'null');
  }

  async subscribe(topic: string, handler: EventHandler): Promise<() => Promise<void>> {
    if (this.closing) throw new Error('event bus closed');
    const channel = eventChannel(this.prefix, topic);
    // A wrapper per subscription, so subscribing one handler twice needs two unsubscribes.
    const listener: EventHandler = (t, p) => handler(t, p);
    let state = this.topics.get(topic);
    if (state === undefined) {
      // Queued before any await: SUBSCRIBE/UNSUBSCRIBE go out in call order (see `inOrder`), so
      // the server ends up subscribed exactly when local handlers remain.
      state = { handlers: new Set(), subscribed: this.inOrder(() => this.sub.subscribe(channel)) };
      this.topics.set(topic, state);
    }
    state.handlers.add(listener);
    const current = state;
    const unsubscribe = async (): Promise<void> => {
      if (!current.handlers.delete(listener)) return;
      if (current.handlers.size > 0 || this.topics.get(topic) !== current) return;
      this.topics.delete(topic);
      if (!this.closing) await this.inOrder(() => this.sub.unsubscribe(channel));
    };
    try {
      await current.subscribed;
    } catch (err) {
      await unsubscribe().catch(() => undefined);
      throw err;
    }
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.topics.clear();
      await Promise.all([quit(this.pub), quit(this.sub)]);
    })();
    return this.closing;
  }

  private deliver(channel: string, message: string): void {
    if (!channel.startsWith(this.channelPrefix)) return;
    const topic = channel.slice(this.channelPrefix.length);
    const state = this.topics.get(topic);
    if (state === undefined) return; // a message already in flight when we unsubscribed
    for (const handler of [...state.handlers]) {
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch (err) {
        this.onError(err, `undecodable message on ${channel}`);
        return;
      }
      try {
        handler(topic, payload); // parsed per handler: each gets its own copy, as in memory
      } catch (err) {
        this.onError(err, `handler for ${topic}`);
      }
    }
  }
}

/** QUIT politely when connected; a connection still (re)connecting is simply dropped. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
