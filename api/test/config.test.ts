import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'qa-config-'));

test('defaults: port 3000, SQLite under DATA_DIR, no Redis, a persisted session secret', () => {
  const dir = tmp();
  const c = loadConfig({ DATA_DIR: dir });
  assert.equal(c.port, 3000);
  assert.equal(c.databaseFile, path.join(dir, 'quizarena.sqlite'));
  assert.equal(c.redisUrl, null);
  assert.equal(c.sessionSecret, readFileSync(path.join(dir, 'session-secret'), 'utf8'));
  assert.equal(loadConfig({ DATA_DIR: dir }).sessionSecret, c.sessionSecret, 'the secret survives restarts');
});

test('honours PORT, HOST, REDIS_URL, SESSION_SECRET, ADMIN_EMAIL + ADMIN_PASSWORD', () => {
  const c = loadConfig({
    DATA_DIR: tmp(),
    PORT: '8080',
    HOST: '127.0.0.1',
    REDIS_URL: 'redis://127.0.0.1:6379',
    SESSION_SECRET: 'x'.repeat(40),
    ADMIN_EMAIL: 'Boss@Example.org',
    ADMIN_PASSWORD: 'long-enough',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
  assert.equal(c.sessionSecret, 'x'.repeat(40));
  assert.deepEqual(c.admin, { email: 'boss@example.org', password: 'long-enough' });
});

test('bad values stop start-up with a message naming each variable', () => {
  assert.throws(
    () =>
      loadConfig({
        DATA_DIR: tmp(),
        PORT: 'eighty',
        REDIS_URL: 'http://nope',
        SESSION_SECRET: 'short',
        ADMIN_EMAIL: 'not-an-email',
        LOG_LEVEL: 'loud',
      }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      for (const name of ['PORT', 'REDIS_URL', 'SESSION_SECRET', 'ADMIN_EMAIL', 'LOG_LEVEL']) {
        assert.match(err.message, new RegExp(name));
      }
      return true;
    },
  );
  assert.throws(
    () => loadConfig({ DATA_DIR: tmp(), ADMIN_EMAIL: 'a@b.c', ADMIN_PASSWORD: 'short' }),
    /ADMIN_PASSWORD/,
  );
  assert.throws(() => loadConfig({ DATA_DIR: tmp(), PORT: '70000' }), /PORT/);
});

test('TRUST_PROXY takes a hop count or proxy addresses, never a blanket yes', () => {
  assert.equal(loadConfig({ DATA_DIR: tmp() }).trustProxy, false);
  assert.equal(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).trustProxy, [
    '127.0.0.1',
    '10.0.0.0/8',
  ]);
  assert.throws(() => loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'yes please' }), /TRUST_PROXY/);
});

test('DATABASE_URL selects PostgreSQL (pool size DATABASE_POOL); a malformed one names the variable', () => {
  const dir = tmp();
  const sqlite = loadConfig({ DATA_DIR: dir });
  assert.equal(sqlite.databaseUrl, null, 'unset: SQLite under DATA_DIR');
  assert.equal(sqlite.databasePool, 10);
  const pg = loadConfig({
    DATA_DIR: dir,
    DATABASE_URL: 'postgres://qa:secret@db:5432/quizarena',
    DATABASE_POOL: '25',
  });
  assert.equal(pg.databaseUrl, 'postgres://qa:secret@db:5432/quizarena');
  assert.equal(pg.databasePool, 25);
  for (const [url, why] of [
    ['mysql://db/quizarena', /DATABASE_URL must start with postgres:\/\//],
    ['not a url', /DATABASE_URL is not a URL/],
    ['postgres://db:5432', /DATABASE_URL names no database/],
  ] as const) {
    assert.throws(
      () => loadConfig({ DATA_DIR: dir, DATABASE_URL: url }),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, why);
        return true;
      },
    );
  }
  assert.throws(
    () => loadConfig({ DATA_DIR: dir, DATABASE_POOL: '0' }),
    /DATABASE_POOL=0: expected a whole number from 1 to 1000/,
  );
});
