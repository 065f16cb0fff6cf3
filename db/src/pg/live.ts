// Live host-paced games on PostgreSQL: the same repository as ../live.ts. Every step is a guarded
// UPDATE (`.. WHERE phase = ? AND current_index = ?`): under READ COMMITTED a second node's UPDATE
// of the same row waits for the first one's COMMIT and re-checks the guard on the new row, so of
// two timers firing together exactly one moves the game. The live_games row is also the game's
// lock: every transaction that changes a game (the steps here, the batches of PgLiveWriter) takes
// it first, so answers and joins never interleave with a reveal, a skip or a kick, and since no
// transaction holds a row of a game before that game's row, they cannot deadlock either.
import { and, asc, desc, eq, inArray, lt, ne, notExists, sql } from 'drizzle-orm';
import {
  PinExhaustedError,
  PIN_TRIES,
  type LiveAnswerRow,
  type LiveGameRow,
  type LivePlayerRow,
  type LiveQuestionRow,
  type LiveRepository,
  type NewLiveGame,
  type PhaseGuard,
  type QuestionWindow,
} from '../live.ts';
import type { QuestionSnapshot } from '../schema.ts';
import type { PgDb } from './database.ts';
import { violates } from './users.ts';
import { liveAnswers, liveGameQuestions, liveGames, livePlayers } from './schema.ts';

/** The partial unique index on live_games.pin (among games in their lobby or running). */
const isPinTaken = (err: unknown): boolean => violates(err, 'live_games_pin_idx');

export function createPgLiveRepository(db: PgDb): LiveRepository {
  const gameId = sql.placeholder('gameId');
  // Read on every command, socket attach and join: prepared once per connection.
  const byId = db
    .select()
    .from(liveGames)
    .where(eq(liveGames.id, sql.placeholder('id')))
    .prepare('live_game_by_id');
  const byPin = db
    .select()
    .from(liveGames)
    .where(and(eq(liveGames.pin, sql.placeholder('pin')), inArray(liveGames.status, ['lobby', 'running'])))
    .prepare('live_game_by_pin');
  const byToken = db
    .select()
    .from(livePlayers)
    .where(eq(livePlayers.tokenHash, sql.placeholder('tokenHash')))
    .prepare('live_player_by_token');
  const playerById = db
    .select()
    .from(livePlayers)
    .where(and(eq(livePlayers.id, sql.placeholder('id')), eq(livePlayers.gameId, gameId)))
    .prepare('live_player_by_id');
  const playersOf = db
    .select()
    .from(livePlayers)
    .where(eq(livePlayers.gameId, gameId))
    .orderBy(asc(livePlayers.id))
    .prepare('live_players_of');
  const answersAt = db
    .select()
    .from(liveAnswers)
    .where(and(eq(liveAnswers.gameId, gameId), eq(liveAnswers.position, sql.placeholder('position'))))
    .prepare('live_answers_at');
  const answeredAt = db
    .select({ answered: liveGameQuestions.answeredCount })
    .from(liveGameQuestions)
    .where(
      and(eq(liveGameQuestions.gameId, gameId), eq(liveGameQuestions.position, sql.placeholder('position'))),
    )
    .prepare('live_answered_at');

  const guard = (id: number, from: PhaseGuard) =>
    and(eq(liveGames.id, id), eq(liveGames.phase, from.phase), eq(liveGames.currentIndex, from.index));

  return {
    /**
     * Creates a game with its question snapshots and a PIN unique among games in their lobby or
     * running (the partial unique index decides, also between nodes; a PIN in use is drawn again).
     */
    async create(
      game: NewLiveGame,
      questionRows: { questionId: number; snapshot: QuestionSnapshot }[],
      drawPin: () => string,
    ): Promise<LiveGameRow> {
      for (let i = 0; i < PIN_TRIES; i++) {
        try {
          return await db.transaction(async (tx) => {
            const [row] = await tx
              .insert(liveGames)
              .values({
                ...game,
                pin: drawPin(),
                questionCount: questionRows.length,
                lastActivityAt: game.createdAt,
              })
              .returning();
            if (!row) throw new Error('INSERT .. RETURNING gave no row');
            await tx
              .insert(liveGameQuestions)
              .values(questionRows.map((q, position) => ({ ...q, gameId: row.id, position })));
            return row;
          });
        } catch (err) {
          if (!isPinTaken(err)) throw err;
        }
      }
      throw new PinExhaustedError();
    },

    async get(id: number): Promise<LiveGameRow | undefined> {
      return (await byId.execute({ id }))[0];
    },
    /** The game in its lobby or running with this PIN. */
    async byPin(pin: string): Promise<LiveGameRow | undefined> {
      return (await byPin.execute({ pin }))[0];
    },
    /** A host's games (every game for null), newest first. */
    async list(ownerId: number | null, limit: number): Promise<LiveGameRow[]> {
      return db
        .select()
        .from(liveGames)
        .where(ownerId === null ? undefined : eq(liveGames.ownerId, ownerId))
        .orderBy(desc(liveGames.createdAt), desc(liveGames.id))
        .limit(limit);
    },
    async questions(id: number): Promise<LiveQuestionRow[]> {
      return db
        .select()
        .from(liveGameQuestions)
        .where(eq(liveGameQuestions.gameId, id))
        .orderBy(asc(liveGameQuestions.position));
    },

    async player(id: number, playerId: number): Promise<LivePlayerRow | undefined> {
      return (await playerById.execute({ id: playerId, gameId: id }))[0];
    },
    async playerByToken(tokenHash: string): Promise<LivePlayerRow | undefined> {
      return (await byToken.execute({ tokenHash }))[0];
    },
    /** Every player of the game, kicked ones included, in join order. */
    async players(id: number): Promise<LivePlayerRow[]> {
      return playersOf.execute({ gameId: id });
    },
    /** The players still in who joined last, newest first (the host's lobby list). */
    async latestPlayers(id: number, limit: number) {
      return db
        .select({ id: livePlayers.id, nickname: livePlayers.nickname, unit: livePlayers.unit })
        .from(livePlayers)
        .where(and(eq(livePlayers.gameId, id), eq(livePlayers.kicked, false)))
        .orderBy(desc(livePlayers.id))
        .limit(limit);
    },
    /** Every answer to one question, kicked players' included. */
    async answers(id: number, position: number): Promise<LiveAnswerRow[]> {
      return answersAt.execute({ gameId: id, position });
    },
    /** Every answer of the game (the report). */
    async allAnswers(id: number): Promise<LiveAnswerRow[]> {
      return db
        .select()
        .from(liveAnswers)
        .where(eq(liveAnswers.gameId, id))
        .orderBy(asc(liveAnswers.position), asc(liveAnswers.playerId));
    },
    async answer(id: number, position: number, playerId: number): Promise<LiveAnswerRow | undefined> {
      const [row] = await db
        .select()
        .from(liveAnswers)
        .where(
          and(
            eq(liveAnswers.gameId, id),
            eq(liveAnswers.position, position),
            eq(liveAnswers.playerId, playerId),
          ),
        );
      return row;
    },
    /** Answers stored for a question so far: one row read (the writer keeps the count). */
    async answeredCount(id: number, position: number): Promise<number> {
      return (await answeredAt.execute({ gameId: id, position }))[0]?.answered ?? 0;
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
      const [row] = await db
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
        .returning();
      return row ?? null;
    },

    /**
     * Closes question `index` and reveals it, if it is still open: one transaction that also
     * resets the streak of every player who did not answer it. Null when it was not open. The
     * guarded UPDATE comes first: it waits for a writer batch holding the game, and the statements
     * after it see every answer that batch committed.
     */
    async reveal(id: number, index: number, now: number): Promise<LiveGameRow | null> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(liveGames)
          .set({ phase: 'reveal', lastActivityAt: now })
          .where(guard(id, { phase: 'question', index }))
          .returning();
        if (!row) return null;
        await tx
          .update(livePlayers)
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
          );
        await tx
          .update(liveGameQuestions)
          .set({ revealedAt: now })
          .where(and(eq(liveGameQuestions.gameId, id), eq(liveGameQuestions.position, index)));
        return row;
      });
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
      return db.transaction(async (tx) => {
        const [row] = await tx
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
          .returning();
        if (!row) return null;
        await tx
          .update(liveGameQuestions)
          .set({ skipped: true })
          .where(and(eq(liveGameQuestions.gameId, id), eq(liveGameQuestions.position, index)));
        // Each answerer gets back what the answer changed (one answer per player and question).
        await tx.execute(sql`
          UPDATE live_players SET
            score = score - a.points,
            streak = a.streak_before,
            correct_count = correct_count - a.correct::int,
            answered_count = answered_count - 1
          FROM (SELECT player_id, points, streak_before, correct FROM live_answers
                WHERE game_id = ${id} AND position = ${index}) AS a
          WHERE live_players.id = a.player_id`);
        await tx
          .update(liveAnswers)
          .set({ points: 0 })
          .where(and(eq(liveAnswers.gameId, id), eq(liveAnswers.position, index)));
        return row;
      });
    },

    /**
     * Ends the game from any phase (or only from `from` when given: `next` after the last
     * reveal) and frees its PIN. Null when it had already ended or moved on.
     */
    async end(id: number, now: number, from?: PhaseGuard): Promise<LiveGameRow | null> {
      const [row] = await db
        .update(liveGames)
        .set({ status: 'ended', phase: 'ended', pin: null, endedAt: now, lastActivityAt: now })
        .where(and(from ? guard(id, from) : eq(liveGames.id, id), ne(liveGames.status, 'ended')))
        .returning();
      return row ?? null;
    },

    /** Locks or unlocks the lobby of a game not ended; null when it has ended. */
    async setLocked(id: number, locked: boolean, now: number): Promise<LiveGameRow | null> {
      const [row] = await db
        .update(liveGames)
        .set({ locked, lastActivityAt: now })
        .where(and(eq(liveGames.id, id), ne(liveGames.status, 'ended')))
        .returning();
      return row ?? null;
    },

    /**
     * Marks a player kicked (once) and counts it on the game, taking their answer to the open
     * question off its count; null when unknown or already out. The game row is locked first (the
     * order every game transaction takes), so an answer of theirs is either committed before and
     * taken off, or refused after.
     */
    async kick(id: number, playerId: number, now: number): Promise<LivePlayerRow | null> {
      return db.transaction(async (tx) => {
        const [game] = await tx
          .select({ phase: liveGames.phase, currentIndex: liveGames.currentIndex })
          .from(liveGames)
          .where(eq(liveGames.id, id))
          .for('no key update');
        if (!game) return null;
        const [player] = await tx
          .update(livePlayers)
          .set({ kicked: true })
          .where(and(eq(livePlayers.id, playerId), eq(livePlayers.gameId, id), eq(livePlayers.kicked, false)))
          .returning();
        if (!player) return null;
        // An answer of theirs to the open question no longer counts towards everyone answered.
        if (game.phase === 'question') {
          await tx.execute(sql`
            UPDATE live_game_questions SET answered_count = answered_count - 1
            WHERE game_id = ${id} AND position = ${game.currentIndex}
              AND EXISTS (SELECT 1 FROM live_answers a WHERE a.game_id = ${id}
                          AND a.position = ${game.currentIndex} AND a.player_id = ${playerId})`);
        }
        await tx
          .update(liveGames)
          .set({ kickedCount: sql`${liveGames.kickedCount} + 1`, lastActivityAt: now })
          .where(eq(liveGames.id, id));
        return player;
      });
    },

    /** Ids of games not ended with no join or step since `before` (the 12-hour sweep). */
    async idle(before: number, limit: number): Promise<number[]> {
      const rows = await db
        .select({ id: liveGames.id })
        .from(liveGames)
        .where(and(inArray(liveGames.status, ['lobby', 'running']), lt(liveGames.lastActivityAt, before)))
        .limit(limit);
      return rows.map((r) => r.id);
    },
    /** Games whose open question closed before `before` and was not revealed (no node was there). */
    async overdue(before: number, limit: number): Promise<{ id: number; index: number }[]> {
      return db
        .select({ id: liveGames.id, index: liveGames.currentIndex })
        .from(liveGames)
        .where(and(eq(liveGames.phase, 'question'), lt(liveGames.closesAt, before)))
        .limit(limit);
    },
  };
}
