// The repositories on PostgreSQL: the same interfaces as the SQLite ones (../index.ts), so that
// routes and services cannot tell the stores apart.
import type { PgDatabase } from '../database.ts';
import type { Repositories } from '../index.ts';
import { PgAnswerWriter } from './answer-writer.ts';
import { createPgAttemptRepository } from './attempts.ts';
import { createPgAuditRepository } from './audit.ts';
import { createPgAuthoringRepository } from './authoring.ts';
import { createPgBankRepository } from './banks.ts';
import { createPgContestRepository } from './contests.ts';
import { createPgJudgingRepository } from './judging.ts';
import { createPgLiveRepository } from './live.ts';
import { PgLiveWriter } from './live-writer.ts';
import { createPgReportsRepository } from './reports.ts';
import { createPgSessionRepository, createPgUserRepository } from './users.ts';

export function createPgRepositories(database: PgDatabase): Repositories {
  const { db, pool } = database;
  return {
    users: createPgUserRepository(db),
    sessions: createPgSessionRepository(db),
    banks: createPgBankRepository(db),
    contests: createPgContestRepository(db),
    authoring: createPgAuthoringRepository(db),
    attempts: createPgAttemptRepository(db),
    audit: createPgAuditRepository(db),
    judging: createPgJudgingRepository(db),
    reports: createPgReportsRepository(db),
    answerWriter: new PgAnswerWriter(pool),
    live: createPgLiveRepository(db),
    liveWriter: new PgLiveWriter(pool),
    async ping(): Promise<void> {
      await pool.query('SELECT 1');
    },
  };
}
