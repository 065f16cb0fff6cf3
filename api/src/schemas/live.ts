// Schemas of live games (docs/api.md "Live games"): the HTTP bodies and answers, and both
// directions of /api/live/ws. Inbound frames are checked against ClientFrameSchema before anything
// reads them; outbound frames have schemas too (ServerFrameSchema) so that tests check every frame
// the server sends, and none before a reveal can carry `correct` or `correctOptionIds`: the
// question and option schemas do not have them and reject extra properties.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { QuestionTypeSchema } from './contests.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Closed = { additionalProperties: false } as const;
const Id = Type.Integer({ minimum: 1 });
/** Ids a client sends back: the number it got, or the same digits as a string. */
const IdIn = Type.Union([
  Type.Integer({ minimum: 1, maximum: 2147483647 }),
  Type.String({ pattern: '^[1-9][0-9]{0,9}$' }),
]);

export const LIMITS = {
  questionTimeSec: { min: 5, max: 120, default: 20 },
  readingTimeSec: { min: 0, max: 30, default: 5 },
  maxQuestions: 200,
  maxUnits: 200,
  maxPlayers: 10_000,
  lobbyList: 500,
  top: 10,
  podium: 3,
} as const;

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

export const LiveStatusSchema = Type.Union([
  Type.Literal('lobby'),
  Type.Literal('running'),
  Type.Literal('ended'),
]);
export const LivePhaseSchema = Type.Union([
  Type.Literal('lobby'),
  Type.Literal('question'),
  Type.Literal('reveal'),
  Type.Literal('ended'),
]);

export const LiveSettingsSchema = Type.Object(
  {
    questionTimeSec: Type.Integer(),
    readingTimeSec: Type.Integer(),
    shuffleOptions: Type.Boolean(),
    streakBonus: Type.Boolean(),
    teamMode: Type.Boolean(),
    units: Type.Array(Type.String()),
  },
  Closed,
);

export const LiveGameSchema = Type.Object(
  {
    id: Id,
    title: Type.String(),
    status: LiveStatusSchema,
    phase: LivePhaseSchema,
    index: Type.Integer({ minimum: -1 }),
    pin: Nullable(Type.String({ pattern: '^[0-9]{6}$' })),
    joinPath: Nullable(Type.String()),
    bankId: Id,
    questionCount: Type.Integer(),
    playerCount: Type.Integer(),
    locked: Type.Boolean(),
    settings: LiveSettingsSchema,
    createdAt: Type.String(),
    startedAt: Nullable(Type.String()),
    endedAt: Nullable(Type.String()),
  },
  Closed,
);
export type LiveGameView = Static<typeof LiveGameSchema>;

const Tag = Type.String({ minLength: 1, maxLength: 60 });

export const CreateLiveGameSchema = Type.Object({
  bankId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  title: Type.Optional(Type.String({ maxLength: 200 })),
  // One object rather than a union of three: Fastify's ajv removes unknown properties
  // (removeAdditional: 'all') while trying each branch of a union, so `tags` or `ids` would be gone
  // before the branch that has them is tried. The service checks that the mode has its list.
  questions: Type.Object({
    mode: Type.Union([Type.Literal('all'), Type.Literal('tags'), Type.Literal('ids')]),
    tags: Type.Optional(Type.Array(Tag, { minItems: 1, maxItems: 50 })),
    ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 2147483647 }), {
        minItems: 1,
        maxItems: LIMITS.maxQuestions,
      }),
    ),
  }),
  questionTimeSec: Type.Optional(
    Type.Integer({ minimum: LIMITS.questionTimeSec.min, maximum: LIMITS.questionTimeSec.max }),
  ),
  readingTimeSec: Type.Optional(
    Type.Integer({ minimum: LIMITS.readingTimeSec.min, maximum: LIMITS.readingTimeSec.max }),
  ),
  shuffleOptions: Type.Optional(Type.Boolean()),
  streakBonus: Type.Optional(Type.Boolean()),
  teamMode: Type.Optional(Type.Boolean()),
  units: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: LIMITS.maxUnits })),
});
export type CreateLiveGame = Static<typeof CreateLiveGameSchema>;

const HostOptionSchema = Type.Object(
  { id: Type.String(), text: Type.String(), correct: Type.Boolean() },
  Closed,
);

export const LiveGameDetailSchema = Type.Object(
  {
    game: LiveGameSchema,
    questions: Type.Array(
      Type.Object(
        {
          position: Type.Integer(),
          questionId: Id,
          type: QuestionTypeSchema,
          stem: Type.String(),
          options: Type.Array(HostOptionSchema),
        },
        Closed,
      ),
    ),
  },
  Closed,
);

export const LiveEntrySchema = Type.Object(
  {
    rank: Type.Integer({ minimum: 1 }),
    playerId: Id,
    nickname: Type.String(),
    unit: Nullable(Type.String()),
    score: Type.Integer(),
  },
  Closed,
);
export type LiveEntry = Static<typeof LiveEntrySchema>;

export const LiveTeamSchema = Type.Object(
  {
    rank: Type.Integer({ minimum: 1 }),
    unit: Type.String(),
    players: Type.Integer(),
    score: Type.Integer(),
    average: Type.Number(),
  },
  Closed,
);

export const LiveReportSchema = Type.Object(
  {
    game: LiveGameSchema,
    questions: Type.Array(
      Type.Object(
        {
          position: Type.Integer(),
          questionId: Id,
          type: QuestionTypeSchema,
          stem: Type.String(),
          skipped: Type.Boolean(),
          answered: Type.Integer(),
          correct: Type.Integer(),
          shareCorrect: Type.Number(),
          averageMs: Nullable(Type.Number()),
          options: Type.Array(
            Type.Object(
              { id: Type.String(), text: Type.String(), correct: Type.Boolean(), count: Type.Integer() },
              Closed,
            ),
          ),
        },
        Closed,
      ),
    ),
    players: Type.Array(
      Type.Object(
        {
          rank: Nullable(Type.Integer()),
          playerId: Id,
          nickname: Type.String(),
          unit: Nullable(Type.String()),
          score: Type.Integer(),
          correctCount: Type.Integer(),
          answeredCount: Type.Integer(),
          kicked: Type.Boolean(),
        },
        Closed,
      ),
    ),
    teams: Nullable(Type.Array(LiveTeamSchema)),
  },
  Closed,
);
export type LiveReport = Static<typeof LiveReportSchema>;

export const PinGameSchema = Type.Object(
  {
    game: Type.Object(
      {
        title: Type.String(),
        status: Type.Union([Type.Literal('lobby'), Type.Literal('running')]),
        locked: Type.Boolean(),
        teamMode: Type.Boolean(),
        units: Type.Array(Type.String()),
      },
      Closed,
    ),
  },
  Closed,
);

// ---------------------------------------------------------------------------------------------
// WebSocket: client to server
// ---------------------------------------------------------------------------------------------

export const ClientFrameSchema = Type.Union([
  Type.Object({ type: Type.Literal('host'), gameId: IdIn }),
  Type.Object({
    type: Type.Literal('join'),
    pin: Type.String({ maxLength: 20 }),
    nickname: Type.Optional(Type.String({ maxLength: 200 })),
    unit: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    token: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  }),
  Type.Object({
    type: Type.Literal('answer'),
    index: Type.Integer({ minimum: 0, maximum: 10_000 }),
    optionIds: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 }),
  }),
  Type.Object({ type: Type.Literal('start') }),
  Type.Object({ type: Type.Literal('next') }),
  Type.Object({ type: Type.Literal('skip') }),
  Type.Object({ type: Type.Literal('end') }),
  Type.Object({ type: Type.Literal('kick'), playerId: IdIn }),
  Type.Object({ type: Type.Literal('lock'), locked: Type.Boolean() }),
  Type.Object({ type: Type.Literal('ping') }),
]);
export type ClientFrame = Static<typeof ClientFrameSchema>;
export const checkClientFrame = TypeCompiler.Compile(ClientFrameSchema);

// ---------------------------------------------------------------------------------------------
// WebSocket: server to client
// ---------------------------------------------------------------------------------------------

/** An ISO time on the server clock (a pattern, not `format`: the compiled checker knows no formats). */
const Time = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$' });
const OptionSchema = Type.Object({ id: Type.String(), text: Type.String() }, Closed);

export const QuestionFrameSchema = Type.Object(
  {
    type: Type.Literal('question'),
    index: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 1 }),
    kind: QuestionTypeSchema,
    stem: Type.String(),
    options: Type.Array(OptionSchema),
    opensAt: Time,
    closesAt: Time,
    now: Time,
    readingMs: Type.Integer({ minimum: 0 }),
    limitMs: Type.Integer({ minimum: 1 }),
    answered: Type.Optional(Type.Boolean()),
  },
  Closed,
);

export const RevealFrameSchema = Type.Object(
  {
    type: Type.Literal('reveal'),
    index: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 1 }),
    correctOptionIds: Type.Array(Type.String()),
    distribution: Type.Array(Type.Object({ optionId: Type.String(), count: Type.Integer() }, Closed)),
    answered: Type.Integer(),
    correct: Type.Integer(),
    players: Type.Integer(),
    top: Type.Array(LiveEntrySchema, { maxItems: LIMITS.top }),
    teams: Nullable(Type.Array(LiveTeamSchema)),
    last: Type.Boolean(),
  },
  Closed,
);
export type RevealFrame = Static<typeof RevealFrameSchema>;

export const ResultFrameSchema = Type.Object(
  {
    type: Type.Literal('result'),
    index: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 1 }),
    correctOptionIds: Type.Array(Type.String()),
    chosen: Nullable(Type.Array(Type.String())),
    correct: Type.Boolean(),
    points: Type.Integer(),
    streak: Type.Integer(),
    score: Type.Integer(),
    rank: Type.Integer({ minimum: 1 }),
    players: Type.Integer(),
    last: Type.Boolean(),
  },
  Closed,
);
export type ResultFrame = Static<typeof ResultFrameSchema>;

export const EndedFrameSchema = Type.Object(
  {
    type: Type.Literal('ended'),
    podium: Type.Array(LiveEntrySchema, { maxItems: LIMITS.podium }),
    top: Type.Array(LiveEntrySchema, { maxItems: LIMITS.top }),
    teams: Nullable(Type.Array(LiveTeamSchema)),
    players: Type.Integer(),
    rank: Type.Optional(Type.Integer({ minimum: 1 })),
    score: Type.Optional(Type.Integer()),
  },
  Closed,
);
export type EndedFrame = Static<typeof EndedFrameSchema>;

export const LobbyFrameSchema = Type.Object(
  {
    type: Type.Literal('lobby'),
    count: Type.Integer(),
    locked: Type.Boolean(),
    players: Type.Array(
      Type.Object({ id: Id, nickname: Type.String(), unit: Nullable(Type.String()) }, Closed),
      { maxItems: LIMITS.lobbyList },
    ),
  },
  Closed,
);
export type LobbyFrame = Static<typeof LobbyFrameSchema>;

export const ServerFrameSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('joined'),
      player: Type.Object(
        {
          id: Id,
          nickname: Type.String(),
          unit: Nullable(Type.String()),
          score: Type.Integer(),
          token: Type.String(),
        },
        Closed,
      ),
    },
    Closed,
  ),
  Type.Object({ type: Type.Literal('game'), game: LiveGameSchema }, Closed),
  LobbyFrameSchema,
  QuestionFrameSchema,
  Type.Object(
    { type: Type.Literal('count'), index: Type.Integer(), answered: Type.Integer(), players: Type.Integer() },
    Closed,
  ),
  Type.Object({ type: Type.Literal('answered'), index: Type.Integer() }, Closed),
  RevealFrameSchema,
  ResultFrameSchema,
  Type.Object({ type: Type.Literal('skipped'), index: Type.Integer() }, Closed),
  EndedFrameSchema,
  Type.Object({ type: Type.Literal('kicked') }, Closed),
  Type.Object({ type: Type.Literal('pong'), now: Time }, Closed),
  Type.Object({ type: Type.Literal('error'), code: Type.String(), message: Type.String() }, Closed),
]);
export type ServerFrame = Static<typeof ServerFrameSchema>;
export const checkServerFrame = TypeCompiler.Compile(ServerFrameSchema);
