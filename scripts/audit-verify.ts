// `npm run audit:verify`: walks the audit log's hash chain in DATA_DIR's database and reports the
// first broken link; checks the log against the anchors in DATA_DIR/audit-anchors.log (or the
// file given with AUDIT_ANCHORS=<file>, e.g. a copy kept off the machine), so that a log that lost
// its newest entries fails too; and checks every finalised attempt's answer saves. Exit code 0
// when intact, 1 when broken, 2 when there is nothing to check (or no file at AUDIT_ANCHORS).
// Safe while the server runs (a read in WAL mode); it uses the same check as GET /api/audit/verify.
// With DATABASE_URL it checks that PostgreSQL database instead (the anchors stay a file: with
// several nodes, give AUDIT_ANCHORS the node's anchor file or a copy; see docs/deploy.md).
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ANCHOR_FILE_NAME,
  createRepositories,
  DatabaseConfigError,
  openStore,
  readAnchorFile,
  redactUrl,
} from '@quizarena/db';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const databaseUrl = process.env.DATABASE_URL || null;
const file = databaseUrl ? redactUrl(databaseUrl) : path.join(dataDir, 'quizarena.sqlite');
const anchorFile = path.resolve(process.env.AUDIT_ANCHORS ?? path.join(dataDir, ANCHOR_FILE_NAME));
if (!databaseUrl && !existsSync(file)) {
  console.error(`No database at ${file} (set DATA_DIR to the server's data directory)`);
  process.exit(2);
}
if (!existsSync(anchorFile)) {
  if (process.env.AUDIT_ANCHORS) {
    console.error(`No anchor file at ${anchorFile} (AUDIT_ANCHORS)`);
    process.exit(2);
  }
  console.warn(`No anchor file at ${anchorFile}: a log that lost its newest entries may pass`);
}
const { anchors, problems } = await readAnchorFile(anchorFile);
let database: Awaited<ReturnType<typeof openStore>>;
try {
  database = await openStore({ databaseUrl, databaseFile: file, databasePool: 2 });
} catch (err) {
  if (!(err instanceof DatabaseConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
try {
  const t0 = Date.now();
  const report = await createRepositories(database).audit.verify({ anchors, anchorProblems: problems });
  const ms = Date.now() - t0;
  const also = `${report.anchors} of ${anchors.length} anchors found; answer saves of ${report.answerLogs} finalised attempts checked`;
  if (report.ok) {
    console.log(`Audit chain intact: ${report.checked} entries checked in ${ms} ms (${also}; ${file})`);
  } else {
    console.error(
      `Audit chain BROKEN${report.brokenAt === null ? '' : ` at entry ${report.brokenAt}`}: ${report.reason} ` +
        `(${report.checked} entries before it are intact; ${also}; ${file})`,
    );
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
