// Who sent a request, as audits record it: the client IP (see TRUST_PROXY) and the user agent.
import type { FastifyRequest } from 'fastify';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export const requestMeta = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip ?? null,
  userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
});
