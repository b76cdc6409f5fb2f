import { goim, type Message } from '@frontdesk/protocol';
import { AppError, fail } from '../../domain/errors.ts';
import type { Services } from '../../domain/services.ts';
import type { Connection } from '../sockets/connection.ts';
import type { Outgoing } from '../sockets/outgoing.ts';
import { presentMessage } from '../../domain/present.ts';

const { ops } = goim;
/** How many recent messages op 14 returns, one op 15 each. */
export const HISTORY_MESSAGES = 50;

/** openresty-im's message, as its client renders it (dist/js/goim.js `_.render.show`). */
export interface FlatMessage {
  readonly id: string;
  /** Who sent it: the client's own `mid` for its own messages, so they show on its side. */
  readonly mid: string;
  readonly type: string;
  readonly msg: string;
  readonly room_id: string;
  /** Unix seconds. */
  readonly dateline: number;
}

/** What an openresty-im connection remembers of its op 7 options object. */
export interface OpenrestyState {
  connection: Connection | null;
  /** The mid it authenticated with (its own messages carry it). */
  mid: string | null;
}

export function flatMessage(message: Message, state: OpenrestyState): FlatMessage {
  const own = message.senderId !== null && message.senderId === state.connection?.userId;
  return {
    id: message.id,
    mid: own && state.mid !== null ? state.mid : (message.senderId ?? 'system'),
    type: message.contentType === 'text' ? 'text' : message.contentType,
    msg: message.text ?? message.attachment?.name ?? '',
    room_id: state.connection?.room ?? `conversation://${message.conversationId}`,
    dateline: Math.floor(Date.parse(message.createdAt) / 1000),
  };
}

/**
 * An openresty-im connection's packet for a frame of the core: a new message as op 5 in the flat
 * shape; the core's other events, which its client cannot show (it would answer each with an op
 * 16 of `undefined`), are dropped (null). undefined: not this module's, written as usual.
 */
export function renderOpenresty(out: Outgoing, state: OpenrestyState): Uint8Array | null | undefined {
  const { frame } = out;
  if (frame.type === 'message') return goim.encodeJsonPacket(ops.message, 0, flatMessage(frame.message, state));
  if (['message.updated', 'read', 'typing', 'conversation', 'presence', 'queue', 'broadcast', 'resync'].includes(frame.type) && !('id' in frame && frame.id !== undefined)) return null;
  return undefined;
}

/** openresty-im's own requests: op 14 with an empty body (history), op 16 with a message id as text (read). */
export function isOpenrestyRequest(packet: goim.Packet): boolean {
  if (packet.op === ops.sync) return packet.body.byteLength === 0;
  if (packet.op !== ops.ack) return false;
  const text = Buffer.from(packet.body).toString('utf8').trim();
  return text !== '' && !text.startsWith('{');
}

/** The conversation an openresty-im connection talks in: its room's, or the customer's own in the shop. */
async function conversationOf(services: Services, connection: Connection): Promise<string> {
  const principal = connection.principal!;
  if (connection.room?.startsWith('conversation://')) return connection.room.slice('conversation://'.length);
  if (principal.kind === 'customer') {
    const page = await services.conversations.list(principal, { limit: 1 });
    const own = page.items.find((c) => c.shopId === principal.shopId);
    if (own) return own.id;
  }
  return fail('CONVERSATION_NOT_FOUND', 'Join a conversation first: its id as room_id.');
}

/** The reply packets of an openresty-im request: op 15 per recent message (oldest first), or op 17 echoing the id. */
export async function openrestyRequest(services: Services, state: OpenrestyState, packet: goim.Packet): Promise<Uint8Array[]> {
  const connection = state.connection!;
  const principal = connection.principal!;
  try {
    const conversationId = await conversationOf(services, connection);
    if (packet.op === ops.sync) {
      const page = await services.messages.history(principal, conversationId, { limit: HISTORY_MESSAGES });
      return page.items.map((item) => goim.encodeJsonPacket(ops.syncReply, packet.seq, flatMessage(presentMessage(item), state)));
    }
    const id = Buffer.from(packet.body).toString('utf8').trim();
    if (!/^[0-9a-f-]{36}$/i.test(id)) fail('MESSAGE_NOT_FOUND');
    await services.conversations.markReadAt(principal, conversationId, id.toLowerCase(), connection.id);
    return [goim.encodePacket({ op: ops.ackReply, seq: packet.seq, body: Buffer.from(id) })];
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return [goim.encodeJsonPacket(packet.op + 1, packet.seq, { type: 'error', code: error.code, message: error.message, id: packet.seq })];
  }
}
