/**
 * The goim-compatible binary codec (docs/protocol-goim.md): Bilibili goim's 16-byte big-endian
 * header, then the body. Pure and dependency-free (Uint8Array and DataView, no Buffer) so that the
 * server, the SDK and a browser page share it. Exported from the package as the `goim` namespace.
 */

/** Ops as seed 003 and goim use them; 14–17 also carry goim's sub and unsub (told apart by the body). */
export const ops = {
  heartbeat: 2,
  /** Body: int32 online count. */
  heartbeatReply: 3,
  send: 4,
  /** A JSON server frame: the reply to a send (header seq echoed) or a push (seq 0). */
  message: 5,
  auth: 7,
  authReply: 8,
  /** Body: a sequence of whole packets, none of them a batch. */
  batch: 9,
  /** goim: the body is the room id to move to; the reply echoes it. */
  changeRoom: 12,
  changeRoomReply: 13,
  /** Sync (a JSON body), openresty-im's history (empty), or goim's subscribe (`1000,1001`). */
  sync: 14,
  syncReply: 15,
  ack: 16,
  ackReply: 17,
} as const;
export type Op = (typeof ops)[keyof typeof ops];

export const headerBytes = 16;
/** goim's MaxBodySize (1 << 12). */
export const defaultMaxBodyBytes = 4096;
/** The ver goim clients send; everything this codec encodes carries it unless told otherwise. */
export const defaultVer = 1;

export interface Packet {
  readonly op: number;
  readonly seq: number;
  readonly ver: number;
  /** A copy owned by the packet, never a view into the caller's buffer. */
  readonly body: Uint8Array;
}

export interface DecodeOptions {
  /** Largest body accepted, in bytes (goim: 4096). */
  readonly maxBodyBytes?: number;
}

export type ProtocolErrorCode =
  | 'HEADER_LENGTH'
  | 'PACKET_TOO_SMALL'
  | 'PACKET_TOO_LARGE'
  | 'TRUNCATED'
  | 'NESTED_BATCH'
  | 'BAD_JSON'
  | 'BAD_INT32';

/** Malformed input from the peer. Anything else a decoder throws is a bug. */
export class GoimProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'GoimProtocolError';
    this.code = code;
  }
}

const packOffset = 0;
const headerLenOffset = 4;
const verOffset = 6;
const opOffset = 8;
const seqOffset = 12;

export interface PacketInit {
  readonly op: number;
  readonly seq: number;
  readonly ver?: number;
  readonly body?: Uint8Array;
}

export function encodePacket({ op, seq, ver = defaultVer, body = new Uint8Array(0) }: PacketInit): Uint8Array {
  checkInt('op', op, -0x8000_0000, 0x7fff_ffff);
  checkInt('seq', seq, -0x8000_0000, 0x7fff_ffff);
  checkInt('ver', ver, -0x8000, 0x7fff);
  const packLen = headerBytes + body.byteLength;
  checkInt('packLen', packLen, headerBytes, 0x7fff_ffff);
  const bytes = new Uint8Array(packLen);
  const view = new DataView(bytes.buffer);
  view.setInt32(packOffset, packLen);
  view.setInt16(headerLenOffset, headerBytes);
  view.setInt16(verOffset, ver);
  view.setInt32(opOffset, op);
  view.setInt32(seqOffset, seq);
  bytes.set(body, headerBytes);
  return bytes;
}

export function encodeJsonPacket(op: number, seq: number, value: unknown): Uint8Array {
  return encodePacket({ op, seq, body: jsonBody(value) });
}

/**
 * An op 9 packet whose body is the given packets back to back. Refuses anything that is not a
 * whole packet, and batches inside the batch, so that every batch it makes decodes.
 */
export function encodeBatch(packets: readonly Uint8Array[], seq = 0): Uint8Array {
  const body = concat(packets);
  readSequence(body, Number.POSITIVE_INFINITY, 'batch', false);
  return encodePacket({ op: ops.batch, seq, body });
}

export function jsonBody(value: unknown): Uint8Array {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('The value has no JSON form.');
  return utf8Encoder.encode(text);
}

export function int32Body(n: number): Uint8Array {
  checkInt('int32 body', n, -0x8000_0000, 0x7fff_ffff);
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, n);
  return bytes;
}

/** The body as UTF-8 JSON; invalid UTF-8 counts as bad JSON. */
export function parseJsonBody(packet: Packet): unknown {
  try {
    return JSON.parse(utf8Decoder.decode(packet.body));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new GoimProtocolError('BAD_JSON', `The body of op ${packet.op} is not UTF-8 JSON: ${reason}`);
  }
}

export function parseInt32Body(packet: Packet): number {
  if (packet.body.byteLength !== 4) {
    throw new GoimProtocolError('BAD_INT32', `The body of op ${packet.op} has ${packet.body.byteLength} bytes, not 4.`);
  }
  return new DataView(packet.body.buffer, packet.body.byteOffset, 4).getInt32(0);
}

/**
 * The packets of one WebSocket binary message: one or more whole packets back to back (an empty
 * message has none). Batches are returned as they are; see `unbatch`.
 */
export function decodeMessage(data: Uint8Array, options: DecodeOptions = {}): Packet[] {
  return readSequence(data, maxBody(options), 'message', true);
}

/** The packets inside an op 9 batch, or the packet itself for any other op. */
export function unbatch(packet: Packet): Packet[] {
  if (packet.op !== ops.batch) return [packet];
  // The batch's own body was already held to the limit, so its parts need no other.
  return readSequence(packet.body, Number.POSITIVE_INFINITY, 'batch', false);
}

/**
 * Reassembles packets from a byte stream (TCP): partial and coalesced packets alike. A malformed
 * header throws as soon as its 16 bytes are in, before any body byte is read or waited for, and
 * leaves the decoder failed: every later push throws the same error. It holds at most one header
 * and one body (≤ maxBodyBytes) between pushes.
 */
export class PacketDecoder {
  readonly #maxBodyBytes: number;
  readonly #header = new Uint8Array(headerBytes);
  #headerFilled = 0;
  #pending: { op: number; seq: number; ver: number; body: Uint8Array } | null = null;
  #bodyFilled = 0;
  #failure: GoimProtocolError | null = null;

  constructor(options: DecodeOptions = {}) {
    this.#maxBodyBytes = maxBody(options);
  }

  /** Bytes received of the packet not yet complete (at most 16 + maxBodyBytes). */
  get bufferedBytes(): number {
    return this.#pending ? headerBytes + this.#bodyFilled : this.#headerFilled;
  }

  push(chunk: Uint8Array): Packet[] {
    if (this.#failure) throw this.#failure;
    const packets: Packet[] = [];
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (!this.#pending) {
        const take = Math.min(headerBytes - this.#headerFilled, chunk.byteLength - offset);
        this.#header.set(chunk.subarray(offset, offset + take), this.#headerFilled);
        this.#headerFilled += take;
        offset += take;
        if (this.#headerFilled < headerBytes) break;
        try {
          const { packLen, op, seq, ver } = readHeader(this.#header, 0, this.#maxBodyBytes);
          this.#pending = { op, seq, ver, body: new Uint8Array(packLen - headerBytes) };
        } catch (error) {
          if (error instanceof GoimProtocolError) this.#failure = error;
          throw error;
        }
        this.#headerFilled = 0;
        this.#bodyFilled = 0;
      }
      const pending = this.#pending;
      const take = Math.min(pending.body.byteLength - this.#bodyFilled, chunk.byteLength - offset);
      pending.body.set(chunk.subarray(offset, offset + take), this.#bodyFilled);
      this.#bodyFilled += take;
      offset += take;
      if (this.#bodyFilled < pending.body.byteLength) break;
      packets.push(pending);
      this.#pending = null;
      this.#bodyFilled = 0;
    }
    return packets;
  }
}

interface Header {
  readonly packLen: number;
  readonly op: number;
  readonly seq: number;
  readonly ver: number;
}

function readHeader(bytes: Uint8Array, at: number, maxBodyBytes: number): Header {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, headerBytes);
  const packLen = view.getInt32(packOffset);
  const headerLen = view.getInt16(headerLenOffset);
  if (headerLen !== headerBytes) {
    throw new GoimProtocolError('HEADER_LENGTH', `headerLen is ${headerLen}, not ${headerBytes}.`);
  }
  if (packLen < headerBytes) {
    throw new GoimProtocolError('PACKET_TOO_SMALL', `packLen ${packLen} is smaller than the ${headerBytes}-byte header.`);
  }
  if (packLen - headerBytes > maxBodyBytes) {
    throw new GoimProtocolError('PACKET_TOO_LARGE', `A body of ${packLen - headerBytes} bytes is over the limit of ${maxBodyBytes}.`);
  }
  return { packLen, ver: view.getInt16(verOffset), op: view.getInt32(opOffset), seq: view.getInt32(seqOffset) };
}

function readSequence(bytes: Uint8Array, maxBodyBytes: number, what: 'message' | 'batch', batchesAllowed: boolean): Packet[] {
  const packets: Packet[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const left = bytes.byteLength - at;
    if (left < headerBytes) {
      throw new GoimProtocolError('TRUNCATED', `The ${what} ends with ${left} bytes, less than a header.`);
    }
    const { packLen, op, seq, ver } = readHeader(bytes, at, maxBodyBytes);
    if (left < packLen) {
      throw new GoimProtocolError('TRUNCATED', `The ${what} ends inside a packet of ${packLen} bytes (${left} left).`);
    }
    if (op === ops.batch && !batchesAllowed) {
      throw new GoimProtocolError('NESTED_BATCH', 'A batch may not contain another batch.');
    }
    packets.push({ op, seq, ver, body: bytes.slice(at + headerBytes, at + packLen) });
    at += packLen;
  }
  return packets;
}

function maxBody(options: DecodeOptions): number {
  const value = options.maxBodyBytes ?? defaultMaxBodyBytes;
  checkInt('maxBodyBytes', value, 0, 0x7fff_ffff - headerBytes);
  return value;
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, not ${value}.`);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

// Pure annotations let bundles that import the package but not the codec (the widget) drop these.
const utf8Encoder = /* @__PURE__ */ new TextEncoder();
const utf8Decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });
