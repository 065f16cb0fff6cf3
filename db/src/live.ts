// Live host-paced games: the games, their question snapshots, players and answers. Every step of
// a game is a guarded UPDATE (`.. WHERE phase = ? AND current_index = ?`): when several API nodes
// try the same step at once (each one's timer fires at the close of a question), exactly one
// changes the row and goes on to announce it; the others see null. Answers and joins, the hot
// paths, are written by the group-commit LiveWriter (live-writer.ts), not here.
import { and, asc, desc, eq, inArray, lt, ne, notExists, sql } from 'drizzle-orm';
import type { Db } from './database.ts';
import {
  liveAnswers,
  liveGameQuestions,
  liveGames,
  livePlayers,
  type LivePhase,
  type QuestionSnapshot,
} from './schema.ts';

export type LiveGameRow = typeof liveGames.$inferSelect;
export type LivePlayerRow = typeof livePlayers.$inferSelect;
export type LiveQuestionRow = typeof liveGameQuestions.$inferSelect;
export type LiveAnswerRow = typeof liveAnswers.$inferSelect;

export type NewLiveGame = Pick<
  typeof liveGames.$inferInsert,
  | 'ownerId'
  | 'bankId'
  | 'title'
  | 'questionTimeSec'
  | 'readingTimeSec'
  | 'shuffleOptions'
  | 'streakBonus'
  | 'teamMode'
  | 'units'
  | 'createdAt'
>;

/** Where a step starts from: the transition applies only if the game is still there. */
export interface PhaseGuard {
  phase: LivePhase;
  index: number;
}

/** The next question's answer window. */
export interface QuestionWindow {
  opensAt: number;
  closesAt: number;
}

/** How many times a fresh PIN is drawn when the one drawn is in use by another live game. */
export const PIN_TRIES = 50;

export class PinExhaustedError extends Error {
  constructor() {
    super(`no free PIN found in ${PIN_TRIES} draws`);
  }
}

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE';

export function createLiveRepository(db: Db) {
  const gameId = sql.placeholder('gameId');
  // Read on every command, socket attach and join: prepared once.
  const byId = db
    .select()
    .from(liveGames)
    .where(eq(liveGames.id, sql.placeholder('id')))
    .prepare();
  const byPin = db
    .select()
    .from(liveGames)
    .where(and(eq(liveGames.pin, sql.placeholder('pin')), inArray(liveGames.status, ['lobby', 'running'])))
    .prepare();
  const byToken = db
    .select()
    .from(livePlayers)
    .where(eq(livePlayers.tokenHash, sql.placeholder('tokenHash')))
    .prepare();
  const playerById = db
    .select()
    .from(livePlayers)
    .where(and(eq(livePlayers.id, sql.placeholder('id')), eq(livePlayers.gameId, gameId)))
    .prepare();
  const playersOf = db
    .select()
    .from(livePlayers)
    .where(eq(livePlayers.gameId, gameId))
    .orderBy(asc(livePlayers.id))
    .prepare();
  const answersAt = db
    .select()
    .from(liveAnswers)
    .where(and(eq(liveAnswers.gameId, gameId), eq(liveAnswers.position, sql.placeholder('position'))))
    .prepare();
  const answeredAt = db
    .select({ answered: liveGameQuestions.answeredCount })
    .from(liveGameQuestions)
    .where(
      and(eq(liveGameQuestions.gameId, gameId), eq(liveGameQuestions.position, sql.placeholder('position'))),
    )
    .prepare();

  const guard = (id: number, from: PhaseGuard) =>
    and(eq(liveGames.id, id), eq(liveGames.phase, from.phase), eq(liveGames.currentIndex, from.index));

  return {
    /**
     * Creates a game with its question snapshots and a PIN unique among games in their lobby or
     * running (the partial unique index decides; a PIN in use is drawn again).
     */
    async create(
      game: NewLiveGame,
      questionRows: { questionId: number; snapshot: QuestionSnapshot }[],
      drawPin: () => string,
    ): Promise<LiveGameRow> {
      for (let i = 0; i < PIN_TRIES; i++) {
        try {
          return db.transaction((tx) => {
            const row = tx
              .insert(liveGames)
              .values({
                ...game,
                pin: drawPin(),
                questionCount: questionRows.length,
                lastActivityAt: game.createdAt,
              })
              .returning()
              .get();
            tx.insert(liveGameQuestions)
              .values(questionRows.map((q, position) => ({ ...q, gameId: row.id, position })))
              .run();
            return row;
          });
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
      throw new PinExhaustedError();
    },

    async get(id: number): Promise<LiveGameRow | undefined> {
      return byId.get({ id });
    },
    /** The game in its lobby or running with this PIN. */
    async byPin(pin: string): Promise<LiveGameRow | undefined> {
      return byPin.get({ pin });
    },
    /** A host's games (every game for null), newest first. */
    async list(ownerId: number | null, limit: number): Promise<LiveGameRow[]> {
      return db
        .select()
        .from(liveGames)
        .where(ownerId === null ? undefined : eq(liveGames.ownerId, ownerId))
        .orderBy(desc(liveGames.createdAt), desc(liveGames.id))
        .limit(limit)
        .all();
    },
    async questions(id: number): Promise<LiveQuestionRow[]> {
      return db
        .select()
        .from(liveGameQuestions)
        .where(eq(liveGameQuestions.gameId, id))
        .orderBy(asc(liveGameQuestions.position))
        .all();
    },

    async player(id: number, playerId: number): Promise<LivePlayerRow | undefined> {
      return playerById.get({ id: playerId, gameId: id });
    },
    async playerByToken(tokenHash: string): Promise<LivePlayerRow | undefined> {
      return byToken.get({ tokenHash });
    },
    /** Every player of the game, kicked ones included, in join order. */
    async players(id: number): Promise<LivePlayerRow[]> {
      return playersOf.all({ gameId: id });
    },
    /** The players still in who joined last, newest first (the host's lobby list). */
    async latestPlayers(id: number, limit: number) {
      return db
        .select({ id: livePlayers.id, nickname: livePlayers.nickname, unit: livePlayers.unit })
        .from(livePlayers)
        .where(and(eq(livePlayers.gameId, id), eq(livePlayers.kicked, false)))
        .orderBy(desc(livePlayers.id))
        .limit(limit)
        .all();
    },
    /** Every answer to one question, kicked players' included. */
    async answers(id: number, position: number): Promise<LiveAnswerRow[]> {
      return answersAt.all({ gameId: id, position });
    },
    /** Every answer of the game (the report). */
    async allAnswers(id: number): Promise<LiveAnswerRow[]> {
      return db
        .select()
        .from(liveAnswers)
        .where(eq(liveAnswers.gameId, id))
        .orderBy(asc(liveAnswers.position), asc(liveAnswers.playerId))
        .all();
    },
    async answer(id: number, position: number, playerId: number): Promise<LiveAnswerRow | undefined> {
      return db
        .select()
        .from(liveAnswers)
        .where(
          and(
            eq(liveAnswers.gameId, id),
            eq(liveAnswers.position, position),
            eq(liveAnswers.playerId, playerId),
          ),
        )
        .get();
    },
    /** Answers stored for a question so far: one row read (the writer keeps the count). */
    async answeredCount(id: number, position: number): Promise<number> {
      return answeredAt.get({ gameId: id, position })?.answered ?? 0;
    },

    /**
     * Opens question `to` (from the lobby or a reveal) if the game is still at `from`; the
     * updated game, or null when another node (or command) moved it first.
     */
    async openQuestion(
      id: number,
      from: PhaseGuard,
      to: number,
      window: QuestionWindow,
      now: number,
    ): Promise<LiveGameRow | null> {
      return (
        db
          .update(liveGames)
          .set({
            status: 'running',
            phase: 'question',
            currentIndex: to,
            opensAt: window.opensAt,
            closesAt: window.closesAt,
            startedAt: sql`coalesce(${liveGames.startedAt}, ${now})`,
            lastActivityAt: now,
          })
          .where(guard(id, from))
          .returning()
          .get() ?? null
      );
    },

    /**
     * Closes question `index` and reveals it, if it is still open: one transaction that also
     * resets the streak of every player who did not answer it. Null when it was not open.
     */
    async reveal(id: number, index: number, now: number): Promise<LiveGameRow | null> {
      return db.transaction(
        (tx) => {
          const row = tx
            .update(liveGames)
            .set({ phase: 'reveal', lastActivityAt: now })
            .where(guard(id, { phase: 'question', index }))
            .returning()
            .get();
          if (!row) return null;
          tx.update(livePlayers)
            .set({ streak: 0 })
            .where(
              and(
                eq(livePlayers.gameId, id),
                ne(livePlayers.streak, 0),
                notExists(
                  tx
                    .select({ one: sql`1` })
                    .from(liveAnswers)
                    .where(
                      and(
                        eq(liveAnswers.gameId, id),
                        eq(liveAnswers.position, index),
                        eq(liveAnswers.playerId, livePlayers.id),
                      ),
                    ),
                ),
              ),
            )
            .run();
          tx.update(liveGameQuestions)
            .set({ revealedAt: now })
            .where(and(eq(liveGameQuestions.gameId, id), eq(liveGameQuestions.position, index)))
            .run();
          return row;
        },
        { behavior: 'immediate' },
      );
    },

    /**
     * Voids question `index` while it is open: every answer to it is undone on its player (score,
     * streak as it was before, counters; the rows stay, with no points), and the game moves on to
     * the next question (`next`), or ends when there is none (null). Null when it was not open.
     */
    async skip(
      id: number,
      index: number,
      next: QuestionWindow | null,
      now: number,
    ): Promise<LiveGameRow | null> {
      return db.transaction(
        (tx) => {
          const row = tx
            .update(liveGames)
            .set(
              next
                ? {
                    currentIndex: index + 1,
                    opensAt: next.opensAt,
                    closesAt: next.closesAt,
                    lastActivityAt: now,
                  }
                : { status: 'ended', phase: 'ended', pin: null, endedAt: now, lastActivityAt: now },
            )
            .where(guard(id, { phase: 'question', index }))
            .returning()
            .get();
          if (!row) return null;
          tx.update(liveGameQuestions)
            .set({ skipped: true })
            .where(and(eq(liveGameQuestions.gameId, id), eq(liveGameQuestions.position, index)))
            .run();
          // Each answerer gets back what the answer changed (one answer per player and question).
          tx.run(sql`
            UPDATE live_players SET
              score = score - a.points,
              streak = a.streak_before,
              correct_count = correct_count - a.correct,
              answered_count = answered_count - 1
            FROM (SELECT player_id, points, streak_before, correct FROM live_answers
                  WHERE game_id = ${id} AND position = ${index}) AS a
            WHERE live_players.id = a.player_id`);
          tx.update(liveAnswers)
            .set({ points: 0 })
            .where(and(eq(liveAnswers.gameId, id), eq(liveAnswers.position, index)))
            .run();
          return row;
        },
        { behavior: 'immediate' },
      );
    },

    /**
     * Ends the game from any phase (or only from `from` when given: `next` after the last
     * reveal) and frees its PIN. Null when it had already ended or moved on.
     */
    async end(id: number, now: number, from?: PhaseGuard): Promise<LiveGameRow | null> {
      return (
        db
          .update(liveGames)
          .set({ status: 'ended', phase: 'ended', pin: null, endedAt: now, lastActivityAt: now })
          .where(and(from ? guard(id, from) : eq(liveGames.id, id), ne(liveGames.status, 'ended')))
          .returning()
          .get() ?? null
      );
    },

    /** Locks or unlocks the lobby of a game not ended; null when it has ended. */
    async setLocked(id: number, locked: boolean, now: number): Promise<LiveGameRow | null> {
      return (
        db
          .update(liveGames)
          .set({ locked, lastActivityAt: now })
          .where(and(eq(liveGames.id, id), ne(liveGames.status, 'ended')))
          .returning()
          .get() ?? null
      );
    },

    /**
     * Marks a player kicked (once) and counts it on the game, taking their answer to the open
     * question off its count; null when unknown or already out.
     */
    async kick(id: number, playerId: number, now: number): Promise<LivePlayerRow | null> {
      return db.transaction(
        (tx) => {
          const player = tx
            .update(livePlayers)
            .set({ kicked: true })
            .where(
              and(eq(livePlayers.id, playerId), eq(livePlayers.gameId, id), eq(livePlayers.kicked, false)),
            )
            .returning()
            .get();
          if (!player) return null;
          // An answer of theirs to the open question no longer counts towards everyone answered.
          tx.run(sql`
            UPDATE live_game_questions SET answered_count = answered_count - 1
            WHERE game_id = ${id}
              AND position = (SELECT current_index FROM live_games WHERE id = ${id} AND phase = 'question')
              AND EXISTS (SELECT 1 FROM live_answers a WHERE a.game_id = ${id}
                          AND a.position = live_game_questions.position AND a.player_id = ${playerId})`);
          tx.update(liveGames)
            .set({ kickedCount: sql`${liveGames.kickedCount} + 1`, lastActivityAt: now })
            .where(eq(liveGames.id, id))
            .run();
          return player;
        },
        { behavior: 'immediate' },
      );
    },

    /** Ids of games not ended with no join or step since `before` (the 12-hour sweep). */
    async idle(before: number, limit: number): Promise<number[]> {
      return db
        .select({ id: liveGames.id })
        .from(liveGames)
        .where(and(inArray(liveGames.status, ['lobby', 'running']), lt(liveGames.lastActivityAt, before)))
        .limit(limit)
        .all()
        .map((r) => r.id);
    },
    /** Games whose open question closed before `before` and was not revealed (no node was there). */
    async overdue(before: number, limit: number): Promise<{ id: number; index: number }[]> {
      return db
        .select({ id: liveGames.id, index: liveGames.currentIndex })
        .from(liveGames)
        .where(and(eq(liveGames.phase, 'question'), lt(liveGames.closesAt, before)))
        .limit(limit)
        .all();
    },
  };
}

export type LiveRepository = ReturnType<typeof createLiveRepository>;
