import { goim } from '@frontdesk/protocol';
import { AppError, fail } from '../../domain/errors.ts';
import type { Principal } from '../../domain/records.ts';
import type { Services } from '../../domain/services.ts';
import type { Connection } from '../sockets/connection.ts';
import type { SessionHooks } from '../sockets/gateway.ts';
import type { Hub } from '../sockets/hub.ts';

const { ops } = goim;

/**
 * Which client a connection is (docs/protocol-goim.md#compatibility-goim-and-openresty-im-clients),
 * told apart by its op 7 body alone, on WebSocket and TCP alike:
 * - `{"token": …}`: Frontdesk's own layout;
 * - openresty-im's options object (it carries `shop_id`, `suburl` or `pushurl`);
 * - anything else is goim's `{mid, key, room_id, platform, accepts}`.
 * The dialect decides how raw pushes, batches and the auth reply are written and how long a
 * connection may stay silent; requests mean the same in every dialect.
 */
export type Dialect = 'frontdesk' | 'goim' | 'openresty-im';

export function dialectOf(body: Record<string, unknown>): Dialect {
  if ('token' in body) return 'frontdesk';
  if ('shop_id' in body || 'suburl' in body || 'pushurl' in body) return 'openresty-im';
  return 'goim';
}

/** goim's comet: `heartbeat = "4m"`, `heartbeatMax = 2`: silent for 8 minutes, a connection is cut. */
export const GOIM_HEARTBEAT_MS = 4 * 60_000;
export const GOIM_HEARTBEAT_MAX = 2;

/** The signed goim token: `fdg.<shop id>.<hex HMAC-SHA256(shop identity secret, mid)>`. */
const SIGNED = /^fdg\.([0-9a-f-]{36})\.([0-9a-f]{64})$/i;

/**
 * goim's `mid` as the client wrote it: an int64 that JSON.parse would round, so it is read from the
 * body's text; openresty-im sends it as a string.
 */
export function midOf(text: string, body: Record<string, unknown>): string | null {
  const raw = /"mid"\s*:\s*"?(-?\d{1,20})"?/.exec(text)?.[1];
  if (raw !== undefined) return raw === '0' ? null : raw;
  return typeof body.mid === 'string' && body.mid !== '' ? body.mid : null;
}

/** goim's `accepts`: a JSON array of operations, or openresty-im's same array as a string. */
export function acceptsOf(value: unknown): Set<number> | null {
  const list = typeof value === 'string' ? operationList(value.replace(/^\[|\]$/g, '')) : value;
  if (!Array.isArray(list)) return null;
  return new Set(list.filter((op): op is number => Number.isInteger(op)));
}

/** goim's op 14 and 16 bodies: `1000,1001`; undefined when the body is something else. */
export function operationList(text: string): number[] | undefined {
  if (!/^\s*-?\d{1,10}(\s*,\s*-?\d{1,10})*\s*$/.test(text)) return undefined;
  return text.split(',').map((part) => Number(part.trim()));
}

/**
 * The session hooks of a goim or openresty-im client: its credential (a Frontdesk token, or a
 * signed goim token that becomes a customer session of the shop with `mid` as the external id),
 * then, once authenticated, its room, accepted operations and heartbeat limit.
 */
export function goimHooks(services: Services, dialect: Dialect, body: Record<string, unknown>, mid: string | null): SessionHooks {
  return {
    async exchangeToken(key: string): Promise<string> {
      const signed = SIGNED.exec(key);
      if (!signed) return key;
      if (mid === null) fail('TOKEN_INVALID', 'A signed goim token needs the mid it was signed for.');
      try {
        const session = await services.widget.open({ shopId: signed[1]!.toLowerCase(), identity: { externalId: mid, identifierHash: signed[2]! } });
        return session.token;
      } catch (error) {
        // Another shop's signature, a shop that does not exist: the credential is simply not valid.
        if (error instanceof AppError && (error.code === 'IDENTITY_INVALID' || error.code === 'SHOP_NOT_FOUND')) fail('TOKEN_INVALID');
        throw error;
      }
    },
    async authenticated(connection: Connection, principal: Principal): Promise<void> {
      if (dialect === 'frontdesk') return;
      connection.heartbeatLimitMs = dialect === 'goim' ? GOIM_HEARTBEAT_MS * GOIM_HEARTBEAT_MAX : null;
      connection.accepts = acceptsOf(body.accepts);
      const roomId = body.room_id;
      if (typeof roomId === 'string' && roomId !== '') connection.room = (await services.pushes.roomToJoin(principal, roomId)).key;
    },
  };
}

/**
 * goim's own requests, in every dialect: op 12 changes room (the body is the room id; empty leaves
 * it), op 14 and 16 with a list of operations add to and take from what the connection accepts.
 * Returns the reply packet, or null when the packet is not one of them (14 and 16 with other
 * bodies are sync and ack).
 */
export async function goimRequest(services: Services, hub: Hub, connection: Connection, packet: goim.Packet): Promise<Uint8Array | null> {
  const text = Buffer.from(packet.body).toString('utf8');
  if (packet.op === ops.changeRoom) {
    try {
      const room = text === '' ? null : (await services.pushes.roomToJoin(connection.principal!, text)).key;
      hub.setRoom(connection, room);
      // goim echoes the body.
      return goim.encodePacket({ op: ops.changeRoomReply, seq: packet.seq, body: packet.body });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return goim.encodeJsonPacket(ops.changeRoomReply, packet.seq, { type: 'error', code: error.code, message: error.message, id: packet.seq });
    }
  }
  const list = packet.op === ops.sync || packet.op === ops.ack ? operationList(text) : undefined;
  if (list === undefined) return null;
  if (packet.op === ops.sync) {
    connection.accepts ??= new Set();
    for (const op of list) connection.accepts.add(op);
  } else {
    for (const op of list) connection.accepts?.delete(op);
  }
  return goim.encodePacket({ op: packet.op + 1, seq: packet.seq, body: packet.body });
}
