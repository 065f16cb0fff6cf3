// Leaderboards, read from the ranking store (a projection of SQL).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, IdParam } from '../../schemas/common.ts';
import { roundBoard, type LeaderboardEntry } from '../../rankings/ranking-store.ts';

export const LeaderboardEntrySchema = Type.Object({
  rank: Type.Integer(),
  participantId: Type.Integer(),
  name: Type.String(),
  unit: Type.Union([Type.String(), Type.Null()]),
  score: Type.Number(),
  durationMs: Type.Integer(),
});

export const entryView = (e: LeaderboardEntry) => ({
  rank: e.rank,
  participantId: e.participantId,
  name: e.name,
  unit: e.unit,
  score: e.score,
  durationMs: e.durationMs,
});

const Group = Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,20}$' }));

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { contests } = app.services;

  app.get(
    '/rounds/:roundId/leaderboard',
    {
      config: { access: 'public' },
      schema: {
        params: IdParam('roundId'),
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
          offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
          group: Group,
        }),
        response: {
          200: Type.Object({ total: Type.Integer(), entries: Type.Array(LeaderboardEntrySchema) }),
          ...errors(400, 403, 404),
        },
      },
    },
    async (request) => {
      const round = await contests.leaderboardAllowed(request.params.roundId, request.user);
      const { limit, offset, group } = request.query;
      const page = await app.rankingStore.page(roundBoard(round.id, group), limit, offset);
      return { total: page.total, entries: page.entries.map(entryView) };
    },
  );

  app.get(
    '/rounds/:roundId/leaderboard/me',
    {
      config: { access: 'user' },
      schema: {
        params: IdParam('roundId'),
        querystring: Type.Object({ group: Group }),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            entry: Type.Union([LeaderboardEntrySchema, Type.Null()]),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const round = await contests.leaderboardAllowed(request.params.roundId, request.user);
      const board = roundBoard(round.id, request.query.group);
      const [total, entry] = await Promise.all([
        app.rankingStore.count(board),
        app.rankingStore.entryOf(board, request.user!.id),
      ]);
      return { total, entry: entry ? entryView(entry) : null };
    },
  );
};

export default routes;
