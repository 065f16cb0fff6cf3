// One question: read with its revision history, edit (a new revision once any attempt showed
// it), retire.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { QuestionInputSchema, QuestionSchema } from '../../schemas/contests.ts';

const organiser = { access: ['organiser'] as ['organiser'] };

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { banks } = app.services;
  const Param = IdParam('questionId');

  app.get(
    '/:questionId',
    {
      config: organiser,
      schema: {
        params: Param,
        response: {
          200: Type.Object({
            question: QuestionSchema,
            used: Type.Boolean(),
            history: Type.Array(QuestionSchema),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => banks.get(request.user!, request.params.questionId),
  );

  app.put(
    '/:questionId',
    {
      config: { ...organiser, audit: { action: 'question.update', target: 'question', param: 'questionId' } },
      schema: {
        params: Param,
        body: QuestionInputSchema,
        response: {
          200: Type.Object({ question: QuestionSchema, newRevision: Type.Boolean() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => banks.update(request.user!, request.params.questionId, request.body),
  );

  app.delete(
    '/:questionId',
    {
      config: { ...organiser, audit: { action: 'question.retire', target: 'question', param: 'questionId' } },
      schema: {
        params: Param,
        response: {
          200: Type.Object({ question: Type.Object({ id: Type.Integer(), status: Type.String() }) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => banks.retire(request.user!, request.params.questionId),
  );
};

export default routes;
