import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  GoimProtocolError,
  PacketDecoder,
  decodeMessage,
  defaultMaxBodyBytes,
  encodeBatch,
  encodeJsonPacket,
  encodePacket,
  headerBytes,
  int32Body,
  ops,
  parseInt32Body,
  parseJsonBody,
  unbatch,
  type Packet,
  type ProtocolErrorCode,
} from '../src/goim.ts';

/** mulberry32: small, seeded, good enough to drive property tests reproducibly. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  /** An integer in [min, max]. */
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const bytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => int(0, 255));
  return { next, int, bytes };
}
type Rng = ReturnType<typeof prng>;

const int32 = { min: -0x8000_0000, max: 0x7fff_ffff };

/** Body lengths favour the edges, where off-by-one bugs live. */
function randomPacket(rng: Rng, maxBodyBytes: number): Packet {
  const roll = rng.next();
  const length = roll < 0.1 ? 0 : roll < 0.2 ? maxBodyBytes : rng.int(0, maxBodyBytes);
  return { op: rng.int(int32.min, int32.max), seq: rng.int(int32.min, int32.max), ver: rng.int(-0x8000, 0x7fff), body: rng.bytes(length) };
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

/** Cuts bytes into chunks: all single bytes, or random sizes with many 1-byte pieces among them. */
function split(rng: Rng, bytes: Uint8Array, mode: 'bytes' | 'random'): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const size = mode === 'bytes' || rng.next() < 0.3 ? 1 : rng.int(0, 2 * headerBytes + 300);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function header(fields: { packLen: number; headerLen: number; ver?: number; op?: number; seq?: number }): Uint8Array {
  const bytes = new Uint8Array(headerBytes);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, fields.packLen);
  view.setInt16(4, fields.headerLen);
  view.setInt16(6, fields.ver ?? 1);
  view.setInt32(8, fields.op ?? ops.send);
  view.setInt32(12, fields.seq ?? 1);
  return bytes;
}

function assertProtocolError(run: () => unknown, code: ProtocolErrorCode): void {
  assert.throws(run, (error: unknown) => error instanceof GoimProtocolError && error.code === code);
}

const utf8 = new TextEncoder();

test('encode then decode gives the packet back, on both decoders, for random ops, seqs and bodies', () => {
  const rng = prng(1);
  for (let i = 0; i < 500; i++) {
    const maxBodyBytes = i % 5 === 0 ? rng.int(0, 64) : defaultMaxBodyBytes;
    const packet = randomPacket(rng, maxBodyBytes);
    const bytes = encodePacket(packet);
    assert.equal(bytes.byteLength, headerBytes + packet.body.byteLength);
    assert.equal(new DataView(bytes.buffer).getInt32(0), bytes.byteLength);
    assert.deepEqual(decodeMessage(bytes, { maxBodyBytes }), [packet]);
    assert.deepEqual(new PacketDecoder({ maxBodyBytes }).push(bytes), [packet]);
  }
  assert.deepEqual(decodeMessage(encodePacket({ op: ops.heartbeat, seq: 1 })), [
    { op: ops.heartbeat, seq: 1, ver: 1, body: new Uint8Array(0) },
  ]);
});

test('any split of a stream of many packets reassembles exactly the same packets, within the memory bound', () => {
  const rng = prng(2);
  for (let round = 0; round < 40; round++) {
    const maxBodyBytes = round % 4 === 0 ? rng.int(0, 40) : defaultMaxBodyBytes;
    const packets = Array.from({ length: rng.int(1, 60) }, () => randomPacket(rng, maxBodyBytes));
    const stream = concat(packets.map(encodePacket));
    const decoder = new PacketDecoder({ maxBodyBytes });
    const received: Packet[] = [];
    for (const chunk of split(rng, stream, round % 5 === 0 ? 'bytes' : 'random')) {
      received.push(...decoder.push(chunk));
      assert.ok(decoder.bufferedBytes <= headerBytes + maxBodyBytes);
    }
    assert.deepEqual(received, packets);
    assert.equal(decoder.bufferedBytes, 0);
  }
});

test('decoded bodies are copies: reusing the chunk buffer does not change them', () => {
  const chunk = encodeJsonPacket(ops.send, 3, { text: 'hi' });
  const [packet] = new PacketDecoder().push(chunk);
  const [fromMessage] = decodeMessage(chunk);
  chunk.fill(0);
  assert.deepEqual(parseJsonBody(packet!), { text: 'hi' });
  assert.deepEqual(parseJsonBody(fromMessage!), { text: 'hi' });
});

test('one WebSocket message may carry several packets; one that ends inside a packet is TRUNCATED', () => {
  const rng = prng(3);
  for (let round = 0; round < 50; round++) {
    const packets = Array.from({ length: rng.int(1, 20) }, () => randomPacket(rng, 200));
    const message = concat(packets.map(encodePacket));
    assert.deepEqual(decodeMessage(message), packets);
    // Cut inside the last packet, anywhere from its header's first byte to its body's last.
    const cut = rng.int(1, headerBytes + packets.at(-1)!.body.byteLength);
    assertProtocolError(() => decodeMessage(message.subarray(0, message.byteLength - cut)), 'TRUNCATED');
  }
  assert.deepEqual(decodeMessage(new Uint8Array(0)), []);
  assertProtocolError(() => decodeMessage(new Uint8Array(headerBytes - 1)), 'TRUNCATED');
});

test('batch round trip, unbatch of other ops, and no batch inside a batch', () => {
  const rng = prng(4);
  for (let round = 0; round < 100; round++) {
    const inner = Array.from({ length: rng.int(0, 12) }, () => ({ ...randomPacket(rng, 100), op: ops.message }));
    const seq = rng.int(0, int32.max);
    const [batch, ...rest] = decodeMessage(encodeBatch(inner.map(encodePacket), seq), { maxBodyBytes: 12 * (16 + 100) });
    assert.equal(rest.length, 0);
    assert.equal(batch!.op, ops.batch);
    assert.equal(batch!.seq, seq);
    assert.deepEqual(unbatch(batch!), inner);
  }
  const single: Packet = { op: ops.message, seq: 0, ver: 1, body: utf8.encode('{}') };
  assert.deepEqual(unbatch(single), [single]);

  const innerBatch = encodeBatch([encodeJsonPacket(ops.message, 0, { n: 1 })]);
  assertProtocolError(() => encodeBatch([innerBatch]), 'NESTED_BATCH');
  const nested = encodePacket({ op: ops.batch, seq: 0, body: innerBatch });
  const [outer] = decodeMessage(nested);
  assertProtocolError(() => unbatch(outer!), 'NESTED_BATCH');
  assertProtocolError(() => unbatch({ op: ops.batch, seq: 0, ver: 1, body: innerBatch.subarray(0, 20) }), 'TRUNCATED');
  assertProtocolError(() => encodeBatch([new Uint8Array(5)]), 'TRUNCATED');
  // The whole batch counts against the body limit of what a peer may send.
  const big = encodeBatch([encodePacket({ op: ops.message, seq: 0, body: new Uint8Array(defaultMaxBodyBytes) })]);
  assertProtocolError(() => decodeMessage(big), 'PACKET_TOO_LARGE');
});

test('malformed headers throw on the push that completes the 16 header bytes, with no body bytes sent', () => {
  const rng = prng(5);
  const maxBodyBytes = 1000;
  const cases: Array<() => { bytes: Uint8Array; code: ProtocolErrorCode }> = [
    () => {
      let headerLen = rng.int(-0x8000, 0x7fff);
      if (headerLen === headerBytes) headerLen = 0;
      return { bytes: header({ packLen: rng.int(headerBytes, 100), headerLen }), code: 'HEADER_LENGTH' };
    },
    () => ({ bytes: header({ packLen: rng.int(int32.min, headerBytes - 1), headerLen: 16 }), code: 'PACKET_TOO_SMALL' }),
    () => ({ bytes: header({ packLen: rng.int(headerBytes + maxBodyBytes + 1, int32.max), headerLen: 16 }), code: 'PACKET_TOO_LARGE' }),
  ];
  for (let round = 0; round < 300; round++) {
    const { bytes, code } = cases[round % cases.length]!();
    const good = Array.from({ length: rng.int(0, 3) }, () => encodePacket(randomPacket(rng, 50)));
    const stream = concat([...good, bytes]);
    const decoder = new PacketDecoder({ maxBodyBytes });
    const chunks = split(rng, stream, round % 2 === 0 ? 'bytes' : 'random');
    const last = chunks.length - 1;
    chunks.forEach((chunk, index) => {
      if (index < last) decoder.push(chunk);
      else assertProtocolError(() => decoder.push(chunk), code);
    });
    // Failed for good: nothing more is read.
    assertProtocolError(() => decoder.push(new Uint8Array(0)), code);
    assertProtocolError(() => decoder.push(encodePacket({ op: ops.heartbeat, seq: 1 })), code);
    assertProtocolError(() => decodeMessage(stream, { maxBodyBytes }), code);
  }
});

test('the body limit holds exactly at the boundary: maxBodyBytes passes, one more is refused', () => {
  for (const maxBodyBytes of [0, 1, 15, 16, 17, 1000, defaultMaxBodyBytes]) {
    const fits = encodePacket({ op: ops.send, seq: 1, body: new Uint8Array(maxBodyBytes).fill(7) });
    assert.equal(decodeMessage(fits, { maxBodyBytes })[0]!.body.byteLength, maxBodyBytes);
    assert.equal(new PacketDecoder({ maxBodyBytes }).push(fits)[0]!.body.byteLength, maxBodyBytes);
    const over = header({ packLen: headerBytes + maxBodyBytes + 1, headerLen: 16 });
    assertProtocolError(() => decodeMessage(over, { maxBodyBytes }), 'PACKET_TOO_LARGE');
    assertProtocolError(() => new PacketDecoder({ maxBodyBytes }).push(over), 'PACKET_TOO_LARGE');
  }
  const defaults = new PacketDecoder();
  assert.equal(defaults.push(encodePacket({ op: ops.send, seq: 1, body: new Uint8Array(4096) })).length, 1);
  assertProtocolError(() => defaults.push(header({ packLen: 4113, headerLen: 16 })), 'PACKET_TOO_LARGE');
  assertProtocolError(() => decodeMessage(header({ packLen: headerBytes - 1, headerLen: 16 })), 'PACKET_TOO_SMALL');
  assert.throws(() => new PacketDecoder({ maxBodyBytes: -1 }), RangeError);
  assert.throws(() => decodeMessage(new Uint8Array(0), { maxBodyBytes: 1.5 }), RangeError);
});

test('10,000 random byte arrays: the decoders throw nothing but GoimProtocolError', () => {
  const rng = prng(6);
  const outcomes = { decoded: 0, refused: 0 };
  const valid = concat(Array.from({ length: 8 }, () => encodePacket(randomPacket(rng, 40))));
  for (let i = 0; i < 10_000; i++) {
    let bytes: Uint8Array;
    if (i % 2 === 0) {
      bytes = rng.bytes(rng.int(0, 80));
    } else {
      // Mostly-valid input gets past the header checks and into the deeper paths.
      bytes = valid.slice(0, rng.int(0, valid.byteLength));
      for (let flips = rng.int(0, 3); flips > 0 && bytes.byteLength > 0; flips--) bytes[rng.int(0, bytes.byteLength - 1)] = rng.int(0, 255);
    }
    const maxBodyBytes = rng.int(0, 64);
    const attempts = [
      () => decodeMessage(bytes, { maxBodyBytes }).flatMap(unbatch).map((packet) => parseJsonBody(packet)),
      () => {
        const decoder = new PacketDecoder({ maxBodyBytes });
        return split(rng, bytes, 'random').flatMap((chunk) => decoder.push(chunk)).flatMap(unbatch);
      },
    ];
    for (const attempt of attempts) {
      try {
        attempt();
        outcomes.decoded++;
      } catch (error) {
        assert.ok(error instanceof GoimProtocolError, `unexpected ${String(error)}`);
        outcomes.refused++;
      }
    }
  }
  assert.ok(outcomes.decoded > 1000 && outcomes.refused > 1000, JSON.stringify(outcomes));
});

test('JSON and int32 bodies round-trip; bad ones are BAD_JSON and BAD_INT32', () => {
  const value = { token: 'fds_ü→😀', n: [1, 2.5, null], nested: { ok: true } };
  const [packet] = decodeMessage(encodeJsonPacket(ops.auth, 1, value));
  assert.deepEqual(parseJsonBody(packet!), value);
  const withBody = (body: Uint8Array): Packet => ({ op: ops.auth, seq: 1, ver: 1, body });
  assertProtocolError(() => parseJsonBody(withBody(utf8.encode('{"token":'))), 'BAD_JSON');
  assertProtocolError(() => parseJsonBody(withBody(new Uint8Array(0))), 'BAD_JSON');
  assertProtocolError(() => parseJsonBody(withBody(Uint8Array.of(0x22, 0xff, 0x22))), 'BAD_JSON');
  assert.throws(() => encodeJsonPacket(ops.send, 1, undefined), TypeError);

  for (const n of [0, 1, 3, -1, int32.min, int32.max]) {
    const [reply] = decodeMessage(encodePacket({ op: ops.heartbeatReply, seq: 1, body: int32Body(n) }));
    assert.equal(parseInt32Body(reply!), n);
  }
  assertProtocolError(() => parseInt32Body(withBody(new Uint8Array(3))), 'BAD_INT32');
  assert.throws(() => int32Body(2 ** 31), RangeError);
});

test('encodePacket refuses header fields that do not fit', () => {
  assert.throws(() => encodePacket({ op: 2 ** 31, seq: 0 }), RangeError);
  assert.throws(() => encodePacket({ op: ops.send, seq: 1.5 }), RangeError);
  assert.throws(() => encodePacket({ op: ops.send, seq: 0, ver: 0x8000 }), RangeError);
  assert.deepEqual(decodeMessage(encodePacket({ op: int32.min, seq: int32.min, ver: -0x8000 })), [
    { op: int32.min, seq: int32.min, ver: -0x8000, body: new Uint8Array(0) },
  ]);
});

/** The `<!-- goim-example: name -->` hex blocks of docs/protocol-goim.md, as bytes. */
function docExamples(): Map<string, Uint8Array> {
  const doc = readFileSync(new URL('../../../docs/protocol-goim.md', import.meta.url), 'utf8');
  const examples = new Map<string, Uint8Array>();
  for (const [, name, block] of doc.matchAll(/<!-- goim-example: ([\w-]+) -->\n```text\n([\s\S]*?)```/g)) {
    const bytes = block!.trimEnd().split('\n').flatMap((line) => {
      const hex = /^([0-9a-f]{2}(?: [0-9a-f]{2})*)(?: {2,}.*)?$/.exec(line);
      assert.ok(hex, `example ${name}: cannot read the line ${JSON.stringify(line)}`);
      return hex[1]!.split(' ').map((pair) => Number.parseInt(pair, 16));
    });
    examples.set(name!, Uint8Array.from(bytes));
  }
  return examples;
}

test('the hex examples in docs/protocol-goim.md decode as documented, byte for byte', () => {
  const examples = docExamples();
  const json = (op: number, seq: number, value: unknown) => decodeMessage(encodeJsonPacket(op, seq, value))[0]!;
  const heartbeat = (seq: number): Packet => ({ op: ops.heartbeat, seq, ver: 1, body: new Uint8Array(0) });
  const valid: Record<string, { packets: Packet[]; bytes: Uint8Array }> = {
    heartbeat: { packets: [heartbeat(1)], bytes: encodePacket(heartbeat(1)) },
    'heartbeat-reply': {
      packets: [{ op: ops.heartbeatReply, seq: 1, ver: 1, body: int32Body(3) }],
      bytes: encodePacket({ op: ops.heartbeatReply, seq: 1, body: int32Body(3) }),
    },
    auth: { packets: [json(ops.auth, 1, { token: 'fds_abc' })], bytes: encodeJsonPacket(ops.auth, 1, { token: 'fds_abc' }) },
    coalesced: {
      packets: [json(ops.ack, 9, { conversationId: 'c1', seq: 17 }), heartbeat(10)],
      bytes: concat([encodeJsonPacket(ops.ack, 9, { conversationId: 'c1', seq: 17 }), encodePacket(heartbeat(10))]),
    },
    batch: {
      packets: [json(ops.message, 0, { n: 1 }), json(ops.message, 0, { n: 2 })],
      bytes: encodeBatch([encodeJsonPacket(ops.message, 0, { n: 1 }), encodeJsonPacket(ops.message, 0, { n: 2 })]),
    },
  };
  const refused: Record<string, ProtocolErrorCode> = { 'bad-header-length': 'HEADER_LENGTH', 'too-large': 'PACKET_TOO_LARGE' };
  assert.deepEqual([...examples.keys()].sort(), [...Object.keys(valid), ...Object.keys(refused)].sort());

  for (const [name, { packets, bytes }] of Object.entries(valid)) {
    const documented = examples.get(name)!;
    assert.deepEqual(documented, bytes, `example ${name} is not what the codec encodes`);
    const decoder = new PacketDecoder();
    const streamed = [...documented].flatMap((byte) => decoder.push(Uint8Array.of(byte)));
    for (const received of [decodeMessage(documented), streamed]) {
      assert.deepEqual(received.flatMap(unbatch), packets, `example ${name}`);
    }
  }
  assert.equal(parseInt32Body(decodeMessage(examples.get('heartbeat-reply')!)[0]!), 3);
  assert.equal(decodeMessage(examples.get('batch')!)[0]!.op, ops.batch);
  for (const [name, code] of Object.entries(refused)) {
    const documented = examples.get(name)!;
    assert.equal(documented.byteLength, headerBytes, `example ${name} is a header alone`);
    assertProtocolError(() => decodeMessage(documented), code);
    assertProtocolError(() => new PacketDecoder().push(documented), code);
  }
});
