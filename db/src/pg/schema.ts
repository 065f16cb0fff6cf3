// The PostgreSQL twin of ../schema.ts: the same tables, columns, keys and indexes, so that every
// row reads back the same on both stores. Times are bigint epoch milliseconds (read as numbers:
// they fit in 2^53), ids are identity columns (BY DEFAULT, so that db:copy keeps them), JSON is
// json (not jsonb: text as written, keys in their order), REAL is double precision.
// Migrations: `npm run db:generate:pg` writes them to db/migrations-pg.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type {
  AttemptStatus,
  ContestGroup,
  ContestStatus,
  DrawRule,
  LivePhase,
  LiveStatus,
  PredictionKind,
  PrizeBandSetting,
  QuestionSnapshot,
  QuestionStatus,
  QuestionType,
  RegistrationField,
  ResultsStatus,
  Role,
  StoredOption,
  Visibility,
} from '../schema.ts';

export const users = pgTable('users', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  roles: json('roles').$type<Role[]>().notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie token: a leaked database does not leak live sessions. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const banks = pgTable('banks', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  ownerId: integer('owner_id')
    .notNull()
    .references(() => users.id),
  name: text('name').notNull(),
  /** active, or retired by its owner (kept: rounds that draw from it keep working). */
  status: text('status').$type<'active' | 'retired'>().notNull().default('active'),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  updatedAt: bigint('updated_at', { mode: 'number' }),
});

/** Organisers a bank is shared with: they see and change it as its owner does (but cannot re-share). */
export const bankShares = pgTable(
  'bank_shares',
  {
    bankId: integer('bank_id')
      .notNull()
      .references(() => banks.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.bankId, t.userId] }), index('bank_shares_user_idx').on(t.userId)],
);

/** Uploaded images, stored content-addressed under DATA_DIR/images/<sha256>.<ext>. */
export const images = pgTable('images', {
  sha256: text('sha256').primaryKey(),
  type: text('type').notNull(),
  bytes: integer('bytes').notNull(),
  width: integer('width'),
  height: integer('height'),
  createdBy: integer('created_by').references(() => users.id),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

export const questions = pgTable(
  'questions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    bankId: integer('bank_id')
      .notNull()
      .references(() => banks.id),
    type: text('type').$type<QuestionType>().notNull(),
    stem: text('stem').notNull(),
    options: json('options').$type<StoredOption[]>().notNull(),
    points: doublePrecision('points').notNull().default(1),
    tags: json('tags').$type<string[]>().notNull(),
    difficulty: integer('difficulty'),
    explanation: text('explanation'),
    /** active: drawable; retired: deleted by an organiser; superseded: replaced by a newer revision. */
    status: text('status').$type<QuestionStatus>().notNull().default('active'),
    /** The first revision's id (its own id for an original): the question's identity across edits. */
    rootId: integer('root_id'),
    revision: integer('revision').notNull().default(1),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('questions_bank_idx').on(t.bankId, t.status, t.difficulty),
    index('questions_root_idx').on(t.rootId),
  ],
);

/** One row per (question, tag), so that draws filter by tag with an index on any SQL dialect. */
export const questionTags = pgTable(
  'question_tags',
  {
    questionId: integer('question_id')
      .notNull()
      .references(() => questions.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
  },
  (t) => [primaryKey({ columns: [t.questionId, t.tag] }), index('question_tags_tag_idx').on(t.tag)],
);

export const contests = pgTable('contests', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  ownerId: integer('owner_id')
    .notNull()
    .references(() => users.id),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  rulesText: text('rules_text').notNull().default(''),
  status: text('status').$type<ContestStatus>().notNull().default('draft'),
  timeZone: text('time_zone').notNull().default('Asia/Ho_Chi_Minh'),
  registrationFields: json('registration_fields').$type<RegistrationField[]>().notNull(),
  groups: json('groups').$type<ContestGroup[]>().notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  publishedAt: bigint('published_at', { mode: 'number' }),
});

/** Organisers a contest is shared with: they edit it as its owner does (but cannot re-share). */
export const contestShares = pgTable(
  'contest_shares',
  {
    contestId: integer('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.contestId, t.userId] }), index('contest_shares_user_idx').on(t.userId)],
);

export const units = pgTable(
  'units',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    contestId: integer('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    parentCode: text('parent_code'),
    headcount: integer('headcount'),
  },
  (t) => [uniqueIndex('units_contest_code_idx').on(t.contestId, t.code)],
);

export const entries = pgTable(
  'entries',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    contestId: integer('contest_id')
      .notNull()
      .references(() => contests.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    fullName: text('full_name').notNull(),
    unitCode: text('unit_code'),
    groupKey: text('group_key'),
    fields: json('fields').$type<Record<string, string>>().notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('entries_contest_user_idx').on(t.contestId, t.userId)],
);

export const rounds = pgTable(
  'rounds',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    contestId: integer('contest_id')
      .notNull()
      .references(() => contests.id),
    title: text('title').notNull(),
    opensAt: bigint('opens_at', { mode: 'number' }).notNull(),
    closesAt: bigint('closes_at', { mode: 'number' }).notNull(),
    timeLimitSec: integer('time_limit_sec').notNull(),
    questionCount: integer('question_count').notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    shuffleQuestions: boolean('shuffle_questions').notNull().default(true),
    shuffleOptions: boolean('shuffle_options').notNull().default(true),
    partialCredit: boolean('partial_credit').notNull().default(false),
    draw: json('draw').$type<DrawRule[]>().notNull(),
    predictionPrompt: text('prediction_prompt'),
    predictionKind: text('prediction_kind').$type<PredictionKind>(),
    showAnswers: text('show_answers').$type<Visibility>().notNull(),
    showLeaderboard: text('show_leaderboard').$type<Visibility>().notNull(),
    /** open while results may change; finalized by a judge; published for everyone. */
    resultsStatus: text('results_status').$type<ResultsStatus>().notNull().default('open'),
    prizeBands: json('prize_bands')
      .$type<PrizeBandSetting[]>()
      .notNull()
      .default(sql`'[]'`),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('rounds_contest_idx').on(t.contestId)],
);

export const attempts = pgTable(
  'attempts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    roundId: integer('round_id')
      .notNull()
      .references(() => rounds.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    entryId: integer('entry_id')
      .notNull()
      .references(() => entries.id),
    /** The seed the draw and shuffles were made with, so that any attempt can be re-derived. */
    seed: text('seed').notNull(),
    status: text('status').$type<AttemptStatus>().notNull(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    deadline: bigint('deadline', { mode: 'number' }).notNull(),
    submittedAt: bigint('submitted_at', { mode: 'number' }),
    durationMs: integer('duration_ms'),
    score: doublePrecision('score'),
    maxScore: doublePrecision('max_score').notNull(),
    correctCount: integer('correct_count'),
    allCorrect: boolean('all_correct'),
    prediction: doublePrecision('prediction'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    voidReason: text('void_reason'),
  },
  (t) => [
    index('attempts_round_user_idx').on(t.roundId, t.userId),
    // The database itself guarantees one attempt in progress per participant per round.
    uniqueIndex('attempts_one_in_progress_idx')
      .on(t.roundId, t.userId)
      .where(sql`status = 'in_progress'`),
    index('attempts_open_deadline_idx').on(t.status, t.deadline),
  ],
);

export const attemptQuestions = pgTable(
  'attempt_questions',
  {
    attemptId: integer('attempt_id')
      .notNull()
      .references(() => attempts.id),
    position: integer('position').notNull(),
    questionId: integer('question_id').notNull(),
    snapshot: json('snapshot').$type<QuestionSnapshot>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.attemptId, t.position] }),
    uniqueIndex('attempt_questions_question_idx').on(t.attemptId, t.questionId),
  ],
);

/** The latest choice per question of an attempt. */
export const answers = pgTable(
  'answers',
  {
    attemptId: integer('attempt_id')
      .notNull()
      .references(() => attempts.id),
    questionId: integer('question_id').notNull(),
    optionIds: json('option_ids').$type<string[]>().notNull(),
    savedAt: bigint('saved_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.questionId] })],
);

/** Every answer save as it happened (server time, IP, user agent), for audits. Append-only. */
export const answerLog = pgTable(
  'answer_log',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    attemptId: integer('attempt_id').notNull(),
    questionId: integer('question_id').notNull(),
    optionIds: json('option_ids').$type<string[]>().notNull(),
    savedAt: bigint('saved_at', { mode: 'number' }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /**
     * SHA-256 chaining this save to the attempt's previous one (answer-writer.ts); the attempt's
     * submit or expiry audit entry records the last hash and the count. Null on rows from before.
     */
    hash: text('hash'),
  },
  // (attempt, id), where SQLite's index is on the attempt alone: an index there ends with the rowid,
  // so "an attempt's last save" (ORDER BY id DESC LIMIT 1, read by every answer batch and every
  // finalisation) is one index entry on both; on the attempt alone here, every save of the
  // attempt would be fetched and sorted.
  (t) => [index('answer_log_attempt_idx').on(t.attemptId, t.id)],
);

/** Each participant's counted attempt per round: what rankings are projected from. */
export const roundResults = pgTable(
  'round_results',
  {
    roundId: integer('round_id').notNull(),
    userId: integer('user_id').notNull(),
    attemptId: integer('attempt_id').notNull(),
    groupKey: text('group_key'),
    name: text('name').notNull(),
    unit: text('unit'),
    score: doublePrecision('score').notNull(),
    durationMs: integer('duration_ms').notNull(),
    submittedAt: bigint('submitted_at', { mode: 'number' }).notNull(),
    allCorrect: boolean('all_correct').notNull(),
    prediction: doublePrecision('prediction'),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.userId] }),
    // Provisional order (score desc, duration, submission) and by name, straight from the index.
    index('round_results_order_idx').on(t.roundId, t.score.desc(), t.durationMs, t.submittedAt, t.userId),
    index('round_results_name_idx').on(t.roundId, t.name),
  ],
);

/** Append-only log of organiser, judge and attempt events; each row carries the previous hash. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    at: bigint('at', { mode: 'number' }).notNull(),
    actorId: integer('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    data: json('data').$type<Record<string, unknown>>().notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_target_idx').on(t.targetType, t.targetId)],
);

/**
 * The highest audit_log id issued (one row, id 1): what sqlite_sequence is to SQLite. Unlike a
 * sequence it is written in the appending transaction (pg/audit.ts), so an append rolled back
 * issues nothing, while a log whose newest entries were deleted ends below it.
 */
export const auditLogIssued = pgTable(
  'audit_log_issued',
  {
    id: integer('id').primaryKey(),
    lastId: integer('last_id').notNull(),
  },
  (t) => [check('audit_log_issued_one_row', sql`${t.id} = 1`)],
);

/** A frozen final ranking of a round. Reopening marks it superseded; a new one is made on refinalising. */
export const roundFinalisations = pgTable(
  'round_finalisations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    roundId: integer('round_id')
      .notNull()
      .references(() => rounds.id),
    status: text('status').$type<'active' | 'reopened'>().notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    createdBy: integer('created_by').notNull(),
    /** SHA-256 over the canonical content: settings, the actual prediction value and every row. */
    hash: text('hash').notNull(),
    predictionKind: text('prediction_kind').$type<PredictionKind>(),
    actualValue: doublePrecision('actual_value'),
    allCorrect: integer('all_correct').notNull(),
    participants: integer('participants').notNull(),
    /** Ties across a prize band boundary, left for the judges to decide. */
    boundaryTies: json('boundary_ties')
      .$type<{ group: string | null; prize: string; rank: number; userIds: number[]; places: number }[]>()
      .notNull()
      .default(sql`'[]'`),
    publishedAt: bigint('published_at', { mode: 'number' }),
    reopenedAt: bigint('reopened_at', { mode: 'number' }),
    reopenedBy: integer('reopened_by'),
    reopenReason: text('reopen_reason'),
  },
  (t) => [index('round_finalisations_round_idx').on(t.roundId, t.status)],
);

/** The rows of a finalisation, in order, per group ('' when the contest has no groups). */
export const finalRankings = pgTable(
  'final_rankings',
  {
    finalisationId: integer('finalisation_id')
      .notNull()
      .references(() => roundFinalisations.id),
    groupKey: text('group_key').notNull(),
    position: integer('position').notNull(),
    rank: integer('rank').notNull(),
    userId: integer('user_id').notNull(),
    attemptId: integer('attempt_id').notNull(),
    name: text('name').notNull(),
    unit: text('unit'),
    score: doublePrecision('score').notNull(),
    correctCount: integer('correct_count').notNull(),
    durationMs: integer('duration_ms').notNull(),
    submittedAt: bigint('submitted_at', { mode: 'number' }).notNull(),
    prediction: doublePrecision('prediction'),
    predictionDistance: doublePrecision('prediction_distance'),
    decidedBy: text('decided_by'),
    prize: text('prize'),
  },
  (t) => [
    primaryKey({ columns: [t.finalisationId, t.groupKey, t.position] }),
    index('final_rankings_user_idx').on(t.finalisationId, t.userId),
    index('final_rankings_rank_idx').on(t.finalisationId, t.rank, t.groupKey, t.position),
  ],
);

// ---------------------------------------------------------------------------------------------
// Live host-paced games (docs/api.md "Live games"). SQL is the truth of every game: the API nodes
// only cache it and pass its steps to their sockets over the event bus.
// ---------------------------------------------------------------------------------------------

export const liveGames = pgTable(
  'live_games',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    ownerId: integer('owner_id')
      .notNull()
      .references(() => users.id),
    bankId: integer('bank_id')
      .notNull()
      .references(() => banks.id),
    title: text('title').notNull(),
    /** Six digits while the game is in its lobby or running; null once ended (the PIN is free again). */
    pin: text('pin'),
    status: text('status').$type<LiveStatus>().notNull().default('lobby'),
    phase: text('phase').$type<LivePhase>().notNull().default('lobby'),
    /** The current question's position, -1 in the lobby. */
    currentIndex: integer('current_index').notNull().default(-1),
    /** When answers to the current question open (after the reading time) and close. */
    opensAt: bigint('opens_at', { mode: 'number' }),
    closesAt: bigint('closes_at', { mode: 'number' }),
    questionCount: integer('question_count').notNull(),
    questionTimeSec: integer('question_time_sec').notNull(),
    readingTimeSec: integer('reading_time_sec').notNull(),
    shuffleOptions: boolean('shuffle_options').notNull(),
    streakBonus: boolean('streak_bonus').notNull(),
    teamMode: boolean('team_mode').notNull(),
    units: json('units').$type<string[]>().notNull(),
    locked: boolean('locked').notNull().default(false),
    /** Players who ever joined (kicked ones included): the cap of a game is checked on it in O(1). */
    playerCount: integer('player_count').notNull().default(0),
    kickedCount: integer('kicked_count').notNull().default(0),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    startedAt: bigint('started_at', { mode: 'number' }),
    endedAt: bigint('ended_at', { mode: 'number' }),
    /** The last join or step: games idle for 12 hours are ended by the sweep. */
    lastActivityAt: bigint('last_activity_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    // The database itself keeps a PIN unique among the games people can still join.
    uniqueIndex('live_games_pin_idx')
      .on(t.pin)
      .where(sql`status in ('lobby', 'running')`),
    index('live_games_owner_idx').on(t.ownerId, t.createdAt),
    index('live_games_status_idx').on(t.status, t.lastActivityAt),
    index('live_games_phase_idx').on(t.phase, t.closesAt),
  ],
);

export const liveGameQuestions = pgTable(
  'live_game_questions',
  {
    gameId: integer('game_id')
      .notNull()
      .references(() => liveGames.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    questionId: integer('question_id').notNull(),
    /** The question as shown (options already in the shown order), with its key. */
    snapshot: json('snapshot').$type<QuestionSnapshot>().notNull(),
    /** The host skipped it: it scores nothing for anyone. */
    skipped: boolean('skipped').notNull().default(false),
    /** Answers stored so far (kept by the answer writer, so live counts cost one row read). */
    answeredCount: integer('answered_count').notNull().default(0),
    revealedAt: bigint('revealed_at', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.gameId, t.position] })],
);

export const livePlayers = pgTable(
  'live_players',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    gameId: integer('game_id')
      .notNull()
      .references(() => liveGames.id, { onDelete: 'cascade' }),
    nickname: text('nickname').notNull(),
    /** The nickname folded for comparison: unique in a game regardless of case. */
    nicknameKey: text('nickname_key').notNull(),
    unit: text('unit'),
    /** SHA-256 of the rejoin token: a leaked database does not let anyone play as someone else. */
    tokenHash: text('token_hash').notNull(),
    score: integer('score').notNull().default(0),
    /** Right answers in a row up to the last question revealed. */
    streak: integer('streak').notNull().default(0),
    correctCount: integer('correct_count').notNull().default(0),
    answeredCount: integer('answered_count').notNull().default(0),
    kicked: boolean('kicked').notNull().default(false),
    joinedAt: bigint('joined_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('live_players_nickname_idx').on(t.gameId, t.nicknameKey),
    uniqueIndex('live_players_token_idx').on(t.tokenHash),
    index('live_players_score_idx').on(t.gameId, t.kicked, t.score.desc(), t.id),
  ],
);

export const liveAnswers = pgTable(
  'live_answers',
  {
    gameId: integer('game_id')
      .notNull()
      .references(() => liveGames.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    playerId: integer('player_id')
      .notNull()
      .references(() => livePlayers.id, { onDelete: 'cascade' }),
    optionIds: json('option_ids').$type<string[]>().notNull(),
    correct: boolean('correct').notNull(),
    points: integer('points').notNull(),
    /** The player's streak before this answer, so that skipping the question can undo it. */
    streakBefore: integer('streak_before').notNull(),
    /** From the moment answers opened to the answer's arrival, on the server clock. */
    elapsedMs: integer('elapsed_ms').notNull(),
    answeredAt: bigint('answered_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.gameId, t.position, t.playerId] }),
    index('live_answers_player_idx').on(t.playerId),
  ],
);
