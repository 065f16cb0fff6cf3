// Runs the RankingStore contract against a real Redis (REDIS_URL, default 127.0.0.1:6379). An
// unreachable Redis fails the suite: a silently skipped store would be an untested store.

import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { RedisRankingStore } from '../../src/rankings/redis-ranking-store.ts';
import { runRankingStoreContract } from './ranking-store.contract.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `qa-test-${process.pid}-${Date.now()}:`;
const redis = new Redis(url, {
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: () => null, // fail, don't retry forever
});
let lastError: unknown = null; // the cause (ECONNREFUSED...), reported by before() below
redis.on('error', (err) => {
  lastError = err;
});

before(async () => {
  try {
    await redis.connect();
  } catch (err) {
    throw new Error(
      `Redis is not reachable at ${url} (${String(lastError ?? err)}). Start redis-server or set REDIS_URL: the ` +
        'Redis ranking store must be tested, not skipped.',
    );
  }
});

async function deleteKeys(pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

after(async () => {
  if (redis.status === 'ready') {
    await deleteKeys(`${runPrefix}*`);
    await redis.quit();
  } else {
    redis.disconnect();
  }
});

let storeCount = 0;
const prefixes = new WeakMap<RedisRankingStore, string>();

runRankingStoreContract(
  'RedisRankingStore',
  async () => {
    const prefix = `${runPrefix}${storeCount++}:`;
    const store = new RedisRankingStore(redis, prefix);
    prefixes.set(store, prefix);
    return store;
  },
  async (store) => {
    const prefix = store instanceof RedisRankingStore ? prefixes.get(store) : undefined;
    if (prefix !== undefined && redis.status === 'ready') await deleteKeys(`${prefix}*`);
    await store.close();
  },
);
