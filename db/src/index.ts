// Data access for the whole project: every query goes through these repositories, whose async
// signatures let a PostgreSQL dialect serve several API nodes later without touching routes.
import type { Database } from './database.ts';
import { AnswerWriter, type AnswerWriterApi } from './answer-writer.ts';
import { createAttemptRepository, type AttemptRepository } from './attempts.ts';
import { createAuditRepository, type AuditRepository } from './audit.ts';
import { createJudgingRepository, type JudgingRepository } from './judging.ts';
import { createReportsRepository, type ReportsRepository } from './reports.ts';
import { createBankRepository, type BankRepository } from './banks.ts';
import { createContestRepository, type ContestRepository } from './contests.ts';
import { createAuthoringRepository, type AuthoringRepository } from './authoring.ts';
import { createLiveRepository, type LiveRepository } from './live.ts';
import { LiveWriter, type LiveWriterApi } from './live-writer.ts';
import { createPgRepositories } from './pg/index.ts';
import {
  createSessionRepository,
  createUserRepository,
  type SessionRepository,
  type UserRepository,
} from './users.ts';

export {
  exclusively,
  openDatabase,
  openPostgres,
  openStore,
  type Database,
  type Db,
  type PgDatabase,
  type QueryResult,
  type SqliteDatabase,
  type StoreConfig,
} from './database.ts';
export { DatabaseConfigError, parseDatabaseUrl, redactUrl } from './pg/database.ts';
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

/** What every route and service uses, on either store. */
export interface Repositories {
  users: UserRepository;
  sessions: SessionRepository;
  banks: BankRepository;
  contests: ContestRepository;
  authoring: AuthoringRepository;
  attempts: AttemptRepository;
  audit: AuditRepository;
  judging: JudgingRepository;
  reports: ReportsRepository;
  answerWriter: AnswerWriterApi;
  live: LiveRepository;
  liveWriter: LiveWriterApi;
  /** Liveness probe for /api/health. */
  ping(): Promise<void>;
}

export function createRepositories(database: Database): Repositories {
  if (database.kind === 'postgres') return createPgRepositories(database);
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
    async ping(): Promise<void> {
      sqlite.prepare('SELECT 1').get();
    },
  };
}
