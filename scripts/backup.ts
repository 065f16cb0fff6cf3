// `npm run backup -- <file>`: a consistent online copy of the SQLite database (safe while the
// server runs: SQLite's backup API copies committed pages, WAL included).
import path from 'node:path';
import Database from 'better-sqlite3';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const source = path.join(dataDir, 'quizarena.sqlite');
const target =
  process.argv[2] ?? path.join(dataDir, `backup-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`);
const db = new Database(source, { readonly: true, fileMustExist: true });
const t0 = Date.now();
await db.backup(target);
db.close();
console.log(`Backed up ${source} to ${target} in ${Date.now() - t0} ms`);
