import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as initial from './migrations/0001-initial.ts';
import * as routing from './migrations/0002-routing.ts';
import * as attachments from './migrations/0003-attachments.ts';
import * as agentConsole from './migrations/0004-console.ts';
import * as stream from './migrations/0005-stream.ts';
import * as outbox from './migrations/0006-outbox.ts';
import * as webhooks from './migrations/0007-webhooks.ts';
import * as outboxWithoutRowid from './migrations/0008-outbox-without-rowid.ts';
import * as staffChat from './migrations/0009-staff-chat.ts';
import * as apiKeys from './migrations/0010-api-keys.ts';
import * as operations from './migrations/0011-operations.ts';
import * as contacts from './migrations/0012-contacts.ts';
import * as contactsSearch from './migrations/0013-contacts-search.ts';
import * as campaigns from './migrations/0014-campaigns.ts';
import * as channels from './migrations/0015-channels.ts';
import * as queueOrder from './migrations/0016-queue-order.ts';
import * as csat from './migrations/0017-csat.ts';
import * as inbox from './migrations/0019-inbox.ts';
import * as memberActivity from './migrations/0020-member-activity.ts';
import * as lastPublicMessage from './migrations/0021-last-public-message.ts';
import * as contactLocale from './migrations/0022-contact-locale.ts';
import * as channelUnfollowed from './migrations/0023-channel-unfollowed.ts';

/** Every migration, in order. Names sort lexically; never rename or edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-routing': routing,
  '0003-attachments': attachments,
  '0004-console': agentConsole,
  '0005-stream': stream,
  '0006-outbox': outbox,
  '0007-webhooks': webhooks,
  '0008-outbox-without-rowid': outboxWithoutRowid,
  '0009-staff-chat': staffChat,
  '0010-api-keys': apiKeys,
  '0011-operations': operations,
  '0012-contacts': contacts,
  '0013-contacts-search': contactsSearch,
  '0014-campaigns': campaigns,
  '0015-channels': channels,
  '0016-queue-order': queueOrder,
  '0017-csat': csat,
  '0019-inbox': inbox,
  '0020-member-activity': memberActivity,
  '0021-last-public-message': lastPublicMessage,
  '0022-contact-locale': contactLocale,
  '0023-channel-unfollowed': channelUnfollowed,
};

export async function migrateToLatest(storage: { db: Kysely<any>; schema: string | null }): Promise<MigrationResultSet> {
  if (storage.schema === null) return migrate(storage.db, null);
  // The service's bounds on transactions (DATABASE_*_TIMEOUT_MS) are not for migrations: building an
  // index on a big table takes long, and nodes starting together wait for each other's migration lock.
  return storage.db.connection().execute(async (connection) => {
    await sql`set lock_timeout = 0; set statement_timeout = 0; set idle_in_transaction_session_timeout = 0`.execute(connection);
    try {
      return await migrate(connection, storage.schema);
    } finally {
      await sql`reset lock_timeout; reset statement_timeout; reset idle_in_transaction_session_timeout`.execute(connection);
    }
  });
}

/** Readiness: this node's migrations are all applied (a node started on a database another version left behind is not ready). */
export async function migrationsApplied(storage: { db: Kysely<any>; schema: string | null }): Promise<void> {
  const migrator = new Migrator({ db: storage.db, provider: { getMigrations: async () => migrations }, ...(storage.schema !== null && { migrationTableSchema: storage.schema }) });
  const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined);
  if (pending.length > 0) throw new Error(`migrations not applied: ${pending.map((m) => m.name).join(', ')}`);
}

async function migrate(db: Kysely<any>, schema: string | null): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Without a schema Kysely finds its bookkeeping tables in any schema of the database and
    // then skips creating them in ours.
    ...(schema !== null && { migrationTableSchema: schema }),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
