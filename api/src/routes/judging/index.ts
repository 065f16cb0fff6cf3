// Judges: finalise, publish and reopen a round's results; review results and attempts; void.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { requestMeta } from '../../request-meta.ts';

const judge = { access: ['judge'] as ['judge'] };
const Reason = Type.Object({ reason: Type.String({ minLength: 3, maxLength: 2000, pattern: '\\S' }) });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A tie across a prize band boundary, left for the judges to decide. */
const BoundaryTieSchema = Type.Object({
  group: Nullable(Type.String()),
  prize: Type.String(),
  rank: Type.Integer(),
  userIds: Type.Array(Type.Integer()),
  places: Type.Integer(),
});

const PredictionSchema = Nullable(
  Type.Object({
    kind: Type.String(),
    value: Type.Number(),
    allCorrect: Type.Integer(),
    participants: Type.Integer(),
  }),
);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { judging } = app.services;
  const RoundParam = IdParam('roundId');

  app.post(
    '/rounds/:roundId/finalize',
    {
      config: judge,
      schema: {
        params: RoundParam,
        response: {
          200: Type.Object({
            finalisation: Type.Object({
              id: Type.Integer(),
              roundId: Type.Integer(),
              hash: Type.String(),
              createdAt: Type.String(),
              createdBy: Type.Integer(),
              participants: Type.Integer(),
              prediction: PredictionSchema,
              rankingCheck: Type.Object({ ok: Type.Boolean(), rebuilt: Type.Boolean() }),
              boundaryTies: Type.Array(BoundaryTieSchema),
              auditEntry: Type.Object(
                { id: Type.Integer(), hash: Type.String() },
                { description: "the finalisation's audit entry: the log's head just after it" },
              ),
            }),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const result = await judging.finalize(request.params.roundId, request.user!, requestMeta(request));
      // A finalisation is a moment worth anchoring at once, not at the next tick of the timer. It
      // is committed either way: a failure here is logged, not turned into a failed request.
      await app.auditAnchors
        .anchor()
        .catch((err: unknown) => request.log.error({ err }, 'could not anchor the audit log'));
      return result;
    },
  );

  const StatusReply = Type.Object({
    round: Type.Object({ id: Type.Integer(), resultsStatus: Type.String() }),
  });

  app.post(
    '/rounds/:roundId/publish-results',
    {
      config: judge,
      schema: { params: RoundParam, response: { 200: StatusReply, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => judging.publishResults(request.params.roundId, request.user!, requestMeta(request)),
  );

  app.post(
    '/rounds/:roundId/reopen',
    {
      config: judge,
      schema: {
        params: RoundParam,
        body: Reason,
        response: { 200: StatusReply, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      judging.reopen(request.params.roundId, request.body.reason, request.user!, requestMeta(request)),
  );

  app.get(
    '/rounds/:roundId/results',
    {
      config: judge,
      schema: {
        params: RoundParam,
        querystring: Type.Object({
          group: Type.Optional(Type.String({ maxLength: 20 })),
          unit: Type.Optional(Type.String({ maxLength: 40 })),
          q: Type.Optional(Type.String({ maxLength: 100 })),
          sort: Type.Union(
            [Type.Literal('rank'), Type.Literal('name'), Type.Literal('submitted'), Type.Literal('duration')],
            {
              default: 'rank',
            },
          ),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            finalisation: Nullable(
              Type.Object({
                id: Type.Integer(),
                hash: Type.String(),
                createdAt: Type.String(),
                actualValue: Nullable(Type.Number()),
                boundaryTies: Type.Array(BoundaryTieSchema),
              }),
            ),
            rows: Type.Array(
              Type.Object({
                userId: Type.Integer(),
                attemptId: Type.Integer(),
                groupKey: Nullable(Type.String()),
                name: Type.String(),
                unit: Nullable(Type.String()),
                unitCode: Nullable(Type.String()),
                fields: Type.Record(Type.String(), Type.String()),
                score: Type.Number(),
                correctCount: Type.Integer(),
                durationMs: Type.Integer(),
                submittedAt: Type.String(),
                prediction: Nullable(Type.Number()),
                finalRank: Nullable(Type.Integer()),
                predictionDistance: Nullable(Type.Number()),
                prize: Nullable(Type.String()),
                /** Which rule put this row after the one above it in the final ranking. */
                decidedBy: Nullable(Type.String()),
              }),
            ),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => judging.results(request.params.roundId, request.query),
  );

  app.get(
    '/attempts/:attemptId/audit',
    {
      config: judge,
      schema: {
        params: IdParam('attemptId'),
        response: {
          200: Type.Object({
            participant: Type.Object({
              userId: Type.Integer(),
              name: Type.String(),
              email: Nullable(Type.String()),
              fields: Type.Record(Type.String(), Type.String()),
            }),
            attempt: Type.Object({
              id: Type.Integer(),
              roundId: Type.Integer(),
              userId: Type.Integer(),
              status: Type.String(),
              seed: Type.String(),
              startedAt: Type.String(),
              deadline: Type.String(),
              submittedAt: Nullable(Type.String()),
              durationMs: Nullable(Type.Integer()),
              score: Nullable(Type.Number()),
              maxScore: Type.Number(),
              correctCount: Nullable(Type.Integer()),
              prediction: Nullable(Type.Number()),
              ip: Nullable(Type.String()),
              userAgent: Nullable(Type.String()),
              voidReason: Nullable(Type.String()),
            }),
            questions: Type.Array(
              Type.Object({
                position: Type.Integer(),
                questionId: Type.Integer(),
                type: Type.String(),
                stem: Type.String(),
                points: Type.Number(),
                options: Type.Array(
                  Type.Object({ id: Type.String(), text: Type.String(), correct: Type.Boolean() }),
                ),
                chosen: Type.Array(Type.String()),
              }),
            ),
            saves: Type.Array(
              Type.Object({
                questionId: Type.Integer(),
                optionIds: Type.Array(Type.String()),
                at: Type.String(),
                ip: Nullable(Type.String()),
                userAgent: Nullable(Type.String()),
              }),
            ),
            events: Type.Array(
              Type.Object({
                action: Type.String(),
                at: Type.String(),
                actorId: Nullable(Type.Integer()),
                ip: Nullable(Type.String()),
                userAgent: Nullable(Type.String()),
                data: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => judging.audit(request.params.attemptId),
  );

  app.post(
    '/attempts/:attemptId/void',
    {
      config: judge,
      schema: {
        params: IdParam('attemptId'),
        body: Reason,
        response: {
          200: Type.Object({
            attempt: Type.Object({ id: Type.Integer(), status: Type.String(), voidReason: Type.String() }),
            counted: Nullable(Type.Object({ attemptId: Type.Integer(), score: Type.Number() })),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) =>
      judging.voidAttempt(request.params.attemptId, request.body.reason, request.user!, requestMeta(request)),
  );
};

export default routes;
