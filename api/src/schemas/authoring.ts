// Schemas of the organiser's editing views (ContestEdit, RoundEdit in docs/api.md).
import { Type } from '@sinclair/typebox';
import { VisibilitySchema } from './common.ts';
import { GroupSchema, RegistrationFieldSchema, RoundInputSchema } from './contests.ts';

export const RoundEditSchema = Type.Object({
  id: Type.Integer(),
  contestId: Type.Integer(),
  title: Type.String(),
  opensAt: Type.String(),
  closesAt: Type.String(),
  timeLimitSec: Type.Integer(),
  questionCount: Type.Integer(),
  maxAttempts: Type.Integer(),
  draw: RoundInputSchema.properties.draw,
  prediction: Type.Union([
    Type.Object({
      prompt: Type.String(),
      kind: Type.Union([Type.Literal('count'), Type.Literal('percent')]),
    }),
    Type.Null(),
  ]),
  showAnswers: VisibilitySchema,
  showLeaderboard: VisibilitySchema,
  shuffleQuestions: Type.Boolean(),
  shuffleOptions: Type.Boolean(),
  partialCredit: Type.Boolean(),
  prizeBands: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })),
  state: Type.Union([Type.Literal('upcoming'), Type.Literal('open'), Type.Literal('closed')]),
  resultsStatus: Type.Union([Type.Literal('open'), Type.Literal('finalized'), Type.Literal('published')]),
  attempts: Type.Integer(),
});

export const ContestEditSchema = Type.Object({
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
      headcount: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
  ownerId: Type.Integer(),
  ownerName: Type.String(),
  shared: Type.Boolean(),
  canShare: Type.Boolean(),
  entries: Type.Integer(),
});

const Problem = Type.Object({
  code: Type.String(),
  message: Type.String(),
  roundId: Type.Union([Type.Integer(), Type.Null()]),
});

export const ChecklistSchema = Type.Object({
  ready: Type.Boolean(),
  problems: Type.Array(Problem),
  warnings: Type.Array(Problem),
});

export const DrawReportSchema = Type.Object({
  rules: Type.Array(Type.Object({ matching: Type.Integer(), count: Type.Integer(), ok: Type.Boolean() })),
  total: Type.Integer(),
  satisfiable: Type.Boolean(),
  message: Type.Union([Type.String(), Type.Null()]),
});

export const DashboardSchema = Type.Object({
  now: Type.String(),
  timeZone: Type.String(),
  entries: Type.Integer(),
  inProgress: Type.Integer(),
  submittedToday: Type.Integer(),
  submitted: Type.Integer(),
  rounds: Type.Array(
    Type.Object({
      id: Type.Integer(),
      title: Type.String(),
      state: Type.String(),
      inProgress: Type.Integer(),
      submitted: Type.Integer(),
      participants: Type.Integer(),
    }),
  ),
  participation: Type.Array(
    Type.Object({ date: Type.String(), entries: Type.Integer(), submissions: Type.Integer() }),
  ),
});
