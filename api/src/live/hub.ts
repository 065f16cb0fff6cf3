// One API node's share of live games: the sockets it holds, grouped by game. For each game with
// sockets here the node subscribes to the game's topic, keeps a small cache of its state (read
// from SQL when the first socket arrives, then moved on by events), and turns each event into
// frames for its sockets: one frame for all players of a kind, serialised once; the players' own
// `result` and `ended` after one SQL read of the game's players per event. It also runs the close
// timer of the open question: every node holding sockets of the game tries the step at closesAt
// and the guarded SQL update lets exactly one of them win and publish the reveal.
//
// Per game, events and socket attachments run one after another on a promise chain, so a socket
// gets `game` and the current phase's frame before anything newer, and a slow reveal (its SQL
// reads) never lets the next question's frame overtake it.
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type {
  LiveAnswerRow,
  LiveGameRow,
  LivePlayerRow,
  QuestionSnapshot,
  Repositories,
} from '@quizarena/db';
import type { EventBus } from '../events/event-bus.ts';
import { liveTopic, progress, type LiveEvent } from './events.ts';
import type { EndedFrame, RevealFrame, ServerFrame } from '../schemas/live.ts';
import { gameView, resultFrame, standings, type LiveService, type Standings } from '../services/live.ts';

/** The close timer checks the clock at least this often (the server clock may be a test's). */
const CLOSE_POLL_MS = 250;
/** A step this node tried and lost is expected as an event within this time, else SQL is read. */
const RESYNC_MS = 2000;
/** The WebSocket close code of a kicked player. */
export const KICKED_CLOSE_CODE = 4001;

export type SocketRole =
  | { kind: 'host'; gameId: number }
  | { kind: 'player'; gameId: number; playerId: number; player: LivePlayerRow };

interface LocalGame {
  id: number;
  row: LiveGameRow;
  questions: QuestionSnapshot[];
  hosts: Set<WebSocket>;
  players: Map<number, Set<WebSocket>>;
  /** Sockets attached or attaching: the game is dropped from this node when it reaches 0. */
  refs: number;
  chain: Promise<void>;
  unsubscribe: Promise<() => Promise<void>>;
  closeTimer: NodeJS.Timeout | null;
  resyncTimer: NodeJS.Timeout | null;
  /** The current reveal as this node sent it, for sockets that arrive during it. */
  reveal: { index: number; frame: RevealFrame; st: Standings; answers: Map<number, LiveAnswerRow> } | null;
  ended: { frame: Omit<EndedFrame, 'rank' | 'score'>; st: Standings } | null;
  dropped: boolean;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Closes a socket from the server side, and drops it if the client does not answer the close
 * within a second (rather than ws's 30 s, which would keep a dead phone's socket around).
 */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), 1000).unref();
}

export interface Attachment {
  /** Settles once the socket has been sent `game` and the current phase's frame. */
  ready: Promise<void>;
  /** Call when the socket closes. */
  detach: () => void;
}

export interface HubDeps {
  service: LiveService;
  repos: Repositories;
  events: EventBus;
  now: () => number;
  log: FastifyBaseLogger;
}

export function createLiveHub(deps: HubDeps) {
  const { service, repos, events, now, log } = deps;
  const live = repos.live;
  const games = new Map<number, LocalGame>();

  const send = (socket: WebSocket, frame: ServerFrame | string | Buffer) => {
    if (socket.readyState !== socket.OPEN) return;
    if (typeof frame === 'object' && !Buffer.isBuffer(frame)) socket.send(JSON.stringify(frame));
    else socket.send(frame, { binary: false });
  };
  /** One serialisation, one buffer, for every socket. */
  const broadcast = (sockets: Iterable<WebSocket>, frame: ServerFrame) => {
    const data = Buffer.from(JSON.stringify(frame));
    for (const socket of sockets) send(socket, data);
  };
  function* playerSockets(g: LocalGame) {
    for (const set of g.players.values()) yield* set;
  }
  const everyone = (g: LocalGame) => [...g.hosts, ...playerSockets(g)];

  const enqueue = (g: LocalGame, step: () => Promise<void> | void) => {
    g.chain = g.chain
      .then(step)
      .catch((err: unknown) => log.error({ err, gameId: g.id }, 'live step failed'));
    return g.chain;
  };

  // -------------------------------------------------------------------------------------------
  // Frames of the current phase
  // -------------------------------------------------------------------------------------------

  const questionFrame = (g: LocalGame, answered?: boolean): ServerFrame => {
    const { row } = g;
    const q = g.questions[row.currentIndex]!;
    return {
      type: 'question',
      index: row.currentIndex,
      total: row.questionCount,
      kind: q.type,
      stem: q.stem,
      options: q.options.map((o) => ({ id: o.id, text: o.text })),
      opensAt: iso(row.opensAt!),
      closesAt: iso(row.closesAt!),
      now: iso(now()),
      readingMs: row.readingTimeSec * 1000,
      limitMs: row.questionTimeSec * 1000,
      ...(answered === undefined ? {} : { answered }),
    };
  };

  const revealState = async (g: LocalGame, frame?: RevealFrame) => {
    const index = g.row.currentIndex;
    if (g.reveal?.index === index) return g.reveal;
    const [players, answers] = await Promise.all([live.players(g.id), live.answers(g.id, index)]);
    const revealFrame: RevealFrame = frame ?? { type: 'reveal', ...(await service.revealOf(g.row, index)) };
    g.reveal = {
      index,
      frame: revealFrame,
      st: standings(players, g.row),
      answers: new Map(answers.map((a) => [a.playerId, a])),
    };
    return g.reveal;
  };

  const endedState = async (g: LocalGame, frame?: Omit<EndedFrame, 'rank' | 'score'>) => {
    if (g.ended) return g.ended;
    const st = standings(await live.players(g.id), g.row);
    g.ended = { frame: frame ?? { type: 'ended', ...(await service.endedOf(g.row)) }, st };
    return g.ended;
  };

  /** A player's result; `player` stands in for one who joined after the standings were read. */
  const playerResult = (
    r: NonNullable<LocalGame['reveal']>,
    playerId: number,
    player?: Pick<LivePlayerRow, 'score' | 'streak'>,
  ) => {
    const me = r.st.byId.get(playerId) ?? (player ? { score: player.score, streak: player.streak } : null);
    return me ? resultFrame(r.frame, me, r.answers.get(playerId), r.st.rankOf(me.score)) : null;
  };
  const playerEnded = (e: NonNullable<LocalGame['ended']>, player: LivePlayerRow): ServerFrame => {
    const score = e.st.byId.get(player.id)?.score ?? player.score;
    return { ...e.frame, rank: e.st.rankOf(score), score };
  };

  /** What a socket attaching now is shown after `game`: the frame(s) of the current phase. */
  async function currentFrames(g: LocalGame, role: SocketRole): Promise<ServerFrame[]> {
    const { row } = g;
    const host = role.kind === 'host';
    switch (row.phase) {
      case 'lobby':
        return host ? [{ type: 'lobby', ...(await service.lobbyOf(row)) }] : [];
      case 'question': {
        if (host) {
          const answered = await live.answeredCount(g.id, row.currentIndex);
          const players = row.playerCount - row.kickedCount;
          return [questionFrame(g), { type: 'count', index: row.currentIndex, answered, players }];
        }
        const mine = await live.answer(g.id, row.currentIndex, role.playerId);
        return [questionFrame(g, mine ? true : undefined)];
      }
      case 'reveal': {
        const r = await revealState(g);
        if (host) return [r.frame];
        const player = (await live.player(g.id, role.playerId)) ?? role.player;
        const result = playerResult(r, role.playerId, player);
        return result ? [result] : [];
      }
      case 'ended': {
        const e = await endedState(g);
        if (host) return [e.frame];
        return [playerEnded(e, (await live.player(g.id, role.playerId)) ?? role.player)];
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Timers
  // -------------------------------------------------------------------------------------------

  function scheduleClose(g: LocalGame): void {
    if (g.closeTimer) clearTimeout(g.closeTimer);
    g.closeTimer = null;
    const { phase, currentIndex: index, closesAt } = g.row;
    if (phase !== 'question' || closesAt === null) return;
    const tick = () => {
      g.closeTimer = null;
      if (g.dropped || g.row.phase !== 'question' || g.row.currentIndex !== index) return;
      // Answers are taken up to and including closesAt: the step waits until the clock is past it.
      const wait = closesAt - now();
      if (wait >= 0) {
        g.closeTimer = setTimeout(tick, Math.min(wait + 1, CLOSE_POLL_MS));
        return;
      }
      service
        .closeQuestion(g.id, index)
        .then((won) => {
          if (!won) expect(g, progress({ phase: 'question', index }));
        })
        .catch((err: unknown) => log.error({ err, gameId: g.id }, 'live close failed'));
    };
    tick();
  }

  /**
   * Another node made the step: its event should come. If the game is still at `at` after
   * RESYNC_MS (the event was lost), SQL is read and every socket here is brought up to date.
   */
  function expect(g: LocalGame, at: number): void {
    if (g.resyncTimer) return;
    g.resyncTimer = setTimeout(() => {
      g.resyncTimer = null;
      if (g.dropped || progress({ phase: g.row.phase, index: g.row.currentIndex }) > at) return;
      void enqueue(g, () => catchUp(g));
    }, RESYNC_MS);
  }

  async function catchUp(g: LocalGame): Promise<void> {
    const fresh = await live.get(g.id);
    if (!fresh) return;
    const before = progress({ phase: g.row.phase, index: g.row.currentIndex });
    if (progress({ phase: fresh.phase, index: fresh.currentIndex }) <= before) return;
    // Usually an event still in flight (a socket attached meanwhile), rarely one that was lost.
    log.debug({ gameId: g.id }, 'live game state caught up from SQL');
    g.row = fresh;
    g.reveal = null;
    g.ended = null;
    scheduleClose(g);
    for (const socket of g.hosts)
      for (const f of await currentFrames(g, { kind: 'host', gameId: g.id })) send(socket, f);
    for (const [playerId, sockets] of g.players) {
      const player = await live.player(g.id, playerId);
      if (!player) continue;
      const frames = await currentFrames(g, { kind: 'player', gameId: g.id, playerId, player });
      for (const socket of sockets) for (const f of frames) send(socket, f);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Events
  // -------------------------------------------------------------------------------------------

  async function apply(g: LocalGame, e: LiveEvent): Promise<void> {
    const at = progress({ phase: g.row.phase, index: g.row.currentIndex });
    switch (e.kind) {
      case 'question': {
        if (progress({ phase: 'question', index: e.index }) <= at) return;
        g.row = {
          ...g.row,
          status: 'running',
          phase: 'question',
          currentIndex: e.index,
          opensAt: e.opensAt,
          closesAt: e.closesAt,
        };
        g.reveal = null;
        broadcast(everyone(g), questionFrame(g));
        scheduleClose(g);
        return;
      }
      case 'reveal': {
        if (progress({ phase: 'reveal', index: e.index }) <= at) return;
        g.row = { ...g.row, phase: 'reveal', currentIndex: e.index };
        if (g.closeTimer) clearTimeout(g.closeTimer);
        g.closeTimer = null;
        const frame: RevealFrame = { type: 'reveal', ...e.reveal };
        broadcast(g.hosts, frame);
        g.reveal = null;
        const r = await revealState(g, frame);
        // One read of the game's players (revealState) for every local player's result.
        for (const [playerId, sockets] of g.players) {
          const result = playerResult(r, playerId);
          if (!result) continue; // kicked meanwhile
          const data = JSON.stringify(result);
          for (const socket of sockets) send(socket, data);
        }
        return;
      }
      case 'skipped': {
        if (g.row.phase !== 'question' || g.row.currentIndex !== e.index) return;
        broadcast(everyone(g), { type: 'skipped', index: e.index });
        return;
      }
      case 'ended': {
        if (g.row.status === 'ended') return;
        g.row = { ...g.row, status: 'ended', phase: 'ended', pin: null };
        if (g.closeTimer) clearTimeout(g.closeTimer);
        g.closeTimer = null;
        const frame = { type: 'ended' as const, ...e.ended };
        broadcast(g.hosts, frame);
        g.ended = null;
        const ended = await endedState(g, frame);
        for (const [playerId, sockets] of g.players) {
          const score = ended.st.byId.get(playerId)?.score;
          if (score === undefined) continue;
          const data = JSON.stringify({ ...frame, rank: ended.st.rankOf(score), score });
          for (const socket of sockets) send(socket, data);
        }
        return;
      }
      case 'lobby': {
        g.row = { ...g.row, locked: e.lobby.locked };
        broadcast(g.hosts, { type: 'lobby', ...e.lobby });
        return;
      }
      case 'count': {
        if (g.row.phase !== 'question' || g.row.currentIndex !== e.index) return;
        broadcast(g.hosts, { type: 'count', index: e.index, answered: e.answered, players: e.players });
        return;
      }
      case 'kick': {
        const sockets = g.players.get(e.playerId);
        if (!sockets) return;
        g.players.delete(e.playerId);
        for (const socket of sockets) kickOut(socket);
        return;
      }
      case 'lock': {
        g.row = { ...g.row, locked: e.locked };
        return;
      }
    }
  }

  const kickOut = (socket: WebSocket) => {
    send(socket, { type: 'kicked' });
    closeSocket(socket, KICKED_CLOSE_CODE, 'kicked');
  };

  // -------------------------------------------------------------------------------------------
  // Games on this node
  // -------------------------------------------------------------------------------------------

  /** The game's local state, created (subscribed, then read from SQL) for its first socket. */
  function claim(row: LiveGameRow): LocalGame {
    let g = games.get(row.id);
    if (!g) {
      const game: LocalGame = {
        id: row.id,
        row,
        questions: [],
        hosts: new Set(),
        players: new Map(),
        refs: 0,
        chain: Promise.resolve(),
        unsubscribe: events.subscribe(liveTopic(row.id), (_topic, payload) => {
          if (!game.dropped) void enqueue(game, () => apply(game, payload as LiveEvent));
        }),
        closeTimer: null,
        resyncTimer: null,
        reveal: null,
        ended: null,
        dropped: false,
      };
      // Subscribed first, then read: an event published in between is applied after the read,
      // and ignored if the read already saw its step.
      game.chain = (async () => {
        await game.unsubscribe;
        game.questions = await service.questionsOf(row.id);
        game.row = (await live.get(row.id)) ?? row;
        scheduleClose(game);
      })().catch((err: unknown) => log.error({ err, gameId: row.id }, 'live game load failed'));
      games.set(row.id, game);
      g = game;
    }
    g.refs += 1;
    return g;
  }

  function release(g: LocalGame): void {
    g.refs -= 1;
    if (g.refs > 0 || g.dropped) return;
    g.dropped = true;
    games.delete(g.id);
    if (g.closeTimer) clearTimeout(g.closeTimer);
    if (g.resyncTimer) clearTimeout(g.resyncTimer);
    g.unsubscribe
      .then((unsubscribe) => unsubscribe())
      .catch((err: unknown) => log.warn({ err, gameId: g.id }, 'live unsubscribe failed'));
  }

  /** Brings the cache up to SQL if it is behind (a lost event), before a socket is shown it. */
  async function freshen(g: LocalGame): Promise<void> {
    const fresh = await live.get(g.id);
    if (!fresh) return;
    const behind =
      progress({ phase: fresh.phase, index: fresh.currentIndex }) >
      progress({ phase: g.row.phase, index: g.row.currentIndex });
    if (behind) await catchUp(g);
    else
      g.row = {
        ...g.row,
        locked: fresh.locked,
        playerCount: fresh.playerCount,
        kickedCount: fresh.kickedCount,
      };
  }

  // Steps announced while this node's subscription was away never arrive: once it is back, every
  // game here is read from SQL and its sockets brought up to date.
  const stopGaps = events.onGap((phase) => {
    if (phase !== 'back') return;
    for (const g of games.values()) if (!g.dropped) void enqueue(g, () => freshen(g));
  });

  return {
    /**
     * Attaches a host socket; `game` and the current phase's frame follow (`ready` settles once
     * they are sent); call `detach` when the socket closes.
     */
    attachHost(socket: WebSocket, row: LiveGameRow): Attachment {
      const g = claim(row);
      const ready = enqueue(g, async () => {
        if (socket.readyState !== socket.OPEN) return;
        await freshen(g);
        g.hosts.add(socket);
        send(socket, { type: 'game', game: gameView(g.row) });
        for (const f of await currentFrames(g, { kind: 'host', gameId: g.id })) send(socket, f);
      });
      const detach = () => {
        g.hosts.delete(socket);
        release(g);
      };
      return { ready, detach };
    },

    /** Attaches a player socket after a join: `joined`, `game`, then the current phase's frame. */
    attachPlayer(socket: WebSocket, row: LiveGameRow, player: LivePlayerRow, token: string): Attachment {
      const g = claim(row);
      const ready = enqueue(g, async () => {
        if (socket.readyState !== socket.OPEN) return;
        await freshen(g);
        let set = g.players.get(player.id);
        if (!set) g.players.set(player.id, (set = new Set()));
        set.add(socket);
        const fresh = (await live.player(g.id, player.id)) ?? player;
        if (fresh.kicked) return kickOut(socket);
        // The score as of the last reveal: with the open question's points in it, a reload would
        // tell whether the answer was right before the reveal.
        const open =
          g.row.phase === 'question' ? await live.answer(g.id, g.row.currentIndex, fresh.id) : undefined;
        const score = fresh.score - (open?.points ?? 0);
        send(socket, {
          type: 'joined',
          player: { id: fresh.id, nickname: fresh.nickname, unit: fresh.unit, score, token },
        });
        send(socket, { type: 'game', game: gameView(g.row) });
        const role: SocketRole = { kind: 'player', gameId: g.id, playerId: fresh.id, player: fresh };
        for (const f of await currentFrames(g, role)) send(socket, f);
      });
      const detach = () => {
        const set = g.players.get(player.id);
        set?.delete(socket);
        if (set?.size === 0) g.players.delete(player.id);
        release(g);
      };
      return { ready, detach };
    },

    /** What this node knows of the game for checking an answer without reading SQL. */
    answerContext(gameId: number) {
      const g = games.get(gameId);
      return g ? { game: g.row, questions: g.questions } : null;
    },

    /** Waits until this node has applied everything queued for the game (tests, answers). */
    async settled(gameId: number): Promise<void> {
      await games.get(gameId)?.chain;
    },

    close(): Promise<void> {
      stopGaps();
      const all = [...games.values()];
      games.clear();
      return Promise.all(
        all.map(async (g) => {
          g.dropped = true;
          if (g.closeTimer) clearTimeout(g.closeTimer);
          if (g.resyncTimer) clearTimeout(g.resyncTimer);
          await (await g.unsubscribe)().catch(() => undefined);
        }),
      ).then(() => undefined);
    },
  };
}

export type LiveHub = ReturnType<typeof createLiveHub>;
