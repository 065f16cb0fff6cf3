// Liveness and readiness: 200 when SQL (and Redis, when configured) answer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

const Health = Type.Object({
  status: Type.String(),
  db: Type.String(),
  redis: Type.String(),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { config: { access: 'public' }, schema: { response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      let db = 'ok';
      let redis = 'off';
      try {
        await app.repos.ping();
      } catch {
        db = 'down';
      }
      if (app.redis) {
        try {
          redis = (await app.redis.ping()) === 'PONG' ? 'ok' : 'down';
        } catch {
          redis = 'down';
        }
      }
      const ok = db === 'ok' && redis !== 'down';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', db, redis });
    },
  );
};

export default routes;
