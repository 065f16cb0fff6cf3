// The leasing rate-limit store (plugins/rate-limit-store.ts) on a real Redis (REDIS_URL): two
// "nodes" are two stores on two connections sharing a prefix, as two API processes do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { leaseSize, leasingRedisStore } from '../src/plugins/rate-limit-store.ts';
import { cleanRedis, REDIS_URL, redisPrefix } from './helpers.ts';

const prefix = redisPrefix();
const connections: Redis[] = [];
type Store = InstanceType<ReturnType<typeof leasingRedisStore>>;

before(async () => {
  for (let i = 0; i < 3; i++) {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
    await redis.ping(); // fails the run when Redis is not there
    connections.push(redis);
  }
});
after(async () => {
  for (const r of connections) await r.quit();
  await cleanRedis(prefix);
});

/** A route's store on connection `i` (node i), with a route of its own per test. */
const node = (i: number, route: string, now?: () => number): Store => {
  const Store = leasingRedisStore(connections[i]!, prefix, now);
  return new Store().child({ routeInfo: { method: 'PUT', url: route } });
};

const incr = (store: Store, key: string, windowMs: number, max: number) =>
  new Promise<{ current: number; ttl: number }>((resolve, reject) =>
    store.incr(key, (err, res) => (err ? reject(err) : resolve(res!)), windowMs, max),
  );
const allowed = (results: { current: number }[], max: number) =>
  results.filter((r) => r.current <= max).length;

test('lease sizes: a 60th of allowances of 120 and more, otherwise one request at a time', () => {
  assert.deepEqual([1, 10, 119, 120, 600, 60_000].map(leaseSize), [1, 1, 1, 2, 10, 1000]);
});

test('one node alone gets exactly the allowance, numbered 1..max, then refusals, with one Redis call per lease', async () => {
  const store = node(0, '/alone');
  const results = [];
  for (let i = 0; i < 650; i++) results.push(await incr(store, 'u1', 60_000, 600));
  assert.deepEqual(
    results.slice(0, 600).map((r) => r.current),
    Array.from({ length: 600 }, (_, i) => i + 1),
  );
  assert.ok(results.slice(600).every((r) => r.current > 600));
  assert.ok(results.every((r) => r.ttl > 0 && r.ttl <= 60_000));
  // 60 leases of 10; the refusals after them cost nothing (the node knows the allowance is spent).
  assert.equal(Number(await connections[2]!.get(`${prefix}PUT/alone-u1`)), 600);
});

test('two nodes, requests alternating and concurrent: never more than the allowance in all, at most 2 x 9 short', async () => {
  const [a, b] = [node(0, '/shared'), node(1, '/shared')];
  const calls = Array.from({ length: 800 }, (_, i) => incr(i % 2 ? a : b, 'u1', 60_000, 600));
  const results = await Promise.all(calls);
  const n = allowed(results, 600);
  assert.ok(n <= 600, `${n} let through`);
  assert.ok(n >= 600 - 2 * 9, `${n} let through`);
  // Every unit let through is a distinct unit of the shared counter.
  const units = results.filter((r) => r.current <= 600).map((r) => r.current);
  assert.equal(new Set(units).size, units.length);
});

test('small allowances are counted request by request, shared exactly', async () => {
  const [a, b] = [node(0, '/small'), node(1, '/small')];
  const results = [];
  for (let i = 0; i < 10; i++) results.push(await incr(i % 2 ? a : b, 'ip', 60_000, 6));
  assert.deepEqual(
    results.map((r) => r.current <= 6),
    [true, true, true, true, true, true, false, false, false, false],
  );
  assert.equal(Number(await connections[2]!.get(`${prefix}PUT/small-ip`)), 7);
});

test('a new window gives a new allowance; keys and routes are counted apart', async () => {
  let clock = 1_000_000;
  const store = node(0, '/window', () => clock);
  for (let i = 0; i < 130; i++) await incr(store, 'u1', 300, 120);
  assert.ok((await incr(store, 'u1', 300, 120)).current > 120);
  assert.equal((await incr(store, 'u2', 300, 120)).current, 1);
  assert.equal((await incr(node(0, '/other'), 'u1', 300, 120)).current, 1);
  // The key's window ends in Redis, and the node's lease with it.
  await new Promise((resolve) => setTimeout(resolve, 350));
  clock += 350;
  assert.equal((await incr(store, 'u1', 300, 120)).current, 1);
});

test('a Redis that fails fails every caller waiting for it, and the next request tries again', async () => {
  const broken = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
  broken.on('error', () => undefined);
  try {
    const store = new (leasingRedisStore(broken, prefix))().child({
      routeInfo: { method: 'PUT', url: '/broken' },
    });
    const first = await Promise.allSettled([incr(store, 'u1', 60_000, 600), incr(store, 'u1', 60_000, 600)]);
    assert.deepEqual(
      first.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    // Not left waiting on the failed lease: it asks Redis again (and fails again, here).
    await assert.rejects(incr(store, 'u1', 60_000, 600));
  } finally {
    broken.disconnect();
  }
});
