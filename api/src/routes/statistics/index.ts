// Round statistics (full for judges, admins and the organiser; reduced for everyone once the
// results are published), their XLSX, and the judges' suspicion flags.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { createStatisticsService } from '../../services/statistics.ts';
import { sendFile } from '../exports/index.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const GroupStatsSchema = Type.Object({
  responses: Type.Integer(),
  correct: Type.Integer(),
  facility: Nullable(Type.Number()),
});

const ItemSchema = Type.Object({
  questionId: Type.Integer(),
  type: Type.String(),
  stem: Type.String(),
  responses: Type.Integer(),
  correct: Type.Integer(),
  facility: Nullable(Type.Number()),
  unanswered: Type.Integer(),
  top: GroupStatsSchema,
  bottom: GroupStatsSchema,
  discrimination: Nullable(Type.Number()),
  options: Type.Array(
    Type.Object({
      id: Type.String(),
      text: Type.String(),
      correct: Type.Boolean(),
      chosen: Type.Integer(),
      chosenTop: Type.Integer(),
      chosenBottom: Type.Integer(),
    }),
  ),
  flags: Type.Array(Type.Union([Type.Literal('negative_discrimination'), Type.Literal('possible_miskey')])),
});

export const StatisticsSchema = Type.Object({
  /** "full" (judges, admins, the organiser) or "public" (no item analysis). */
  view: Type.Union([Type.Literal('full'), Type.Literal('public')]),
  round: Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    contestSlug: Type.String(),
    timeZone: Type.String(),
    questionCount: Type.Integer(),
    resultsStatus: Type.String(),
  }),
  participation: Type.Object({
    participants: Type.Integer(),
    attempts: Type.Integer(),
    byDay: Type.Array(
      Type.Object({ date: Type.String(), attempts: Type.Integer(), participants: Type.Integer() }),
    ),
    byUnit: Type.Array(
      Type.Object({
        unitCode: Type.String(),
        unitName: Type.String(),
        participants: Type.Integer(),
        headcount: Nullable(Type.Integer()),
        rate: Nullable(Type.Number()),
      }),
    ),
    withoutUnit: Type.Integer(),
    byLocality: Type.Array(Type.Object({ locality: Nullable(Type.String()), participants: Type.Integer() })),
  }),
  scores: Type.Object({
    maxScore: Nullable(Type.Number()),
    mean: Nullable(Type.Number()),
    median: Nullable(Type.Number()),
    histogram: Type.Array(Type.Object({ score: Type.Number(), count: Type.Integer() })),
  }),
  itemAnalysis: Type.Optional(
    Type.Object({
      attempts: Type.Integer(),
      /** How many attempts form each of the top and bottom 27% groups. */
      groupSize: Type.Integer(),
      items: Type.Array(ItemSchema),
    }),
  ),
});

export const FlagsSchema = Type.Object({
  flags: Type.Array(
    Type.Object({
      kind: Type.Union([
        Type.Literal('same_id_number'),
        Type.Literal('same_phone'),
        Type.Literal('same_email'),
        Type.Literal('fast_attempt'),
        Type.Literal('shared_ip'),
      ]),
      value: Type.String(),
      userIds: Type.Array(Type.Integer()),
      attemptIds: Type.Array(Type.Integer()),
    }),
  ),
  thresholds: Type.Object({
    fastUnderMs: Type.Integer(),
    fastMinShare: Type.Number(),
    sharedIpMinAccounts: Type.Integer(),
  }),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const statistics = createStatisticsService({
    repos: app.repos,
    now: app.now,
    onStreamError: (err) => app.log.error({ err }, 'statistics export failed while streaming'),
  });
  const RoundParam = IdParam('roundId');

  // Public route: the service decides between the full view, the public one, 401 and 403.
  app.get(
    '/rounds/:roundId/statistics',
    {
      config: { access: 'public' },
      schema: { params: RoundParam, response: { 200: StatisticsSchema, ...errors(400, 401, 403, 404) } },
    },
    async (request) => statistics.statistics(request.params.roundId, request.user),
  );

  app.get(
    '/rounds/:roundId/statistics.xlsx',
    {
      // Signed in; the service checks judge, admin or the contest's organiser.
      config: { access: 'user' },
      schema: { params: RoundParam, response: { 200: Type.String(), ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) =>
      sendFile(reply, await statistics.statisticsXlsx(request.params.roundId, request.user)),
  );

  app.get(
    '/rounds/:roundId/flags',
    {
      config: { access: ['judge'] },
      schema: { params: RoundParam, response: { 200: FlagsSchema, ...errors(400, 401, 403, 404) } },
    },
    async (request) => statistics.flags(request.params.roundId),
  );
};

export default routes;
