// Question banks (organisers). The authoring UI arrives later; this is its API.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { QuestionInputSchema, QuestionSchema } from '../../schemas/contests.ts';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { contests } = app.services;
  const access = { access: ['organiser'] as ['organiser'] };

  app.get(
    '/',
    {
      config: access,
      schema: {
        response: {
          200: Type.Object({
            banks: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), questionCount: Type.Integer() })),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ banks: await contests.listBanks(request.user!) }),
  );

  app.post(
    '/',
    {
      config: access,
      schema: {
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }) }),
        response: { 201: Type.Object({ bank: Type.Object({ id: Type.Integer(), name: Type.String() }) }), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => reply.status(201).send({ bank: await contests.createBank(request.user!, request.body.name) }),
  );

  app.get(
    '/:bankId/questions',
    {
      config: access,
      schema: {
        params: IdParam('bankId'),
        response: { 200: Type.Object({ questions: Type.Array(QuestionSchema) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ questions: await contests.listQuestions(request.user!, request.params.bankId) }),
  );

  app.post(
    '/:bankId/questions',
    {
      config: access,
      schema: {
        params: IdParam('bankId'),
        body: QuestionInputSchema,
        response: { 201: Type.Object({ question: Type.Object({ id: Type.Integer() }) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ question: await contests.addQuestion(request.user!, request.params.bankId, request.body) }),
  );
};

export default routes;
