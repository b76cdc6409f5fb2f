import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type ColumnType = 'integer' | 'bigint' | 'text';

/**
 * Updates many rows of one table in one statement, portable to SQLite and PostgreSQL:
 * `UPDATE t SET c = CASE id WHEN … THEN CAST(… AS type) … ELSE c END WHERE id IN (…)`.
 * Values are bound parameters; the casts tell PostgreSQL their types.
 */
export async function bulkUpdate(
  tx: Transaction<Database>,
  table: keyof Database,
  key: string,
  columns: Readonly<Record<string, ColumnType>>,
  rows: ReadonlyArray<{ readonly key: string; readonly set: Readonly<Record<string, unknown>> }>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += 200) {
    const chunk = rows.slice(start, start + 200);
    const assignments = Object.entries(columns).map(
      ([column, type]) =>
        sql`${sql.ref(column)} = CASE ${sql.ref(key)} ${sql.join(
          chunk.map((row) => sql`WHEN ${row.key} THEN CAST(${row.set[column] ?? null} AS ${sql.raw(type)})`),
          sql` `,
        )} ELSE ${sql.ref(column)} END`,
    );
    await sql`UPDATE ${sql.table(table)} SET ${sql.join(assignments)} WHERE ${sql.ref(key)} IN (${sql.join(chunk.map((row) => row.key))})`.execute(tx);
  }
}
