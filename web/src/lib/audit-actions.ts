// Names of the audit log's actions (db/ writes them as "domain.verb") in the reader's language.
// Unknown actions, added later on the server, show as they are.
import { t, type JudgingKey } from './i18n-judging.ts';

const LABELS: Record<string, JudgingKey> = {
  'attempt.start': 'action.attempt.start',
  'attempt.submit': 'action.attempt.submit',
  'attempt.expire': 'action.attempt.expire',
  'attempt.void': 'action.attempt.void',
  'round.finalize': 'action.round.finalize',
  'round.publish-results': 'action.round.publish-results',
  'round.reopen': 'action.round.reopen',
};

/** The actions the log is known to hold, for the filter's suggestions. */
export const KNOWN_ACTIONS = Object.keys(LABELS);

export function actionLabel(action: string): string {
  const key = LABELS[action];
  return key ? t(key) : action;
}
