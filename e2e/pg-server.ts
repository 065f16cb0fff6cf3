// The e2e server on PostgreSQL (playwright.pg.config.ts): a fresh database `quizarena_e2e` on the
// local server (QUIZARENA_TEST_PG), dropped and made again at every start, then the real server
// on it with the demo loaded. One fixed name, so that a run killed midway leaves nothing behind
// but that one database, emptied by the next run.
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { TEST_PG_ADMIN_URL } from '@quizarena/db/testing';

const NAME = 'quizarena_e2e';
const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${NAME}`);
await admin.end();

const url = new URL(TEST_PG_ADMIN_URL);
url.pathname = `/${NAME}`;
const server = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(import.meta.dirname, '..', 'api', 'src', 'server.ts')],
  { stdio: 'inherit', env: { ...process.env, DATABASE_URL: url.toString() } },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
