// The copy of a SQLite store into an EMPTY PostgreSQL database, for several API nodes (issue #8),
// behind `npm run db:copy` (scripts/db-copy.ts: the command line, the report, what to do next).
// Every table, every id, the identity sequences and the audit log's counter of ids issued are
// copied; then the per-table counts are compared and the script verifies the audit chain on the
// target against DATA_DIR/audit-anchors.log.
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
import { getTableName, is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { PoolClient } from 'pg';
import type { PgDatabase, SqliteDatabase } from './database.ts';
import * as sqliteSchema from './schema.ts';
import * as pgSchema from './pg/schema.ts';

const BATCH = 5000;

/** A refusal or failure: its message is printed without a stack trace, exit code 1. */
export class CopyError extends Error {}

// ---------------------------------------------------------------------------------------------
// The plan: tables and columns from the two schemas, checked against each other
// ---------------------------------------------------------------------------------------------

type Kind = 'int' | 'bool' | 'float' | 'json' | 'text';

/** PostgreSQL column types the copy knows how to fill, and from which SQLite column kind. */
const PG_KINDS: Record<string, Kind> = {
  integer: 'int',
  bigint: 'int',
  smallint: 'int',
  boolean: 'bool',
  'double precision': 'float',
  real: 'float',
  json: 'json',
  jsonb: 'json',
  text: 'text',
};
const SQLITE_COLUMN_TYPES: Record<Kind, string> = {
  int: 'SQLiteInteger',
  bool: 'SQLiteBoolean',
  float: 'SQLiteReal',
  json: 'SQLiteTextJson',
  text: 'SQLiteText',
};

/**
 * Tables only the PostgreSQL schema has, and why: each is filled from the SQLite file by the copy
 * itself. A table in one schema and not the other, and not named here, stops the copy.
 */
const PG_ONLY: Record<string, string> = {
  // What sqlite_sequence is to SQLite for audit_log (pg/audit.ts): filled from it below.
  audit_log_issued: 'the audit log ids issued, from sqlite_sequence',
};

interface Column {
  name: string;
  kind: Kind;
  /** The PostgreSQL type, for the unnest arrays and the json cast. */
  pgType: string;
}

export interface TablePlan {
  name: string;
  columns: Column[];
  /** Source order: the primary key. */
  orderBy: string[];
  /** The identity column (ids kept explicitly, its sequence set after the copy). */
  identity: string | null;
  /** Tables this one references (copied before it). */
  references: string[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function schemaTables() {
  const sqlite = new Map<string, ReturnType<typeof sqliteTableConfig>>(
    Object.values(sqliteSchema as Record<string, unknown>)
      .filter((v): v is SQLiteTable => is(v, SQLiteTable))
      .map((t) => [getTableName(t), sqliteTableConfig(t)] as const),
  );
  const pg = new Map<string, ReturnType<typeof pgTableConfig>>(
    Object.values(pgSchema as Record<string, unknown>)
      .filter((v): v is PgTable => is(v, PgTable))
      .map((t) => [getTableName(t), pgTableConfig(t)] as const),
  );
  return { sqlite, pg };
}

/** Every table of both schemas in foreign-key order, or a CopyError naming what does not match. */
export function plan(): { tables: TablePlan[]; pgTables: string[] } {
  const { sqlite, pg } = schemaTables();
  const problems: string[] = [];
  for (const name of sqlite.keys()) {
    if (!pg.has(name)) problems.push(`table ${name} is in db/src/schema.ts but not in db/src/pg/schema.ts`);
  }
  for (const name of pg.keys()) {
    if (!sqlite.has(name) && !(name in PG_ONLY)) {
      problems.push(
        `table ${name} is in db/src/pg/schema.ts but not in db/src/schema.ts (and scripts/db-copy.ts does not fill it)`,
      );
    }
  }
  const tables: TablePlan[] = [];
  for (const [name, s] of sqlite) {
    const p = pg.get(name);
    if (!p) continue;
    const sqliteColumns = new Map(s.columns.map((c) => [c.name, c]));
    const pgNames = new Set(p.columns.map((c) => c.name));
    for (const c of s.columns) {
      if (!pgNames.has(c.name)) problems.push(`column ${name}.${c.name} is not in the PostgreSQL schema`);
    }
    const columns: Column[] = [];
    for (const c of p.columns) {
      const sc = sqliteColumns.get(c.name);
      if (!sc) {
        problems.push(`column ${name}.${c.name} is not in the SQLite schema`);
        continue;
      }
      const pgType = c.getSQLType();
      const kind = PG_KINDS[pgType];
      if (!kind) {
        problems.push(
          `column ${name}.${c.name} has PostgreSQL type ${pgType}, which scripts/db-copy.ts cannot fill yet`,
        );
      } else if (sc.columnType !== SQLITE_COLUMN_TYPES[kind]) {
        problems.push(
          `column ${name}.${c.name} is ${sc.columnType} on SQLite but ${pgType} on PostgreSQL (expected ${SQLITE_COLUMN_TYPES[kind]})`,
        );
      } else {
        columns.push({ name: c.name, kind, pgType });
      }
    }
    const primary = s.columns.filter((c) => c.primary).map((c) => c.name);
    const orderBy =
      primary.length > 0 ? primary : (s.primaryKeys[0]?.columns.map((c) => c.name) ?? ['rowid']);
    const identity = p.columns.filter((c) => c.generatedIdentity).map((c) => c.name);
    if (identity.length > 1) problems.push(`table ${name} has ${identity.length} identity columns`);
    const references = [
      ...new Set(
        [...p.foreignKeys, ...s.foreignKeys]
          .map((fk) => getTableName(fk.reference().foreignTable))
          .filter((t) => t !== name),
      ),
    ];
    tables.push({ name, columns, orderBy, identity: identity[0] ?? null, references });
  }
  if (problems.length > 0) {
    throw new CopyError(`The two schemas do not match, so nothing was copied:\n  ${problems.join('\n  ')}`);
  }
  return { tables: foreignKeyOrder(tables), pgTables: [...pg.keys()] };
}

/** Referenced tables first; among tables free to go, the schema module's export order (by name). */
function foreignKeyOrder(tables: TablePlan[]): TablePlan[] {
  const done = new Set<string>();
  const ordered: TablePlan[] = [];
  while (ordered.length < tables.length) {
    const next = tables.find((t) => !done.has(t.name) && t.references.every((r) => done.has(r)));
    if (!next) {
      const left = tables.filter((t) => !done.has(t.name)).map((t) => t.name);
      throw new CopyError(`The foreign keys of ${left.join(', ')} form a cycle (or name a table not copied)`);
    }
    done.add(next.name);
    ordered.push(next);
  }
  return ordered;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** A value the copy cannot put in its column; the caller adds where it was. */
class BadValue extends Error {}

/** A SQLite value (read with safeIntegers) as its PostgreSQL parameter, or a BadValue. */
function convert(value: unknown, kind: Kind): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'int':
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isInteger(value)) return String(value);
      throw new BadValue(`${JSON.stringify(String(value))} is not an integer`);
    case 'bool':
      if (value === 0n || value === 0) return false;
      if (value === 1n || value === 1) return true;
      throw new BadValue(`${String(value)} is not a boolean (0 or 1)`);
    case 'float':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint' && BigInt(Number(value)) === value) return Number(value);
      throw new BadValue(`${String(value)} is not a number`);
    case 'json':
    case 'text':
      if (typeof value !== 'string') throw new BadValue(`a ${typeof value} where text is due`);
      // PostgreSQL text cannot hold NUL (the API refuses it; an older row might have one).
      if (value.includes('\u0000'))
        throw new BadValue('contains a NUL character, which PostgreSQL text cannot hold');
      return value;
  }
}

// ---------------------------------------------------------------------------------------------
// The copy
// ---------------------------------------------------------------------------------------------

export interface Snapshot {
  counts: Map<string, number>;
  /** sqlite_sequence: the highest id each AUTOINCREMENT table has issued. */
  issued: Map<string, number>;
  dataVersion: number;
}

/** Opens the read transaction and fixes its snapshot (WAL: at its first read). */
export function beginSnapshot(source: SqliteDatabase, tables: TablePlan[]): Snapshot {
  const { sqlite } = source;
  sqlite.prepare('BEGIN').run();
  const issued = new Map(
    (sqlite.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]).map(
      (r) => [r.name, r.seq],
    ),
  );
  const dataVersion = Number(sqlite.pragma('data_version', { simple: true }));
  const present = new Set(
    (
      sqlite
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '__drizzle_migrations'",
        )
        .all() as { name: string }[]
    ).map((r) => r.name),
  );
  const known = new Set(tables.map((t) => t.name));
  const extra = [...present].filter((n) => !known.has(n));
  const missing = [...known].filter((n) => !present.has(n));
  if (extra.length > 0 || missing.length > 0) {
    throw new CopyError(
      [
        ...extra.map(
          (n) => `table ${n} is in the SQLite file but not in db/src/schema.ts: its rows would be lost`,
        ),
        ...missing.map((n) => `table ${n} of db/src/schema.ts is not in the SQLite file`),
      ].join('\n'),
    );
  }
  const counts = new Map(
    tables.map((t) => [
      t.name,
      (sqlite.prepare(`SELECT count(*) AS n FROM ${quote(t.name)}`).get() as { n: number }).n,
    ]),
  );
  return { counts, issued, dataVersion };
}

/** Rows of one table, BATCH at a time, in primary-key order, as PostgreSQL parameters per column. */
function* batches(source: SqliteDatabase, table: TablePlan): Generator<unknown[][]> {
  const names = table.columns.map((c) => c.name);
  const kinds = table.columns.map((c) => c.kind);
  const width = kinds.length;
  const statement = source.sqlite
    .prepare(
      `SELECT ${names.map(quote).join(', ')} FROM ${quote(table.name)} ORDER BY ${table.orderBy.map(quote).join(', ')}`,
    )
    .safeIntegers(true)
    .raw(true);
  const fresh = () => Array.from({ length: width }, (): unknown[] => []);
  let columns = fresh();
  let n = 0;
  let row: unknown[] = [];
  let i = 0;
  try {
    for (row of statement.iterate() as Iterable<unknown[]>) {
      for (i = 0; i < width; i++) columns[i]!.push(convert(row[i], kinds[i]!));
      if (++n === BATCH) {
        yield columns;
        columns = fresh();
        n = 0;
      }
    }
  } catch (err) {
    if (!(err instanceof BadValue)) throw err;
    const key = table.orderBy.map((k) => String(row[names.indexOf(k)] ?? '?')).join('/');
    throw new CopyError(`${table.name} row ${key}, column ${names[i]}: ${err.message}`);
  }
  if (n > 0) yield columns;
}

/** One multi-row INSERT per batch: one array parameter per column, unnested in order. */
function insertStatement(table: TablePlan): string {
  const cols = table.columns;
  const alias = cols.map((_, i) => `c${i}`);
  const select = cols.map((c, i) => (c.kind === 'json' ? `${alias[i]}::${c.pgType}` : alias[i]));
  const arrays = cols.map((c, i) => `$${i + 1}::${c.kind === 'json' ? 'text' : c.pgType}[]`);
  return (
    `INSERT INTO ${quote(table.name)} (${cols.map((c) => quote(c.name)).join(', ')})` +
    (table.identity ? ' OVERRIDING SYSTEM VALUE' : '') +
    ` SELECT ${select.join(', ')} FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS s(${alias.join(', ')}, o) ORDER BY o`
  );
}

const count = async (client: PoolClient, table: string): Promise<number> =>
  Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table)}`)).rows[0]!.n);

export const fmt = (n: number) => n.toLocaleString('en-US');

export interface CopyResult {
  rows: number;
  targetCounts: Map<string, number>;
  sequences: string[];
}

/**
 * The copy in one PostgreSQL transaction: every table locked and found empty, then filled, its
 * sequences and the audit counter set, and counted; committed only when every count matches.
 */
export async function copy(
  source: SqliteDatabase,
  target: PgDatabase,
  tables: TablePlan[],
  pgTables: string[],
  snapshot: Snapshot,
  targetName: string,
): Promise<CopyResult> {
  const client = await target.pool.connect();
  let committed = false;
  try {
    await client.query('BEGIN');
    // Nothing else writes these tables until the copy commits or rolls back.
    await client
      .query(`LOCK TABLE ${pgTables.map(quote).join(', ')} IN EXCLUSIVE MODE NOWAIT`)
      .catch((err) => {
        throw new CopyError(
          `Cannot lock the tables of ${targetName} (${(err as Error).message}): is a server using this database? db:copy needs it to itself`,
        );
      });
    const nonEmpty: string[] = [];
    for (const t of pgTables) {
      const n = await count(client, t);
      if (n > 0) nonEmpty.push(`${t}: ${fmt(n)} row${n === 1 ? '' : 's'}`);
    }
    if (nonEmpty.length > 0) {
      throw new CopyError(
        `Refusing to copy: the target ${targetName} is not empty (${nonEmpty.join(', ')}). ` +
          'db:copy only fills an empty database, so that nothing is mixed or overwritten: create a new database ' +
          '(e.g. createdb) and give its URL to --to. Nothing was written.',
      );
    }

    let rows = 0;
    for (const table of tables) {
      const t0 = Date.now();
      const text = insertStatement(table);
      let copied = 0;
      // Each batch is read and converted while the one before is being inserted.
      let pending: Promise<void> = Promise.resolve();
      for (const columns of batches(source, table)) {
        await pending;
        const size = columns[0]?.length ?? 0;
        pending = client.query(text, columns).then(
          () => {
            copied += size;
          },
          (err: Error) => {
            throw new CopyError(
              `PostgreSQL refused rows of ${table.name} (after ${fmt(copied)} copied): ${err.message}`,
            );
          },
        );
        // Awaited on the next turn or below; not an unhandled rejection if reading fails meanwhile.
        pending.catch(() => undefined);
      }
      await pending;
      rows += copied;
      console.log(`  ${table.name.padEnd(22)} ${fmt(copied).padStart(12)} rows  ${Date.now() - t0} ms`);
    }

    // Sequences continue after the highest id issued, as SQLite's AUTOINCREMENT does (which also
    // counts ids of rows since deleted, kept in sqlite_sequence); an empty table starts at 1.
    const sequences: string[] = [];
    for (const table of tables) {
      if (!table.identity) continue;
      const max = Number(
        (
          await client.query<{ m: string | null }>(
            `SELECT max(${quote(table.identity)}) AS m FROM ${quote(table.name)}`,
          )
        ).rows[0]!.m ?? 0,
      );
      const last = Math.max(max, snapshot.issued.get(table.name) ?? 0);
      await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)', [
        quote(table.name),
        table.identity,
        Math.max(last, 1),
        last > 0,
      ]);
      if (last > 0) sequences.push(`${table.name} ${fmt(last)}`);
    }
    // The audit log's ids issued (pg/audit.ts): sqlite_sequence's, or the highest entry's.
    const auditIssued =
      snapshot.issued.get('audit_log') ??
      Number(
        (await client.query<{ m: string | null }>('SELECT max(id) AS m FROM audit_log')).rows[0]!.m ?? 0,
      );
    if (auditIssued > 0) {
      await client.query('INSERT INTO audit_log_issued (id, last_id) VALUES (1, $1)', [auditIssued]);
      sequences.push(`audit_log_issued ${fmt(auditIssued)}`);
    }

    const targetCounts = new Map<string, number>();
    for (const t of tables) targetCounts.set(t.name, await count(client, t.name));
    const differ = tables.filter((t) => targetCounts.get(t.name) !== snapshot.counts.get(t.name));
    if (differ.length > 0) {
      throw new CopyError(
        `Counts differ after the copy, so it was rolled back (the target is empty again): ${differ
          .map(
            (t) => `${t.name} ${snapshot.counts.get(t.name)} in SQLite, ${targetCounts.get(t.name)} copied`,
          )
          .join('; ')}`,
      );
    }
    await client.query('COMMIT');
    committed = true;
    return { rows, targetCounts, sequences };
  } finally {
    if (!committed) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** Ends the source's read transaction (after the copy, whatever its outcome). */
export function endSnapshot(source: SqliteDatabase): void {
  source.sqlite.prepare('COMMIT').run();
}

/** Whether the source committed anything since the snapshot was taken (a server still writing). */
export function changedSince(source: SqliteDatabase, snapshot: Snapshot): boolean {
  return Number(source.sqlite.pragma('data_version', { simple: true })) !== snapshot.dataVersion;
}
