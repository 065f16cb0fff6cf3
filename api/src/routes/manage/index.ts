// The organiser's editing side of contests and rounds: their own lists (drafts and shared ones
// included), the editor's views, changes, the units CSV, the draw preview, the publish checklist
// and the live dashboard. Creating contests and rounds and publishing live in routes/contests.
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { ContestInputSchema, RoundInputSchema } from '../../schemas/contests.ts';
import {
  ChecklistSchema,
  ContestEditSchema,
  DashboardSchema,
  DrawReportSchema,
  RoundEditSchema,
} from '../../schemas/authoring.ts';
import { MAX_UNITS_CSV_BYTES } from '../../services/authoring.ts';

const organiser = { access: ['organiser'] as ['organiser'] };

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { authoring, contests } = app.services;

  app.get(
    '/manage/contests',
    {
      config: organiser,
      schema: {
        response: {
          200: Type.Object({
            contests: Type.Array(
              Type.Object({
                id: Type.Integer(),
                slug: Type.String(),
                title: Type.String(),
                status: Type.String(),
                timeZone: Type.String(),
                rounds: Type.Integer(),
                entries: Type.Integer(),
                ownerId: Type.Integer(),
                ownerName: Type.String(),
                shared: Type.Boolean(),
                createdAt: Type.String(),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ contests: await authoring.contests(request.user!) }),
  );

  app.get(
    '/manage/contests/:contestId',
    {
      config: organiser,
      schema: {
        params: IdParam('contestId'),
        response: {
          200: Type.Object({ contest: ContestEditSchema, rounds: Type.Array(RoundEditSchema) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => authoring.contest(request.user!, request.params.contestId),
  );

  app.patch(
    '/contests/:contestId',
    {
      config: { ...organiser, audit: { action: 'contest.update', target: 'contest', param: 'contestId' } },
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        params: IdParam('contestId'),
        body: Type.Partial(ContestInputSchema, { minProperties: 1 }),
        response: { 200: Type.Object({ contest: ContestEditSchema }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      contest: await authoring.updateContest(request.user!, request.params.contestId, request.body),
    }),
  );

  // The units CSV, parsed for the editor to show and apply (nothing is saved here).
  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>();
    for (const type of ['application/octet-stream', 'text/csv', 'text/plain']) {
      upload.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: MAX_UNITS_CSV_BYTES },
        (_req, body, done) => done(null, body),
      );
    }
    upload.post(
      '/contests/:contestId/units/preview',
      {
        config: organiser,
        bodyLimit: MAX_UNITS_CSV_BYTES,
        schema: {
          params: IdParam('contestId'),
          response: {
            200: Type.Object({
              units: Type.Array(
                Type.Object({
                  code: Type.String(),
                  name: Type.String(),
                  parentCode: Type.Union([Type.String(), Type.Null()]),
                  headcount: Type.Union([Type.Integer(), Type.Null()]),
                }),
              ),
              errors: Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() })),
              warnings: Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() })),
            }),
            ...errors(400, 401, 403, 404, 413, 415),
          },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw Object.assign(new Error('Send the CSV file as the request body (text/csv)'), {
            statusCode: 400,
            code: 'EMPTY_FILE',
          });
        }
        return authoring.unitsPreview(request.user!, request.params.contestId, body);
      },
    );
  });

  app.get(
    '/manage/rounds/:roundId',
    {
      config: organiser,
      schema: {
        params: IdParam('roundId'),
        response: {
          200: Type.Object({
            round: RoundEditSchema,
            contest: Type.Object({
              id: Type.Integer(),
              slug: Type.String(),
              title: Type.String(),
              timeZone: Type.String(),
              status: Type.String(),
            }),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => contests.getRoundForEdit(request.user!, request.params.roundId),
  );

  app.put(
    '/rounds/:roundId',
    {
      config: { ...organiser, audit: { action: 'round.update', target: 'round', param: 'roundId' } },
      schema: {
        params: IdParam('roundId'),
        body: RoundInputSchema,
        response: { 200: Type.Object({ round: RoundEditSchema }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      round: await contests.updateRound(request.user!, request.params.roundId, request.body),
    }),
  );

  app.delete(
    '/rounds/:roundId',
    {
      config: { ...organiser, audit: { action: 'round.delete', target: 'round', param: 'roundId' } },
      schema: {
        params: IdParam('roundId'),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await contests.deleteRound(request.user!, request.params.roundId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/draw/preview',
    {
      config: organiser,
      schema: {
        body: Type.Object({
          draw: RoundInputSchema.properties.draw,
          questionCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: DrawReportSchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => contests.drawPreview(request.user!, request.body.draw, request.body.questionCount),
  );

  app.get(
    '/contests/:contestId/checklist',
    {
      config: organiser,
      schema: {
        params: IdParam('contestId'),
        response: { 200: ChecklistSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => contests.checklist(request.user!, request.params.contestId),
  );

  app.get(
    '/contests/:contestId/dashboard',
    {
      config: { access: ['organiser', 'judge'] },
      schema: {
        params: IdParam('contestId'),
        response: { 200: DashboardSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => authoring.dashboard(request.user!, request.params.contestId),
  );
};

export default routes;
