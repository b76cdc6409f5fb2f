/**
 * The storage floor of the send path, measured in the bench's own run (issue "Performance: the
 * persisted send path down to the storage floor"): the durable rows one chat message leaves,
 * written into a database made by Frontdesk's migrations (the same tables, indexes and triggers),
 *
 * - raw: by a few prepared `node:sqlite` statements: read the conversation, check for a resend by
 *   client id, insert the message, update the conversation's last-message fields and stream
 *   position, move the sender's read cursor; commit in WAL with synchronous = NORMAL;
 * - minimal: the same raw statements on the 40-line script's tables (MINIMAL_SCHEMA);
 * - appender: by Frontdesk's own SQLite appender (storage/sqlite-append.ts), the code the server
 *   runs under the write lock, on the same kind of batches.
 *
 * All three in batches of 1, 20 and 200 messages per transaction, timed in CPU µs per message
 * (process.cpuUsage: the figure the bench gives per delivered message for each server).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { newId } from '../../packages/server/src/domain/ids.ts';
import type { NewMessage } from '../../packages/server/src/domain/ports.ts';
import { openStorage } from '../../packages/server/src/storage/connect.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import { sqliteAppender } from '../../packages/server/src/storage/sqlite-append.ts';

export interface FloorFigure {
  readonly batch: number;
  /** CPU µs per message: raw statements, the same on the minimal schema, and Frontdesk's appender. */
  readonly rawUs: number;
  readonly minimalUs: number;
  readonly appenderUs: number;
}

export interface Pair {
  readonly shopId: string;
  readonly conversationId: string;
  readonly customerId: string;
}

export async function storageFloor(dir: string, options: { conversations: number; messages: number; batches: readonly number[] }): Promise<FloorFigure[]> {
  const figures: FloorFigure[] = [];
  for (const batch of options.batches) {
    const raw = await withDatabase(path.join(dir, `floor-raw-${batch}.db`), options.conversations, (db, pairs) => timeRaw(db, pairs, options.messages, batch));
    const minimal = await withMinimalDatabase(path.join(dir, `floor-minimal-${batch}.db`), options.conversations, (db, pairs) => timeRaw(db, pairs, options.messages, batch));
    const appender = await withDatabase(path.join(dir, `floor-appender-${batch}.db`), options.conversations, (db, pairs) => timeAppender(db, pairs, options.messages, batch));
    figures.push({ batch, rawUs: raw, minimalUs: minimal, appenderUs: appender });
  }
  return figures;
}

async function withDatabase(file: string, conversations: number, work: (db: DatabaseSync, pairs: Pair[]) => number): Promise<number> {
  const storage = openStorage({ databaseUrl: null, sqliteFile: file });
  try {
    await migrateToLatest(storage);
    return await storage.sqlite!.exclusive((db) => work(db, seed(db, conversations)));
  } finally {
    await storage.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }
}

/**
 * The 40-line script's tables: the columns the raw statements use, and the message table
 * with three indexes (conversation and seq, resend key, shop stream position) besides its key.
 */
export const MINIMAL_SCHEMA = `
CREATE TABLE shops (id TEXT PRIMARY KEY, name TEXT NOT NULL, identity_secret TEXT NOT NULL, settings TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE customers (id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, kind TEXT NOT NULL, identity_key TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE conversations (
  id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, kind TEXT NOT NULL, unique_key TEXT, customer_id TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0, last_public_seq INTEGER NOT NULL DEFAULT 0, last_message_seq INTEGER, last_message_preview TEXT,
  last_message_content_type TEXT, last_message_sender_id TEXT, last_message_sender_kind TEXT, last_message_at INTEGER,
  last_activity_at INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE messages (
  id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, public_seq INTEGER NOT NULL,
  stream_tx INTEGER NOT NULL, stream_pos INTEGER NOT NULL, sender_id TEXT NOT NULL, sender_kind TEXT NOT NULL, kind TEXT NOT NULL,
  content_type TEXT NOT NULL, text TEXT, visibility TEXT NOT NULL, client_msg_id TEXT, created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX messages_conversation_seq ON messages (conversation_id, seq);
CREATE UNIQUE INDEX messages_resend ON messages (conversation_id, sender_id, client_msg_id);
CREATE INDEX messages_stream ON messages (shop_id, stream_tx, stream_pos);
CREATE TABLE members (
  conversation_id TEXT NOT NULL, user_id TEXT NOT NULL, user_kind TEXT NOT NULL, shop_id TEXT NOT NULL, role TEXT NOT NULL,
  read_seq INTEGER NOT NULL DEFAULT 0, read_public_seq INTEGER NOT NULL DEFAULT 0, joined_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, user_id));
`;

/** A connection as Frontdesk's writer has one: WAL, synchronous = NORMAL, foreign keys. */
export function openFloorDatabase(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

async function withMinimalDatabase(file: string, conversations: number, work: (db: DatabaseSync, pairs: Pair[]) => number): Promise<number> {
  const db = openFloorDatabase(file);
  try {
    db.exec(MINIMAL_SCHEMA);
    return work(db, seed(db, conversations));
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }
}

/** One shop, customer and service conversation per pair, as a widget session leaves them. */
export function seed(db: DatabaseSync, count: number): Pair[] {
  const now = Date.now();
  const pairs: Pair[] = [];
  db.exec('BEGIN');
  const shop = db.prepare(`INSERT INTO shops (id, name, identity_secret, settings, created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?)`);
  const customer = db.prepare(`INSERT INTO customers (id, shop_id, kind, identity_key, created_at, updated_at) VALUES (?, ?, 'visitor', ?, ?, ?)`);
  const conversation = db.prepare(
    `INSERT INTO conversations (id, shop_id, kind, unique_key, customer_id, last_activity_at, created_at, updated_at) VALUES (?, ?, 'service', ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < count; i++) {
    const pair = { shopId: randomUUID(), conversationId: randomUUID(), customerId: randomUUID() };
    shop.run(pair.shopId, `Shop ${i}`, randomUUID(), now, now);
    customer.run(pair.customerId, pair.shopId, `visitor:${pair.customerId}`, now, now);
    conversation.run(pair.conversationId, pair.shopId, `service:${pair.customerId}`, pair.customerId, now, now, now);
    pairs.push(pair);
  }
  db.exec('COMMIT');
  return pairs;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * The raw statements of one chat message's durable rows: read the conversation, check for a resend
 * by client id, insert the message, update the conversation's last-message fields and stream
 * position, move the sender's read cursor. The caller brackets them in a transaction. Shared by the
 * floor here and the stored relay (stored-relay.ts).
 */
export function rawWriter(db: DatabaseSync): (pair: Pair, clientMsgId: string, text: string) => void {
  const conversation = db.prepare('SELECT last_seq, last_public_seq FROM conversations WHERE id = ?');
  const resend = db.prepare('SELECT id FROM messages WHERE conversation_id = ? AND sender_id = ? AND client_msg_id = ?');
  const lastTx = db.prepare('SELECT coalesce(max(stream_tx), 0) AS tx FROM messages WHERE shop_id = ?');
  const insert = db.prepare(
    `INSERT INTO messages (id, shop_id, conversation_id, seq, public_seq, stream_tx, stream_pos, sender_id, sender_kind, kind, content_type, text, visibility, client_msg_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'customer', 'user', 'text', ?, 'public', ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE conversations SET last_seq = ?, last_public_seq = ?, last_message_seq = ?, last_message_preview = ?, last_message_content_type = 'text',
       last_message_sender_id = ?, last_message_sender_kind = 'customer', last_message_at = ?, last_activity_at = ?, updated_at = ? WHERE id = ?`,
  );
  const cursor = db.prepare(
    `INSERT INTO members (conversation_id, user_id, user_kind, shop_id, role, read_seq, read_public_seq, joined_at) VALUES (?, ?, 'customer', ?, 'customer', ?, ?, ?)
     ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_seq = excluded.read_seq, read_public_seq = excluded.read_public_seq WHERE members.read_seq < excluded.read_seq`,
  );
  return (p, clientMsgId, text) => {
    const state = conversation.get(p.conversationId) as { last_seq: number; last_public_seq: number };
    if (resend.get(p.conversationId, p.customerId, clientMsgId) !== undefined) return;
    const tx = Number((lastTx.get(p.shopId) as { tx: number }).tx) + 1;
    const seq = state.last_seq + 1;
    const now = Date.now();
    insert.run(newId(), p.shopId, p.conversationId, seq, state.last_public_seq + 1, tx, seq, p.customerId, text, clientMsgId, now);
    update.run(seq, state.last_public_seq + 1, seq, text, p.customerId, now, now, now, p.conversationId);
    cursor.run(p.conversationId, p.customerId, p.shopId, seq, state.last_public_seq + 1, now);
  };
}

function timeRaw(db: DatabaseSync, pairs: Pair[], messages: number, batch: number): number {
  const write = rawWriter(db);
  const text = 'x'.repeat(100);
  let sent = 0;
  const started = cpuMicros();
  while (sent < messages) {
    db.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < batch; i++, sent++) write(pairs[sent % pairs.length]!, randomUUID(), text);
    db.exec('COMMIT');
  }
  return (cpuMicros() - started) / sent;
}

function timeAppender(db: DatabaseSync, pairs: Pair[], messages: number, batch: number): number {
  const append = sqliteAppender(db);
  const text = 'x'.repeat(100);
  let sent = 0;
  const started = cpuMicros();
  while (sent < messages) {
    const inputs: NewMessage[] = [];
    for (let i = 0; i < batch; i++, sent++) {
      const p = pairs[sent % pairs.length]!;
      inputs.push({
        id: newId(), shopId: p.shopId, conversationId: p.conversationId, senderId: p.customerId, senderKind: 'customer', senderRole: 'customer',
        kind: 'user', contentType: 'text', text, visibility: 'public', clientMsgId: randomUUID(), createdAt: Date.now(), openInquiry: null,
      });
    }
    for (const result of append(inputs)) if (result instanceof Error) throw result;
  }
  return (cpuMicros() - started) / sent;
}
