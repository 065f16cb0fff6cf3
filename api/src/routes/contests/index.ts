// Contests and rounds: organisers create and publish; participants browse and register.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import {
  ContestDetailSchema,
  ContestInputSchema,
  EntrySchema,
  RoundInputSchema,
  RoundViewSchema,
} from '../../schemas/contests.ts';

const Slug = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 80 }) });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { contests } = app.services;

  app.get(
    '/contests',
    {
      config: { access: 'public' },
      schema: {
        response: {
          200: Type.Object({
            contests: Type.Array(
              Type.Object({
                id: Type.Integer(),
                slug: Type.String(),
                title: Type.String(),
                description: Type.String(),
                status: Type.String(),
                timeZone: Type.String(),
                rounds: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ contests: await contests.list() }),
  );

  app.post(
    '/contests',
    {
      config: { access: ['organiser'], audit: { action: 'contest.create', target: 'contest' } },
      schema: {
        body: ContestInputSchema,
        response: {
          201: Type.Object({ contest: Type.Object({ id: Type.Integer(), slug: Type.String() }) }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ contest: await contests.createContest(request.user!, request.body) }),
  );

  app.get(
    '/contests/:slug',
    {
      config: { access: 'public' },
      schema: { params: Slug, response: { 200: ContestDetailSchema, ...errors(404) } },
    },
    async (request) => contests.detail(request.params.slug, request.user),
  );

  app.post(
    '/contests/:slug/entry',
    {
      config: { access: 'user' },
      schema: {
        params: Slug,
        body: Type.Object({
          fields: Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 1000 }), {
            maxProperties: 60,
          }),
        }),
        response: {
          200: Type.Object({ entry: EntrySchema }),
          201: Type.Object({ entry: EntrySchema }),
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { created, entry } = await contests.enter(
        request.params.slug,
        request.user!,
        request.body.fields,
      );
      return reply.status(created ? 201 : 200).send({ entry });
    },
  );

  app.post(
    '/contests/:contestId/rounds',
    {
      config: { access: ['organiser'], audit: { action: 'round.create', target: 'round' } },
      schema: {
        params: IdParam('contestId'),
        body: RoundInputSchema,
        response: {
          201: Type.Object({ round: Type.Object({ id: Type.Integer() }) }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ round: await contests.createRound(request.user!, request.params.contestId, request.body) }),
  );

  app.post(
    '/contests/:contestId/publish',
    {
      config: {
        access: ['organiser'],
        audit: { action: 'contest.publish', target: 'contest', param: 'contestId' },
      },
      schema: {
        params: IdParam('contestId'),
        response: {
          200: Type.Object({
            contest: Type.Object({ id: Type.Integer(), slug: Type.String(), status: Type.String() }),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => ({ contest: await contests.publish(request.user!, request.params.contestId) }),
  );

  app.get(
    '/rounds/:roundId',
    {
      config: { access: 'public' },
      schema: {
        params: IdParam('roundId'),
        response: { 200: Type.Object({ round: RoundViewSchema, now: Type.String() }), ...errors(400, 404) },
      },
    },
    async (request) => contests.round(request.params.roundId, request.user),
  );
};

export default routes;
