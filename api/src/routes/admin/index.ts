// User administration (admins).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.ts';
import { errors, IdParam, RoleSchema, UserSchema } from '../../schemas/common.ts';
import { userView } from '../auth/index.ts';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { repos } = app;

  app.get(
    '/users',
    {
      config: { access: ['admin'] },
      schema: {
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ users: Type.Array(UserSchema) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { q, limit, offset } = request.query;
      return { users: (await repos.users.list(q, limit, offset)).map(userView) };
    },
  );

  app.put(
    '/users/:userId/roles',
    {
      config: { access: ['admin'], audit: { action: 'user.roles', target: 'user', param: 'userId' } },
      schema: {
        params: IdParam('userId'),
        body: Type.Object({ roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 4, uniqueItems: true }) }),
        response: { 200: Type.Object({ user: UserSchema }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await repos.users.update(request.params.userId, { roles: request.body.roles });
      if (!user) throw notFound('USER_NOT_FOUND', 'No such user');
      await app.forgetUser(user.id);
      return { user: userView(user) };
    },
  );
};

export default routes;
