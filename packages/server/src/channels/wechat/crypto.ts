import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's callback signatures and its "safe mode" message encryption (WXBizMsgCrypt, the scheme
 * of WeChat's official SDKs): AES-256-CBC, key = base64(EncodingAESKey + "="), IV = its first 16
 * bytes, plaintext = 16 random bytes + length (uint32, big-endian) + message + appId, padded
 * PKCS#7 to a multiple of 32 bytes.
 */

const BLOCK = 32;

/** sha1 of the sorted parts, concatenated: `signature` (token, timestamp, nonce) or `msg_signature` (… and the ciphertext). */
export function wechatSignature(...parts: readonly string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Constant-time check of a signature from a query string. */
export function signatureMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

/** 43 characters of base64 without its padding (WeChat's settings page generates them). */
export const encodingAesKeyPattern = /^[A-Za-z0-9+/]{43}$/;

export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!encodingAesKeyPattern.test(encodingAesKey)) throw new Error('EncodingAESKey must be 43 base64 characters.');
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

export function encryptMessage(key: Buffer, appId: string, message: string): string {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** The message, or undefined when the ciphertext is malformed or was made for another appId. */
export function decryptMessage(key: Buffer, appId: string, encrypted: string): string | undefined {
  try {
    const data = Buffer.from(encrypted, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) return undefined;
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);
    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > BLOCK || pad > plain.length) return undefined;
    const content = plain.subarray(16, plain.length - pad);
    if (content.length < 4) return undefined;
    const length = content.readUInt32BE(0);
    if (4 + length > content.length) return undefined;
    if (content.subarray(4 + length).toString('utf8') !== appId) return undefined;
    return content.subarray(4, 4 + length).toString('utf8');
  } catch {
    return undefined;
  }
}
