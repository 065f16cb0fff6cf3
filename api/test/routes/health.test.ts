// GET /api/health: SQL and (when configured) Redis. Redis must be reachable for these tests: a
// Redis that cannot be reached fails them rather than skipping them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_TIMEOUT_MS } from '../../src/routes/health/index.ts';
import { call, cleanRedis, makeApp, REDIS_URL, redisPrefix } from '../helpers.ts';

interface Health {
  status: string;
  db: string;
  redis: string;
}

describe('health', () => {
  test('200 {status: ok, db: ok, redis: off} without Redis, to anyone', async () => {
    const t = await makeApp();
    try {
      const res = await call(t.app, 'GET', '/api/health');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json<Health>(), { status: 'ok', db: 'ok', redis: 'off' });
    } finally {
      await t.close();
    }
  });

  test('503 with db: down when SQL does not answer', async () => {
    const t = await makeApp();
    try {
      t.app.database.close();
      const res = await call(t.app, 'GET', '/api/health');
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json<Health>(), { status: 'degraded', db: 'down', redis: 'off' });
    } finally {
      await t.close().catch(() => undefined);
    }
  });

  test('a store that hangs counts as down after PROBE_TIMEOUT_MS, not after its connection timeout', async () => {
    const t = await makeApp();
    try {
      const repos = t.app.repos as { ping: () => Promise<void> };
      repos.ping = () => new Promise<void>(() => undefined);
      const t0 = Date.now();
      const res = await call(t.app, 'GET', '/api/health');
      const took = Date.now() - t0;
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json<Health>(), { status: 'degraded', db: 'down', redis: 'off' });
      assert.ok(took >= PROBE_TIMEOUT_MS - 50 && took < PROBE_TIMEOUT_MS + 5000, `took ${took} ms`);
    } finally {
      await t.close();
    }
  });

  test('with REDIS_URL: redis ok (and the server does not start without a reachable Redis)', async () => {
    const prefix = redisPrefix();
    try {
      const t = await makeApp({ redisUrl: REDIS_URL, redisPrefix: prefix });
      try {
        const res = await call(t.app, 'GET', '/api/health');
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json<Health>(), { status: 'ok', db: 'ok', redis: 'ok' });

        // Redis going away makes the node report itself degraded.
        await t.app.redis!.quit();
        const down = await call(t.app, 'GET', '/api/health');
        assert.equal(down.statusCode, 503);
        assert.deepEqual(down.json<Health>(), { status: 'degraded', db: 'ok', redis: 'down' });
      } finally {
        await t.close();
      }
    } finally {
      await cleanRedis(prefix);
    }
  });

  test('a Redis that cannot be reached stops the server from starting, naming REDIS_URL', async () => {
    await assert.rejects(
      makeApp({ redisUrl: 'redis://127.0.0.1:1', redisPrefix: redisPrefix() }),
      /REDIS_URL=redis:\/\/127\.0\.0\.1:1/,
    );
  });
});
