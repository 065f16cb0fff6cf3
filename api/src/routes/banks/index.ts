// Question banks (organisers own theirs; admins see all): questions searched and paged on the
// server, edited with revisions, retired, tagged in bulk, imported (preview, then all-or-nothing)
// and exported in CSV, XLSX, GIFT, Aiken and Moodle XML.
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { QuestionInputSchema, QuestionSchema, QuestionTypeSchema } from '../../schemas/contests.ts';
import { MAX_BYTES, MAX_QUESTIONS, xlsxTemplate } from '../../interchange/index.ts';

const organiser = { access: ['organiser'] as ['organiser'] };
const Format = Type.Union([
  Type.Literal('csv'),
  Type.Literal('xlsx'),
  Type.Literal('gift'),
  Type.Literal('aiken'),
  Type.Literal('moodle-xml'),
]);
const Filter = {
  q: Type.Optional(Type.String({ maxLength: 200 })),
  type: Type.Optional(QuestionTypeSchema),
  tag: Type.Optional(Type.String({ maxLength: 60 })),
  difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  status: Type.Optional(
    Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('superseded')]),
  ),
};
const BankName = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }) });
const BankView = Type.Object({ id: Type.Integer(), name: Type.String() });
const BankListItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  questionCount: Type.Integer(),
  ownerId: Type.Integer(),
  ownerName: Type.String(),
  shared: Type.Boolean(),
  status: Type.String(),
  updatedAt: Type.String(),
});
/** A file download: the body is bytes, which Fastify sends without serialising. */
const FileReply = Type.Unknown({ description: 'the file' });
const Ids = Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000, uniqueItems: true });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { banks } = app.services;

  app.get(
    '/',
    {
      config: organiser,
      schema: {
        querystring: Type.Object({
          status: Type.Union([Type.Literal('active'), Type.Literal('retired')], { default: 'active' }),
        }),
        response: {
          200: Type.Object({ banks: Type.Array(BankListItem) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => ({ banks: await banks.list(request.user!, request.query.status) }),
  );

  app.get(
    '/:bankId',
    {
      config: organiser,
      schema: {
        params: IdParam('bankId'),
        response: {
          200: Type.Object({
            bank: Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              questionCount: Type.Integer(),
              ownerId: Type.Integer(),
              ownerName: Type.String(),
              shared: Type.Boolean(),
              status: Type.String(),
              canShare: Type.Boolean(),
              tags: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })),
            }),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({ bank: await banks.detail(request.user!, request.params.bankId) }),
  );

  app.delete(
    '/:bankId',
    {
      config: { ...organiser, audit: { action: 'bank.retire', target: 'bank', param: 'bankId' } },
      schema: {
        params: IdParam('bankId'),
        response: {
          200: Type.Object({ bank: Type.Object({ id: Type.Integer(), status: Type.Literal('retired') }) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({ bank: await banks.retireBank(request.user!, request.params.bankId) }),
  );

  app.post(
    '/:bankId/restore',
    {
      config: { ...organiser, audit: { action: 'bank.restore', target: 'bank', param: 'bankId' } },
      schema: {
        params: IdParam('bankId'),
        response: {
          200: Type.Object({ bank: Type.Object({ id: Type.Integer(), status: Type.Literal('active') }) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({ bank: await banks.restoreBank(request.user!, request.params.bankId) }),
  );

  app.post(
    '/',
    {
      config: { ...organiser, audit: { action: 'bank.create', target: 'bank' } },
      schema: {
        body: BankName,
        response: { 201: Type.Object({ bank: BankView }), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ bank: await banks.create(request.user!, request.body.name) }),
  );

  app.patch(
    '/:bankId',
    {
      config: { ...organiser, audit: { action: 'bank.rename', target: 'bank', param: 'bankId' } },
      schema: {
        params: IdParam('bankId'),
        body: BankName,
        response: { 200: Type.Object({ bank: BankView }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      bank: await banks.rename(request.user!, request.params.bankId, request.body.name),
    }),
  );

  app.get(
    '/:bankId/questions',
    {
      config: organiser,
      schema: {
        params: IdParam('bankId'),
        querystring: Type.Object({
          ...Filter,
          sort: Type.Union(
            [
              Type.Literal('newest'),
              Type.Literal('oldest'),
              Type.Literal('stem'),
              Type.Literal('difficulty'),
            ],
            {
              default: 'oldest',
            },
          ),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ total: Type.Integer(), questions: Type.Array(QuestionSchema) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { sort, limit, offset, ...filter } = request.query;
      return banks.search(request.user!, request.params.bankId, filter, sort, limit, offset);
    },
  );

  app.post(
    '/:bankId/questions',
    {
      config: { ...organiser, audit: { action: 'question.create', target: 'question' } },
      schema: {
        params: IdParam('bankId'),
        body: QuestionInputSchema,
        response: {
          201: Type.Object({ question: Type.Object({ id: Type.Integer() }) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ question: await banks.addQuestion(request.user!, request.params.bankId, request.body) }),
  );

  app.post(
    '/:bankId/questions/bulk',
    {
      config: { ...organiser, audit: { action: 'question.bulk', target: 'bank', param: 'bankId' } },
      schema: {
        params: IdParam('bankId'),
        body: Type.Object({
          ids: Ids,
          addTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 20 })),
          removeTags: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 20 }),
          ),
          retire: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ changed: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { ids, ...action } = request.body;
      return banks.bulk(request.user!, request.params.bankId, ids, action);
    },
  );

  // Import, step 1: the raw file (application/octet-stream, up to 10 MB) becomes a preview.
  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>();
    upload.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: MAX_BYTES + 1024 },
      (_req, body, done) => done(null, body),
    );
    upload.post(
      '/:bankId/import/preview',
      {
        config: organiser,
        bodyLimit: MAX_BYTES + 1024,
        schema: {
          params: IdParam('bankId'),
          querystring: Type.Object({
            format: Format,
            trueLabel: Type.String({ minLength: 1, maxLength: 40, default: 'Đúng' }),
            falseLabel: Type.String({ minLength: 1, maxLength: 40, default: 'Sai' }),
          }),
          response: {
            200: Type.Object({}, { additionalProperties: true }),
            ...errors(400, 401, 403, 404, 413, 415),
          },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw Object.assign(new Error('Send the file as the request body (application/octet-stream)'), {
            statusCode: 400,
          });
        }
        const { format, trueLabel, falseLabel } = request.query;
        return banks.preview(request.user!, request.params.bankId, format, body, [trueLabel, falseLabel]);
      },
    );
  });

  // Import, step 2: the previewed (and possibly corrected) questions, all or nothing.
  app.post(
    '/:bankId/import',
    {
      config: { ...organiser, audit: { action: 'question.import', target: 'bank', param: 'bankId' } },
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        params: IdParam('bankId'),
        body: Type.Object({
          questions: Type.Array(QuestionInputSchema, { minItems: 1, maxItems: MAX_QUESTIONS }),
        }),
        response: {
          201: Type.Object({ imported: Type.Integer(), ids: Type.Array(Type.Integer()) }),
          ...errors(400, 401, 403, 404, 413),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await banks.import(request.user!, request.params.bankId, request.body.questions)),
  );

  app.get(
    '/:bankId/export',
    {
      config: organiser,
      schema: {
        params: IdParam('bankId'),
        querystring: Type.Object({
          format: Format,
          ...Filter,
          ids: Type.Optional(Type.String({ pattern: '^\\d+(,\\d+)*$', maxLength: 100_000 })),
        }),
        response: { 200: FileReply, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { format, ids, ...filter } = request.query;
      const out = await banks.export(request.user!, request.params.bankId, format, {
        ...filter,
        ...(ids ? { ids: ids.split(',').map(Number) } : {}),
      });
      const name = `bank-${request.params.bankId}-${format}.${out.extension}`;
      return reply
        .header('content-type', out.mimeType)
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-not-representable', String(out.notRepresentable.length))
        .send(out.data);
    },
  );

  app.get(
    '/import-template.xlsx',
    { config: organiser, schema: { response: { 200: FileReply, ...errors(401, 403) } } },
    async (_request, reply) =>
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', 'attachment; filename="quizarena-question-template.xlsx"')
        .send(await xlsxTemplate()),
  );
};

export default routes;
