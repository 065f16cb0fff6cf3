// Sessions, role checks and CSRF protection.
// A session is a random token in a signed httpOnly SameSite cookie; SQL keeps only its SHA-256,
// so sessions survive restarts and are shared by every API node. Every route must declare who
// may call it in `config.access`; a route without it fails start-up rather than open by accident.
import { createHash, randomBytes } from 'node:crypto';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role, UserRow } from '@quizarena/db';
import { AppError, forbidden, unauthorized } from '../errors.ts';

export const SESSION_COOKIE = 'qa_session';

/** Who may call a route: anyone, any signed-in user, or holders of one of the roles. */
export type Access = 'public' | 'user' | Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user: UserRow | null;
  }
  interface FastifyInstance {
    startSession(reply: FastifyReply, userId: number): Promise<void>;
    endSession(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /**
     * Forgets the cached sessions of a user (after a change of roles, say) on every node, so their
     * next request reads SQL.
     */
    forgetUser(userId: number): Promise<void>;
  }
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Signed cookie -> user, for a few seconds: the cookie check (HMAC), the token hash and the SQL
 * look-up were a fifth of an answer save's cost. A logout or a change of roles drops the entries
 * concerned on this node at once and on every other node as soon as the event bus delivers
 * SESSIONS_TOPIC (milliseconds over Redis). Should this node's subscription drop, the whole cache
 * is forgotten when it goes and again when it is back (EventBus.onGap); SESSION_CACHE_MS bounds
 * staleness only while it is away.
 */
const SESSION_CACHE_MS = 10_000;
const SESSION_CACHE_MAX = 50_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Event bus topic of session invalidations, see rankings/keys.ts. */
export const SESSIONS_TOPIC = 'sessions';
type SessionEvent = { kind: 'logout'; tokenHash: string } | { kind: 'user'; userId: number };

export const hasRole = (user: UserRow | null, roles: readonly Role[]): boolean =>
  !!user && (user.roles.includes('admin') || user.roles.some((r) => roles.includes(r)));

export default fp(
  async (app) => {
    const { config, repos } = app;
    await app.register(cookie, { secret: config.sessionSecret });
    app.decorateRequest('user', null);

    app.addHook('onRoute', (route) => {
      if (route.config?.access === undefined && !route.url.startsWith('/api/ws')) {
        if (route.url.startsWith('/api/')) {
          throw new Error(`Route ${route.method} ${route.url} does not declare config.access`);
        }
      }
    });

    const cache = new Map<string, { user: UserRow | null; hash: string | null; until: number }>();
    // Counts the drops. A look-up that read SQL before a logout committed and answers after the
    // drop must not put what it read back in the cache: it caches only if no drop came meanwhile.
    let generation = 0;
    const drop = (event: SessionEvent) => {
      generation += 1;
      for (const [raw, entry] of cache) {
        if (event.kind === 'logout' ? entry.hash === event.tokenHash : entry.user?.id === event.userId) {
          cache.delete(raw);
        }
      }
    };
    // Drop here at once, then tell the other nodes (this node gets its own event too: harmless).
    const invalidate = async (event: SessionEvent) => {
      drop(event);
      await app.events
        .publish(SESSIONS_TOPIC, event)
        .catch((err: unknown) => app.log.warn({ err }, 'session invalidation not published'));
    };
    const unsubscribe = await app.events.subscribe(SESSIONS_TOPIC, (_topic, payload) =>
      drop(payload as SessionEvent),
    );
    app.addHook('preClose', unsubscribe);
    // Invalidations published while this node's subscription was away never arrive: forget all.
    const stopGaps = app.events.onGap(() => {
      generation += 1;
      cache.clear();
    });
    app.addHook('preClose', async () => stopGaps());
    app.decorate('forgetUser', (userId: number) => invalidate({ kind: 'user', userId }));

    const lookUp = async (request: FastifyRequest, raw: string): Promise<UserRow | null> => {
      const now = app.now();
      const hit = cache.get(raw);
      if (hit && hit.until > now) return hit.user;
      const unsigned = request.unsignCookie(raw);
      const hash = unsigned.valid && unsigned.value ? tokenHash(unsigned.value) : null;
      const seen = generation;
      const user = hash ? ((await repos.sessions.findUser(hash, now)) ?? null) : null;
      if (seen !== generation) return user; // read before a drop: good for this request only
      if (cache.size >= SESSION_CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(raw, { user, hash, until: now + SESSION_CACHE_MS });
      return user;
    };

    app.addHook('onRequest', async (request) => {
      const raw = request.cookies[SESSION_COOKIE];
      if (raw) request.user = await lookUp(request, raw);
      // CSRF (OWASP: verify origin with standard headers; JSON-only bodies). Browsers send Origin
      // and Sec-Fetch-Site on every cross-origin POST; scripted clients send neither and pass.
      if (!SAFE_METHODS.has(request.method) && raw) {
        const site = request.headers['sec-fetch-site'];
        if (site === 'cross-site') throw forbidden('CSRF', 'Cross-site request refused');
        const origin = request.headers.origin;
        if (origin && origin !== 'null') {
          let host: string;
          try {
            host = new URL(origin).host;
          } catch {
            throw forbidden('CSRF', 'Bad Origin header');
          }
          if (host !== request.headers.host && !config.trustedOrigins.includes(origin)) {
            throw forbidden('CSRF', 'Cross-origin request refused');
          }
        } else if (origin === 'null') {
          throw forbidden('CSRF', 'Opaque origin refused');
        }
      }
    });

    app.addHook('preHandler', async (request) => {
      const access = request.routeOptions.config.access;
      if (access === undefined || access === 'public') return;
      if (!request.user) throw unauthorized();
      if (access === 'user') return;
      if (!hasRole(request.user, access)) {
        throw new AppError(403, 'FORBIDDEN', `This needs the role ${access.join(' or ')}`);
      }
    });

    app.decorate('startSession', async (reply: FastifyReply, userId: number) => {
      const token = randomBytes(32).toString('base64url');
      const maxAge = config.sessionTtlDays * 86400;
      await repos.sessions.create(tokenHash(token), userId, app.now() + maxAge * 1000);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
        signed: true,
        maxAge,
      });
    });

    app.decorate('endSession', async (request: FastifyRequest, reply: FastifyReply) => {
      const raw = request.cookies[SESSION_COOKIE];
      if (raw) {
        const unsigned = request.unsignCookie(raw);
        if (unsigned.valid && unsigned.value) {
          const hash = tokenHash(unsigned.value);
          await repos.sessions.delete(hash);
          await invalidate({ kind: 'logout', tokenHash: hash });
        }
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    });
  },
  { name: 'auth', dependencies: ['db', 'rankings'] },
);
