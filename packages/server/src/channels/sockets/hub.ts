import type { ServerFrame } from '@frontdesk/protocol';
import type { BusEvent } from '../../fanout/bus.ts';
import type { Connection } from './connection.ts';
import { Outgoing } from './outgoing.ts';
import type { OnlineFigures } from '../../cluster/online-counts.ts';

/** The authenticated connections of this node, by user and (staff) by shop. */
export class Hub {
  #byUser = new Map<string, Set<Connection>>();
  #staffByShop = new Map<string, Set<Connection>>();
  #all = new Set<Connection>();
  /** Connections per shop, staff and customers (goim's heartbeat reports their count). */
  #byShop = new Map<string, Set<Connection>>();
  #byId = new Map<string, Connection>();
  /** goim rooms: `<shop id> <room key>` → its connections. */
  #byRoom = new Map<string, Set<Connection>>();

  get size(): number {
    return this.#all.size;
  }

  connections(): Iterable<Connection> {
    return this.#all;
  }

  countInShop(shopId: string): number {
    return this.#byShop.get(shopId)?.size ?? 0;
  }

  /** This node's figures of one shop: its rooms' counts, its connections and the people they are (goim's online routes). */
  online(shopId: string): OnlineFigures {
    return this.onlineByShop(shopId).get(shopId) ?? { rooms: {}, connections: 0, people: 0 };
  }

  /** The same for every shop with someone connected here (or only `onlyShop`), in one pass over the rooms. */
  onlineByShop(onlyShop?: string): Map<string, OnlineFigures> {
    const rooms = new Map<string, Record<string, number>>();
    for (const [key, set] of this.#byRoom) {
      const space = key.indexOf(' ');
      const shopId = key.slice(0, space);
      if (onlyShop !== undefined && shopId !== onlyShop) continue;
      let counts = rooms.get(shopId);
      if (!counts) rooms.set(shopId, (counts = {}));
      counts[key.slice(space + 1)] = set.size;
    }
    const out = new Map<string, OnlineFigures>();
    for (const [shopId, connections] of this.#byShop) {
      if (onlyShop !== undefined && shopId !== onlyShop) continue;
      out.set(shopId, { rooms: rooms.get(shopId) ?? {}, connections: connections.size, people: new Set([...connections].map((c) => c.userId)).size });
    }
    return out;
  }

  /** Shops with a connection here that subscribed to the operations figures. */
  operationsWatchedShops(): Set<string> {
    const shops = new Set<string>();
    for (const connection of this.#all) {
      const principal = connection.principal;
      if (connection.watchesOperations && principal?.kind === 'staff') shops.add(principal.staff.shopId);
    }
    return shops;
  }

  /** Moves a connection to another room (goim's room_id at auth, op 12); null leaves its room. */
  setRoom(connection: Connection, room: string | null): void {
    const shopId = shopOf(connection);
    const indexed = this.#all.has(connection) && shopId !== null;
    if (indexed && connection.room !== null) removeFrom(this.#byRoom, `${shopId} ${connection.room}`, connection);
    connection.room = room;
    if (indexed && room !== null) addTo(this.#byRoom, `${shopId} ${room}`, connection);
  }

  add(connection: Connection): void {
    const userId = connection.userId;
    const principal = connection.principal;
    if (userId === null || principal === null) return;
    this.#all.add(connection);
    addTo(this.#byUser, userId, connection);
    if (principal.kind === 'staff') addTo(this.#staffByShop, principal.staff.shopId, connection);
    this.#byId.set(connection.id, connection);
    const shopId = shopOf(connection);
    if (shopId !== null) {
      addTo(this.#byShop, shopId, connection);
      if (connection.room !== null) addTo(this.#byRoom, `${shopId} ${connection.room}`, connection);
    }
  }

  /** False when the connection was never added (it did not authenticate). */
  remove(connection: Connection): boolean {
    if (!this.#all.delete(connection)) return false;
    const userId = connection.userId;
    const principal = connection.principal;
    if (userId !== null) removeFrom(this.#byUser, userId, connection);
    if (principal?.kind === 'staff') removeFrom(this.#staffByShop, principal.staff.shopId, connection);
    this.#byId.delete(connection.id);
    const shopId = shopOf(connection);
    if (shopId !== null) {
      removeFrom(this.#byShop, shopId, connection);
      if (connection.room !== null) removeFrom(this.#byRoom, `${shopId} ${connection.room}`, connection);
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
    if (event.type === 'shop.changed') return;
    if (event.type === 'resync') {
      const payload = new Outgoing({ type: 'resync' });
      paced([...this.#all], RESYNC_PER_SECOND, (connection) => connection.send(payload));
      return;
    }
    const { audience } = event;
    const recipients = new Set<Connection>();
    for (const userId of audience.userIds) this.#byUser.get(userId)?.forEach((c) => recipients.add(c));
    if (audience.shopStaff !== null) this.#staffByShop.get(audience.shopStaff)?.forEach((c) => recipients.add(c));
    for (const id of audience.connectionIds ?? []) {
      const connection = this.#byId.get(id);
      if (connection) recipients.add(connection);
    }
    const within = audience.withinShop;
    if (within !== undefined && audience.room !== undefined) this.#byRoom.get(`${within} ${audience.room}`)?.forEach((c) => recipients.add(c));
    if (within !== undefined && audience.shopAll === true) this.#byShop.get(within)?.forEach((c) => recipients.add(c));
    if (within !== undefined && audience.watching === 'operations') this.#staffByShop.get(within)?.forEach((c) => c.watchesOperations && mayWatchOperations(c) && recipients.add(c));
    if (audience.shopAdmins !== undefined) this.#staffByShop.get(audience.shopAdmins)?.forEach((c) => mayWatchOperations(c) && recipients.add(c));
    if (recipients.size === 0) return;
    const except = new Set(audience.exceptUserIds);
    const chosen: Connection[] = [];
    for (const connection of recipients) {
      if (connection.id === event.originConnectionId) continue;
      if (connection.userId !== null && except.has(connection.userId)) continue;
      if (within !== undefined && shopOf(connection) !== within) continue;
      if (event.type === 'push' && connection.accepts !== null && !connection.accepts.has(event.operation)) continue;
      chosen.push(connection);
    }
    if (event.type !== 'push') {
      const payload = new Outgoing(toFrame(event));
      for (const connection of chosen) connection.send(payload);
      return;
    }
    const raw = Buffer.from(event.body, 'base64');
    const payload = new Outgoing({ type: 'push', operation: event.operation, body: raw.toString('utf8') }, raw);
    paced(chosen, event.speed, (connection) => connection.send(payload));
  }
}

/** goim's `speed`: at most `perSecond` connections a second (0: all at once). */
function paced(connections: readonly Connection[], perSecond: number, send: (connection: Connection) => void): void {
  if (perSecond <= 0 || connections.length <= perSecond) return connections.forEach(send);
  let at = 0;
  const step = () => {
    connections.slice(at, at + perSecond).forEach(send);
    at += perSecond;
    if (at < connections.length) setTimeout(step, 1_000).unref();
  };
  step();
}

/** A node's death sends every client here a `resync`: spread over time, so the syncs do not all land at once. */
const RESYNC_PER_SECOND = 5_000;

function toFrame(event: Exclude<BusEvent, { type: 'signed-out' | 'push' | 'shop.changed' | 'resync' }>): ServerFrame {
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
    case 'operations':
      return { type: 'operations', operations: event.operations };
    case 'campaign':
      return { type: 'campaign', campaign: event.campaign };
    case 'csat':
      return { type: 'csat', rating: event.rating };
  }
}

/** Owners and admins, as the principal stands after its latest re-check. */
function mayWatchOperations(connection: Connection): boolean {
  const principal = connection.principal;
  return principal?.kind === 'staff' && principal.staff.role !== 'agent';
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
