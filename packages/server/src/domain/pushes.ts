import type { ApiCaller } from './api-keys.ts';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import { newId } from './ids.ts';
import type { PushTarget } from './events.ts';
import { roomOfShop, roomToJoin, type Room } from './rooms.ts';
import type { Principal } from './records.ts';

/** Most targets one push may name (goim's keys and mids). */
export const PUSH_TARGETS_MAX = 1000;
/** The highest `speed` (connections per second and node) a push to all may ask for. */
export const PUSH_SPEED_MAX = 1_000_000;

export interface PushRequest {
  readonly operation: number;
  readonly body: Uint8Array;
}

/**
 * Raw pushes of the push APIs (goim's logic HTTP API, POST /api/v1/push): bytes for connections,
 * never stored. Each resolves its target inside the caller's shop, so a key, a mid or a room of
 * another shop reaches no one; then one fact goes out, which the fan-out subscriber turns into a
 * bus event with its audience (fanout/audience.ts), on every node.
 */
export function createPushes({ store, events, now }: DomainDeps) {
  async function emit(caller: ApiCaller, target: PushTarget, push: PushRequest, speed = 0): Promise<void> {
    if (!Number.isInteger(push.operation) || push.operation < -0x8000_0000 || push.operation > 0x7fff_ffff) fail('VALIDATION_FAILED', 'operation must be an int32.');
    if (!Number.isInteger(speed) || speed < 0 || speed > PUSH_SPEED_MAX) fail('VALIDATION_FAILED', `speed must be an integer from 0 to ${PUSH_SPEED_MAX}.`);
    await events.emit({ type: 'push.requested', shopId: caller.shopId, target, operation: push.operation, body: Buffer.from(push.body).toString('base64'), speed });
  }
  const bounded = (what: string, list: readonly string[]) => {
    if (list.length > PUSH_TARGETS_MAX) fail('VALIDATION_FAILED', `At most ${PUSH_TARGETS_MAX} ${what} per push.`);
    return [...new Set(list.filter((item) => item !== ''))];
  };

  return {
    /** To connections by key (their connection id); keys of other shops' connections reach no one. */
    toKeys: (caller: ApiCaller, keys: readonly string[], push: PushRequest) => emit(caller, { kind: 'keys', keys: bounded('keys', keys) }, push),

    /** To the shop's customers by external id (goim's mid); unknown ones are skipped, as goim skips offline ones. */
    async toMids(caller: ApiCaller, mids: readonly string[], push: PushRequest): Promise<void> {
      const userIds = await store.customers.idsOfShopCustomers(caller.shopId, bounded('mids', mids));
      await emit(caller, { kind: 'users', userIds }, push);
    },

    async toRoom(caller: ApiCaller, roomId: string, push: PushRequest): Promise<Room> {
      const room = await roomOfShop(store.conversations, caller.shopId, roomId);
      await emit(caller, { kind: 'room', room: room.key }, push);
      return room;
    },

    /** To every connection of the shop, at most `speed` connections per second on each node (0: at once). */
    toAll: (caller: ApiCaller, speed: number, push: PushRequest) => emit(caller, { kind: 'shop' }, push, speed),

    /** To everyone who may read a conversation of the shop (its customer and the shop's staff). */
    async toConversation(caller: ApiCaller, conversationId: string, push: PushRequest): Promise<void> {
      const facts = await store.conversations.facts(conversationId);
      if (!facts || facts.shopId !== caller.shopId) fail('CONVERSATION_NOT_FOUND');
      await emit(caller, { kind: 'conversation', conversation: facts }, push);
    },

    /** The service conversation of the shop's customer with this external id (made if they have none yet). */
    async conversationOfCustomer(caller: ApiCaller, externalId: string): Promise<string> {
      const [customerId] = await store.customers.idsOfShopCustomers(caller.shopId, [externalId]);
      if (customerId === undefined) fail('CUSTOMER_NOT_FOUND');
      const at = now();
      const conversation = await store.conversations.ensureService(caller.shopId, customerId, newId(), at, 'api');
      // The shop's server writes for the customer: their channel is the API (at most one write a minute, see ContactStore.seen).
      await store.contacts.seen(caller.shopId, customerId, 'api', at);
      return conversation.id;
    },

    /** The room a connection asks to join (goim's room_id, op 12). */
    roomToJoin: (principal: Principal, roomId: string) => roomToJoin(store.conversations, principal, roomId),
  };
}

export type Pushes = ReturnType<typeof createPushes>;
