// Liveness and readiness: 200 when SQL (and Redis, when configured) answer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

const Health = Type.Object({
  status: Type.String(),
  db: Type.String(),
  redis: Type.String(),
});

/**
 * How long a probe may take before its store counts as down: a balancer's health check should
 * hear back promptly, not after PostgreSQL's 10 s connection timeout.
 */
export const PROBE_TIMEOUT_MS = 2000;

/** 'ok' when `probe` resolves truthy within the timeout, else 'down'. */
async function probe(check: () => Promise<boolean>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([check(), late])) ? 'ok' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { config: { access: 'public' }, schema: { response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const redisClient = app.redis;
      const [db, redis] = await Promise.all([
        probe(async () => {
          await app.repos.ping();
          return true;
        }),
        redisClient
          ? probe(async () => (await redisClient.ping()) === 'PONG')
          : Promise.resolve('off' as const),
      ]);
      const ok = db === 'ok' && redis !== 'down';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', db, redis });
    },
  );
};

export default routes;
