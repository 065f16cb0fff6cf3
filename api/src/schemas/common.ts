// Schemas shared by several route folders.
import { Type, type Static } from '@sinclair/typebox';

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  code: Type.String(),
  attemptId: Type.Optional(Type.Integer()),
});

export const IdParam = (name: string) =>
  Type.Object({ [name]: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

export const IsoDate = Type.String({ format: 'date-time' });

export const RoleSchema = Type.Union([
  Type.Literal('participant'),
  Type.Literal('organiser'),
  Type.Literal('judge'),
  Type.Literal('admin'),
]);

export const UserSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(RoleSchema),
});
export type UserView = Static<typeof UserSchema>;

export const VisibilitySchema = Type.Union([
  Type.Literal('immediately'),
  Type.Literal('after_close'),
  Type.Literal('never'),
]);

/** Response map entry for every refusal status a route may answer. */
export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorSchema]));
