import { sql, type RawBuilder, type SqlBool } from 'kysely';

/** A LIKE pattern for text containing `q`: the %, _ and \ in `q` match only themselves. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * `column` contains `q`, ignoring case: the one rule of the console's filters and search. Both
 * sides go through the database's lower(), so they fold alike (on SQLite, ASCII letters only).
 */
export function containsIgnoringCase(column: string, q: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like lower(${containsPattern(q)}) escape '\\'`;
}
