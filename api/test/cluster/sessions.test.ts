// Two API nodes over one database and one Redis: a logout or a change of roles made on node A is
// effective on node B within a second, although B had the session in its cache (issue #8).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  cleanRedis,
  makeAccountWithRoles,
  makeApp,
  makeClock,
  ok,
  REDIS_URL,
  redisPrefix,
  refusal,
  registerAccount,
  tempDatabase,
  type TempDatabase,
  type TestApp,
  type UserView,
} from '../helpers.ts';

/** Polls `check` until it holds, for at most `ms` real milliseconds; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) assert.fail(`not effective within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('sessions across two nodes', () => {
  let db: TempDatabase;
  const prefix = redisPrefix();
  const clock = makeClock();
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    db = await tempDatabase();
    const shared = { ...db.store, redisUrl: REDIS_URL, redisPrefix: prefix };
    a = await makeApp(shared, clock);
    b = await makeApp(shared, clock);
  });
  after(async () => {
    await a.close();
    await b.close();
    await cleanRedis(prefix);
    await db.remove();
  });

  test('a logout on node A signs the session out on node B within 1 s', async () => {
    const user = await registerAccount(a.app);
    // B reads the session once: it is now in B's cache for SESSION_CACHE_MS (10 s).
    assert.equal(
      ok<{ user: UserView }>(await call(b.app, 'GET', '/api/auth/me', { cookie: user.cookie })).user.id,
      user.id,
    );
    assert.equal((await call(a.app, 'POST', '/api/auth/logout', { cookie: user.cookie })).statusCode, 204);
    await within(
      1000,
      async () => (await call(b.app, 'GET', '/api/auth/me', { cookie: user.cookie })).statusCode === 401,
    );
    refusal(await call(b.app, 'GET', '/api/auth/me', { cookie: user.cookie }), 401, 'UNAUTHENTICATED');
  });

  test('a change of roles on node A is seen by node B within 1 s, for that user only', async () => {
    const admin = await makeAccountWithRoles(a.app, ['admin']);
    const user = await registerAccount(a.app);
    const other = await registerAccount(a.app);
    for (const who of [user, other]) {
      ok(await call(b.app, 'GET', '/api/auth/me', { cookie: who.cookie }));
    }
    refusal(await call(b.app, 'GET', '/api/banks', { cookie: user.cookie }), 403, 'FORBIDDEN');

    ok(
      await call(a.app, 'PUT', `/api/admin/users/${user.id}/roles`, {
        cookie: admin.cookie,
        payload: { roles: ['participant', 'organiser'] },
      }),
    );
    await within(
      1000,
      async () => (await call(b.app, 'GET', '/api/banks', { cookie: user.cookie })).statusCode === 200,
    );
    const me = ok<{ user: UserView }>(await call(b.app, 'GET', '/api/auth/me', { cookie: user.cookie }));
    assert.deepEqual([...me.user.roles].sort(), ['organiser', 'participant']);
    // The other user's session is untouched (and still signed in).
    ok(await call(b.app, 'GET', '/api/auth/me', { cookie: other.cookie }));
  });
});
