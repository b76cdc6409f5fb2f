import { Type, type TProperties } from '@sinclair/typebox';
import { realtimeDefaults } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { Id, Literals } from './atoms.ts';
import { historyFields, readFields, sendFields } from './message-requests.ts';

/**
 * Client → server frames on WebSocket `/ws` (docs/protocol.md): one JSON text message each,
 * `{ "type": …, "id"?: … }`, validated as strictly as HTTP bodies: no coercion, no unknown fields.
 */
export const RequestIdSchema = Type.Union([Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 })]);
export type RequestId = Wire<typeof RequestIdSchema>;

const clientFrame = <K extends string, T extends TProperties>(type: K, fields: T) =>
  Type.Object({ type: Type.Literal(type), id: Type.Optional(RequestIdSchema), ...fields }, { additionalProperties: false });

export const AuthFrameSchema = clientFrame('auth', { token: Type.String({ minLength: 1, maxLength: 200 }) });
export type AuthFrame = Wire<typeof AuthFrameSchema>;
export const PingFrameSchema = clientFrame('ping', {});
export type PingFrame = Wire<typeof PingFrameSchema>;
export const SendFrameSchema = clientFrame('send', { conversationId: Id, ...sendFields });
export type SendFrame = Wire<typeof SendFrameSchema>;
export const ReadFrameSchema = clientFrame('read', { conversationId: Id, ...readFields });
export type ReadFrame = Wire<typeof ReadFrameSchema>;
export const TypingFrameSchema = clientFrame('typing', { conversationId: Id });
export type TypingFrame = Wire<typeof TypingFrameSchema>;
export const SyncFrameSchema = clientFrame('sync', {
  /** The `token` of the previous `sync.result`; absent on a first connect (returns the current position). */
  token: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: realtimeDefaults.syncPageMax })),
});
export type SyncFrame = Wire<typeof SyncFrameSchema>;
export const HistoryFrameSchema = clientFrame('history', { conversationId: Id, ...historyFields });
export type HistoryFrame = Wire<typeof HistoryFrameSchema>;
/** Staff: this device is away (not offered new inquiries) or back online. */
export const SetPresenceFrameSchema = clientFrame('presence', { status: Literals('online', 'away') });
export type SetPresenceFrame = Wire<typeof SetPresenceFrameSchema>;

/** Owners and admins: the operations dashboard's figures now (the reply) and every few seconds after (docs/monitoring.md). */
export const OperationsSubscribeFrameSchema = clientFrame('operations.subscribe', {});
export type OperationsSubscribeFrame = Wire<typeof OperationsSubscribeFrameSchema>;
export const OperationsUnsubscribeFrameSchema = clientFrame('operations.unsubscribe', {});
export type OperationsUnsubscribeFrame = Wire<typeof OperationsUnsubscribeFrameSchema>;

export const ClientFrameSchema = Type.Union([
  AuthFrameSchema,
  PingFrameSchema,
  SendFrameSchema,
  ReadFrameSchema,
  TypingFrameSchema,
  SyncFrameSchema,
  HistoryFrameSchema,
  SetPresenceFrameSchema,
  OperationsSubscribeFrameSchema,
  OperationsUnsubscribeFrameSchema,
]);
export type ClientFrame = Wire<typeof ClientFrameSchema>;
export type ClientFrameType = ClientFrame['type'];
/** Every client frame type, for telling an unknown type from a malformed frame. */
export const clientFrameTypes: readonly ClientFrameType[] = ClientFrameSchema.anyOf.map((frame) => frame.properties.type.const);
