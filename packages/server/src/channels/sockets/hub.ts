import type { ServerFrame } from '@frontdesk/protocol';
import type { BusEvent } from '../../fanout/bus.ts';
import type { Connection } from './connection.ts';
import { Outgoing } from './outgoing.ts';

/** The authenticated connections of this node, by user and (staff) by shop. */
export class Hub {
  #byUser = new Map<string, Set<Connection>>();
  #staffByShop = new Map<string, Set<Connection>>();
  #all = new Set<Connection>();
  /** Connections per shop, staff and customers (goim's heartbeat reports it as the room's count). */
  #perShop = new Map<string, number>();

  get size(): number {
    return this.#all.size;
  }

  connections(): Iterable<Connection> {
    return this.#all;
  }

  countInShop(shopId: string): number {
    return this.#perShop.get(shopId) ?? 0;
  }

  add(connection: Connection): void {
    const userId = connection.userId;
    const principal = connection.principal;
    if (userId === null || principal === null) return;
    this.#all.add(connection);
    addTo(this.#byUser, userId, connection);
    if (principal.kind === 'staff') addTo(this.#staffByShop, principal.staff.shopId, connection);
    const shopId = shopOf(connection);
    if (shopId !== null) this.#perShop.set(shopId, (this.#perShop.get(shopId) ?? 0) + 1);
  }

  /** False when the connection was never added (it did not authenticate). */
  remove(connection: Connection): boolean {
    if (!this.#all.delete(connection)) return false;
    const userId = connection.userId;
    const principal = connection.principal;
    if (userId !== null) removeFrom(this.#byUser, userId, connection);
    if (principal?.kind === 'staff') removeFrom(this.#staffByShop, principal.staff.shopId, connection);
    const shopId = shopOf(connection);
    if (shopId !== null) {
      const left = (this.#perShop.get(shopId) ?? 1) - 1;
      if (left === 0) this.#perShop.delete(shopId);
      else this.#perShop.set(shopId, left);
    }
    return true;
  }

  /** Matches an event's audience against this node's sockets; serialises it once. */
  deliver(event: BusEvent): void {
    if (event.type === 'signed-out') {
      for (const connection of [...(this.#byUser.get(event.userId) ?? [])]) {
        if (event.tokenHash === null || connection.principal?.tokenHash === event.tokenHash) connection.close(event.reason);
      }
      return;
    }
    const recipients = new Set<Connection>();
    for (const userId of event.audience.userIds) this.#byUser.get(userId)?.forEach((c) => recipients.add(c));
    if (event.audience.shopStaff !== null) this.#staffByShop.get(event.audience.shopStaff)?.forEach((c) => recipients.add(c));
    if (recipients.size === 0) return;
    const except = new Set(event.audience.exceptUserIds);
    const payload = new Outgoing(toFrame(event));
    for (const connection of recipients) {
      if (connection.id === event.originConnectionId) continue;
      if (connection.userId !== null && except.has(connection.userId)) continue;
      connection.send(payload);
    }
  }
}

function toFrame(event: Exclude<BusEvent, { type: 'signed-out' }>): ServerFrame {
  switch (event.type) {
    case 'message':
      return { type: 'message', message: event.message };
    case 'message.updated':
      return { type: 'message.updated', message: event.message };
    case 'broadcast':
      return { type: 'broadcast', broadcast: event.broadcast };
    case 'read':
      return { type: 'read', conversationId: event.conversationId, userId: event.userId, seq: event.seq };
    case 'typing':
      return { type: 'typing', conversationId: event.conversationId, userId: event.userId, userKind: event.userKind };
    case 'conversation':
      return {
        type: 'conversation',
        change: event.change,
        conversation: event.conversation,
        ...(event.mergedFromId !== undefined && { mergedFromId: event.mergedFromId }),
        ...(event.userId !== undefined && { userId: event.userId }),
      };
    case 'presence':
      return { type: 'presence', userId: event.userId, status: event.status };
    case 'queue':
      return { type: 'queue', conversationId: event.conversationId, position: event.position };
  }
}

function addTo(map: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(connection);
}

function removeFrom(map: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) map.delete(key);
}

function shopOf(connection: Connection): string | null {
  const principal = connection.principal;
  if (principal === null) return null;
  return principal.kind === 'staff' ? principal.staff.shopId : principal.shopId;
}
