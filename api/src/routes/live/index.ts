// Live host-paced games (docs/api.md "Live games"): the organiser's HTTP routes, the public PIN
// look-up, and the WebSocket /api/live/ws that hosts and players share. The socket's handlers are
// attached synchronously and every inbound frame is checked against ClientFrameSchema before it is
// read; refusals go back as {type: 'error', code, message} and leave the socket open (but KICKED).
// The host frame is authorised per frame from the session cookie of the upgrade request.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import type { WebSocket } from 'ws';
import { defaultRateLimits } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { errors, IdParam } from '../../schemas/common.ts';
import {
  checkClientFrame,
  CreateLiveGameSchema,
  LiveGameDetailSchema,
  LiveGameSchema,
  LiveReportSchema,
  PinGameSchema,
  type ClientFrame,
  type ServerFrame,
} from '../../schemas/live.ts';
import {
  closeSocket,
  createLiveHub,
  KICKED_CLOSE_CODE,
  type Attachment,
  type SocketRole,
} from '../../live/hub.ts';
import { gameView } from '../../services/live.ts';
import { sendFile } from '../exports/index.ts';

/** A socket that keeps sending wrong PINs is closed: six digits are guessable, a million tries are not. */
const MAX_FAILED_JOINS = 20;
/** Per IP per minute, scaled as the login limit is (RATE_LIMIT_SCALE). */
const PIN_LOOKUPS_PER_MINUTE = 120;

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const live = app.services.live;
  const hub = createLiveHub({
    service: live,
    repos: app.repos,
    events: app.events,
    now: app.now,
    log: app.log,
  });
  app.addHook('onClose', async () => hub.close());

  const organiser = { access: ['organiser'] as ['organiser'] };
  const GameParam = IdParam('gameId');
  const GameAnswer = Type.Object({ game: LiveGameSchema });

  app.post(
    '/live/games',
    {
      config: { ...organiser, audit: { action: 'live.create', target: 'game' } },
      schema: {
        body: CreateLiveGameSchema,
        response: { 201: GameAnswer, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ game: await live.create(request.user!, request.body) }),
  );

  app.get(
    '/live/games',
    {
      config: organiser,
      schema: { response: { 200: Type.Object({ games: Type.Array(LiveGameSchema) }), ...errors(401, 403) } },
    },
    async (request) => ({ games: await live.list(request.user!) }),
  );

  app.get(
    '/live/games/:gameId',
    {
      config: organiser,
      schema: { params: GameParam, response: { 200: LiveGameDetailSchema, ...errors(400, 401, 403, 404) } },
    },
    async (request) => live.detail(await live.hosted(request.params.gameId, request.user!)),
  );

  app.post(
    '/live/games/:gameId/end',
    {
      config: { ...organiser, audit: { action: 'live.end', target: 'game', param: 'gameId' } },
      schema: { params: GameParam, response: { 200: GameAnswer, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      const row = await live.hosted(request.params.gameId, request.user!);
      return { game: gameView(await live.end(row.id)) };
    },
  );

  app.get(
    '/live/games/:gameId/qr.svg',
    {
      config: organiser,
      schema: {
        params: GameParam,
        response: { 200: Type.String({ description: 'an SVG image' }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const row = await live.hosted(request.params.gameId, request.user!);
      const view = gameView(row);
      if (!view.joinPath) throw new AppError(409, 'GAME_ENDED', 'The game is over: it has no PIN any more');
      const url = `${request.protocol}://${request.host}${view.joinPath}`;
      const svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return reply
        .header('content-type', 'image/svg+xml; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(svg);
    },
  );

  app.get(
    '/live/games/:gameId/report',
    {
      config: organiser,
      schema: { params: GameParam, response: { 200: LiveReportSchema, ...errors(400, 401, 403, 404) } },
    },
    async (request) => live.report(await live.hosted(request.params.gameId, request.user!)),
  );

  app.get(
    '/live/games/:gameId/report.xlsx',
    {
      config: organiser,
      schema: {
        params: GameParam,
        response: { 200: Type.String({ description: 'a file, streamed' }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      sendFile(reply, await live.reportXlsx(await live.hosted(request.params.gameId, request.user!))),
  );

  app.get(
    '/live/pin/:pin',
    {
      config: {
        access: 'public',
        // Per IP: a hall of phones behind one NAT looks up the same PIN, a guesser many.
        rateLimit: {
          max: Math.ceil((PIN_LOOKUPS_PER_MINUTE * app.config.rateLimits.login) / defaultRateLimits.login),
          timeWindow: '1 minute',
        },
      },
      schema: {
        params: Type.Object({ pin: Type.String({ maxLength: 20 }) }),
        response: { 200: PinGameSchema, ...errors(400, 404, 429) },
      },
    },
    async (request) => live.pinGame(request.params.pin),
  );

  // -------------------------------------------------------------------------------------------
  // WebSocket
  // -------------------------------------------------------------------------------------------

  const send = (socket: WebSocket, frame: ServerFrame) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const refuse = (code: string, message: string) => new AppError(400, code, message);
  const numeric = (id: number | string) => (typeof id === 'number' ? id : Number(id));

  const opens = { max: app.config.rateLimits.socketOpen, timeWindow: '1 minute' };
  app.get('/live/ws', { websocket: true, config: { access: 'public', rateLimit: opens } }, (socket, request) => {
    let role: SocketRole | null = null;
    let attachment: Attachment | null = null;
    /** A `host` or `join` is being handled: a second one is ALREADY_JOINED. */
    let attaching = false;
    let failedJoins = 0;
    let closed = false;

    const attach = async (frame: Extract<ClientFrame, { type: 'host' | 'join' }>) => {
      if (role || attaching) throw refuse('ALREADY_JOINED', 'This connection is already in a game');
      attaching = true;
      try {
        if (frame.type === 'host') {
          const user = request.user;
          if (!user) throw new AppError(401, 'UNAUTHENTICATED', 'Sign in to host a game');
          const row = await live.hosted(numeric(frame.gameId), user);
          if (closed) return;
          attachment = hub.attachHost(socket, row);
          await attachment.ready;
          role = { kind: 'host', gameId: row.id };
          return;
        }
        let joined;
        try {
          joined = await live.join(frame);
        } catch (err) {
          if (err instanceof AppError && err.code === 'GAME_NOT_FOUND' && ++failedJoins >= MAX_FAILED_JOINS) {
            send(socket, { type: 'error', code: err.code, message: err.message });
            closeSocket(socket, 1008, 'too many wrong PINs');
          }
          throw err;
        }
        if (closed) return;
        const { player, token, game } = joined;
        attachment = hub.attachPlayer(socket, game, player, token);
        await attachment.ready;
        role = { kind: 'player', gameId: game.id, playerId: player.id, player };
      } finally {
        attaching = false;
      }
    };

    const host = (): number => {
      if (role?.kind !== 'host') throw refuse('NOT_HOST', 'Only the host of the game may do that');
      return role.gameId;
    };

    /**
     * The host or join being handled: frames sent right after it (a host's first command as soon
     * as `game` arrives) wait for it to finish instead of finding the socket in no game yet.
     */
    let attached: Promise<void> | null = null;

    const handle = async (frame: ClientFrame): Promise<void> => {
      if (frame.type === 'ping') {
        return send(socket, { type: 'pong', now: new Date(app.now()).toISOString() });
      }
      if (frame.type === 'host' || frame.type === 'join') {
        const first = !role && !attaching;
        const p = attach(frame);
        if (first) attached = p;
        return p;
      }
      if (attached) await attached.catch(() => undefined);
      switch (frame.type) {
        case 'answer': {
          if (role?.kind !== 'player') throw refuse('NOT_JOINED', 'Join the game first');
          const ctx = hub.answerContext(role.gameId);
          if (!ctx) throw refuse('NOT_JOINED', 'Join the game first');
          await live.answer(ctx, role.playerId, frame.index, frame.optionIds);
          return send(socket, { type: 'answered', index: frame.index });
        }
        case 'start':
          return live.start(host());
        case 'next':
          return live.next(host());
        case 'skip':
          return live.skip(host());
        case 'end': {
          await live.end(host());
          return;
        }
        case 'kick':
          return live.kick(host(), numeric(frame.playerId));
        case 'lock':
          return live.lock(host(), frame.locked);
      }
    };

    socket.on('message', (raw) => {
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        return send(socket, { type: 'error', code: 'BAD_FRAME', message: 'Frames must be JSON' });
      }
      if (!checkClientFrame.Check(frame)) {
        return send(socket, { type: 'error', code: 'BAD_FRAME', message: 'Unknown or malformed frame' });
      }
      handle(frame).catch((err: unknown) => {
        const e = err instanceof AppError ? err : null;
        if (!e) request.log.error({ err }, 'live frame failed');
        send(socket, {
          type: 'error',
          code: e?.code ?? 'INTERNAL',
          message: e?.message ?? 'Something went wrong on our side',
        });
        if (e?.code === 'KICKED') closeSocket(socket, KICKED_CLOSE_CODE, 'kicked');
      });
    });

    socket.on('close', () => {
      closed = true;
      attachment?.detach();
      attachment = null;
    });
  });
};

export default routes;
