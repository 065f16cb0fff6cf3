// `npm run audit:verify`: walks the audit log's hash chain in DATA_DIR's database and reports the
// first broken link. Exit code 0 when intact, 1 when broken, 2 when there is nothing to check.
// Safe while the server runs (a read in WAL mode); it uses the same check as GET /api/audit/verify.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRepositories, openDatabase } from '@quizarena/db';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const file = path.join(dataDir, 'quizarena.sqlite');
if (!existsSync(file)) {
  console.error(`No database at ${file} (set DATA_DIR to the server's data directory)`);
  process.exit(2);
}
const database = openDatabase(file);
try {
  const t0 = Date.now();
  const report = await createRepositories(database).audit.verify();
  const ms = Date.now() - t0;
  if (report.ok) {
    console.log(`Audit chain intact: ${report.checked} entries checked in ${ms} ms (${file})`);
  } else {
    console.error(
      `Audit chain BROKEN at entry ${report.brokenAt}: ${report.reason} (${report.checked} entries before it are intact; ${file})`,
    );
    process.exitCode = 1;
  }
} finally {
  database.close();
}
