import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import { lazyServerKey } from './server-keys.ts';

const KEY_NAME = 'sign-in-links';

/**
 * Links that let a customer back into their conversation without their widget's storage: the
 * e-mail telling them of a reply carries one (channels/email). A link names the shop and the
 * customer and when it expires, signed with a server key (HMAC-SHA256, checked in constant time);
 * the hosted chat page reads it from the URL's fragment (never sent to a server or a log) and
 * opens a widget session with it.
 */
export function createSignInLinks({ store, now }: DomainDeps) {
  const keyOf = lazyServerKey(store.attachments, KEY_NAME, now);
  const sign = async (payload: string) => createHmac('sha256', await keyOf()).update(payload).digest('base64url');

  return {
    async issue(shopId: string, customerId: string, ttlMs: number): Promise<string> {
      const payload = Buffer.from(JSON.stringify({ s: shopId, c: customerId, e: now() + ttlMs })).toString('base64url');
      return `${payload}.${await sign(payload)}`;
    },

    async verify(link: string): Promise<{ shopId: string; customerId: string }> {
      const [payload, signature, extra] = link.split('.');
      if (!payload || !signature || extra !== undefined) fail('LINK_INVALID');
      const expected = Buffer.from(await sign(payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) fail('LINK_INVALID');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; c: string; e: number };
      if (!(claims.e > now())) fail('LINK_INVALID', 'The link has expired.');
      return { shopId: claims.s, customerId: claims.c };
    },
  };
}

export type SignInLinks = ReturnType<typeof createSignInLinks>;
