import { limits } from '@frontdesk/protocol';

interface WebCrypto {
  randomUUID?: () => string;
  getRandomValues?: (array: Uint8Array) => Uint8Array;
}

/**
 * A fresh clientMsgId (the server's idempotency key for a send). `crypto.randomUUID` exists only in
 * secure contexts in browsers, so a page served over plain http falls back to getRandomValues.
 */
export function newClientMsgId(): string {
  const c = (globalThis as { crypto?: WebCrypto }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  if (typeof c?.getRandomValues !== 'function') throw new TypeError('No Web Crypto here: pass a clientMsgId to send().');
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The server's rule for clientMsgId (packages/server/src/realtime/frame-schema.ts). */
const CLIENT_MSG_ID = new RegExp(`^[A-Za-z0-9._:-]{1,${limits.clientMsgIdMaxChars}}$`);

export function isValidClientMsgId(value: string): boolean {
  return CLIENT_MSG_ID.test(value);
}
