// Attempts: start, resume, save answers one by one, predict, submit. The response schemas list
// only what a participant may see: an answer key in a handler's result cannot leak through.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { requestMeta } from '../../request-meta.ts';
import { QuestionTypeSchema } from '../../schemas/contests.ts';

const AttemptStatus = Type.Union([
  Type.Literal('in_progress'),
  Type.Literal('submitted'),
  Type.Literal('expired'),
  Type.Literal('voided'),
]);

export const AttemptSchema = Type.Object({
  id: Type.Integer(),
  roundId: Type.Integer(),
  status: AttemptStatus,
  startedAt: Type.String(),
  deadline: Type.String(),
  now: Type.String(),
  questions: Type.Array(
    Type.Object({
      id: Type.Integer(),
      type: QuestionTypeSchema,
      stem: Type.String(),
      points: Type.Number(),
      options: Type.Array(Type.Object({ id: Type.String(), text: Type.String() })),
      // Present only once the attempt is final and the round shows answers.
      correctOptionIds: Type.Optional(Type.Array(Type.String())),
      explanation: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      correct: Type.Optional(Type.Boolean()),
    }),
  ),
  answers: Type.Array(Type.Object({ questionId: Type.Integer(), optionIds: Type.Array(Type.String()) })),
  prediction: Type.Union([Type.Number(), Type.Null()]),
  result: Type.Union([
    Type.Object({
      score: Type.Number(),
      maxScore: Type.Number(),
      correctCount: Type.Integer(),
      durationMs: Type.Integer(),
      submittedAt: Type.String(),
    }),
    Type.Null(),
  ]),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { attempts } = app.services;
  const { rateLimits } = app.config;
  const perUser = (max: number) => ({
    max,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) => (request.user ? `u${request.user.id}` : request.ip),
  });
  const AttemptParam = IdParam('attemptId');

  app.post(
    '/rounds/:roundId/attempts',
    {
      config: { access: 'user', rateLimit: perUser(rateLimits.attemptStart) },
      schema: {
        params: IdParam('roundId'),
        response: { 201: Type.Object({ attempt: AttemptSchema }), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ attempt: await attempts.start(request.params.roundId, request.user!, requestMeta(request)) }),
  );

  app.get(
    '/attempts/:attemptId',
    {
      config: { access: 'user' },
      schema: {
        params: AttemptParam,
        response: { 200: Type.Object({ attempt: AttemptSchema }), ...errors(400, 401, 404) },
      },
    },
    async (request) => ({ attempt: await attempts.get(request.params.attemptId, request.user!) }),
  );

  app.put(
    '/attempts/:attemptId/answers/:questionId',
    {
      config: { access: 'user', rateLimit: perUser(rateLimits.answerSave) },
      schema: {
        params: Type.Object({
          attemptId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
          questionId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
        }),
        body: Type.Object({ optionIds: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 }) }),
        response: {
          200: Type.Object({
            saved: Type.Object({
              questionId: Type.Integer(),
              optionIds: Type.Array(Type.String()),
              savedAt: Type.String(),
            }),
          }),
          ...errors(400, 401, 404, 409, 429),
        },
      },
    },
    async (request) => ({
      saved: await attempts.saveAnswer(
        request.params.attemptId,
        request.params.questionId,
        request.body.optionIds,
        request.user!,
        requestMeta(request),
      ),
    }),
  );

  app.put(
    '/attempts/:attemptId/prediction',
    {
      config: { access: 'user', rateLimit: perUser(rateLimits.answerSave) },
      schema: {
        params: AttemptParam,
        body: Type.Object({ value: Type.Number({ minimum: 0, maximum: 1e9 }) }),
        response: { 200: Type.Object({ prediction: Type.Number() }), ...errors(400, 401, 404, 409, 429) },
      },
    },
    async (request) => attempts.setPrediction(request.params.attemptId, request.body.value, request.user!),
  );

  app.post(
    '/attempts/:attemptId/submit',
    {
      config: { access: 'user' },
      // A scripted client may POST with no body at all.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        params: AttemptParam,
        body: Type.Object({ prediction: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })) }),
        response: {
          200: Type.Object({
            attempt: Type.Object({
              id: Type.Integer(),
              status: AttemptStatus,
              score: Type.Number(),
              maxScore: Type.Number(),
              correctCount: Type.Integer(),
              durationMs: Type.Integer(),
              submittedAt: Type.String(),
            }),
          }),
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (request) => ({
      attempt: await attempts.submit(
        request.params.attemptId,
        request.body.prediction,
        request.user!,
        requestMeta(request),
      ),
    }),
  );
};

export default routes;
