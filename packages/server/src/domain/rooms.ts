import type { ConversationStore } from './ports.ts';
import { authorize } from './access.ts';
import { AppError, fail } from './errors.ts';
import type { Principal } from './records.ts';

/**
 * goim's rooms (docs/protocol-goim.md#rooms), always inside one shop. A room is named
 * `<type>://<name>` as goim names them (`live://1000`); two types mean something here:
 * - `conversation://<id>` (or the bare conversation id): the people of a conversation's room,
 *   which only those who may read the conversation join;
 * - `shop://<shop id>`: a shop-wide room, for the shop's own people only.
 * Any other type is a free room of the shop, as in goim: it exists while someone is in it.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROOM = /^([a-z][a-z0-9+.-]{0,31}):\/\/([\x21-\x7e]{1,128})$/;

export type Room =
  | { readonly kind: 'conversation'; readonly key: string; readonly conversationId: string }
  | { readonly kind: 'shop'; readonly key: string; readonly shopId: string }
  | { readonly kind: 'free'; readonly key: string };

/** The room a room id names; ROOM_NOT_FOUND when it names none. */
export function parseRoom(roomId: string): Room {
  if (UUID.test(roomId)) return { kind: 'conversation', key: `conversation://${roomId.toLowerCase()}`, conversationId: roomId.toLowerCase() };
  const match = ROOM.exec(roomId);
  if (!match) fail('ROOM_NOT_FOUND');
  const [, type, name] = match as unknown as [string, string, string];
  if (type === 'conversation') {
    if (!UUID.test(name)) fail('ROOM_NOT_FOUND');
    return { kind: 'conversation', key: `conversation://${name.toLowerCase()}`, conversationId: name.toLowerCase() };
  }
  if (type === 'shop') return { kind: 'shop', key: roomId, shopId: name };
  return { kind: 'free', key: roomId };
}

/** The room a push API of the shop may push to: another shop's room or conversation does not exist. */
export async function roomOfShop(conversations: ConversationStore, shopId: string, roomId: string): Promise<Room> {
  const room = parseRoom(roomId);
  if (room.kind === 'shop' && room.shopId !== shopId) fail('ROOM_NOT_FOUND');
  if (room.kind === 'conversation') {
    const facts = await conversations.facts(room.conversationId);
    if (!facts || facts.shopId !== shopId) fail('ROOM_NOT_FOUND');
  }
  return room;
}

/** The room a connection may join: its own shop's, and a conversation only if it may read it. */
export async function roomToJoin(conversations: ConversationStore, principal: Principal, roomId: string): Promise<Room> {
  const shopId = principal.kind === 'staff' ? principal.staff.shopId : principal.shopId;
  if (shopId === null) fail('ROOM_NOT_FOUND');
  const room = await roomOfShop(conversations, shopId, roomId);
  if (room.kind === 'conversation') {
    const facts = (await conversations.facts(room.conversationId))!;
    try {
      await authorize(conversations, principal, facts, false);
    } catch (error) {
      if (error instanceof AppError && error.code === 'CONVERSATION_NOT_FOUND') fail('ROOM_NOT_FOUND');
      throw error;
    }
  }
  return room;
}
