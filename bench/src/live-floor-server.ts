// The floor of `npm run bench:live -- --floor`: a bare `ws` server (the library @fastify/websocket
// wraps) that speaks just the part of the live-game contract the bench uses, with nothing behind
// it: no SQL, no validation, no event bus, answers acknowledged at once, a broadcast encoded once
// and the same bytes sent to every socket (as the real hub does). Run with the same player
// processes on the same cores, it shows how long this machine and the bench's own clients take to
// deliver a frame to N sockets: about what the real server's figures cannot go below here. Not a
// server for anything else.
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT);
const COOKIE = 'qa_session=floor';

interface Question {
  id: number;
  type: string;
  stem: string;
  options: { id: string; text: string; correct: boolean }[];
}
interface Player {
  ws: WebSocket;
  score: number;
  answered: number;
}

const questions: Question[] = [];
const players = new Set<Player>();
const game = {
  ids: [] as number[],
  limitMs: 10_000,
  readingMs: 2000,
  index: -1,
  phase: 'lobby' as 'lobby' | 'question' | 'reveal' | 'ended',
  opensAt: 0,
  closesAt: 0,
  answeredNow: new Set<Player>(),
  stored: [] as number[],
  timer: null as NodeJS.Timeout | null,
};
let host: WebSocket | null = null;
let lobbyTimer: NodeJS.Timeout | null = null;

const readJson = (req: http.IncomingMessage): Promise<Record<string, unknown>> =>
  new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString('utf8')));
    req.on('end', () => resolve(s ? (JSON.parse(s) as Record<string, unknown>) : {}));
  });

const reply = (
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
};

const server = http.createServer((req, res) => {
  void readJson(req).then((body) => {
    const url = req.url ?? '';
    if (url === '/api/health') return reply(res, 200, { status: 'ok' });
    if (url === '/api/auth/login')
      return reply(res, 200, { user: {} }, { 'set-cookie': `${COOKIE}; Path=/` });
    if (req.headers.cookie !== COOKIE) return reply(res, 401, { code: 'UNAUTHENTICATED' });
    if (url === '/api/banks') return reply(res, 201, { bank: { id: 1 } });
    if (url === '/api/banks/1/questions') {
      const q = body as unknown as Omit<Question, 'id' | 'options'> & {
        options: { text: string; correct: boolean }[];
      };
      const id = questions.length + 1;
      questions.push({ ...q, id, options: q.options.map((o, k) => ({ ...o, id: 'abcdefghij'[k]! })) });
      return reply(res, 201, { question: { id } });
    }
    if (url === '/api/live/games') {
      game.ids = questions.map((q) => q.id); // {mode: 'all'}
      game.limitMs = Number(body.questionTimeSec) * 1000;
      game.readingMs = Number(body.readingTimeSec) * 1000;
      return reply(res, 201, { game: { id: 1, pin: '123456' } });
    }
    if (url === '/api/live/games/1/report') {
      const list = [...players].map((p) => ({ score: p.score, answeredCount: p.answered }));
      return reply(res, 200, { questions: game.stored.map((answered) => ({ answered })), players: list });
    }
    if (url === '/api/live/games/1/report.xlsx') {
      res.writeHead(200);
      return res.end();
    }
    reply(res, 404, {});
  });
});

/** Encoded once: a string would be converted to bytes again for every socket. */
const broadcast = (frame: unknown) => {
  const data = Buffer.from(JSON.stringify(frame));
  host?.send(data, { binary: false });
  for (const p of players) p.ws.send(data, { binary: false });
};

function reveal(): void {
  if (game.phase !== 'question') return;
  game.phase = 'reveal';
  if (game.timer) clearTimeout(game.timer);
  game.stored[game.index] = game.answeredNow.size;
  const q = questions.find((x) => x.id === game.ids[game.index])!;
  const correctOptionIds = q.options.filter((o) => o.correct).map((o) => o.id);
  const last = game.index === game.ids.length - 1;
  host?.send(JSON.stringify({ type: 'reveal', index: game.index, answered: game.answeredNow.size, last }));
  for (const p of players) {
    p.ws.send(
      JSON.stringify({ type: 'result', index: game.index, correctOptionIds, score: p.score, rank: 1, last }),
    );
  }
}

function next(): void {
  if (game.phase === 'question') return reveal();
  if (game.phase === 'reveal' && game.index === game.ids.length - 1) {
    game.phase = 'ended';
    host?.send(JSON.stringify({ type: 'ended', players: players.size }));
    for (const p of players)
      p.ws.send(JSON.stringify({ type: 'ended', players: players.size, score: p.score }));
    return;
  }
  game.index++;
  game.phase = 'question';
  game.answeredNow = new Set();
  const q = questions.find((x) => x.id === game.ids[game.index])!;
  const now = Date.now();
  game.opensAt = now + game.readingMs;
  game.closesAt = game.opensAt + game.limitMs;
  broadcast({
    type: 'question',
    index: game.index,
    total: game.ids.length,
    kind: q.type,
    stem: q.stem,
    options: q.options.map((o) => ({ id: o.id, text: o.text })),
    opensAt: new Date(game.opensAt).toISOString(),
    closesAt: new Date(game.closesAt).toISOString(),
    now: new Date(now).toISOString(),
    readingMs: game.readingMs,
    limitMs: game.limitMs,
  });
  game.timer = setTimeout(reveal, game.closesAt - now);
}

const wss = new WebSocketServer({ server, path: '/api/live/ws' });
wss.on('connection', (ws, req) => {
  let me: Player | null = null;
  ws.on('message', (data: Buffer) => {
    const f = JSON.parse(data.toString('utf8')) as { type: string; index?: number };
    if (f.type === 'host' && req.headers.cookie === COOKIE) {
      host = ws;
      ws.send(JSON.stringify({ type: 'game', game: { id: 1 } }));
    } else if (f.type === 'join' && !me) {
      me = { ws, score: 0, answered: 0 };
      players.add(me);
      ws.send(JSON.stringify({ type: 'joined', player: { id: players.size, score: 0, token: 't' } }));
      lobbyTimer ??= setTimeout(() => {
        lobbyTimer = null;
        host?.send(JSON.stringify({ type: 'lobby', count: players.size, locked: false, players: [] }));
      }, 250);
    } else if ((f.type === 'start' || f.type === 'next') && ws === host) {
      next();
    } else if (f.type === 'answer' && me) {
      const now = Date.now();
      if (game.phase !== 'question' || f.index !== game.index || now < game.opensAt)
        ws.send(JSON.stringify({ type: 'error', code: 'NOT_OPEN' }));
      else if (now > game.closesAt) ws.send(JSON.stringify({ type: 'error', code: 'TIME_UP' }));
      else if (game.answeredNow.has(me)) ws.send(JSON.stringify({ type: 'error', code: 'ALREADY_ANSWERED' }));
      else {
        game.answeredNow.add(me);
        me.answered++;
        me.score += 500;
        ws.send(JSON.stringify({ type: 'answered', index: f.index }));
        if (game.answeredNow.size === players.size) reveal();
      }
    }
  });
  ws.on('close', () => {
    if (me) players.delete(me);
  });
});

server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
