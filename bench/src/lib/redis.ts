// Redis for the "redis" mode: a reachability check before the run, and the deletion of every key
// under the run's unique prefix afterwards (rankings, rate-limit counters).
import { Redis } from 'ioredis';

export async function connectRedis(
  url: string,
): Promise<{ redis: Redis; version: string; pid: number | null }> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  let lastError: unknown = null;
  redis.on('error', (err) => {
    lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis not reachable at ${url}: ${String(lastError ?? err)}`);
  }
  const info = await redis.info('server');
  // The server's pid, to count its CPU time when it runs on this machine (a loopback URL).
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  return { redis, version: /redis_version:(\S+)/.exec(info)?.[1] ?? '?', pid: local && pid > 0 ? pid : null };
}

/** Deletes every key starting with `prefix`; returns how many. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  if (prefix.length < 4) throw new Error(`refusing to delete keys under the short prefix "${prefix}"`);
  const escaped = prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escaped}*`, 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}
