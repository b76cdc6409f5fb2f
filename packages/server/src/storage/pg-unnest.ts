import { sql, type RawBuilder } from 'kysely';

export type PgColumnType = 'integer' | 'bigint' | 'text';

/**
 * `unnest($1::text[], $2::bigint[], …) AS alias(c1, c2, …)`: many rows handed to PostgreSQL
 * column by column, one array parameter per column. The statement's text is the same whatever the
 * number of rows (none included), so a batch of any size is one statement and one round trip.
 * Arrays rather than one JSON document: pg encodes each string as UTF-8 like any other parameter,
 * where JSON would carry a lone surrogate (a preview cut inside a pair) as an escape PostgreSQL
 * refuses.
 */
export function unnestAs<K extends string>(
  alias: string,
  columns: Readonly<Record<K, PgColumnType>>,
  rows: ReadonlyArray<Readonly<Record<K, unknown>>>,
): RawBuilder<unknown> {
  const names = Object.keys(columns) as K[];
  const arrays = names.map((name) => sql`${rows.map((row) => row[name] ?? null)}::${sql.raw(columns[name])}[]`);
  return sql`unnest(${sql.join(arrays)}) AS ${sql.id(alias)}(${sql.join(names.map((name) => sql.id(name)))})`;
}

/** The column list of `unnestAs`'s columns, for `INSERT INTO t (…) SELECT … FROM unnest(…)`. */
export function columnList(columns: Readonly<Record<string, PgColumnType>>): RawBuilder<unknown> {
  return sql.join(Object.keys(columns).map((name) => sql.id(name)));
}
