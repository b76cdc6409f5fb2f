import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type {
  Attachment,
  ClientFrame,
  ClientFrameType,
  Conversation,
  ErrorBody,
  ErrorCode,
  HistoryFrame,
  HistoryQuery,
  Message,
  MessagePage,
  Page,
  ReadBody,
  ReadFrame,
  RequestId,
  SendBody,
  SendFrame,
  ServerFrameType,
  Shop,
  ShopSettings,
} from '../src/index.ts';
import {
  ClientFrameSchema,
  clientFrameTypes,
  ConversationSchema,
  HistoryFrameSchema,
  MessageSchema,
  ReadFrameSchema,
  SendBodySchema,
  SendFrameSchema,
} from '../src/schemas/index.ts';

/**
 * The types of the main entry are derived from the schemas (`Wire<typeof XSchema>`); these checks
 * fail the typecheck (part of `npm test`) when a type and its schema drift apart, or when a schema
 * change would silently change a type the SDK and the web apps compile against.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Assignable both ways: equal up to `readonly`, which Static leaves out. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The same fields, each required or optional alike, of types assignable both ways. */
type SameFields<A, B> = Mutual<A, B> extends true ? Equal<keyof A, keyof B> : false;
type Fields<T> = Omit<T, 'type' | 'id' | 'conversationId'>;
function holds<T extends true>(): T | undefined {
  return undefined;
}

// The exported types are what the schemas say.
holds<Mutual<Static<typeof ReadFrameSchema>, ReadFrame>>();
holds<Mutual<Static<typeof HistoryFrameSchema>, HistoryFrame>>();
holds<Mutual<Omit<Static<typeof ConversationSchema>, 'labelIds'>, Omit<Conversation, 'labelIds'>>>();
holds<Equal<Conversation['labelIds'], readonly string[]>>();
// Static's arrays are mutable and a wire type's are readonly: types holding arrays are pinned below.

// A frame carries the same fields as its HTTP request.
holds<Equal<keyof Fields<SendFrame>, keyof SendBody>>();
holds<SameFields<Fields<ReadFrame>, ReadBody>>();
holds<SameFields<Fields<HistoryFrame>, HistoryQuery>>();

// The shapes clients compile against, pinned.
holds<Equal<ClientFrameType, 'auth' | 'ping' | 'send' | 'read' | 'typing' | 'sync' | 'history' | 'presence' | 'operations.subscribe' | 'operations.unsubscribe'>>();
holds<
  Equal<
    ServerFrameType,
    | 'auth.ok'
    | 'pong'
    | 'ack'
    | 'message'
    | 'message.updated'
    | 'read'
    | 'typing'
    | 'conversation'
    | 'presence'
    | 'broadcast'
    | 'queue'
    | 'push'
    | 'resync'
    | 'sync.result'
    | 'history.result'
    | 'operations'
    | 'campaign'
    | 'csat'
    | 'error'
  >
>();
holds<Equal<RequestId, string | number>>();
holds<
  Equal<
    SendFrame,
    {
      readonly type: 'send';
      readonly id?: string | number;
      readonly conversationId: string;
      readonly clientMsgId: string;
      readonly contentType?: 'text' | 'image' | 'file';
      readonly text?: string;
      readonly attachmentId?: string;
      readonly visibility?: 'public' | 'internal';
      readonly mentions?: readonly string[];
    }
  >
>();
holds<Equal<Message['mentions'], readonly string[]>>();
holds<Equal<Message['editedAt'], string | null>>();
holds<Equal<HistoryQuery, { readonly beforeSeq?: number; readonly afterSeq?: number; readonly limit?: number }>>();
holds<Equal<Message['text'], string | null>>();
holds<Equal<Message['attachment'], Attachment | null>>();
holds<Equal<MessagePage['items'], readonly Message[]>>();
holds<Equal<Page<Conversation>, { readonly items: readonly Conversation[]; readonly nextCursor: string | null }>>();
holds<Equal<NonNullable<ShopSettings['businessHours']>['days']['mon'], readonly (readonly [string, string])[] | undefined>>();
holds<Equal<Shop['identitySecret'], string | undefined>>();
holds<Equal<ErrorBody['error']['code'], ErrorCode>>();

const validator = (schema: TSchema) => (value: unknown) => Value.Check(schema, value);

test('every client frame type has a schema, and a frame of each type passes it', () => {
  const examples: Record<ClientFrameType, ClientFrame> = {
    auth: { type: 'auth', id: 1, token: 'fds_token' },
    ping: { type: 'ping' },
    send: { type: 'send', id: 'a', conversationId: '0190f0f0-0000-7000-8000-000000000000', clientMsgId: 'c-1', text: 'hi', visibility: 'public' },
    read: { type: 'read', conversationId: '0190f0f0-0000-7000-8000-000000000000', seq: 0 },
    typing: { type: 'typing', conversationId: '0190f0f0-0000-7000-8000-000000000000' },
    sync: { type: 'sync', token: 't', limit: 500 },
    history: { type: 'history', conversationId: '0190f0f0-0000-7000-8000-000000000000', beforeSeq: 1, limit: 100 },
    presence: { type: 'presence', status: 'away' },
    'operations.subscribe': { type: 'operations.subscribe', id: 7 },
    'operations.unsubscribe': { type: 'operations.unsubscribe' },
  };
  assert.deepEqual([...clientFrameTypes].sort(), Object.keys(examples).sort());
  const validate = validator(ClientFrameSchema);
  for (const frame of Object.values(examples)) assert.ok(validate(frame), `${frame.type}: ${JSON.stringify([...Value.Errors(ClientFrameSchema, frame)])}`);
});

test('a body and its frame refuse the same fields', () => {
  const body = validator(SendBodySchema);
  const frame = validator(SendFrameSchema);
  const envelope = { type: 'send', conversationId: '0190f0f0-0000-7000-8000-000000000000' };
  const samples = [
    { clientMsgId: 'ok', text: 'hi' },
    { clientMsgId: 'no spaces', text: 'hi' },
    { clientMsgId: 'ok', text: 'x'.repeat(8001) },
    { clientMsgId: 'ok', text: 'hi', extra: 1 },
    { clientMsgId: 'ok', contentType: 'video' },
    { text: 'hi' },
  ];
  const verdicts = samples.map((fields) => [body(fields), frame({ ...envelope, ...fields })]);
  assert.deepEqual(verdicts, [[true, true], [false, false], [false, false], [false, false], [false, false], [false, false]]);
});
