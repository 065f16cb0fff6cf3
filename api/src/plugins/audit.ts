// Organiser and admin actions into the audit log. A route opts in with `config.audit`; after a
// successful handler, and before the reply leaves, the entry is appended (hash-chained, see
// db/src/audit.ts) with the actor, the target (from the route's params or the created record in
// the reply), a digest of the request body, the IP and the user agent. Judges' actions and attempt
// events are written inside their own transactions instead (services/judging.ts, db/attempts.ts).
import fp from 'fastify-plugin';
import { requestMeta } from '../request-meta.ts';

export interface AuditConfig {
  action: string;
  /** The target's type; its id comes from this route param, or else from the reply's record. */
  target: 'bank' | 'question' | 'contest' | 'round' | 'user' | 'image' | 'game';
  param?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditConfig;
  }
}

const MAX_BODY_CHARS = 4000;
const SECRET_KEYS = new Set(['password', 'passwordHash']);

/** The request body as stored in the log: secrets removed, large bodies summarised. */
function bodyDigest(body: unknown): unknown {
  if (body === undefined || body === null || typeof body !== 'object') return body ?? null;
  if (Buffer.isBuffer(body)) return { bytes: body.length };
  const clean = JSON.parse(
    JSON.stringify(body, (k, v: unknown) => (SECRET_KEYS.has(k) ? undefined : v)),
  ) as Record<string, unknown>;
  const text = JSON.stringify(clean);
  if (text.length <= MAX_BODY_CHARS) return clean;
  return {
    bytes: text.length,
    keys: Object.keys(clean),
    ...Object.fromEntries(
      Object.entries(clean)
        .filter(([, v]) => Array.isArray(v))
        .map(([k, v]) => [`${k}Count`, (v as unknown[]).length]),
    ),
  };
}

function targetFromReply(payload: unknown, target: AuditConfig['target']): string | null {
  if (typeof payload !== 'string') return null;
  try {
    const parsed = JSON.parse(payload) as Record<string, { id?: unknown; sha256?: unknown } | undefined>;
    const id = parsed[target]?.id ?? parsed[target]?.sha256;
    return typeof id === 'number' || typeof id === 'string' ? String(id) : null;
  } catch {
    return null;
  }
}

export default fp(
  async (app) => {
    app.addHook('onSend', async (request, reply, payload) => {
      const audit = request.routeOptions.config.audit;
      if (!audit || reply.statusCode >= 400) return payload;
      const params = (request.params ?? {}) as Record<string, unknown>;
      const fromParam = audit.param ? params[audit.param] : undefined;
      const targetId =
        fromParam !== undefined ? String(fromParam) : (targetFromReply(payload, audit.target) ?? '?');
      await app.repos.audit.append({
        at: app.now(),
        actorId: request.user?.id ?? null,
        action: audit.action,
        targetType: audit.target,
        targetId,
        data: { params, query: request.query ?? null, body: bodyDigest(request.body) },
        ...requestMeta(request),
      });
      return payload;
    });
  },
  { name: 'audit', dependencies: ['db', 'auth'] },
);
