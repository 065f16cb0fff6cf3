// Accounts: register, login, logout, /me; cookie attributes; validation errors in Fastify's
// shape; and sessions that outlive the process (a second server on the same SQLite file).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  makeApp,
  ok,
  PASSWORD,
  refusal,
  registerAccount,
  sessionCookie,
  signIn,
  tempDatabase,
  uniqueEmail,
  type UserView,
} from '../helpers.ts';

describe('auth routes', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;

  test('register answers 201, signs in with an httpOnly SameSite=Lax cookie, and /me works', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await call(app, 'POST', '/api/auth/register', {
      payload: { email: `  ${email.toUpperCase()}`.trim(), password: PASSWORD, name: '  Lê Văn C ' },
    });
    const { user } = ok<{ user: UserView }>(res, 201);
    assert.equal(user.email, email.toLowerCase());
    assert.equal(user.name, 'Lê Văn C');
    assert.deepEqual(user.roles, ['participant']);
    assert.equal(JSON.stringify(user).includes('password'), false, 'no password hash in the answer');

    const raw = res.headers['set-cookie'];
    const setCookie = (Array.isArray(raw) ? raw : [raw ?? '']).find((c) => c.startsWith('qa_session='));
    assert.ok(setCookie, 'a qa_session cookie is set');
    assert.match(setCookie, /;\s*HttpOnly/i);
    assert.match(setCookie, /;\s*SameSite=Lax/i);
    assert.match(setCookie, /;\s*Path=\//i);

    const me = ok<{ user: UserView }>(await call(app, 'GET', '/api/auth/me', { cookie: sessionCookie(res) }));
    assert.deepEqual(me.user, user);
  });

  test('a duplicate email (any case) is 409 EMAIL_TAKEN', async () => {
    const a = await registerAccount(app);
    refusal(
      await call(app, 'POST', '/api/auth/register', {
        payload: { email: a.email.toUpperCase(), password: PASSWORD, name: 'Again' },
      }),
      409,
      'EMAIL_TAKEN',
    );
  });

  test('bad input is 400 in Fastify error shape', async () => {
    const cases: Record<string, unknown>[] = [
      { email: 'not-an-email', password: PASSWORD, name: 'X' },
      { email: uniqueEmail(), password: 'short', name: 'X' },
      { email: uniqueEmail(), password: 'x'.repeat(201), name: 'X' },
      { email: uniqueEmail(), password: PASSWORD, name: '' },
      { email: uniqueEmail(), password: PASSWORD, name: '   ' },
      { email: uniqueEmail(), password: PASSWORD },
    ];
    for (const payload of cases) {
      const body = refusal(await call(app, 'POST', '/api/auth/register', { payload }), 400);
      assert.equal(body.error, 'Bad Request');
      assert.deepEqual(
        Object.keys(body).sort(),
        ['code', 'error', 'message', 'statusCode'],
        JSON.stringify(payload),
      );
    }
  });

  test('login: right password 200 with a new session, wrong password or unknown email 401 BAD_CREDENTIALS', async () => {
    const a = await registerAccount(app);
    const cookie = await signIn(app, a.email.toUpperCase());
    assert.equal(ok<{ user: UserView }>(await call(app, 'GET', '/api/auth/me', { cookie })).user.id, a.id);

    const wrong = await call(app, 'POST', '/api/auth/login', {
      payload: { email: a.email, password: 'wrong password' },
    });
    refusal(wrong, 401, 'BAD_CREDENTIALS');
    assert.equal(wrong.headers['set-cookie'], undefined, 'no session on a failed login');
    const unknown = refusal(
      await call(app, 'POST', '/api/auth/login', {
        payload: { email: uniqueEmail('nobody'), password: PASSWORD },
      }),
      401,
      'BAD_CREDENTIALS',
    );
    assert.equal(
      unknown.message,
      'Wrong email or password',
      'the same answer whether or not the account exists',
    );
  });

  test('/me without a session, with a forged or unsigned cookie is 401 UNAUTHENTICATED', async () => {
    refusal(await call(app, 'GET', '/api/auth/me'), 401, 'UNAUTHENTICATED');
    refusal(await call(app, 'GET', '/api/auth/me', { cookie: 'qa_session=forged' }), 401, 'UNAUTHENTICATED');
    const a = await registerAccount(app);
    const token = a.cookie.slice('qa_session='.length).split('.')[0]!;
    refusal(
      await call(app, 'GET', '/api/auth/me', { cookie: `qa_session=${token}` }),
      401,
      'UNAUTHENTICATED',
    );
  });

  test('logout answers 204, clears the cookie and ends the session server-side', async () => {
    const a = await registerAccount(app);
    const res = await call(app, 'POST', '/api/auth/logout', { cookie: a.cookie });
    assert.equal(res.statusCode, 204);
    const raw = res.headers['set-cookie'];
    const cleared = (Array.isArray(raw) ? raw : [raw ?? '']).find((c) => c.startsWith('qa_session='));
    assert.ok(cleared && /Expires=Thu, 01 Jan 1970|Max-Age=0/i.test(cleared), `cookie cleared: ${cleared}`);
    // The old cookie replayed (a stolen copy) no longer works.
    refusal(await call(app, 'GET', '/api/auth/me', { cookie: a.cookie }), 401, 'UNAUTHENTICATED');
    // Logout without a session is harmless.
    assert.equal((await call(app, 'POST', '/api/auth/logout')).statusCode, 204);
  });

  test('a session expires after its lifetime on the server clock', async () => {
    const a = await registerAccount(app);
    const saved = t.clock.now;
    t.clock.advance(31 * 24 * 3600 * 1000);
    try {
      refusal(await call(app, 'GET', '/api/auth/me', { cookie: a.cookie }), 401, 'UNAUTHENTICATED');
    } finally {
      t.clock.set(saved);
    }
  });
});

describe('sessions outlive the process', () => {
  test('a session made on one server works on a second server over the same SQLite file', async () => {
    const db = await tempDatabase();
    try {
      const first = await makeApp({ ...db.store });
      const a = await registerAccount(first.app);
      await first.close();

      const second = await makeApp({ ...db.store });
      try {
        const me = ok<{ user: UserView }>(
          await call(second.app, 'GET', '/api/auth/me', { cookie: a.cookie }),
        );
        assert.equal(me.user.id, a.id);
        // And the account itself persisted: signing in again works.
        await signIn(second.app, a.email);
      } finally {
        await second.close();
      }
    } finally {
      await db.remove();
    }
  });
});
