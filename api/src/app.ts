// buildApp(config): the whole server, used by `npm start` and by every test alike.
// Plugins are registered explicitly, external first, then the project's, then routes, so this
// one file shows how the server is put together.
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import dbPlugin from './plugins/db.ts';
import authPlugin from './plugins/auth.ts';
import rankingsPlugin from './plugins/rankings.ts';
import servicesPlugin from './plugins/services.ts';
import auditPlugin from './plugins/audit.ts';
import auditAnchorsPlugin from './plugins/audit-anchors.ts';
import { leasingRedisStore } from './plugins/rate-limit-store.ts';
import webPlugin from './plugins/web.ts';
import manageRoutes from './routes/manage/index.ts';
import sharingRoutes from './routes/sharing/index.ts';
import imageRoutes from './routes/images/index.ts';
import wsRoutes from './routes/ws/index.ts';
import authRoutes from './routes/auth/index.ts';
import bankRoutes from './routes/banks/index.ts';
import contestRoutes from './routes/contests/index.ts';
import attemptRoutes from './routes/attempts/index.ts';
import rankingRoutes from './routes/rankings/index.ts';
import adminRoutes from './routes/admin/index.ts';
import healthRoutes from './routes/health/index.ts';
import judgingRoutes from './routes/judging/index.ts';
import questionRoutes from './routes/questions/index.ts';
import exportRoutes from './routes/exports/index.ts';
import statisticsRoutes from './routes/statistics/index.ts';
import auditRoutes from './routes/audit/index.ts';
import liveRoutes from './routes/live/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** The server clock (epoch ms); tests may replace it. */
    now: () => number;
  }
}

export interface BuildOptions {
  /** A clock for tests that move time; defaults to Date.now. */
  now?: () => number;
  /** Log to stdout in a readable form (the CLI), rather than JSON lines. */
  prettyLog?: boolean;
}

const nulRefusal = () => new AppError(400, 'BAD_TEXT', 'Text must not contain NUL characters');

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    // Two log lines per request cost more than an answer save; errors are still logged.
    logController: new LogController({
      disableRequestLogging: !['debug', 'trace'].includes(config.logLevel),
    }),
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    bodyLimit: 64 * 1024,
    // Opening the store may wait for another node's migrations (PostgreSQL advisory lock).
    pluginTimeout: 120_000,
    // Fastify's own ajv: coerce querystrings, drop unknown body fields, report every problem.
    ajv: { customOptions: { removeAdditional: 'all', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('now', options.now ?? Date.now);
  await app.register(fp(async () => undefined, { name: 'config' }));

  // JSON only: with no parser for forms or text, a cross-site HTML form cannot post here (CSRF).
  // An empty JSON body (a bodiless POST from fetch with a JSON content type) reads as {}.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    // NUL is no text any store keeps (PostgreSQL refuses it): refused here, the same on both.
    if (/\\u0000/i.test(text)) return done(nulRefusal(), undefined);
    return jsonParser(request, text, done);
  });
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw nulRefusal();
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.statusCode).send({
        statusCode: error.statusCode,
        error: httpError(error.statusCode),
        message: error.message,
        code: error.code,
        ...error.details,
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(status).send({
        statusCode: status,
        error: httpError(status),
        message: 'Something went wrong on our side; please try again',
        code: 'INTERNAL',
      });
    }
    return reply.status(status).send({
      statusCode: status,
      error: httpError(status),
      message: error.message,
      code: error.validation ? 'BAD_REQUEST' : (error.code ?? 'BAD_REQUEST'),
    });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `No route ${request.method} ${request.url.split('?')[0]}`,
      code: 'NOT_FOUND',
    }),
  );

  // External plugins and the stores they may share.
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  await app.register(dbPlugin);
  await app.register(rankingsPlugin);
  await app.register(rateLimit, {
    global: false,
    // Shared across API nodes when Redis is configured (leased in slices: plugins/rate-limit-store.ts),
    // per process otherwise.
    ...(app.redis ? { store: leasingRedisStore(app.redis, `${config.redisPrefix}rl:`) } : {}),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'RATE_LIMITED', `Too many requests; try again in ${context.after}`),
  });

  // The project's plugins.
  await app.register(authPlugin);
  await app.register(servicesPlugin);
  await app.register(auditPlugin);
  await app.register(auditAnchorsPlugin);

  // Routes.
  await app.register(healthRoutes, { prefix: '/api' });
  await app.register(authRoutes, { prefix: '/api/auth' });
  await app.register(bankRoutes, { prefix: '/api/banks' });
  await app.register(questionRoutes, { prefix: '/api/questions' });
  await app.register(contestRoutes, { prefix: '/api' });
  await app.register(attemptRoutes, { prefix: '/api' });
  await app.register(rankingRoutes, { prefix: '/api' });
  await app.register(judgingRoutes, { prefix: '/api' });
  await app.register(exportRoutes, { prefix: '/api' });
  await app.register(statisticsRoutes, { prefix: '/api' });
  await app.register(auditRoutes, { prefix: '/api' });
  await app.register(adminRoutes, { prefix: '/api/admin' });
  await app.register(manageRoutes, { prefix: '/api' });
  await app.register(sharingRoutes, { prefix: '/api' });
  await app.register(imageRoutes, { prefix: '/api' });
  await app.register(wsRoutes, { prefix: '/api' });
  await app.register(liveRoutes, { prefix: '/api' });
  if (config.webDist) await app.register(webPlugin, { root: config.webDist });

  return app;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
const httpError = (status: number) => STATUS_TEXT[status] ?? (status >= 500 ? 'Server Error' : 'Error');
