// Data access for the whole project: every query goes through these repositories, whose async
// signatures let a PostgreSQL dialect serve several API nodes later without touching routes.
import type { Database } from './database.ts';
import { AnswerWriter } from './answer-writer.ts';
import { createAttemptRepository } from './attempts.ts';
import { createAuditRepository } from './audit.ts';
import { createJudgingRepository } from './judging.ts';
import { createReportsRepository } from './reports.ts';
import { createBankRepository } from './banks.ts';
import { createContestRepository } from './contests.ts';
import { createAuthoringRepository } from './authoring.ts';
import { createLiveRepository } from './live.ts';
import { LiveWriter } from './live-writer.ts';
import { createSessionRepository, createUserRepository } from './users.ts';

export { openDatabase, type Database, type Db } from './database.ts';
export { AnswerWriter, ANSWER_GENESIS, answerSaveHash, type AnswerSave } from './answer-writer.ts';
export {
  AnchorLog,
  ANCHOR_FILE_NAME,
  formatAnchor,
  parseAnchors,
  readAnchorFile,
  type AnchorFile,
  type AuditAnchor,
} from './audit-anchors.ts';
export type * from './schema.ts';
export type { UserRow } from './users.ts';
export type { BankRow, QuestionRow, NewQuestion } from './banks.ts';
export type { ContestRow, RoundRow, EntryRow, UnitRow, NewRound, NewUnit } from './contests.ts';
export type { ImageRow, ShareKind, ShareRow } from './authoring.ts';
export {
  appendAudit,
  canonicalJson,
  GENESIS_HASH,
  type AuditEntry,
  type AuditRow,
  type ChainReport,
  type VerifyOptions,
} from './audit.ts';
export type { Candidate, FinalisationRow, FinalRankingRow, ResultsQuery } from './judging.ts';
export type {
  AuditFilter,
  DayRange,
  IdentityRow,
  ItemResponseRow,
  LocalityCount,
  ParticipationSource,
  RankingExportRow,
  UnitCount,
} from './reports.ts';
export type { AttemptRow, RoundResultRow, AttemptQuestionRow, FinalFields } from './attempts.ts';
export {
  PinExhaustedError,
  type LiveAnswerRow,
  type LiveGameRow,
  type LivePlayerRow,
  type LiveQuestionRow,
  type LiveRepository,
  type NewLiveGame,
  type PhaseGuard,
  type QuestionWindow,
} from './live.ts';
export {
  LiveWriter,
  type LiveAnswerOutcome,
  type LiveAnswerSave,
  type LiveJoin,
  type LiveJoinOutcome,
} from './live-writer.ts';

export function createRepositories(database: Database) {
  const { db, sqlite } = database;
  return {
    users: createUserRepository(db),
    sessions: createSessionRepository(db),
    banks: createBankRepository(db),
    contests: createContestRepository(db),
    authoring: createAuthoringRepository(db),
    attempts: createAttemptRepository(db),
    audit: createAuditRepository(db),
    judging: createJudgingRepository(db),
    reports: createReportsRepository(db),
    answerWriter: new AnswerWriter(sqlite),
    live: createLiveRepository(db),
    liveWriter: new LiveWriter(sqlite),
    /** Liveness probe for /api/health. */
    async ping(): Promise<void> {
      sqlite.prepare('SELECT 1').get();
    },
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
