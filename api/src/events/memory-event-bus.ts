// In-process EventBus, used when REDIS_URL is not set (one API node). It behaves like the Redis
// bus so code that works here works there: handlers run later, never inside publish(), and each
// receives its own copy of the payload as it would arrive through JSON (Dates become strings,
// undefined becomes null), so nothing can depend on sharing objects with the publisher.

import { EventEmitter } from 'node:events';
import type { EventBus, EventHandler, GapListener } from './event-bus.ts';

export interface MemoryEventBusOptions {
  /** Called when a handler throws; by default the error is printed to stderr. */
  onError?: (err: unknown, topic: string) => void;
}

export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter();
  private readonly onError: (err: unknown, topic: string) => void;
  private closed = false;

  constructor(options: MemoryEventBusOptions = {}) {
    this.emitter.setMaxListeners(0); // one listener per WebSocket is normal, not a leak
    this.onError =
      options.onError ?? ((err, topic) => console.error(`event handler for ${topic} failed`, err));
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('event bus closed');
    const json = JSON.stringify(payload) ?? 'null'; // throws here, like the Redis bus, on cycles
    setImmediate(() => {
      // Listeners are read at delivery time: one unsubscribed in between gets nothing, as with Redis.
      for (const listener of this.emitter.listeners(topic)) {
        try {
          (listener as EventHandler)(topic, JSON.parse(json));
        } catch (err) {
          this.onError(err, topic);
        }
      }
    });
  }

  async subscribe(topic: string, handler: EventHandler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('event bus closed');
    // A wrapper per subscription, so subscribing one handler twice needs two unsubscribes.
    const listener: EventHandler = (t, p) => handler(t, p);
    this.emitter.on(topic, listener);
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.emitter.off(topic, listener);
    };
  }

  /** In one process nothing is ever missed: the listener is never called. */
  onGap(_listener: GapListener): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
  }
}
