// Cross-cutting protections (DESIGN.md section 5): CSRF for cookie-authenticated mutations,
// JSON-only bodies, the body size limit, rate limits, strict id validation on every route, and
// the not-found answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  injectSocket,
  makeApp,
  makeContestWithRound,
  makeOrganiser,
  makeParticipant,
  ok,
  PASSWORD,
  refusal,
  registerAccount,
  saveAnswer,
  startAttempt,
  uniqueEmail,
  type Account,
  type ContestFixture,
} from '../helpers.ts';

describe('CSRF and body rules', async () => {
  const t = await makeApp({ trustedOrigins: ['https://admin.quiz.example'] });
  after(t.close);
  const { app } = t;
  let f: ContestFixture;
  let p: Account;

  before(async () => {
    f = await makeContestWithRound(app);
    p = await makeParticipant(app, f.slug);
  });

  const entry = (headers: Record<string, string>, cookie = p.cookie) =>
    call(app, 'POST', `/api/contests/${f.slug}/entry`, {
      cookie,
      headers: { host: 'quiz.example', ...headers },
      payload: { fields: { fullName: 'Tên Mới' } },
    });

  test('a cookie-authenticated mutation from another origin is 403 CSRF', async () => {
    refusal(await entry({ origin: 'https://evil.example' }), 403, 'CSRF');
    refusal(await entry({ origin: 'http://quiz.example.evil.example' }), 403, 'CSRF');
    refusal(await entry({ origin: 'null' }), 403, 'CSRF');
    refusal(await entry({ origin: 'not a url' }), 403, 'CSRF');
    refusal(
      await call(app, 'POST', '/api/auth/logout', {
        cookie: p.cookie,
        headers: { origin: 'https://evil.example' },
      }),
      403,
      'CSRF',
    );
    // The session survived the refused logout.
    ok(await call(app, 'GET', '/api/auth/me', { cookie: p.cookie }));
  });

  test('Sec-Fetch-Site: cross-site is 403 CSRF even without Origin', async () => {
    refusal(await entry({ 'sec-fetch-site': 'cross-site' }), 403, 'CSRF');
    // On the hot path too: an answer save from a cross-site page is refused and not stored.
    const taker = await makeParticipant(app, f.slug);
    const attempt = await startAttempt(app, f.roundId, taker.cookie);
    const q = attempt.questions[0]!;
    const res = await call(app, 'PUT', `/api/attempts/${attempt.id}/answers/${q.id}`, {
      cookie: taker.cookie,
      headers: { 'sec-fetch-site': 'cross-site' },
      payload: { optionIds: [q.options[0]!.id] },
    });
    refusal(res, 403, 'CSRF');
    assert.deepEqual((await app.repos.attempts.answers(attempt.id)).length, 0);
    ok(await saveAnswer(app, attempt.id, q.id, [q.options[0]!.id], taker.cookie));
  });

  test('the same origin, a trusted origin, same-site fetches and scripted clients (no Origin) pass', async () => {
    assert.equal((await entry({ origin: 'https://quiz.example' })).statusCode, 200);
    assert.equal((await entry({ origin: 'http://quiz.example' })).statusCode, 200);
    assert.equal((await entry({ origin: 'https://admin.quiz.example' })).statusCode, 200);
    assert.equal(
      (await entry({ 'sec-fetch-site': 'same-origin', origin: 'https://quiz.example' })).statusCode,
      200,
    );
    assert.equal((await entry({})).statusCode, 200);
    // Reads are not mutations: a cross-origin GET is answered.
    ok(
      await call(app, 'GET', '/api/auth/me', {
        cookie: p.cookie,
        headers: { origin: 'https://evil.example' },
      }),
    );
  });

  test('text/plain, form and multipart bodies are 415; malformed JSON is 400', async () => {
    const url = `/api/contests/${f.slug}/entry`;
    const fields = JSON.stringify({ fields: { fullName: 'X' } });
    refusal(
      await call(app, 'POST', url, {
        cookie: p.cookie,
        payload: fields,
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    );
    refusal(
      await call(app, 'POST', url, {
        cookie: p.cookie,
        payload: 'fields=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    refusal(
      await call(app, 'POST', url, {
        cookie: p.cookie,
        payload: '--b\r\n\r\nx\r\n--b--',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
      }),
      415,
    );
    // Login, which takes no cookie, is JSON-only too: a cross-site form cannot sign anyone in.
    refusal(
      await call(app, 'POST', '/api/auth/login', {
        payload: `email=a&password=b`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    refusal(
      await call(app, 'POST', url, {
        cookie: p.cookie,
        payload: '{"fields":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
  });

  test('a body over 64 KB is 413', async () => {
    const big = JSON.stringify({ fields: { fullName: 'x'.repeat(70 * 1024) } });
    const res = await call(app, 'POST', `/api/contests/${f.slug}/entry`, {
      cookie: p.cookie,
      payload: big,
      headers: { 'content-type': 'application/json' },
    });
    refusal(res, 413);
    const huge = JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'n'.repeat(65 * 1024) });
    refusal(
      await call(app, 'POST', '/api/auth/register', {
        payload: huge,
        headers: { 'content-type': 'application/json' },
      }),
      413,
    );
  });

  test('unknown routes are 404 NOT_FOUND in the error shape', async () => {
    const body = refusal(await call(app, 'GET', '/api/nope'), 404, 'NOT_FOUND');
    assert.match(body.message, /\/api\/nope/);
    refusal(await call(app, 'POST', '/api/attempts', { payload: {} }), 404, 'NOT_FOUND');
    refusal(await call(app, 'DELETE', `/api/attempts/1`), 404, 'NOT_FOUND');
  });

  test('every route with an id rejects a malformed one with 400, never 500', async () => {
    const admin = await registerAccount(app);
    await app.repos.users.update(admin.id, { roles: ['admin'] });
    await app.forgetUser(admin.id);
    const bad = ['abc', '0', '-1', '1.5', '99999999999', '%20'];
    const routes: ['GET' | 'POST' | 'PUT', (id: string) => string, unknown][] = [
      ['GET', (id) => `/api/attempts/${id}`, undefined],
      ['PUT', (id) => `/api/attempts/${id}/answers/1`, { optionIds: [] }],
      ['PUT', (id) => `/api/attempts/1/answers/${id}`, { optionIds: [] }],
      ['PUT', (id) => `/api/attempts/${id}/prediction`, { value: 1 }],
      ['POST', (id) => `/api/attempts/${id}/submit`, {}],
      ['POST', (id) => `/api/rounds/${id}/attempts`, undefined],
      ['GET', (id) => `/api/rounds/${id}`, undefined],
      ['GET', (id) => `/api/rounds/${id}/leaderboard`, undefined],
      ['GET', (id) => `/api/rounds/${id}/leaderboard/me`, undefined],
      ['GET', (id) => `/api/banks/${id}/questions`, undefined],
      [
        'POST',
        (id) => `/api/banks/${id}/questions`,
        {
          type: 'single',
          stem: 's',
          options: [
            { text: 'a', correct: true },
            { text: 'b', correct: false },
          ],
        },
      ],
      ['POST', (id) => `/api/contests/${id}/rounds`, {}],
      ['POST', (id) => `/api/contests/${id}/publish`, undefined],
      ['PUT', (id) => `/api/admin/users/${id}/roles`, { roles: ['participant'] }],
    ];
    for (const [method, url, payload] of routes) {
      for (const id of bad) {
        const res = await call(app, method, url(id), { cookie: admin.cookie, payload });
        assert.equal(res.statusCode, 400, `${method} ${url(id)}: ${res.statusCode} ${res.body}`);
        assert.equal(res.json<{ statusCode: number }>().statusCode, 400);
      }
    }
    // A slug too long or with odd characters is refused or not found, never a 500.
    for (const slug of ['x'.repeat(81), '%00', '..%2F..']) {
      const res = await call(app, 'GET', `/api/contests/${slug}`);
      assert.ok(
        res.statusCode === 400 || res.statusCode === 404,
        `GET /api/contests/${slug}: ${res.statusCode}`,
      );
    }
    // NUL, which no store keeps, is refused in a path or a body as 400 BAD_TEXT on both stores.
    const nulPath = await call(app, 'GET', '/api/contests/a%00b');
    assert.equal(nulPath.statusCode, 400);
    assert.equal(nulPath.json<{ code: string }>().code, 'BAD_TEXT');
    const nulBody = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"nul@example.org","password":"long enough pass","name":"A\\u0000B"}',
    });
    assert.equal(nulBody.statusCode, 400, nulBody.body);
    assert.equal(nulBody.json<{ code: string }>().code, 'BAD_TEXT');
  });
});

describe('rate limits', async () => {
  const t = await makeApp({ rateLimits: { login: 3, register: 4, socketOpen: 2, attemptStart: 2, answerSave: 3 } });
  after(t.close);
  const { app } = t;

  test('the 4th login in a minute from one IP is 429 RATE_LIMITED; another IP has its own budget', async () => {
    // register: 4 a minute; use one account and the rest of the budget below.
    const a = await registerAccount(app);
    for (let i = 0; i < 3; i++) {
      const res = await call(app, 'POST', '/api/auth/login', {
        payload: { email: a.email, password: i === 1 ? 'wrong pass' : PASSWORD },
      });
      assert.notEqual(res.statusCode, 429, `login ${i + 1}`);
    }
    const limited = refusal(
      await call(app, 'POST', '/api/auth/login', { payload: { email: a.email, password: PASSWORD } }),
      429,
      'RATE_LIMITED',
    );
    assert.match(limited.message, /try again/i);
    // Another IP has its own budget.
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '10.1.2.3',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: a.email, password: PASSWORD }),
    });
    assert.equal(elsewhere.statusCode, 200);
  });

  test('a client cannot dodge the login limit by making up X-Forwarded-For headers', async () => {
    const a = await registerAccount(app, uniqueEmail(), 'N');
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '10.9.9.9',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` },
        payload: JSON.stringify({ email: a.email, password: 'guess number ' + i }),
      });
      codes.push(res.statusCode);
    }
    assert.deepEqual(
      codes,
      [401, 401, 401, 429, 429],
      'one client guessing passwords is limited whatever X-Forwarded-For says',
    );
  });

  test('registration is limited per IP', async () => {
    let limited = false;
    for (let i = 0; i < 6 && !limited; i++) {
      const res = await call(app, 'POST', '/api/auth/register', {
        payload: { email: uniqueEmail(), password: PASSWORD, name: 'N' },
      });
      if (res.statusCode === 429) {
        refusal(res, 429, 'RATE_LIMITED');
        limited = true;
      } else assert.equal(res.statusCode, 201);
    }
    assert.ok(limited, 'the register limit (4 a minute) was reached');
  });

  test('answer saves and attempt starts are limited per participant, not per IP', async () => {
    // Accounts made from other IPs, so the register limit above is not in the way.
    const make = async (ip: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/register',
        remoteAddress: ip,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'N' }),
      });
      assert.equal(res.statusCode, 201, res.body);
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      return cookie;
    };
    const organiserCookie = await make('10.0.0.1');
    const organiser = ok<{ user: { id: number } }>(
      await call(app, 'GET', '/api/auth/me', { cookie: organiserCookie }),
    ).user;
    await app.repos.users.update(organiser.id, { roles: ['organiser'] });
    await app.forgetUser(organiser.id);
    const f = await makeContestWithRound(app, {
      organiser: { cookie: organiserCookie, id: organiser.id, email: '' },
      maxAttempts: 5,
    });
    const a = await make('10.0.0.2');
    const b = await make('10.0.0.3');
    for (const c of [a, b])
      ok(
        await call(app, 'POST', `/api/contests/${f.slug}/entry`, {
          cookie: c,
          payload: { fields: { fullName: 'N' } },
        }),
        201,
      );

    const attempt = await startAttempt(app, f.roundId, a);
    const q = attempt.questions[0]!;
    for (let i = 0; i < 3; i++) ok(await saveAnswer(app, attempt.id, q.id, [q.options[i % 3]!.id], a));
    refusal(await saveAnswer(app, attempt.id, q.id, [q.options[0]!.id], a), 429, 'RATE_LIMITED');
    // b, on the same IP as a for these requests, still has a full budget.
    const other = await startAttempt(app, f.roundId, b);
    ok(await saveAnswer(app, other.id, other.questions[0]!.id, [other.questions[0]!.options[0]!.id], b));

    // Attempt starts: 2 a minute (a used one already).
    ok(await call(app, 'POST', `/api/attempts/${attempt.id}/submit`, { cookie: a, payload: {} }));
    const second = await startAttempt(app, f.roundId, a);
    ok(await call(app, 'POST', `/api/attempts/${second.id}/submit`, { cookie: a, payload: {} }));
    refusal(await call(app, 'POST', `/api/rounds/${f.roundId}/attempts`, { cookie: a }), 429, 'RATE_LIMITED');
  });

  test('the 3rd WebSocket opened in a minute from one IP is refused (429), on each socket path', async () => {
    for (const path of ['/api/ws', '/api/live/ws'] as const) {
      const ip = `10.9.8.${path.length}`;
      for (let i = 0; i < 2; i++) (await injectSocket(app, path, undefined, ip)).terminate();
      await assert.rejects(injectSocket(app, path, undefined, ip), /Unexpected server response: 429/);
      // Another IP has its own budget.
      (await injectSocket(app, path, undefined, '10.9.7.1')).terminate();
    }
  });
});

describe('rate limits behind a reverse proxy (TRUST_PROXY=127.0.0.1, as docs/operations.md deploys)', async () => {
  const t = await makeApp({
    trustProxy: ['127.0.0.1'],
    rateLimits: { login: 3, register: 100, socketOpen: 100, attemptStart: 100, answerSave: 100 },
  });
  after(t.close);

  test('a client cannot dodge the login limit by prefixing its own X-Forwarded-For entries', async () => {
    const a = await registerAccount(t.app, uniqueEmail(), 'N');
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      // nginx's $proxy_add_x_forwarded_for appends the real client address to whatever the
      // client sent: only the right-most entry is trustworthy.
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '127.0.0.1',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `203.0.113.${i + 1}, 198.51.100.7`,
        },
        payload: JSON.stringify({ email: a.email, password: `guess number ${i}` }),
      });
      codes.push(res.statusCode);
    }
    assert.deepEqual(
      codes,
      [401, 401, 401, 429, 429],
      'the client 198.51.100.7 is limited whatever it puts in front',
    );
  });
});

describe('JSON bodies', async () => {
  const t = await makeApp();
  after(t.close);

  test('a bodiless POST with a JSON content type reads as an empty object', async () => {
    const organiser = await makeOrganiser(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/banks',
      headers: { cookie: organiser.cookie, 'content-type': 'application/json' },
    });
    refusal(res, 400, 'BAD_REQUEST');
    assert.match(res.json<{ message: string }>().message, /name/);
  });

  test('malformed JSON is a 400, and prototype poisoning is refused', async () => {
    const organiser = await makeOrganiser(t.app);
    const headers = { cookie: organiser.cookie, 'content-type': 'application/json' };
    refusal(await t.app.inject({ method: 'POST', url: '/api/banks', headers, payload: '{"name": ' }), 400);
    refusal(
      await t.app.inject({
        method: 'POST',
        url: '/api/banks',
        headers,
        payload: '{"name":"x","__proto__":{"a":1}}',
      }),
      400,
    );
  });
});
