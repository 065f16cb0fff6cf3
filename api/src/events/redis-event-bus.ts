// EventBus over Redis pub/sub, used when REDIS_URL is set, so that a WebSocket on any API node
// sees every event. A connection in subscriber mode can run nothing else, hence two: one to
// publish, one to subscribe. Each topic is one channel (keys.ts); this node SUBSCRIBEs to it while
// at least one local handler wants it. ioredis reconnects and re-subscribes by itself; events
// published while a node is disconnected are lost (pub/sub keeps nothing), which is acceptable
// because SQL holds the state and clients re-read it on reconnect.

import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { DEFAULT_PREFIX, eventChannel } from '../rankings/keys.ts';
import type { EventBus, EventHandler } from './event-bus.ts';

export interface RedisEventBusOptions {
  /** Extra ioredis options for both connections (timeouts, retry strategy, TLS). */
  redis?: RedisOptions;
  /** Called on connection errors, undecodable messages and handlers that throw. */
  onError?: (err: unknown, context: string) => void;
}

interface TopicState {
  handlers: Set<EventHandler>;
  /** Settles when this node's SUBSCRIBE for the topic has been acknowledged. */
  subscribed: Promise<unknown>;
}

export class RedisEventBus implements EventBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly topics = new Map<string, TopicState>();
  private readonly channelPrefix: string;
  private readonly prefix: string;
  private readonly onError: (err: unknown, context: string) => void;
  private closing: Promise<void> | null = null;

  constructor(url: string, prefix = DEFAULT_PREFIX, options: RedisEventBusOptions = {}) {
    this.prefix = prefix;
    this.channelPrefix = eventChannel(prefix, '');
    this.onError = options.onError ?? ((err, context) => console.error(`[event-bus] ${context}`, err));
    this.pub = new Redis(url, { ...options.redis });
    this.sub = new Redis(url, { ...options.redis });
    this.pub.on('error', (err) => this.onError(err, 'publisher connection'));
    this.sub.on('error', (err) => this.onError(err, 'subscriber connection'));
    this.sub.on('message', (channel: string, message: string) => this.deliver(channel, message));
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
      // Sent before any await: SUBSCRIBE/UNSUBSCRIBE go out in call order on one connection, so
      // the server ends up subscribed exactly when local handlers remain.
      state = { handlers: new Set(), subscribed: this.sub.subscribe(channel) };
      this.topics.set(topic, state);
    }
    state.handlers.add(listener);
    const current = state;
    const unsubscribe = async (): Promise<void> => {
      if (!current.handlers.delete(listener)) return;
      if (current.handlers.size > 0 || this.topics.get(topic) !== current) return;
      this.topics.delete(topic);
      if (!this.closing) await this.sub.unsubscribe(channel);
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
