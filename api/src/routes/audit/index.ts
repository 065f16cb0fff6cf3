// The audit log: judges and admins read it; admins check that its hash chain is unbroken and
// reaches every anchor kept outside the database (plugins/audit-anchors.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { errors } from '../../schemas/common.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actorId: Nullable(Type.Integer()),
  actorName: Nullable(Type.String()),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  prevHash: Type.String(),
  hash: Type.String(),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { repos } = app;

  app.get(
    '/audit',
    {
      config: { access: ['admin', 'judge'] },
      schema: {
        querystring: Type.Object({
          action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
          targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          actorId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, maximum: 100_000_000, default: 0 }),
        }),
        response: {
          200: Type.Object({ total: Type.Integer(), entries: Type.Array(AuditEntrySchema) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      const page = await repos.reports.auditPage(filter, limit, offset);
      return {
        total: page.total,
        entries: page.rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      config: { access: ['admin'] },
      schema: {
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            brokenAt: Nullable(Type.Integer()),
            reason: Nullable(Type.String()),
            anchors: Type.Integer({ description: 'anchors (outside the database) found in the log' }),
            answerLogs: Type.Integer({
              description: "finalised attempts whose saves match their entry's head",
            }),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => {
      const { anchors, problems } = await app.auditAnchors.read();
      return repos.audit.verify({ anchors, anchorProblems: problems });
    },
  );
};

export default routes;
