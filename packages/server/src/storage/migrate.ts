import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as initial from './migrations/0001-initial.ts';
import * as routing from './migrations/0002-routing.ts';
import * as attachments from './migrations/0003-attachments.ts';
import * as agentConsole from './migrations/0004-console.ts';

/** Every migration, in order. Names sort lexically; never rename or edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-routing': routing,
  '0003-attachments': attachments,
  '0004-console': agentConsole,
};

export async function migrateToLatest(storage: { db: Kysely<any>; schema: string | null }): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: storage.db,
    provider: { getMigrations: async () => migrations },
    // Without a schema Kysely finds its bookkeeping tables in any schema of the database and
    // then skips creating them in ours.
    ...(storage.schema !== null && { migrationTableSchema: storage.schema }),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
