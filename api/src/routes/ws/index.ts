// The WebSocket at /api/ws. Clients subscribe to leaderboard topics; a change notification from
// the event bus (from any API node) marks a topic dirty, and each topic pushes at most once per
// PUSH_INTERVAL_MS however many submissions arrive: the top of the board and its size.
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AppError } from '../../errors.ts';
import { roundBoard } from '../../rankings/ranking-store.ts';
import { entryView } from '../rankings/index.ts';

export const PUSH_INTERVAL_MS = 250;
const TOP = 50;
const MAX_TOPICS_PER_SOCKET = 10;
const TOPIC = /^round:(\d{1,10}):(?:group:([A-Za-z0-9_-]{1,20}):)?leaderboard$/;

const ClientMessage = Type.Union([
  Type.Object({ type: Type.Literal('subscribe'), topic: Type.String({ maxLength: 100 }) }),
  Type.Object({ type: Type.Literal('unsubscribe'), topic: Type.String({ maxLength: 100 }) }),
  Type.Object({ type: Type.Literal('ping') }),
]);
const checkMessage = TypeCompiler.Compile(ClientMessage);
type ClientMessage = Static<typeof ClientMessage>;

interface Topic {
  roundId: number;
  group: string | null;
  sockets: Set<WebSocket>;
  unsubscribe: Promise<() => Promise<void>>;
  timer: NodeJS.Timeout | null;
  lastPush: number;
}

const send = (socket: WebSocket, message: unknown) => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
};

const routes: FastifyPluginAsync = async (app) => {
  const topics = new Map<string, Topic>();

  const push = async (name: string) => {
    const topic = topics.get(name);
    if (!topic) return;
    topic.timer = null;
    topic.lastPush = Date.now();
    const page = await app.rankingStore.page(roundBoard(topic.roundId, topic.group), TOP, 0);
    const message = JSON.stringify({
      type: 'leaderboard',
      topic: name,
      total: page.total,
      entries: page.entries.map(entryView),
    });
    for (const socket of topic.sockets) if (socket.readyState === socket.OPEN) socket.send(message);
  };

  const schedule = (name: string) => {
    const topic = topics.get(name);
    if (!topic || topic.timer) return;
    const wait = Math.max(0, topic.lastPush + PUSH_INTERVAL_MS - Date.now());
    topic.timer = setTimeout(() => {
      push(name).catch((err: unknown) => app.log.error({ err, topic: name }, 'leaderboard push failed'));
    }, wait);
  };

  const leave = async (socket: WebSocket, name: string) => {
    const topic = topics.get(name);
    if (!topic || !topic.sockets.delete(socket) || topic.sockets.size > 0) return;
    topics.delete(name);
    if (topic.timer) clearTimeout(topic.timer);
    await (
      await topic.unsubscribe
    )();
  };

  // Submissions announced while this node's subscription was away never arrive: once it is back,
  // every topic pushes the board as it now stands.
  const stopGaps = app.events.onGap((phase) => {
    if (phase === 'back') for (const name of topics.keys()) schedule(name);
  });

  app.addHook('onClose', async () => {
    stopGaps();
    for (const [name, topic] of topics) {
      if (topic.timer) clearTimeout(topic.timer);
      topics.delete(name);
      await (await topic.unsubscribe)().catch(() => undefined);
    }
  });

  const opens = { max: app.config.rateLimits.socketOpen, timeWindow: '1 minute' };
  app.get('/ws', { websocket: true, config: { access: 'public', rateLimit: opens } }, (socket, request) => {
    const mine = new Set<string>();
    let closed = false;

    const subscribe = async (name: string) => {
      const match = TOPIC.exec(name);
      if (!match) throw new AppError(400, 'BAD_TOPIC', 'Unknown topic');
      const roundId = Number(match[1]);
      await app.services.contests.leaderboardAllowed(roundId, request.user);
      // The socket may have closed while the check ran: its close handler has already cleaned up.
      if (closed) return;
      if (!mine.has(name) && mine.size >= MAX_TOPICS_PER_SOCKET) {
        throw new AppError(400, 'TOO_MANY_TOPICS', `At most ${MAX_TOPICS_PER_SOCKET} topics per connection`);
      }
      mine.add(name);
      let topic = topics.get(name);
      if (!topic) {
        topic = {
          roundId,
          group: match[2] ?? null,
          sockets: new Set(),
          unsubscribe: app.events.subscribe(name, () => schedule(name)),
          timer: null,
          lastPush: 0,
        };
        topics.set(name, topic);
      }
      topic.sockets.add(socket);
      await topic.unsubscribe;
      // The current board at once, to this socket only.
      const page = await app.rankingStore.page(roundBoard(roundId, topic.group), TOP, 0);
      send(socket, {
        type: 'leaderboard',
        topic: name,
        total: page.total,
        entries: page.entries.map(entryView),
      });
    };

    const handle = async (message: ClientMessage) => {
      if (message.type === 'ping') return send(socket, { type: 'pong' });
      if (message.type === 'subscribe') return subscribe(message.topic);
      mine.delete(message.topic);
      await leave(socket, message.topic);
    };

    socket.on('message', (raw) => {
      let message: unknown;
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return send(socket, { type: 'error', code: 'BAD_FRAME', message: 'Frames must be JSON' });
      }
      if (!checkMessage.Check(message)) {
        return send(socket, { type: 'error', code: 'BAD_FRAME', message: 'Unknown or malformed message' });
      }
      handle(message).catch((err: unknown) => {
        const e = err instanceof AppError ? err : null;
        if (!e) request.log.error({ err }, 'websocket message failed');
        send(socket, {
          type: 'error',
          code: e?.code ?? 'INTERNAL',
          message: e?.message ?? 'Something went wrong',
          ...('topic' in message ? { topic: message.topic } : {}),
        });
      });
    });

    socket.on('close', () => {
      closed = true;
      for (const name of mine) leave(socket, name).catch(() => undefined);
      mine.clear();
    });
  });
};

export default routes;
