// An online copy of the SQLite store's file: SQLite's backup API copies committed pages (WAL
// included), so it is consistent and safe while the server writes. PostgreSQL is backed up with
// its own tools (pg_dump, point-in-time recovery: docs/deploy.md).
import BetterSqlite3 from 'better-sqlite3';

/** Copies the database file `source` to `target`; resolves once the copy is complete. */
export async function backupSqliteFile(source: string, target: string): Promise<void> {
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
}
