import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { lazyServerKey } from '../../domain/server-keys.ts';

/**
 * Endpoint secrets at rest: AES-256-GCM under a key of the deployment's own (`server_keys`, the
 * mechanism the attachment links use), so a copy of the endpoints table alone does not sign
 * anything. Sealed form: `v1.<iv>.<ciphertext>.<tag>`, base64url parts.
 */
export function secretBox(key: () => Promise<Buffer>) {
  return {
    async seal(plain: string): Promise<string> {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await key(), iv);
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },

    async open(sealed: string): Promise<string> {
      const [version, iv, data, tag] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || data === undefined || tag === undefined) throw new Error('unknown sealed secret format');
      const decipher = createDecipheriv('aes-256-gcm', await key(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

export type SecretBox = ReturnType<typeof secretBox>;

/** A box under the deployment's server key `name` (domain/server-keys.ts). */
export function serverKeyBox(keys: { serverKey(name: string, generate: () => string, now: number): Promise<string> }, name: string, now: () => number): SecretBox {
  return secretBox(lazyServerKey(keys, name, now));
}
