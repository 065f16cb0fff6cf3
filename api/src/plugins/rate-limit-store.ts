// The rate limits' store when Redis is configured: the counters are shared by every API node, as
// @fastify/rate-limit's own RedisStore keeps them (one key per route and client, a fixed window),
// but a busy allowance is not paid for with a Redis round trip per request. A node leases a slice
// of the allowance at once (INCRBY n on the shared counter: those n units are this node's) and
// spends it locally, so that the answer saves of a participant (600 a minute) cost one Redis call
// per 10 saves, not one per save: on two nodes sharing two cores that call was about a sixth of a
// node's time (docs/performance.md).
//
// What holds: the counter only ever grows by what the nodes have taken, and each request is
// numbered by the unit it spends, so no more than `max` requests are let through per window
// across all nodes, as with RedisStore. What a lease costs: units a node leased and did not spend
// count as spent, so a client whose requests alternate between N nodes may be refused up to
// N x (slice - 1) requests early (2 x 9 of 600 on two nodes). Small allowances (under 120 a window:
// logins, registrations, attempt starts) are never leased: each request is one INCR, exactly as
// RedisStore counts it.
import type { Redis } from 'ioredis';

/** Leases are a 60th of the allowance, and only for allowances of 120 and more a window. */
export const leaseSize = (max: number): number => (max >= 120 ? Math.floor(max / 60) : 1);

type Result = { current: number; ttl: number };
type Callback = (err: Error | null, result?: Result) => void;

/** Units [next, end] of the shared counter, this node's to spend until `expiresAt`. */
interface Lease {
  next: number;
  end: number;
  expiresAt: number;
}

// Takes `n` units; sets the window on the key's first units (or if it somehow has none).
const TAKE = `
  local current = redis.call('INCRBY', KEYS[1], ARGV[1])
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {current, ttl}`;

type TakingRedis = Redis & {
  qaRateLimitTake(key: string, n: number, windowMs: number): Promise<[number, number]>;
};

/** Route options as @fastify/rate-limit passes them to a store's child() (its types omit routeInfo). */
interface RouteOptions {
  routeInfo?: { method: string; url: string };
}

/**
 * A store class for @fastify/rate-limit's `store` option (it calls `new Store(params)`), on `redis`
 * with keys under `prefix` (the plugin's `nameSpace`).
 */
export function leasingRedisStore(redis: Redis, prefix: string, now: () => number = Date.now) {
  const taking = redis as TakingRedis;
  if (typeof taking.qaRateLimitTake !== 'function') {
    redis.defineCommand('qaRateLimitTake', { numberOfKeys: 1, lua: TAKE });
  }

  return class LeasingRedisStore {
    private readonly leases = new Map<string, Lease>();
    /** Callers waiting for a lease being taken, per key. */
    private readonly waiting = new Map<string, { cb: Callback; max: number }[]>();
    private created = 0;

    constructor(
      _params?: unknown,
      private readonly keyPrefix = prefix,
    ) {}

    incr(key: string, cb: Callback, timeWindow: number, max: number): void {
      const size = leaseSize(max);
      const lease = this.leases.get(key);
      const t = now();
      if (lease && lease.expiresAt > t && (lease.next <= lease.end || lease.next > max)) {
        return cb(null, this.spend(lease, max, t));
      }
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push({ cb, max });
        return;
      }
      this.waiting.set(key, [{ cb, max }]);
      void this.take(key, size, timeWindow);
    }

    child(routeOptions: object): LeasingRedisStore {
      const { routeInfo } = routeOptions as RouteOptions;
      return new LeasingRedisStore(
        undefined,
        `${this.keyPrefix}${routeInfo?.method ?? ''}${routeInfo?.url ?? ''}-`,
      );
    }

    /**
     * The unit a request spends: the next of the lease, or, once the counter is past `max` (the
     * allowance is spent everywhere), a number past it without spending anything, until the
     * window ends.
     */
    private spend(lease: Lease, max: number, t: number): Result {
      const current = lease.next > max ? lease.next : lease.next++;
      return { current, ttl: Math.max(0, lease.expiresAt - t) };
    }

    /** Takes a lease for `key` and serves the callers waiting for it, taking more as they need. */
    private async take(key: string, size: number, timeWindow: number): Promise<void> {
      const queue = this.waiting.get(key)!;
      try {
        while (queue.length > 0) {
          const [current, ttl] = await taking.qaRateLimitTake(this.keyPrefix + key, size, timeWindow);
          const t = now();
          const lease = { next: current - size + 1, end: current, expiresAt: t + Number(ttl) };
          this.leases.set(key, lease);
          this.sweep(t);
          while (queue.length > 0 && (lease.next <= lease.end || lease.next > queue[0]!.max)) {
            const { cb, max } = queue.shift()!;
            cb(null, this.spend(lease, max, t));
          }
        }
      } catch (err) {
        for (const { cb } of queue.splice(0)) cb(err instanceof Error ? err : new Error(String(err)));
      } finally {
        this.waiting.delete(key);
      }
    }

    /** Forgets ended windows, every 1,000 leases taken. */
    private sweep(t: number): void {
      if (++this.created % 1000 !== 0) return;
      for (const [key, lease] of this.leases) if (lease.expiresAt <= t) this.leases.delete(key);
    }
  };
}
