import { randomBytes } from 'node:crypto';

/**
 * A 256-bit key of the deployment's own (`server_keys`), made on first use and shared by every node;
 * read once per process. A failed read is not remembered: the next call asks again.
 */
export function lazyServerKey(keys: { serverKey(name: string, generate: () => string, now: number): Promise<string> }, name: string, now: () => number): () => Promise<Buffer> {
  let key: Promise<Buffer> | undefined;
  return () => {
    key ??= keys.serverKey(name, () => randomBytes(32).toString('base64url'), now()).then((k) => Buffer.from(k, 'base64url'));
    key.catch(() => (key = undefined));
    return key;
  };
}
