// Admin routes: listing and searching users, and setting roles (the only public way to become an
// organiser or judge). A role change applies to the user's existing session at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  makeAdmin,
  makeApp,
  makeOrganiser,
  ok,
  refusal,
  registerAccount,
  uniqueEmail,
  type Account,
  type UserView,
} from '../helpers.ts';

describe('admin routes', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let admin: Account;
  let alice: Account;
  let bob: Account;

  before(async () => {
    admin = await makeAdmin(app);
    alice = await registerAccount(app, uniqueEmail('alice'), 'Alice Nguyễn');
    bob = await registerAccount(app, uniqueEmail('bob'), 'Bob Trần');
  });

  const users = async (query = '') =>
    ok<{ users: UserView[] }>(await call(app, 'GET', `/api/admin/users${query}`, { cookie: admin.cookie }))
      .users;

  test('GET /api/admin/users lists users (no password hashes), searches by email or name, pages', async () => {
    const all = await users();
    assert.ok(all.length >= 3);
    assert.deepEqual(Object.keys(all[0]!).sort(), ['email', 'id', 'name', 'roles']);
    assert.deepEqual(
      (await users(`?q=${encodeURIComponent('alice')}`)).map((u) => u.id),
      [alice.id],
    );
    assert.deepEqual(
      (await users(`?q=${encodeURIComponent('Trần')}`)).map((u) => u.id),
      [bob.id],
    );
    const ids = all.map((u) => u.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'in id order',
    );
    assert.deepEqual(
      (await users('?limit=1&offset=1')).map((u) => u.id),
      [ids[1]],
    );
    refusal(await call(app, 'GET', '/api/admin/users?limit=0', { cookie: admin.cookie }), 400);
    refusal(await call(app, 'GET', `/api/admin/users?q=${'x'.repeat(101)}`, { cookie: admin.cookie }), 400);
  });

  test('PUT roles makes an organiser, whose current session can then author at once', async () => {
    refusal(
      await call(app, 'POST', '/api/banks', { cookie: alice.cookie, payload: { name: 'Before' } }),
      403,
      'FORBIDDEN',
    );
    const { user } = ok<{ user: UserView }>(
      await call(app, 'PUT', `/api/admin/users/${alice.id}/roles`, {
        cookie: admin.cookie,
        payload: { roles: ['participant', 'organiser'] },
      }),
    );
    assert.deepEqual(user, {
      id: alice.id,
      email: alice.email,
      name: 'Alice Nguyễn',
      roles: ['participant', 'organiser'],
    });
    ok(await call(app, 'POST', '/api/banks', { cookie: alice.cookie, payload: { name: 'After' } }), 201);
    assert.deepEqual(
      ok<{ user: UserView }>(await call(app, 'GET', '/api/auth/me', { cookie: alice.cookie })).user.roles,
      ['participant', 'organiser'],
    );

    // And taking the role away takes effect at once too.
    ok(
      await call(app, 'PUT', `/api/admin/users/${alice.id}/roles`, {
        cookie: admin.cookie,
        payload: { roles: ['participant'] },
      }),
    );
    refusal(
      await call(app, 'POST', '/api/banks', { cookie: alice.cookie, payload: { name: 'Again' } }),
      403,
      'FORBIDDEN',
    );
  });

  test('PUT roles refuses unknown roles, an empty list and duplicates (400), unknown users (404)', async () => {
    const put = (id: number | string, roles: unknown) =>
      call(app, 'PUT', `/api/admin/users/${id}/roles`, { cookie: admin.cookie, payload: { roles } });
    refusal(await put(bob.id, ['superuser']), 400);
    refusal(await put(bob.id, []), 400);
    refusal(await put(bob.id, ['judge', 'judge']), 400);
    refusal(await put(999999, ['judge']), 404, 'USER_NOT_FOUND');
    refusal(await put('abc', ['judge']), 400);
    assert.deepEqual(
      (await users(`?q=${encodeURIComponent(bob.email)}`))[0]!.roles,
      ['participant'],
      'bob unchanged',
    );
  });

  test('only admins: participants and organisers get 403 FORBIDDEN, anonymous callers 401', async () => {
    const organiser = await makeOrganiser(app);
    for (const cookie of [bob.cookie, organiser.cookie]) {
      refusal(await call(app, 'GET', '/api/admin/users', { cookie }), 403, 'FORBIDDEN');
      refusal(
        await call(app, 'PUT', `/api/admin/users/${bob.id}/roles`, { cookie, payload: { roles: ['admin'] } }),
        403,
        'FORBIDDEN',
      );
    }
    refusal(await call(app, 'GET', '/api/admin/users'), 401, 'UNAUTHENTICATED');
    refusal(
      await call(app, 'PUT', `/api/admin/users/${bob.id}/roles`, { payload: { roles: ['admin'] } }),
      401,
      'UNAUTHENTICATED',
    );
    // Nobody can grant themselves a role through their own account either.
    refusal(
      await call(app, 'PUT', `/api/admin/users/${bob.id}/roles`, {
        cookie: bob.cookie,
        payload: { roles: ['admin'] },
      }),
      403,
      'FORBIDDEN',
    );
  });

  test('a judge may read any board but not author', async () => {
    const judge = await registerAccount(app, uniqueEmail('judge'));
    ok(
      await call(app, 'PUT', `/api/admin/users/${judge.id}/roles`, {
        cookie: admin.cookie,
        payload: { roles: ['judge'] },
      }),
    );
    refusal(
      await call(app, 'POST', '/api/banks', { cookie: judge.cookie, payload: { name: 'No' } }),
      403,
      'FORBIDDEN',
    );
    refusal(await call(app, 'GET', '/api/admin/users', { cookie: judge.cookie }), 403, 'FORBIDDEN');
  });
});
