// Results of a finalised round: the judges' XLSX and CSV exports, and the public results page.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { createExportService } from '../../services/exports.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A streamed file: not serialised by Fastify (a stream is sent as it is). */
const FileSchema = Type.String({ description: 'a file, streamed' });

const PersonSchema = Type.Object({
  rank: Type.Integer(),
  name: Type.String(),
  unit: Nullable(Type.String()),
  score: Type.Number(),
  durationMs: Type.Integer(),
  prize: Nullable(Type.String()),
});

export const PublicResultsSchema = Type.Object({
  round: Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    contestSlug: Type.String(),
    contestTitle: Type.String(),
    timeZone: Type.String(),
  }),
  finalisedAt: Type.String(),
  publishedAt: Nullable(Type.String()),
  hash: Type.String(),
  participants: Type.Integer(),
  prediction: Nullable(
    Type.Object({
      kind: Type.String(),
      value: Type.Number(),
      allCorrect: Type.Integer(),
      participants: Type.Integer(),
    }),
  ),
  groups: Type.Array(
    Type.Object({
      key: Nullable(Type.String()),
      name: Nullable(Type.String()),
      participants: Type.Integer(),
      winners: Type.Array(PersonSchema),
      top: Type.Array(PersonSchema),
    }),
  ),
  participation: Type.Object({
    byUnit: Type.Array(
      Type.Object({
        unitCode: Type.String(),
        unitName: Type.String(),
        participants: Type.Integer(),
        headcount: Nullable(Type.Integer()),
        rate: Nullable(Type.Number()),
        rankByCount: Type.Integer(),
        rankByRate: Nullable(Type.Integer()),
      }),
    ),
    withoutUnit: Type.Integer(),
    byLocality: Type.Array(Type.Object({ locality: Nullable(Type.String()), participants: Type.Integer() })),
  }),
});

/** RFC 6266: an ASCII fallback and the exact UTF-8 name. */
const attachment = (filename: string) =>
  `attachment; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

export const sendFile = (
  reply: FastifyReply,
  file: { filename: string; contentType: string; stream: NodeJS.ReadableStream },
) =>
  reply
    .header('content-type', file.contentType)
    .header('content-disposition', attachment(file.filename))
    .header('cache-control', 'no-store')
    .send(file.stream);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const exporter = createExportService({
    repos: app.repos,
    now: app.now,
    onStreamError: (err) => app.log.error({ err }, 'export failed while streaming'),
  });
  const RoundParam = IdParam('roundId');
  const judge = { access: ['judge'] as ['judge'] };
  const fileResponse = { 200: FileSchema, ...errors(400, 401, 403, 404, 409) };

  app.get(
    '/rounds/:roundId/results.xlsx',
    { config: judge, schema: { params: RoundParam, response: fileResponse } },
    async (request, reply) => sendFile(reply, await exporter.rankingXlsx(request.params.roundId)),
  );

  app.get(
    '/rounds/:roundId/results.csv',
    { config: judge, schema: { params: RoundParam, response: fileResponse } },
    async (request, reply) => sendFile(reply, await exporter.rankingCsv(request.params.roundId)),
  );

  app.get(
    '/rounds/:roundId/public-results',
    {
      config: { access: 'public' },
      schema: { params: RoundParam, response: { 200: PublicResultsSchema, ...errors(400, 404) } },
    },
    async (request) => exporter.publicResults(request.params.roundId),
  );
};

export default routes;
