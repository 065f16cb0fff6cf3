// Group commit for live games' hot paths: answers (every player within a few seconds of a
// question opening) and joins (a hall of players typing the PIN at once). As in answer-writer.ts,
// what is queued in one turn of the event loop is written in one transaction, fsynced once, and
// each caller's promise settles only after that COMMIT: `answered` and `joined` frames are sent
// for rows that are durable.
//
// Every operation re-checks its conditions inside the committing transaction, so a race with a
// step of the game (a reveal, a skip, a kick, the end, on this node or another) is decided by
// SQL: an answer is stored only while its question is open at that index and inside its window,
// from a player not kicked, once (INSERT .. ON CONFLICT DO NOTHING); a join only into a game not
// ended, not locked and not full, under a nickname not taken. The transactions are IMMEDIATE:
// with several processes on one database file a writer takes the lock up front instead of
// failing to upgrade a read lock.
import type BetterSqlite3 from 'better-sqlite3';
import type { LivePlayerRow } from './live.ts';

export interface LiveAnswerSave {
  gameId: number;
  position: number;
  playerId: number;
  optionIds: string[];
  correct: boolean;
  elapsedMs: number;
  answeredAt: number;
  /** Scores the answer given the player's streak before it, as read in the transaction. */
  score: (streakBefore: number) => { points: number; streak: number };
}

export type LiveAnswerOutcome =
  | { ok: true; points: number; streak: number; score: number }
  | { ok: false; reason: 'closed' | 'kicked' | 'duplicate' | 'unknown_player' };

export interface LiveJoin {
  gameId: number;
  nickname: string;
  nicknameKey: string;
  unit: string | null;
  tokenHash: string;
  joinedAt: number;
  maxPlayers: number;
}

export type LiveJoinOutcome =
  { ok: true; player: LivePlayerRow } | { ok: false; reason: 'ended' | 'locked' | 'full' | 'taken' };

type Op =
  | {
      kind: 'answer';
      save: LiveAnswerSave;
      resolve: (o: LiveAnswerOutcome) => void;
      reject: (e: unknown) => void;
    }
  | { kind: 'join'; join: LiveJoin; resolve: (o: LiveJoinOutcome) => void; reject: (e: unknown) => void };

/** A live_players row as the drivers return it (also read by the PostgreSQL writer). */
export interface PlayerDbRow {
  id: number;
  game_id: number;
  nickname: string;
  nickname_key: string;
  unit: string | null;
  token_hash: string;
  score: number;
  streak: number;
  correct_count: number;
  answered_count: number;
  /** 0/1 from SQLite, a boolean from PostgreSQL. */
  kicked: number | boolean;
  /** A string from PostgreSQL's bigint. */
  joined_at: number | string;
}

export const playerRow = (r: PlayerDbRow): LivePlayerRow => ({
  id: r.id,
  gameId: r.game_id,
  nickname: r.nickname,
  nicknameKey: r.nickname_key,
  unit: r.unit,
  tokenHash: r.token_hash,
  score: r.score,
  streak: r.streak,
  correctCount: r.correct_count,
  answeredCount: r.answered_count,
  kicked: Boolean(r.kicked),
  joinedAt: Number(r.joined_at),
});

export class LiveWriter {
  private queue: Op[] = [];
  private scheduled = false;
  private readonly gameWindow: BetterSqlite3.Statement<
    [number],
    { phase: string; current_index: number; opens_at: number | null; closes_at: number | null }
  >;
  private readonly playerState: BetterSqlite3.Statement<
    [number, number],
    { kicked: number; streak: number; score: number }
  >;
  private readonly insertAnswer: BetterSqlite3.Statement;
  private readonly creditPlayer: BetterSqlite3.Statement;
  private readonly countAnswer: BetterSqlite3.Statement;
  private readonly gameEntry: BetterSqlite3.Statement<
    [number],
    { status: string; locked: number; player_count: number }
  >;
  private readonly insertPlayer: BetterSqlite3.Statement<Record<string, unknown>, PlayerDbRow>;
  private readonly countPlayer: BetterSqlite3.Statement;
  private readonly writeBatch: (batch: Op[]) => (LiveAnswerOutcome | LiveJoinOutcome)[];

  constructor(
    sqlite: BetterSqlite3.Database,
    private readonly maxBatch = 2000,
  ) {
    this.gameWindow = sqlite.prepare(
      'SELECT phase, current_index, opens_at, closes_at FROM live_games WHERE id = ?',
    );
    this.playerState = sqlite.prepare(
      'SELECT kicked, streak, score FROM live_players WHERE id = ? AND game_id = ?',
    );
    this.insertAnswer = sqlite.prepare(
      `INSERT INTO live_answers
         (game_id, position, player_id, option_ids, correct, points, streak_before, elapsed_ms, answered_at)
       VALUES (@gameId, @position, @playerId, @optionIds, @correct, @points, @streakBefore, @elapsedMs, @answeredAt)
       ON CONFLICT (game_id, position, player_id) DO NOTHING`,
    );
    this.creditPlayer = sqlite.prepare(
      `UPDATE live_players SET score = score + @points, streak = @streak,
         correct_count = correct_count + @correct, answered_count = answered_count + 1
       WHERE id = @playerId`,
    );
    this.countAnswer = sqlite.prepare(
      `UPDATE live_game_questions SET answered_count = answered_count + 1
       WHERE game_id = @gameId AND position = @position`,
    );
    this.gameEntry = sqlite.prepare('SELECT status, locked, player_count FROM live_games WHERE id = ?');
    this.insertPlayer = sqlite.prepare(
      `INSERT INTO live_players (game_id, nickname, nickname_key, unit, token_hash, joined_at)
       VALUES (@gameId, @nickname, @nicknameKey, @unit, @tokenHash, @joinedAt)
       ON CONFLICT DO NOTHING
       RETURNING *`,
    );
    this.countPlayer = sqlite.prepare(
      `UPDATE live_games SET player_count = player_count + 1, last_activity_at = max(last_activity_at, @joinedAt)
       WHERE id = @gameId`,
    );
    const run = sqlite.transaction((batch: Op[]) =>
      batch.map((op) => (op.kind === 'answer' ? this.answer(op.save) : this.enter(op.join))),
    );
    this.writeBatch = (batch) => run.immediate(batch);
  }

  private answer(save: LiveAnswerSave): LiveAnswerOutcome {
    const game = this.gameWindow.get(save.gameId);
    if (
      !game ||
      game.phase !== 'question' ||
      game.current_index !== save.position ||
      game.opens_at === null ||
      game.closes_at === null ||
      save.answeredAt < game.opens_at ||
      save.answeredAt > game.closes_at
    ) {
      return { ok: false, reason: 'closed' };
    }
    const player = this.playerState.get(save.playerId, save.gameId);
    if (!player) return { ok: false, reason: 'unknown_player' };
    if (player.kicked !== 0) return { ok: false, reason: 'kicked' };
    const { points, streak } = save.score(player.streak);
    const correct = save.correct ? 1 : 0;
    const inserted = this.insertAnswer.run({
      gameId: save.gameId,
      position: save.position,
      playerId: save.playerId,
      optionIds: JSON.stringify(save.optionIds),
      correct,
      points,
      streakBefore: player.streak,
      elapsedMs: save.elapsedMs,
      answeredAt: save.answeredAt,
    });
    if (inserted.changes === 0) return { ok: false, reason: 'duplicate' };
    this.creditPlayer.run({ playerId: save.playerId, points, streak, correct });
    this.countAnswer.run({ gameId: save.gameId, position: save.position });
    return { ok: true, points, streak, score: player.score + points };
  }

  private enter(join: LiveJoin): LiveJoinOutcome {
    const game = this.gameEntry.get(join.gameId);
    if (!game || game.status === 'ended') return { ok: false, reason: 'ended' };
    if (game.locked !== 0) return { ok: false, reason: 'locked' };
    if (game.player_count >= join.maxPlayers) return { ok: false, reason: 'full' };
    const row = this.insertPlayer.get({
      gameId: join.gameId,
      nickname: join.nickname,
      nicknameKey: join.nicknameKey,
      unit: join.unit,
      tokenHash: join.tokenHash,
      joinedAt: join.joinedAt,
    });
    if (!row) return { ok: false, reason: 'taken' };
    this.countPlayer.run({ gameId: join.gameId, joinedAt: join.joinedAt });
    return { ok: true, player: playerRow(row) };
  }

  /** Stores an answer; settles after the COMMIT that holds it (or says why it was refused). */
  saveAnswer(save: LiveAnswerSave): Promise<LiveAnswerOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'answer', save, resolve, reject });
      this.schedule();
    });
  }

  /** Adds a player; settles after the COMMIT that holds the row (or says why it was refused). */
  join(join: LiveJoin): Promise<LiveJoinOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'join', join, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Writes everything queued so far, now (before a step of the game, so that it sees them);
   * settles once it is committed.
   */
  async flush(): Promise<void> {
    this.drain();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: (LiveAnswerOutcome | LiveJoinOutcome)[];
      try {
        results = this.writeBatch(batch);
      } catch (err) {
        for (const op of batch) op.reject(err);
        continue;
      }
      batch.forEach((op, i) => {
        if (op.kind === 'answer') op.resolve(results[i] as LiveAnswerOutcome);
        else op.resolve(results[i] as LiveJoinOutcome);
      });
    }
  }
}

/** A live writer on either store: what the services use (PgLiveWriter is the PostgreSQL one). */
export type LiveWriterApi = Pick<LiveWriter, 'saveAnswer' | 'join' | 'flush'>;
