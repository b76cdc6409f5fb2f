import type { Kysely } from 'kysely';
import { attachmentStore } from './attachment-store.ts';
import { cannedResponseStore } from './canned-response-store.ts';
import type { Store } from '../domain/ports.ts';
import type { Engine } from './connect.ts';
import { conversationStore } from './conversation-store.ts';
import { customerStore } from './customer-store.ts';
import { messageStore } from './message-store.ts';
import type { Database } from './schema.ts';
import { routingStore } from './routing-store.ts';
import { sessionStore } from './session-store.ts';
import { shopStore } from './shop-store.ts';
import type { SqliteDirect } from './sqlite-dialect.ts';
import { staffChatStore } from './staff-chat-store.ts';
import { staffStore } from './staff-store.ts';
import { statsStore } from './stats-store.ts';
import { csatStore } from './csat-store.ts';
import { webhookStore } from './webhook-store.ts';
import { apiKeyStore } from './api-key-store.ts';
import { contactStore } from './contact-store.ts';
import { labelStore } from './label-store.ts';
import { savedViewStore } from './saved-view-store.ts';
import { triageStore } from './triage-store.ts';
import { campaignStore } from './campaign-store.ts';

/** On SQLite, `sqlite` is the direct connection the send path uses instead of the query builder. */
export function createStore(db: Kysely<Database>, engine: Engine, sqlite: SqliteDirect | null = null): Store {
  return {
    shops: shopStore(db),
    staff: staffStore(db),
    sessions: sessionStore(db),
    customers: customerStore(db),
    conversations: conversationStore(db, engine),
    messages: messageStore(db, engine, sqlite),
    routing: routingStore(db, engine),
    attachments: attachmentStore(db, engine),
    cannedResponses: cannedResponseStore(db),
    stats: statsStore(db),
    csat: csatStore(db),
    webhooks: webhookStore(db, engine),
    staffChat: staffChatStore(db, engine),
    apiKeys: apiKeyStore(db, engine),
    contacts: contactStore(db, engine),
    labels: labelStore(db),
    savedViews: savedViewStore(db),
    campaigns: campaignStore(db, engine, sqlite),
    triage: triageStore(db),
  };
}
