// Cross-node event delivery (ranking changed, live game steps). In-process by default; Redis
// pub/sub when REDIS_URL is set, so a WebSocket on any API node sees every event.

export type EventHandler = (topic: string, payload: unknown) => void;

export interface EventBus {
  publish(topic: string, payload: unknown): Promise<void>;
  /** Subscribes to one exact topic; returns the unsubscribe function. */
  subscribe(topic: string, handler: EventHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
