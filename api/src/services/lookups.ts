// Look-ups several services share.
import type { Repositories, ShareKind, UserRow } from '@quizarena/db';
import { notFound } from '../errors.ts';

/** A round with its contest; 404 ROUND_NOT_FOUND when either is missing. */
export async function roundWithContest(repos: Repositories, roundId: number) {
  const round = await repos.contests.round(roundId);
  const contest = round ? await repos.contests.byId(round.contestId) : undefined;
  if (!round || !contest) throw notFound('ROUND_NOT_FOUND', 'No such round');
  return { round, contest };
}

/** Owners manage their own banks and contests; admins manage all. */
export const canManage = (user: UserRow, ownerId: number): boolean =>
  user.roles.includes('admin') || user.id === ownerId;

/** Owners, organisers it is shared with, and admins edit a bank or a contest. */
export async function canEdit(
  repos: Repositories,
  kind: ShareKind,
  user: UserRow,
  row: { id: number; ownerId: number },
): Promise<boolean> {
  return canManage(user, row.ownerId) || (await repos.authoring.isSharedWith(kind, row.id, user.id));
}
