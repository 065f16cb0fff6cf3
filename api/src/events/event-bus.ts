// Cross-node event delivery (ranking changed, live game steps). In-process by default; Redis
// pub/sub when REDIS_URL is set, so a WebSocket on any API node sees every event.

export type EventHandler = (topic: string, payload: unknown) => void;

/**
 * When events may have been missed: `lost` when this node's subscription went away (Redis
 * unreachable, connection dropped), `back` once it is live again on every topic. What was published
 * in between never arrives, so whoever caches on the strength of events drops the cache.
 */
export type GapListener = (phase: 'lost' | 'back') => void;

export interface EventBus {
  publish(topic: string, payload: unknown): Promise<void>;
  /** Subscribes to one exact topic; returns the unsubscribe function. */
  subscribe(topic: string, handler: EventHandler): Promise<() => Promise<void>>;
  /** Calls `listener` whenever events may have been missed; returns the function that stops it. */
  onGap(listener: GapListener): () => void;
  close(): Promise<void>;
}
