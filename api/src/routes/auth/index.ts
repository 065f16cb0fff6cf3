// Accounts: register, sign in, sign out, who am I.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { UserRow } from '@quizarena/db';
import { AppError, conflict } from '../../errors.ts';
import { errors, UserSchema } from '../../schemas/common.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../services/passwords.ts';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 200 });

export const userView = (u: UserRow) => ({ id: u.id, email: u.email, name: u.name, roles: u.roles });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { repos, config } = app;
  const perMinute = (max: number) => ({ max, timeWindow: '1 minute' });

  app.post(
    '/register',
    {
      config: { access: 'public', rateLimit: perMinute(config.rateLimits.register) },
      schema: {
        body: Type.Object({
          email: Email,
          password: Password,
          name: Type.String({ minLength: 1, maxLength: 120 }),
        }),
        response: { 201: Type.Object({ user: UserSchema }), ...errors(400, 409, 429) },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      const name = request.body.name.trim().normalize('NFC');
      if (!name) throw new AppError(400, 'BAD_REQUEST', 'Name must not be blank');
      if (await repos.users.findByEmail(email))
        throw conflict('EMAIL_TAKEN', 'An account with this email exists');
      const passwordHash = await hashPassword(request.body.password);
      let user: UserRow;
      try {
        user = await repos.users.create({ email, name, passwordHash, roles: ['participant'] });
      } catch (err) {
        if (String(err).includes('UNIQUE'))
          throw conflict('EMAIL_TAKEN', 'An account with this email exists');
        throw err;
      }
      await app.startSession(reply, user.id);
      return reply.status(201).send({ user: userView(user) });
    },
  );

  app.post(
    '/login',
    {
      config: { access: 'public', rateLimit: perMinute(config.rateLimits.login) },
      schema: {
        body: Type.Object({
          email: Type.String({ maxLength: 254 }),
          password: Type.String({ maxLength: 200 }),
        }),
        response: { 200: Type.Object({ user: UserSchema }), ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const user = await repos.users.findByEmail(request.body.email.trim().toLowerCase());
      const ok = await verifyPassword(request.body.password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok) throw new AppError(401, 'BAD_CREDENTIALS', 'Wrong email or password');
      await app.startSession(reply, user.id);
      return { user: userView(user) };
    },
  );

  app.post(
    '/logout',
    { config: { access: 'public' }, schema: { response: { 204: Type.Null() } } },
    async (request, reply) => {
      await app.endSession(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      config: { access: 'user' },
      schema: { response: { 200: Type.Object({ user: UserSchema }), ...errors(401) } },
    },
    async (request) => ({ user: userView(request.user!) }),
  );
};

export default routes;
