// `npm run db:copy -- --to postgres://user:password@host:5432/database [--data-dir <dir>]`: moves
// a data directory's SQLite store (DATA_DIR/quizarena.sqlite; DATA_DIR defaults to ./data) into an
// EMPTY PostgreSQL database, for several API nodes (issue #8). Every table, every id, the identity
// sequences and the audit log's counter of ids issued are copied; then the per-table counts are
// compared and the audit chain is verified on the target against DATA_DIR/audit-anchors.log.
//
// Consistent while the server may still run: the anchor file is read first, then every table is
// read in one SQLite read transaction (WAL: one snapshot, writers are not blocked), so each anchor
// names an entry in the snapshot. Anything the server commits after the snapshot is NOT copied
// (the script says so when it happens): stop the server for the real move.
// All or nothing: the whole copy is one PostgreSQL transaction that first locks every table and
// checks that all are empty (else it refuses, writing nothing), and counts before it commits.
// Values: SQLite's 0/1 → boolean, JSON text → json as the SAME text (the answer-log hashes are over
// that text; json keeps it as written), integers read exactly (safeIntegers) → integer/bigint.
// The tables and columns come from the two drizzle schemas (db/src/schema.ts, db/src/pg/schema.ts),
// so a table added later is copied too, and one missing from either schema stops the copy.
// Images stay files (DATA_DIR/images) and the anchor file is copied as is: the script says how.
//
// The copy itself is db/src/copy.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ANCHOR_FILE_NAME,
  createRepositories,
  DatabaseConfigError,
  openDatabase,
  openPostgres,
  parseDatabaseUrl,
  readAnchorFile,
  redactUrl,
  type ChainReport,
  type PgDatabase,
} from '@quizarena/db';
import {
  beginSnapshot,
  changedSince as sourceChangedSince,
  copy,
  CopyError,
  endSnapshot,
  fmt,
  plan,
  type CopyResult,
} from '@quizarena/db/copy';

const USAGE = 'Usage: npm run db:copy -- --to postgres://user:password@host:5432/database [--data-dir <dir>]';

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function describe(report: ChainReport, anchorCount: number): string {
  const also = `${report.anchors} of ${anchorCount} anchors found; answer saves of ${report.answerLogs} finalised attempts checked`;
  return report.ok
    ? `intact: ${fmt(report.checked)} entries checked (${also})`
    : `BROKEN${report.brokenAt === null ? '' : ` at entry ${report.brokenAt}`}: ${report.reason} (${also})`;
}

async function main(): Promise<number> {
  let values: { to?: string; 'data-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        to: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CopyError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const url = values.to;
  if (!url)
    throw new CopyError(`--to is required: the URL of the empty PostgreSQL database to fill.\n${USAGE}`);
  try {
    parseDatabaseUrl(url);
  } catch (err) {
    if (!(err instanceof DatabaseConfigError)) throw err;
    throw new CopyError(err.message.replace(/DATABASE_URL/g, '--to'));
  }
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? 'data');
  const file = path.join(dataDir, 'quizarena.sqlite');
  if (!existsSync(file)) {
    throw new CopyError(
      `No database at ${file}: give the server's data directory with --data-dir (or DATA_DIR)`,
    );
  }
  const targetName = redactUrl(url);
  const { tables, pgTables } = plan();

  // The anchors before the snapshot: each then names an entry the snapshot holds.
  const anchorFile = path.join(dataDir, ANCHOR_FILE_NAME);
  const { anchors, problems } = await readAnchorFile(anchorFile);
  if (!existsSync(anchorFile)) {
    console.warn(`No anchor file at ${anchorFile}: the audit log is verified without anchors`);
  }

  let target: PgDatabase;
  try {
    target = await openPostgres(url, { pool: 2, applicationName: 'quizarena db:copy' });
  } catch (err) {
    if (!(err instanceof DatabaseConfigError)) throw err;
    throw new CopyError(err.message.replace(/DATABASE_URL/g, '--to'));
  }
  const source = openDatabase(file);
  try {
    const t0 = Date.now();
    const snapshot = beginSnapshot(source, tables);
    console.log(
      `Copying ${file} to ${targetName} (one snapshot of the source, one transaction on the target)`,
    );
    let result: CopyResult;
    try {
      result = await copy(source, target, tables, pgTables, snapshot, targetName);
    } finally {
      endSnapshot(source);
    }
    const changedSince = sourceChangedSince(source, snapshot);
    console.log(`Copied ${fmt(result.rows)} rows of ${tables.length} tables in ${Date.now() - t0} ms.`);
    console.log(`Ids continue after: ${result.sequences.join(', ') || '(no ids issued yet)'}`);

    console.log(`\n  ${'table'.padEnd(22)} ${'SQLite'.padStart(12)} ${'PostgreSQL'.padStart(12)}`);
    for (const t of tables) {
      const s = snapshot.counts.get(t.name)!;
      const p = result.targetCounts.get(t.name)!;
      console.log(
        `  ${t.name.padEnd(22)} ${fmt(s).padStart(12)} ${fmt(p).padStart(12)}${s === p ? '' : '  DIFFERENT'}`,
      );
    }

    const report = await createRepositories(target).audit.verify({ anchors, anchorProblems: problems });
    console.log(`\nAudit chain on PostgreSQL: ${describe(report, anchors.length)}`);
    if (!report.ok) {
      const own = await createRepositories(source).audit.verify({ anchors, anchorProblems: problems });
      console.error(
        `Audit chain in the SQLite source: ${describe(own, anchors.length)}\n` +
          `The target ${targetName} holds the copy but does not verify: do not start nodes on it; ` +
          'drop it (or create another) before copying again, and report the problem.',
      );
      return 1;
    }
    if (changedSince) {
      console.warn(
        '\nWARNING: the source changed during the copy (a server is still writing to it). The copy is the ' +
          'consistent state at its start; what was written since is not in it. For the move, stop the server, ' +
          'create a fresh database and copy again.',
      );
    }
    console.log(
      [
        '',
        'Next:',
        `  1. Images stay files: copy ${path.join(dataDir, 'images')} to every node's DATA_DIR/images (or mount one shared volume there).`,
        `  2. Copy the audit anchors ${anchorFile} as is to every node's DATA_DIR (audit:verify checks the log against them).`,
        `  3. Start every node with DATABASE_URL=${targetName} (and REDIS_URL when there are several nodes).`,
      ].join('\n'),
    );
    return 0;
  } finally {
    await source.close();
    await target.close();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  if (!(err instanceof CopyError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
