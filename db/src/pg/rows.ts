// Raw multi-row SQL shaped like drizzle's queries, for the group-committed writers: arrays passed as
// ONE parameter each (unnest), and select lists that name every column of a table under its
// property name, decoded by the column's own mapping, so that a raw row reads as drizzle's select
// of that table would give it, and a column added to the schema is in the list without anyone
// remembering to add it.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** `values` as one array parameter cast to `type[]` (drizzle would spread a JS array into a list). */
export const pgArray = (values: readonly unknown[], type: string): SQL =>
  sql`${sql.param(values)}::${sql.raw(type)}[]`;

/** `alias."column" AS "property"` for every column of `table`, in the schema's order. */
export const columnsAs = (table: PgTable, alias: string): SQL =>
  sql.raw(
    Object.entries(getTableColumns(table))
      .map(([key, column]) => `${alias}."${column.name}" AS "${key}"`)
      .join(', '),
  );

/**
 * Raw rows selected with columnsAs, decoded as drizzle decodes that table's rows. Needed because
 * drizzle's execute() parses with pg's global parsers (its own override), under which int8 comes
 * back as a string; each column's own mapping gives numbers, as a drizzle select does.
 */
export function fromDriver<T extends Record<string, unknown>>(table: PgTable, rows: readonly T[]): T[] {
  const columns = Object.entries(getTableColumns(table));
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    for (const [key, column] of columns) {
      const v = r[key];
      if (v !== null && v !== undefined) r[key] = column.mapFromDriverValue(v);
    }
  }
  return rows as T[];
}
