// Sharing a bank or a contest with other organisers: they then see and change it as its owner
// does; only the owner (or an admin) changes who it is shared with.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ShareKind } from '@quizarena/db';
import { errors } from '../../schemas/common.ts';

const Share = Type.Object({ userId: Type.Integer(), email: Type.String(), name: Type.String() });
const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { authoring } = app.services;

  for (const [kind, path, param] of [
    ['bank', 'banks', 'bankId'],
    ['contest', 'contests', 'contestId'],
  ] as [ShareKind, string, string][]) {
    const Params = Type.Object({ [param]: Id });
    const idOf = (params: Record<string, number>) => params[param]!;

    app.get(
      `/${path}/:${param}/shares`,
      {
        config: { access: ['organiser'] },
        schema: {
          params: Params,
          response: { 200: Type.Object({ shares: Type.Array(Share) }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        shares: await authoring.shares(kind, idOf(request.params as Record<string, number>), request.user!),
      }),
    );

    app.post(
      `/${path}/:${param}/shares`,
      {
        config: { access: ['organiser'], audit: { action: `${kind}.share`, target: kind, param } },
        schema: {
          params: Params,
          body: Type.Object({
            email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' }),
          }),
          response: { 201: Type.Object({ share: Share }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) =>
        reply.status(201).send({
          share: await authoring.share(
            kind,
            idOf(request.params as Record<string, number>),
            request.user!,
            request.body.email,
          ),
        }),
    );

    app.delete(
      `/${path}/:${param}/shares/:userId`,
      {
        config: { access: ['organiser'], audit: { action: `${kind}.unshare`, target: kind, param } },
        schema: {
          params: Type.Object({ [param]: Id, userId: Id }),
          response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const params = request.params as Record<string, number>;
        await authoring.unshare(kind, idOf(params), request.user!, params.userId!);
        return reply.status(204).send(null);
      },
    );
  }
};

export default routes;
