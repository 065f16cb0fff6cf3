// Group commit for live games' hot paths on PostgreSQL: the twin of ../live-writer.ts, with the
// same methods and outcomes. What is queued while the previous batch commits is written in one
// transaction of a fixed handful of multi-row statements (arrays through unnest), and each
// caller's promise settles only after that COMMIT (synchronous_commit on): `answered` and
// `joined` frames are sent for rows that are durable.
//
// Several nodes write the same games at once, so the batch starts by locking the rows of its
// games (in id order, FOR NO KEY UPDATE), as every step in live.ts does: from there on it is the
// only writer of those games, and what it reads (phase and window, kicked and streaks, player
// counts and nicknames taken) stays true until its COMMIT. A reveal, skip or kick on another node
// waits for it and then sees its rows, or went first and is seen by it. The checks are then those
// of the SQLite writer, op by op in queue order: an answer only while its question is open at that
// index and inside its window, from a player not kicked, once (ON CONFLICT DO NOTHING also against
// another node's batch); a join only into a game not ended, not locked and not full, under a
// nickname not taken.
import type pg from 'pg';
import {
  playerRow,
  type LiveAnswerOutcome,
  type LiveAnswerSave,
  type LiveJoin,
  type LiveJoinOutcome,
  type LiveWriterApi,
  type PlayerDbRow,
} from '../live-writer.ts';

type Op =
  | {
      kind: 'answer';
      save: LiveAnswerSave;
      resolve: (o: LiveAnswerOutcome) => void;
      reject: (e: unknown) => void;
    }
  | { kind: 'join'; join: LiveJoin; resolve: (o: LiveJoinOutcome) => void; reject: (e: unknown) => void };

/** bigint columns come back from node-postgres as strings. */
type Int = number | string;

interface GameState {
  id: number;
  status: string;
  locked: boolean;
  player_count: number;
  phase: string;
  current_index: number;
  opens_at: Int | null;
  closes_at: Int | null;
}

// Named statements: node-postgres prepares each once per connection.
const LOCK_GAMES = {
  name: 'live_writer_lock_games',
  text: `SELECT id, status, locked, player_count, phase, current_index, opens_at, closes_at
         FROM live_games WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE`,
};
const PLAYER_STATES = {
  name: 'live_writer_player_states',
  text: 'SELECT id, game_id, kicked, streak, score FROM live_players WHERE id = ANY($1::int[])',
};
const INSERT_ANSWERS = {
  name: 'live_writer_insert_answers',
  text: `INSERT INTO live_answers
           (game_id, position, player_id, option_ids, correct, points, streak_before, elapsed_ms, answered_at)
         SELECT g, p, pl, o::json, c, pts, sb, e, at
         FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::bool[], $6::int[], $7::int[],
                     $8::int[], $9::bigint[]) AS t(g, p, pl, o, c, pts, sb, e, at)
         ON CONFLICT (game_id, position, player_id) DO NOTHING
         RETURNING game_id, position, player_id`,
};
const CREDIT_PLAYERS = {
  name: 'live_writer_credit_players',
  text: `UPDATE live_players p SET score = p.score + v.points, streak = v.streak,
           correct_count = p.correct_count + v.correct, answered_count = p.answered_count + 1
         FROM unnest($1::int[], $2::int[], $3::int[], $4::int[]) AS v(id, points, streak, correct)
         WHERE p.id = v.id`,
};
const COUNT_ANSWERS = {
  name: 'live_writer_count_answers',
  text: `UPDATE live_game_questions q SET answered_count = q.answered_count + v.n
         FROM unnest($1::int[], $2::int[], $3::int[]) AS v(g, p, n)
         WHERE q.game_id = v.g AND q.position = v.p`,
};
const TAKEN_NICKNAMES = {
  name: 'live_writer_taken_nicknames',
  text: `SELECT game_id, nickname_key FROM live_players
         WHERE (game_id, nickname_key) IN (SELECT * FROM unnest($1::int[], $2::text[]))`,
};
const INSERT_PLAYERS = {
  name: 'live_writer_insert_players',
  text: `INSERT INTO live_players (game_id, nickname, nickname_key, unit, token_hash, joined_at)
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
         ON CONFLICT DO NOTHING
         RETURNING *`,
};
const COUNT_PLAYERS = {
  name: 'live_writer_count_players',
  text: `UPDATE live_games g SET player_count = g.player_count + v.n,
           last_activity_at = greatest(g.last_activity_at, v.at)
         FROM unnest($1::int[], $2::int[], $3::bigint[]) AS v(id, n, at)
         WHERE g.id = v.id`,
};

const answerKey = (gameId: number, position: number, playerId: number) => `${gameId}:${position}:${playerId}`;
const nicknameKey = (gameId: number, key: string) => `${gameId}:${key}`;

export class PgLiveWriter implements LiveWriterApi {
  private queue: Op[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxBatch = 2000,
  ) {}

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
  flush(): Promise<void> {
    return this.drain();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** One batch in flight at a time: what arrives meanwhile waits for the next, and grows it. */
  private drain(): Promise<void> {
    if (!this.running && this.queue.length > 0) this.running = this.loop();
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    this.running = null;
  }

  private async commit(batch: Op[]): Promise<void> {
    let results: (LiveAnswerOutcome | LiveJoinOutcome)[];
    try {
      results = await this.transaction((client) => this.write(client, batch));
    } catch (err) {
      for (const op of batch) op.reject(err);
      return;
    }
    batch.forEach((op, i) => {
      if (op.kind === 'answer') op.resolve(results[i] as LiveAnswerOutcome);
      else op.resolve(results[i] as LiveJoinOutcome);
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // A connection that cannot even roll back is dropped from the pool rather than reused.
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackErr: Error) => client.release(rollbackErr),
      );
      throw err;
    }
  }

  private async write(client: pg.PoolClient, batch: Op[]): Promise<(LiveAnswerOutcome | LiveJoinOutcome)[]> {
    const gameIds = [...new Set(batch.map((op) => (op.kind === 'answer' ? op.save.gameId : op.join.gameId)))];
    const locked = await client.query<GameState>({ ...LOCK_GAMES, values: [gameIds] });
    const games = new Map(locked.rows.map((g) => [g.id, g]));
    const answers = batch.flatMap((op) => (op.kind === 'answer' ? [op.save] : []));
    const joins = batch.flatMap((op) => (op.kind === 'join' ? [op.join] : []));

    const answerOutcomes = await this.writeAnswers(client, games, answers);
    const joinOutcomes = await this.writeJoins(client, games, joins);
    let a = 0;
    let j = 0;
    return batch.map((op) => (op.kind === 'answer' ? answerOutcomes[a++]! : joinOutcomes[j++]!));
  }

  private async writeAnswers(
    client: pg.PoolClient,
    games: Map<number, GameState>,
    saves: LiveAnswerSave[],
  ): Promise<LiveAnswerOutcome[]> {
    if (saves.length === 0) return [];
    const states = await client.query<{
      id: number;
      game_id: number;
      kicked: boolean;
      streak: number;
      score: number;
    }>({ ...PLAYER_STATES, values: [[...new Set(saves.map((s) => s.playerId))]] });
    const players = new Map(states.rows.map((p) => [p.id, p]));
    const outcomes: (LiveAnswerOutcome | null)[] = [];
    const accepted: { at: number; save: LiveAnswerSave; points: number; streak: number; before: number }[] =
      [];
    const queued = new Set<string>();
    for (const save of saves) {
      const game = games.get(save.gameId);
      if (
        !game ||
        game.phase !== 'question' ||
        game.current_index !== save.position ||
        game.opens_at === null ||
        game.closes_at === null ||
        save.answeredAt < Number(game.opens_at) ||
        save.answeredAt > Number(game.closes_at)
      ) {
        outcomes.push({ ok: false, reason: 'closed' });
        continue;
      }
      const player = players.get(save.playerId);
      if (!player || player.game_id !== save.gameId) {
        outcomes.push({ ok: false, reason: 'unknown_player' });
        continue;
      }
      if (player.kicked) {
        outcomes.push({ ok: false, reason: 'kicked' });
        continue;
      }
      // A second answer in this batch to the same question is a duplicate of the first.
      const key = answerKey(save.gameId, save.position, save.playerId);
      if (queued.has(key)) {
        outcomes.push({ ok: false, reason: 'duplicate' });
        continue;
      }
      queued.add(key);
      const { points, streak } = save.score(player.streak);
      accepted.push({ at: outcomes.length, save, points, streak, before: player.streak });
      outcomes.push(null);
    }
    if (accepted.length > 0) {
      const inserted = await client.query<{ game_id: number; position: number; player_id: number }>({
        ...INSERT_ANSWERS,
        values: [
          accepted.map((x) => x.save.gameId),
          accepted.map((x) => x.save.position),
          accepted.map((x) => x.save.playerId),
          accepted.map((x) => JSON.stringify(x.save.optionIds)),
          accepted.map((x) => x.save.correct),
          accepted.map((x) => x.points),
          accepted.map((x) => x.before),
          accepted.map((x) => x.save.elapsedMs),
          accepted.map((x) => x.save.answeredAt),
        ],
      });
      // Not inserted: another node's batch (or an earlier one) stored this player's answer first.
      const stored = new Set(inserted.rows.map((r) => answerKey(r.game_id, r.position, r.player_id)));
      const credited = accepted.filter((x) =>
        stored.has(answerKey(x.save.gameId, x.save.position, x.save.playerId)),
      );
      for (const x of accepted) outcomes[x.at] = { ok: false, reason: 'duplicate' };
      for (const x of credited) {
        const score = players.get(x.save.playerId)!.score + x.points;
        outcomes[x.at] = { ok: true, points: x.points, streak: x.streak, score };
      }
      if (credited.length > 0) {
        await client.query({
          ...CREDIT_PLAYERS,
          values: [
            credited.map((x) => x.save.playerId),
            credited.map((x) => x.points),
            credited.map((x) => x.streak),
            credited.map((x) => (x.save.correct ? 1 : 0)),
          ],
        });
        const counts = new Map<string, { gameId: number; position: number; n: number }>();
        for (const { save } of credited) {
          const key = `${save.gameId}:${save.position}`;
          const count = counts.get(key) ?? { gameId: save.gameId, position: save.position, n: 0 };
          count.n++;
          counts.set(key, count);
        }
        const rows = [...counts.values()];
        await client.query({
          ...COUNT_ANSWERS,
          values: [rows.map((c) => c.gameId), rows.map((c) => c.position), rows.map((c) => c.n)],
        });
      }
    }
    return outcomes.map((o) => o!);
  }

  private async writeJoins(
    client: pg.PoolClient,
    games: Map<number, GameState>,
    joins: LiveJoin[],
  ): Promise<LiveJoinOutcome[]> {
    if (joins.length === 0) return [];
    const taken = await client.query<{ game_id: number; nickname_key: string }>({
      ...TAKEN_NICKNAMES,
      values: [joins.map((j) => j.gameId), joins.map((j) => j.nicknameKey)],
    });
    const nicknames = new Set(taken.rows.map((r) => nicknameKey(r.game_id, r.nickname_key)));
    const playerCounts = new Map([...games.values()].map((g) => [g.id, g.player_count]));
    const tokens = new Set<string>();
    const outcomes: (LiveJoinOutcome | null)[] = [];
    const accepted: { at: number; join: LiveJoin }[] = [];
    for (const join of joins) {
      const game = games.get(join.gameId);
      if (!game || game.status === 'ended') {
        outcomes.push({ ok: false, reason: 'ended' });
        continue;
      }
      if (game.locked) {
        outcomes.push({ ok: false, reason: 'locked' });
        continue;
      }
      const count = playerCounts.get(game.id)!;
      if (count >= join.maxPlayers) {
        outcomes.push({ ok: false, reason: 'full' });
        continue;
      }
      const key = nicknameKey(join.gameId, join.nicknameKey);
      if (nicknames.has(key) || tokens.has(join.tokenHash)) {
        outcomes.push({ ok: false, reason: 'taken' });
        continue;
      }
      nicknames.add(key);
      tokens.add(join.tokenHash);
      playerCounts.set(game.id, count + 1);
      accepted.push({ at: outcomes.length, join });
      outcomes.push(null);
    }
    if (accepted.length > 0) {
      // Nicknames were checked above under the game's lock; ON CONFLICT still turns a clash of
      // token hashes (unique across games, which are not locked here) into a refusal.
      const inserted = await client.query<PlayerDbRow>({
        ...INSERT_PLAYERS,
        values: [
          accepted.map((x) => x.join.gameId),
          accepted.map((x) => x.join.nickname),
          accepted.map((x) => x.join.nicknameKey),
          accepted.map((x) => x.join.unit),
          accepted.map((x) => x.join.tokenHash),
          accepted.map((x) => x.join.joinedAt),
        ],
      });
      const rows = new Map(inserted.rows.map((r) => [r.token_hash, r]));
      const counts = new Map<number, { n: number; at: number }>();
      for (const { at, join } of accepted) {
        const row = rows.get(join.tokenHash);
        if (!row) {
          outcomes[at] = { ok: false, reason: 'taken' };
          continue;
        }
        outcomes[at] = { ok: true, player: playerRow(row) };
        const count = counts.get(join.gameId) ?? { n: 0, at: join.joinedAt };
        count.n++;
        count.at = Math.max(count.at, join.joinedAt);
        counts.set(join.gameId, count);
      }
      if (counts.size > 0) {
        const ids = [...counts.keys()];
        await client.query({
          ...COUNT_PLAYERS,
          values: [ids, ids.map((id) => counts.get(id)!.n), ids.map((id) => counts.get(id)!.at)],
        });
      }
    }
    return outcomes.map((o) => o!);
  }
}
