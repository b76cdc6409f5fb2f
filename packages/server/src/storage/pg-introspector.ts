import { PostgresDialect, sql, type ColumnMetadata, type DatabaseIntrospector, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

/**
 * PostgreSQL, with an introspector that looks at Frontdesk's schema only. Kysely's own reads every
 * schema of the database and calls `has_schema_privilege(name, …)` on each: a schema dropped by
 * someone else meanwhile (another deployment, another test suite) fails it with "schema does not
 * exist" and the migration with it. This one reads the catalogue of one schema, by name.
 */
export class SchemaPostgresDialect extends PostgresDialect {
  readonly #schema: string;
  constructor(config: ConstructorParameters<typeof PostgresDialect>[0], schema: string) {
    super(config);
    this.#schema = schema;
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    const schema = this.#schema;
    const introspector: DatabaseIntrospector = {
      async getSchemas(): Promise<SchemaMetadata[]> {
        const { rows } = await sql<{ name: string }>`select nspname as name from pg_namespace where nspname = ${schema}`.execute(db);
        return rows;
      },
      async getTables(): Promise<TableMetadata[]> {
        const { rows } = await sql<{ table: string; kind: string; column: string; type: string; notNull: boolean; hasDefault: boolean }>`
          select c.relname as table, c.relkind as kind, a.attname as column, t.typname as type,
                 a.attnotnull as "notNull", a.atthasdef as "hasDefault"
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          join pg_type t on t.oid = a.atttypid
          where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v')
          order by c.relname, a.attnum`.execute(db);
        const tables = new Map<string, TableMetadata & { columns: ColumnMetadata[] }>();
        for (const row of rows) {
          let table = tables.get(row.table);
          if (!table) tables.set(row.table, (table = { name: row.table, schema, isView: row.kind === 'v', isForeign: false, columns: [] }));
          table.columns.push({ name: row.column, dataType: row.type, isNullable: !row.notNull, hasDefaultValue: row.hasDefault, isAutoIncrementing: false });
        }
        return [...tables.values()];
      },
    };
    return introspector;
  }
}
