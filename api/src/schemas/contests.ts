// Schemas for banks, questions, contests, rounds and entries.
import { Type } from '@sinclair/typebox';
import { IsoDate, VisibilitySchema } from './common.ts';

export const QuestionTypeSchema = Type.Union([
  Type.Literal('single'),
  Type.Literal('multiple'),
  Type.Literal('truefalse'),
]);

const Tag = Type.String({ minLength: 1, maxLength: 60 });

export const QuestionInputSchema = Type.Object({
  type: QuestionTypeSchema,
  stem: Type.String({ minLength: 1, maxLength: 5000 }),
  options: Type.Array(
    Type.Object({ text: Type.String({ minLength: 1, maxLength: 1000 }), correct: Type.Boolean() }),
    { minItems: 2, maxItems: 10 },
  ),
  points: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
  tags: Type.Optional(Type.Array(Tag, { maxItems: 20 })),
  difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  explanation: Type.Optional(Type.String({ maxLength: 5000 })),
});

export const QuestionSchema = Type.Object({
  id: Type.Integer(),
  bankId: Type.Integer(),
  type: QuestionTypeSchema,
  stem: Type.String(),
  options: Type.Array(Type.Object({ id: Type.String(), text: Type.String(), correct: Type.Boolean() })),
  points: Type.Number(),
  tags: Type.Array(Type.String()),
  difficulty: Type.Union([Type.Integer(), Type.Null()]),
  explanation: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  revision: Type.Integer(),
  /** The first revision's id: the question's identity across edits. */
  rootId: Type.Integer(),
  updatedAt: Type.String(),
});

/**
 * A nullable request field as one JSON-schema type list. With Fastify's type coercion an anyOf
 * union coerces: null to '' or 0 when the value branch comes first, 0 to null the other way round;
 * `type: [T, 'null']` coerces neither.
 */
function NullableInput<T>(schema: { type: 'string' | 'integer'; [k: string]: unknown }) {
  return Type.Unsafe<T | null>({ ...schema, type: [schema.type, 'null'] });
}

export const FieldKey = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$' });

export const RegistrationFieldSchema = Type.Object({
  key: FieldKey,
  label: Type.String({ minLength: 1, maxLength: 200 }),
  type: Type.Union([
    Type.Literal('text'),
    Type.Literal('date'),
    Type.Literal('phone'),
    Type.Literal('select'),
    Type.Literal('unit'),
  ]),
  required: Type.Boolean(),
  options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 })),
});

export const GroupSchema = Type.Object({
  key: Type.String({ pattern: '^[A-Za-z0-9_-]{1,20}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

export const UnitSchema = Type.Object({
  code: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }),
  name: Type.String({ minLength: 1, maxLength: 300 }),
  parentCode: Type.Optional(NullableInput<string>({ type: 'string', maxLength: 40 })),
  headcount: Type.Optional(NullableInput<number>({ type: 'integer', minimum: 0 })),
});

export const ContestInputSchema = Type.Object({
  slug: Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 2, maxLength: 80 }),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  description: Type.Optional(Type.String({ maxLength: 20000 })),
  rulesText: Type.Optional(Type.String({ maxLength: 50000 })),
  timeZone: Type.Optional(Type.String({ maxLength: 60 })),
  registrationFields: Type.Optional(Type.Array(RegistrationFieldSchema, { maxItems: 40 })),
  groups: Type.Optional(Type.Array(GroupSchema, { maxItems: 20 })),
  units: Type.Optional(Type.Array(UnitSchema, { maxItems: 20000 })),
});

export const RoundInputSchema = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 300 }),
  opensAt: IsoDate,
  closesAt: IsoDate,
  timeLimitSec: Type.Integer({ minimum: 10, maximum: 24 * 3600 }),
  questionCount: Type.Integer({ minimum: 1, maximum: 500 }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 100 }),
  draw: Type.Array(
    Type.Object({
      bankId: Type.Integer({ minimum: 1 }),
      tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 20 })),
      difficulty: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 5 }), { maxItems: 5 })),
      count: Type.Integer({ minimum: 1, maximum: 500 }),
    }),
    { minItems: 1, maxItems: 20 },
  ),
  prediction: Type.Optional(
    Type.Object({
      prompt: Type.String({ minLength: 1, maxLength: 1000 }),
      kind: Type.Union([Type.Literal('count'), Type.Literal('percent')]),
    }),
  ),
  showAnswers: VisibilitySchema,
  showLeaderboard: VisibilitySchema,
  shuffleQuestions: Type.Optional(Type.Boolean()),
  shuffleOptions: Type.Optional(Type.Boolean()),
  partialCredit: Type.Optional(Type.Boolean()),
  /** Prize bands in order, e.g. 1 first, 2 second, 3 third, 5 consolation. */
  prizeBands: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        count: Type.Integer({ minimum: 1, maximum: 10000 }),
      }),
      {
        maxItems: 20,
      },
    ),
  ),
});

const MeSchema = Type.Union([
  Type.Object({
    attemptsUsed: Type.Integer(),
    attemptsLeft: Type.Integer(),
    inProgressAttemptId: Type.Union([Type.Integer(), Type.Null()]),
    best: Type.Union([
      Type.Object({
        attemptId: Type.Integer(),
        score: Type.Number(),
        maxScore: Type.Number(),
        correctCount: Type.Integer(),
        durationMs: Type.Integer(),
      }),
      Type.Null(),
    ]),
  }),
  Type.Null(),
]);

export const RoundViewSchema = Type.Object({
  id: Type.Integer(),
  contestId: Type.Integer(),
  contestSlug: Type.String(),
  contestTitle: Type.String(),
  timeZone: Type.String(),
  groups: Type.Array(GroupSchema),
  title: Type.String(),
  opensAt: Type.String(),
  closesAt: Type.String(),
  timeLimitSec: Type.Integer(),
  questionCount: Type.Integer(),
  maxAttempts: Type.Integer(),
  prediction: Type.Union([
    Type.Object({
      prompt: Type.String(),
      kind: Type.Union([Type.Literal('count'), Type.Literal('percent')]),
    }),
    Type.Null(),
  ]),
  showAnswers: VisibilitySchema,
  showLeaderboard: VisibilitySchema,
  state: Type.Union([Type.Literal('upcoming'), Type.Literal('open'), Type.Literal('closed')]),
  /** open while results may change; finalized by the judges; published for everyone. */
  resultsStatus: Type.Union([Type.Literal('open'), Type.Literal('finalized'), Type.Literal('published')]),
  me: MeSchema,
});

export const EntrySchema = Type.Object({
  id: Type.Integer(),
  fullName: Type.String(),
  unitCode: Type.Union([Type.String(), Type.Null()]),
  groupKey: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Record(Type.String(), Type.String()),
});

export const ContestDetailSchema = Type.Object({
  contest: Type.Object({
    id: Type.Integer(),
    slug: Type.String(),
    title: Type.String(),
    description: Type.String(),
    rulesText: Type.String(),
    status: Type.String(),
    timeZone: Type.String(),
    registrationFields: Type.Array(RegistrationFieldSchema),
    groups: Type.Array(GroupSchema),
    units: Type.Array(
      Type.Object({
        code: Type.String(),
        name: Type.String(),
        parentCode: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    rounds: Type.Array(RoundViewSchema),
  }),
  entry: Type.Union([EntrySchema, Type.Null()]),
  now: Type.String(),
});
