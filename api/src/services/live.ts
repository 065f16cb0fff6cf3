// Live host-paced games (issue #9, docs/api.md "Live games"): creating a game from a bank, joining,
// answering, the host's steps, the standings, the report. SQL is the truth and every API node is
// equal: a node makes a step with a guarded SQL transition (exactly one node wins a race, see
// db/src/live.ts) and publishes it on the event bus (live/events.ts); every node holding sockets
// of the game turns the event into frames for them (live/hub.ts). Nothing here knows sockets.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type {
  LiveAnswerRow,
  LiveGameRow,
  LivePlayerRow,
  QuestionSnapshot,
  Repositories,
  UserRow,
} from '@quizarena/db';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import { liveTopic, type LiveEvent } from '../live/events.ts';
import {
  generatePin,
  isRightAnswer,
  isValidChoice,
  normaliseNickname,
  rankByScore,
  rankTeams,
  scoreLiveAnswer,
} from '../rules/live.ts';
import {
  LIMITS,
  type CreateLiveGame,
  type EndedFrame,
  type LiveEntry,
  type LiveGameView,
  type LiveReport,
  type ResultFrame,
  type RevealFrame,
} from '../schemas/live.ts';
import { canEdit } from './lookups.ts';
import { OutputClosedError, XlsxStreamWriter } from './xlsx-writer.ts';
import { XLSX_TYPE } from './exports.ts';

export interface LiveDeps {
  repos: Repositories;
  events: EventBus;
  now: () => number;
  log: FastifyBaseLogger;
}

/** Count and lobby events leave a node at most this often per game (4 a second). */
export const LIVE_PUSH_INTERVAL_MS = 250;
/** Games with no join or step for this long are ended by the sweep. */
export const LIVE_IDLE_MS = 12 * 60 * 60 * 1000;
/**
 * A question still open this long after its close is revealed by the sweep: the nodes holding
 * sockets of the game do it at the close itself; this is for games nobody is connected to.
 */
export const LIVE_OVERDUE_MS = 2000;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const cryptoRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;

export function gameView(row: LiveGameRow): LiveGameView {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    phase: row.phase,
    index: row.currentIndex,
    pin: row.pin,
    joinPath: row.pin ? `/play?pin=${row.pin}` : null,
    bankId: row.bankId,
    questionCount: row.questionCount,
    playerCount: row.playerCount - row.kickedCount,
    locked: row.locked,
    settings: {
      questionTimeSec: row.questionTimeSec,
      readingTimeSec: row.readingTimeSec,
      shuffleOptions: row.shuffleOptions,
      streakBonus: row.streakBonus,
      teamMode: row.teamMode,
      units: row.units,
    },
    createdAt: iso(row.createdAt)!,
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
  };
}

/** The players still in, ranked (ties share a rank), and a rank for any score among them. */
export interface Standings {
  players: number;
  byId: Map<number, { score: number; streak: number }>;
  top: LiveEntry[];
  teams: ReturnType<typeof rankTeams> | null;
  /** Competition rank of a score: 1 + how many players scored more. */
  rankOf(score: number): number;
}

export function standings(
  rows: readonly LivePlayerRow[],
  game: Pick<LiveGameRow, 'teamMode' | 'units'>,
): Standings {
  const active = rows.filter((p) => !p.kicked);
  const ranked = rankByScore(active);
  const scores = ranked.map((p) => p.score); // descending
  return {
    players: active.length,
    byId: new Map(active.map((p) => [p.id, { score: p.score, streak: p.streak }])),
    top: ranked.slice(0, LIMITS.top).map((p) => ({
      rank: p.rank,
      playerId: p.id,
      nickname: p.nickname,
      unit: p.unit,
      score: p.score,
    })),
    teams: game.teamMode ? rankTeams(active, game.units) : null,
    rankOf(score) {
      // Binary search for the first score not above `score`.
      let lo = 0;
      let hi = scores.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (scores[mid]! > score) lo = mid + 1;
        else hi = mid;
      }
      return lo + 1;
    },
  };
}

/** A player's own outcome of a revealed question. */
export function resultFrame(
  reveal: Pick<RevealFrame, 'index' | 'total' | 'correctOptionIds' | 'players' | 'last'>,
  me: { score: number; streak: number },
  answer: Pick<LiveAnswerRow, 'optionIds' | 'correct' | 'points'> | undefined,
  rank: number,
): ResultFrame {
  return {
    type: 'result',
    index: reveal.index,
    total: reveal.total,
    correctOptionIds: reveal.correctOptionIds,
    chosen: answer ? answer.optionIds : null,
    correct: answer?.correct ?? false,
    points: answer?.points ?? 0,
    streak: me.streak,
    score: me.score,
    rank,
    players: reveal.players,
    last: reveal.last,
  };
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Per game, a timer that runs `fn` at most once per LIVE_PUSH_INTERVAL_MS. */
class Coalescer {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly last = new Map<number, number>();
  constructor(
    private readonly fn: (gameId: number) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}
  poke(gameId: number): void {
    if (this.timers.has(gameId)) return;
    const wait = Math.max(0, (this.last.get(gameId) ?? 0) + LIVE_PUSH_INTERVAL_MS - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(gameId);
      this.last.set(gameId, Date.now());
      if (this.last.size > 10_000) this.last.delete(this.last.keys().next().value!);
      this.fn(gameId).catch(this.onError);
    }, wait);
    this.timers.set(gameId, timer);
  }
  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

export interface JoinFrame {
  pin: string;
  nickname?: string;
  unit?: string | null;
  token?: string | null;
}

/** What a node knows of a game when an answer arrives (its cache, kept from events). */
export interface AnswerContext {
  game: Pick<
    LiveGameRow,
    'id' | 'phase' | 'currentIndex' | 'opensAt' | 'closesAt' | 'questionTimeSec' | 'streakBonus'
  >;
  questions: readonly QuestionSnapshot[];
}

export function createLiveService(deps: LiveDeps) {
  const { repos, events, now, log } = deps;
  const live = repos.live;

  const publish = (gameId: number, event: LiveEvent) => events.publish(liveTopic(gameId), event);

  // Snapshots never change once a game exists: kept per game for the reveal and the report.
  const snapshots = new Map<number, QuestionSnapshot[]>();
  const questionsOf = async (gameId: number): Promise<QuestionSnapshot[]> => {
    let qs = snapshots.get(gameId);
    if (!qs) {
      qs = (await live.questions(gameId)).map((q) => q.snapshot);
      if (snapshots.size >= 200) snapshots.delete(snapshots.keys().next().value!);
      snapshots.set(gameId, qs);
    }
    return qs;
  };

  const load = async (gameId: number): Promise<LiveGameRow> => {
    const row = await live.get(gameId);
    if (!row) throw notFound('GAME_NOT_FOUND', 'No such game');
    return row;
  };
  const movedOn = () => conflict('BAD_STATE', 'The game has moved on; look at its current step');
  const windowFrom = (row: LiveGameRow, t: number) => {
    const opensAt = t + row.readingTimeSec * 1000;
    return { opensAt, closesAt: opensAt + row.questionTimeSec * 1000 };
  };

  // -------------------------------------------------------------------------------------------
  // Standings, reveal and end as published
  // -------------------------------------------------------------------------------------------

  async function revealOf(row: LiveGameRow, index: number): Promise<Omit<RevealFrame, 'type'>> {
    const q = (await questionsOf(row.id))[index]!;
    const [players, answers] = await Promise.all([live.players(row.id), live.answers(row.id, index)]);
    const st = standings(players, row);
    const counts = new Map(q.options.map((o) => [o.id, 0]));
    let answered = 0;
    let correct = 0;
    for (const a of answers) {
      if (!st.byId.has(a.playerId)) continue; // kicked since
      answered += 1;
      if (a.correct) correct += 1;
      for (const id of a.optionIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return {
      index,
      total: row.questionCount,
      correctOptionIds: q.options.filter((o) => o.correct).map((o) => o.id),
      distribution: [...counts].map(([optionId, count]) => ({ optionId, count })),
      answered,
      correct,
      players: st.players,
      top: st.top,
      teams: st.teams,
      last: index === row.questionCount - 1,
    };
  }

  async function endedOf(row: LiveGameRow): Promise<Omit<EndedFrame, 'type' | 'rank' | 'score'>> {
    const st = standings(await live.players(row.id), row);
    return { podium: st.top.slice(0, LIMITS.podium), top: st.top, teams: st.teams, players: st.players };
  }

  const announceEnd = async (row: LiveGameRow) => {
    await publish(row.id, { kind: 'ended', ended: await endedOf(row) });
  };

  /**
   * Closes question `index` and reveals it, unless it is no longer open (another node or command
   * did it first): answers queued on this node are written first, so that they count.
   */
  async function closeQuestion(gameId: number, index: number): Promise<boolean> {
    await repos.liveWriter.flush();
    const row = await live.reveal(gameId, index, now());
    if (!row) return false;
    await publish(gameId, { kind: 'reveal', index, reveal: await revealOf(row, index) });
    return true;
  }

  async function openQuestion(row: LiveGameRow, to: number): Promise<void> {
    const t = now();
    const window = windowFrom(row, t);
    const moved = await live.openQuestion(
      row.id,
      { phase: row.phase, index: row.currentIndex },
      to,
      window,
      t,
    );
    if (!moved) throw movedOn();
    await publish(row.id, { kind: 'question', index: to, ...window });
  }

  async function startGame(row: LiveGameRow): Promise<void> {
    if (row.playerCount - row.kickedCount <= 0) throw conflict('NO_PLAYERS', 'Nobody has joined yet');
    await openQuestion(row, 0);
  }

  const ended = (row: LiveGameRow) => {
    if (row.status === 'ended') throw conflict('GAME_ENDED', 'The game is over');
  };

  // -------------------------------------------------------------------------------------------
  // Coalesced counts and lobby lists, and the early close
  // -------------------------------------------------------------------------------------------

  const onPushError = (err: unknown) => log.error({ err }, 'live push failed');

  const counts = new Coalescer(async (gameId) => {
    const row = await live.get(gameId);
    if (!row || row.phase !== 'question') return;
    const answered = await live.answeredCount(gameId, row.currentIndex);
    await publish(gameId, {
      kind: 'count',
      index: row.currentIndex,
      answered,
      players: row.playerCount - row.kickedCount,
    });
  }, onPushError);

  const lobbies = new Coalescer(async (gameId) => {
    const row = await live.get(gameId);
    if (!row) return;
    await publish(gameId, { kind: 'lobby', lobby: await lobbyOf(row) });
  }, onPushError);

  async function lobbyOf(row: LiveGameRow) {
    return {
      count: row.playerCount - row.kickedCount,
      locked: row.locked,
      players: await live.latestPlayers(row.id, LIMITS.lobbyList),
    };
  }

  // Once per batch of stored answers (they settle in one turn), not once per answer.
  const closeChecks = new Set<number>();
  const checkEveryoneAnswered = (gameId: number) => {
    if (closeChecks.has(gameId)) return;
    closeChecks.add(gameId);
    setImmediate(() => {
      closeChecks.delete(gameId);
      (async () => {
        const row = await live.get(gameId);
        if (!row || row.phase !== 'question') return;
        const answered = await live.answeredCount(gameId, row.currentIndex);
        if (answered >= row.playerCount - row.kickedCount) await closeQuestion(gameId, row.currentIndex);
      })().catch((err: unknown) => log.error({ err, gameId }, 'live early close failed'));
    });
  };

  async function reportOf(row: LiveGameRow): Promise<LiveReport> {
    const [questionRows, players, answers] = await Promise.all([
      live.questions(row.id),
      live.players(row.id),
      live.allAnswers(row.id),
    ]);
    const active = players.filter((p) => !p.kicked);
    const inGame = new Set(active.map((p) => p.id));
    // Answers of the players still in, by question (kicked players' answers count nowhere).
    const byPosition = new Map<number, LiveAnswerRow[]>();
    for (const a of answers) {
      if (!inGame.has(a.playerId)) continue;
      const list = byPosition.get(a.position);
      if (list) list.push(a);
      else byPosition.set(a.position, [a]);
    }
    const questions = questionRows.map(({ snapshot: q, position, skipped }) => {
      const mine = byPosition.get(position) ?? [];
      const right = mine.filter((a) => a.correct);
      const optionCounts = new Map(q.options.map((o) => [o.id, 0]));
      for (const a of mine) {
        for (const id of a.optionIds) optionCounts.set(id, (optionCounts.get(id) ?? 0) + 1);
      }
      return {
        position,
        questionId: q.questionId,
        type: q.type,
        stem: q.stem,
        skipped,
        answered: mine.length,
        correct: right.length,
        shareCorrect: active.length === 0 ? 0 : right.length / active.length,
        averageMs:
          right.length === 0
            ? null
            : Math.round(right.reduce((sum, a) => sum + a.elapsedMs, 0) / right.length),
        options: q.options.map((o) => ({
          id: o.id,
          text: o.text,
          correct: o.correct,
          count: optionCounts.get(o.id) ?? 0,
        })),
      };
    });
    const playerLine = (p: LivePlayerRow, rank: number | null) => ({
      rank,
      playerId: p.id,
      nickname: p.nickname,
      unit: p.unit,
      score: p.score,
      correctCount: p.correctCount,
      answeredCount: p.answeredCount,
      kicked: p.kicked,
    });
    return {
      game: gameView(row),
      questions,
      players: [
        ...rankByScore(active).map((p) => playerLine(p, p.rank)),
        ...players.filter((p) => p.kicked).map((p) => playerLine(p, null)),
      ],
      teams: row.teamMode ? rankTeams(active, row.units) : null,
    };
  }

  return {
    questionsOf,
    revealOf,
    endedOf,
    lobbyOf,
    closeQuestion,

    // -----------------------------------------------------------------------------------------
    // HTTP
    // -----------------------------------------------------------------------------------------

    async create(user: UserRow, body: CreateLiveGame): Promise<LiveGameView> {
      const bank = await repos.banks.get(body.bankId);
      if (!bank) throw notFound('BANK_NOT_FOUND', 'No such bank');
      if (!(await canEdit(repos, 'bank', user, bank))) {
        throw forbidden('FORBIDDEN', 'This bank is not yours to use');
      }
      const sel = body.questions;
      let ids: number[];
      if (sel.mode === 'ids') {
        if (!sel.ids) throw badRequest('BAD_REQUEST', 'questions.ids is required with mode "ids"');
        ids = [...new Set(sel.ids)];
        const found = new Map((await repos.banks.questionsByIds(ids)).map((q) => [q.id, q]));
        const bad = ids.find((id) => {
          const q = found.get(id);
          return !q || q.bankId !== bank.id || q.status !== 'active';
        });
        if (bad !== undefined) {
          throw badRequest('UNKNOWN_QUESTION', `Question ${bad} is not an active question of this bank`);
        }
      } else {
        if (sel.mode === 'tags' && !sel.tags) {
          throw badRequest('BAD_REQUEST', 'questions.tags is required with mode "tags"');
        }
        ids = await repos.banks.candidateIds({
          bankId: bank.id,
          tags: sel.mode === 'tags' ? sel.tags : undefined,
        });
      }
      if (ids.length === 0) throw conflict('NO_QUESTIONS', 'No active question matches the selection');
      if (ids.length > LIMITS.maxQuestions) {
        throw badRequest(
          'TOO_MANY_QUESTIONS',
          `${ids.length} questions match; a game has at most ${LIMITS.maxQuestions}: choose tags or ids`,
        );
      }
      const teamMode = body.teamMode ?? false;
      const units = teamMode ? (body.units ?? []).map((u) => u.trim().normalize('NFC')) : [];
      if (
        teamMode &&
        (units.length < 2 || units.some((u) => u === '') || new Set(units).size !== units.length)
      ) {
        throw badRequest('UNITS_REQUIRED', 'Team mode needs 2 to 200 distinct, non-empty unit names');
      }
      const shuffleOptions = body.shuffleOptions ?? false;
      const byId = new Map((await repos.banks.questionsByIds(ids)).map((q) => [q.id, q]));
      const questionRows = ids.map((id) => {
        const q = byId.get(id)!;
        const options = shuffleOptions ? shuffled(q.options) : q.options;
        const snapshot: QuestionSnapshot = {
          questionId: q.id,
          type: q.type,
          stem: q.stem,
          options,
          points: q.points,
          explanation: q.explanation,
        };
        return { questionId: q.id, snapshot };
      });
      const row = await live.create(
        {
          ownerId: user.id,
          bankId: bank.id,
          title: body.title?.trim().normalize('NFC') || bank.name,
          questionTimeSec: body.questionTimeSec ?? LIMITS.questionTimeSec.default,
          readingTimeSec: body.readingTimeSec ?? LIMITS.readingTimeSec.default,
          shuffleOptions,
          streakBonus: body.streakBonus ?? false,
          teamMode,
          units,
          createdAt: now(),
        },
        questionRows,
        () => generatePin(cryptoRandom),
      );
      return gameView(row);
    },

    async list(user: UserRow): Promise<LiveGameView[]> {
      const rows = await live.list(user.roles.includes('admin') ? null : user.id, 200);
      return rows.map(gameView);
    },

    /** The game if `user` hosts it (or is an admin): 404 GAME_NOT_FOUND, 403 NOT_HOST. */
    async hosted(gameId: number, user: UserRow): Promise<LiveGameRow> {
      const row = await load(gameId);
      if (row.ownerId !== user.id && !user.roles.includes('admin')) {
        throw forbidden('NOT_HOST', 'Only the host of this game may do that');
      }
      return row;
    },

    async detail(row: LiveGameRow) {
      const qs = await questionsOf(row.id);
      return {
        game: gameView(row),
        questions: qs.map((q, position) => ({
          position,
          questionId: q.questionId,
          type: q.type,
          stem: q.stem,
          options: q.options.map((o) => ({ id: o.id, text: o.text, correct: o.correct })),
        })),
      };
    },

    async pinGame(pin: string) {
      const row = /^[0-9]{6}$/.test(pin) ? await live.byPin(pin) : undefined;
      if (!row || row.status === 'ended') throw notFound('GAME_NOT_FOUND', 'No game with this PIN');
      return {
        game: {
          title: row.title,
          status: row.status,
          locked: row.locked,
          teamMode: row.teamMode,
          units: row.units,
        },
      };
    },

    report: reportOf,

    /** The report as XLSX: sheets Players, Questions and (in team mode) Teams. */
    async reportXlsx(row: LiveGameRow) {
      const report = await reportOf(row);
      const out = new PassThrough();
      const write = async () => {
        const book = new XlsxStreamWriter(out, { creator: 'Quizarena', created: now() });
        await book.sheet('Players', { widths: [8, 24, 24, 10, 10, 12, 10], freezeHeader: true });
        book.row(
          [
            'Hạng / Rank',
            'Biệt danh / Nickname',
            'Đơn vị / Unit',
            'Điểm / Score',
            'Đúng / Correct',
            'Đã trả lời / Answered',
            'Bị mời ra / Kicked',
          ],
          { bold: true },
        );
        for (const p of report.players) {
          book.row([
            p.rank,
            p.nickname,
            p.unit,
            p.score,
            p.correctCount,
            p.answeredCount,
            p.kicked ? 'x' : '',
          ]);
        }
        const maxOptions = Math.max(0, ...report.questions.map((q) => q.options.length));
        await book.sheet('Questions', {
          widths: [
            6,
            50,
            12,
            10,
            12,
            10,
            12,
            14,
            ...Array.from({ length: maxOptions * 2 }, (_, i) => (i % 2 ? 8 : 30)),
          ],
          freezeHeader: true,
        });
        book.row(
          [
            'Câu / #',
            'Câu hỏi / Question',
            'Loại / Type',
            'Bỏ qua / Skipped',
            'Trả lời / Answered',
            'Đúng / Correct',
            'Tỉ lệ đúng / Share right',
            'TB đúng (ms) / Avg right (ms)',
            ...Array.from({ length: maxOptions }, (_, i) => [
              `Phương án ${i + 1} / Option ${i + 1}`,
              `Số chọn / Count`,
            ]).flat(),
          ],
          { bold: true },
        );
        for (const q of report.questions) {
          book.row([
            q.position + 1,
            q.stem,
            q.type,
            q.skipped ? 'x' : '',
            q.answered,
            q.correct,
            { percent: q.shareCorrect },
            q.averageMs,
            ...q.options.flatMap((o) => [`${o.correct ? '✓ ' : ''}${o.text}`, o.count]),
          ]);
        }
        if (report.teams) {
          await book.sheet('Teams', { widths: [8, 30, 10, 12, 12], freezeHeader: true });
          book.row(
            ['Hạng / Rank', 'Đơn vị / Unit', 'Người chơi / Players', 'Điểm / Score', 'Trung bình / Average'],
            {
              bold: true,
            },
          );
          for (const t of report.teams) book.row([t.rank, t.unit, t.players, t.score, t.average]);
        }
        await book.finish();
      };
      write().catch((err: unknown) => {
        if (err instanceof OutputClosedError) return;
        log.error({ err }, 'live report export failed');
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      return { filename: `live-game-${row.id}.xlsx`, contentType: XLSX_TYPE, stream: out };
    },

    // -----------------------------------------------------------------------------------------
    // Players
    // -----------------------------------------------------------------------------------------

    /**
     * A join: with a token known in the game, the same player again (in a locked lobby too, and
     * after the end); otherwise a new player, stored durably before this resolves.
     */
    async join(frame: JoinFrame): Promise<{ player: LivePlayerRow; token: string; game: LiveGameRow }> {
      if (frame.token) {
        const player = await live.playerByToken(tokenHash(frame.token));
        const game = player ? await live.get(player.gameId) : undefined;
        // After the end the PIN is free (null): the token alone, a 144-bit secret, decides.
        if (player && game && (game.pin === frame.pin || game.status === 'ended')) {
          if (player.kicked) throw forbidden('KICKED', 'The host removed you from this game');
          return { player, token: frame.token, game };
        }
      }
      const game = /^[0-9]{6}$/.test(frame.pin) ? await live.byPin(frame.pin) : undefined;
      if (!game) throw notFound('GAME_NOT_FOUND', 'No game with this PIN');
      if (game.locked) throw conflict('LOBBY_LOCKED', 'The host has locked the game');
      const nick = normaliseNickname(frame.nickname ?? '');
      if (!nick.ok) throw badRequest('BAD_NICKNAME', 'A nickname has 1 to 20 characters');
      let unit: string | null = null;
      if (game.teamMode) {
        unit = frame.unit?.trim().normalize('NFC') ?? '';
        if (!game.units.includes(unit)) throw badRequest('BAD_UNIT', 'Choose one of the game’s teams');
      }
      const token = randomBytes(18).toString('base64url');
      const outcome = await repos.liveWriter.join({
        gameId: game.id,
        nickname: nick.nickname,
        nicknameKey: nick.key,
        unit,
        tokenHash: tokenHash(token),
        joinedAt: now(),
        maxPlayers: LIMITS.maxPlayers,
      });
      if (!outcome.ok) {
        switch (outcome.reason) {
          case 'ended':
            throw conflict('GAME_ENDED', 'The game is over');
          case 'locked':
            throw conflict('LOBBY_LOCKED', 'The host has locked the game');
          case 'full':
            throw conflict('GAME_FULL', `A game has at most ${LIMITS.maxPlayers} players`);
          case 'taken':
            throw conflict('NICKNAME_TAKEN', 'Someone in this game already has that nickname');
        }
      }
      lobbies.poke(game.id);
      return { player: outcome.player, token, game };
    },

    /**
     * Stores a player's answer, checked first against what this node knows of the game (no SQL
     * read), then again inside the committing transaction. Resolves once it is durable.
     */
    async answer(ctx: AnswerContext, playerId: number, index: number, optionIds: string[]): Promise<void> {
      const t = now();
      const { game } = ctx;
      const timeUp = () => new AppError(409, 'TIME_UP', 'Time is up for this question');
      if (game.currentIndex !== index || (game.phase !== 'question' && game.phase !== 'reveal')) {
        throw conflict('NOT_OPEN', 'No question is open at this index');
      }
      if (game.phase === 'reveal') throw timeUp();
      if (game.opensAt === null || game.closesAt === null || t < game.opensAt) {
        throw conflict('NOT_OPEN', 'Answers are not open yet');
      }
      if (t > game.closesAt) throw timeUp();
      const question = ctx.questions[index];
      if (!question || !isValidChoice(question, optionIds)) {
        throw badRequest('BAD_OPTION', 'Choose one option (several for a multiple-response question)');
      }
      const correct = isRightAnswer(question, optionIds);
      const limitMs = game.questionTimeSec * 1000;
      const elapsedMs = t - game.opensAt;
      const outcome = await repos.liveWriter.saveAnswer({
        gameId: game.id,
        position: index,
        playerId,
        optionIds,
        correct,
        elapsedMs,
        answeredAt: t,
        score: (streakBefore) =>
          scoreLiveAnswer({ correct, elapsedMs, limitMs, streakBefore, streakBonus: game.streakBonus }),
      });
      if (!outcome.ok) {
        switch (outcome.reason) {
          case 'duplicate':
            throw conflict('ALREADY_ANSWERED', 'You have answered this question');
          case 'kicked':
            throw forbidden('KICKED', 'The host removed you from this game');
          case 'unknown_player':
            throw conflict('NOT_JOINED', 'Join the game first');
          case 'closed':
            throw timeUp();
        }
      }
      counts.poke(game.id);
      checkEveryoneAnswered(game.id);
    },

    // -----------------------------------------------------------------------------------------
    // The host's steps
    // -----------------------------------------------------------------------------------------

    async start(gameId: number): Promise<void> {
      const row = await load(gameId);
      ended(row);
      if (row.phase !== 'lobby') throw conflict('BAD_STATE', 'The game has already started');
      await startGame(row);
    },

    async next(gameId: number): Promise<void> {
      const row = await load(gameId);
      ended(row);
      if (row.phase === 'lobby') return startGame(row);
      if (row.phase === 'question') {
        if (!(await closeQuestion(gameId, row.currentIndex))) throw movedOn();
        return;
      }
      if (row.currentIndex + 1 < row.questionCount) return openQuestion(row, row.currentIndex + 1);
      const done = await live.end(gameId, now(), { phase: 'reveal', index: row.currentIndex });
      if (!done) throw movedOn();
      await announceEnd(done);
    },

    async skip(gameId: number): Promise<void> {
      const row = await load(gameId);
      ended(row);
      if (row.phase !== 'question') throw conflict('BAD_STATE', 'Only an open question can be skipped');
      await repos.liveWriter.flush();
      const t = now();
      const index = row.currentIndex;
      const hasNext = index + 1 < row.questionCount;
      const window = hasNext ? windowFrom(row, t) : null;
      const moved = await live.skip(gameId, index, window, t);
      if (!moved) throw movedOn();
      await publish(gameId, { kind: 'skipped', index });
      if (window) await publish(gameId, { kind: 'question', index: index + 1, ...window });
      else await announceEnd(moved);
    },

    /** Ends the game from any phase; 409 GAME_ENDED when it already had. */
    async end(gameId: number): Promise<LiveGameRow> {
      const row = await live.end(gameId, now());
      if (!row) {
        await load(gameId);
        throw conflict('GAME_ENDED', 'The game is over');
      }
      await announceEnd(row);
      return row;
    },

    async kick(gameId: number, playerId: number): Promise<void> {
      const row = await load(gameId);
      ended(row);
      const player = await live.player(gameId, playerId);
      if (!player) throw notFound('UNKNOWN_PLAYER', 'No such player in this game');
      if (player.kicked) return;
      await live.kick(gameId, playerId, now());
      await publish(gameId, { kind: 'kick', playerId });
      lobbies.poke(gameId);
      // The players left may all have answered already.
      if (row.phase === 'question') checkEveryoneAnswered(gameId);
    },

    async lock(gameId: number, locked: boolean): Promise<void> {
      const row = await live.setLocked(gameId, locked, now());
      if (!row) {
        await load(gameId);
        throw conflict('GAME_ENDED', 'The game is over');
      }
      await publish(gameId, { kind: 'lock', locked });
      lobbies.poke(gameId);
    },

    /**
     * Ends games idle for 12 hours and reveals questions left open past their close (no node had
     * sockets of the game to do it), so that no game hangs. Returns what it did.
     */
    async sweep(): Promise<{ ended: number; revealed: number }> {
      const t = now();
      let endedCount = 0;
      let revealed = 0;
      for (const id of await live.idle(t - LIVE_IDLE_MS, 100)) {
        const row = await live.end(id, t);
        if (row) {
          endedCount += 1;
          await announceEnd(row);
        }
      }
      for (const { id, index } of await live.overdue(t - LIVE_OVERDUE_MS, 100)) {
        if (await closeQuestion(id, index)) revealed += 1;
      }
      return { ended: endedCount, revealed };
    },

    close(): void {
      counts.close();
      lobbies.close();
    },
  };
}

export type LiveService = ReturnType<typeof createLiveService>;
