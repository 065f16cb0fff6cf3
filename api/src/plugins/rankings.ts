// The ranking store and the event bus: Redis when REDIS_URL is set, in-process otherwise.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { RankingStore } from '../rankings/ranking-store.ts';
import { MemoryRankingStore } from '../rankings/memory-ranking-store.ts';
import { RedisRankingStore } from '../rankings/redis-ranking-store.ts';
import type { EventBus } from '../events/event-bus.ts';
import { MemoryEventBus } from '../events/memory-event-bus.ts';
import { RedisEventBus } from '../events/redis-event-bus.ts';

declare module 'fastify' {
  interface FastifyInstance {
    rankingStore: RankingStore;
    events: EventBus;
    redis: Redis | null;
  }
}

export default fp(
  async (app) => {
    const { redisUrl, redisPrefix } = app.config;
    if (redisUrl) {
      const redis = new Redis(redisUrl, {
        lazyConnect: true,
        maxRetriesPerRequest: 2,
        connectTimeout: 3000,
        // Every command of one event-loop turn (rate-limit checks, board updates) leaves in one write.
        enableAutoPipelining: true,
      });
      redis.on('error', (err: Error) => app.log.warn({ err: err.message }, 'redis connection error'));
      try {
        await redis.connect();
      } catch (err) {
        redis.disconnect();
        throw new Error(`Cannot reach Redis at REDIS_URL=${redisUrl}: ${(err as Error).message}`);
      }
      app.decorate('redis', redis);
      app.decorate('rankingStore', new RedisRankingStore(redis, redisPrefix));
      const bus = new RedisEventBus(redisUrl, redisPrefix, {
        name: `quizarena:${hostname().replace(/[^\w.-]/g, '_')}:${process.pid}:${randomBytes(3).toString('hex')}`,
        onError: (err, context) => app.log.warn({ err }, `event bus: ${context}`),
      });
      // Said out loud: while the subscription is away this node misses other nodes' events.
      bus.onGap((phase) =>
        phase === 'lost'
          ? app.log.warn('event bus: subscription lost; caches fed by events are dropped')
          : app.log.info('event bus: subscription back on every topic'),
      );
      app.decorate('events', bus);
    } else {
      app.decorate('redis', null);
      app.decorate('rankingStore', new MemoryRankingStore());
      app.decorate('events', new MemoryEventBus());
    }
    app.addHook('onClose', async () => {
      await app.events.close();
      await app.rankingStore.close();
      if (app.redis) await app.redis.quit().catch(() => undefined);
    });
  },
  { name: 'rankings', dependencies: ['config'] },
);
