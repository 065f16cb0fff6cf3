// `npm run audit:verify`: walks the audit log's hash chain in DATA_DIR's database and reports the
// first broken link; checks the log against the anchors in DATA_DIR/audit-anchors.log (or the
// files given with AUDIT_ANCHORS=<file>[,<file>...], e.g. copies kept off the machine), so that a
// log that lost its newest entries fails too; and checks every finalised attempt's answer saves.
// Exit code 0 when intact, 1 when broken, 2 when there is nothing to check (or a file named in
// AUDIT_ANCHORS is missing). Safe while the server runs (a read in WAL mode); it uses the same
// check as GET /api/audit/verify. With DATABASE_URL it checks that PostgreSQL database instead.
// The anchors stay files: with several nodes each node writes its own, and AUDIT_ANCHORS takes
// them all (or copies), each checked as a file of its own (its seq numbers run within it) and
// every anchor of every file held to the one log (see docs/deploy.md).
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ANCHOR_FILE_NAME,
  type AuditAnchor,
  createRepositories,
  DatabaseConfigError,
  openStore,
  readAnchorFile,
  redactUrl,
} from '@quizarena/db';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const databaseUrl = process.env.DATABASE_URL || null;
const file = databaseUrl ? redactUrl(databaseUrl) : path.join(dataDir, 'quizarena.sqlite');
const named = (process.env.AUDIT_ANCHORS ?? '')
  .split(',')
  .map((f) => f.trim())
  .filter(Boolean);
const anchorFiles =
  named.length > 0 ? named.map((f) => path.resolve(f)) : [path.join(dataDir, ANCHOR_FILE_NAME)];
if (!databaseUrl && !existsSync(file)) {
  console.error(`No database at ${file} (set DATA_DIR to the server's data directory)`);
  process.exit(2);
}
const anchors: AuditAnchor[] = [];
const problems: string[] = [];
for (const anchorFile of anchorFiles) {
  if (!existsSync(anchorFile)) {
    if (named.length > 0) {
      console.error(`No anchor file at ${anchorFile} (AUDIT_ANCHORS)`);
      process.exit(2);
    }
    console.warn(`No anchor file at ${anchorFile}: a log that lost its newest entries may pass`);
    continue;
  }
  const read = await readAnchorFile(anchorFile);
  const source = anchorFiles.length > 1 ? anchorFile : undefined;
  for (const a of read.anchors) anchors.push(source ? { ...a, source } : a);
  for (const p of read.problems) problems.push(source ? `${anchorFile}: ${p}` : p);
}
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
  const also = `${report.anchors} of ${anchors.length} anchors found (${anchorFiles.length} file${anchorFiles.length === 1 ? '' : 's'}); answer saves of ${report.answerLogs} finalised attempts checked`;
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
